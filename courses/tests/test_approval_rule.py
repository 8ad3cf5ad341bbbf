"""Who may approve a place (item 2 of the security review): someone other than the person booked whom the
service has reason to trust. A line manager of the same agency (an active account there, or an address on
the agency's own email domains); without one, the agency lead; without an agency, the training team."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse

from accounts.factories import UserFactory, agency_lead, training_manager
from accounts.models import AuditEntry, User
from courses.factories import CourseFactory, SessionFactory
from courses.models import BookingStatus
from courses.services.booking import BookingError, approval_token, book_place, decide_approval

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def run_on_commit(immediate_on_commit):
    pass


@pytest.fixture
def hsb():
    return SessionFactory(course=CourseFactory(title="Harmful Sexual Behaviour", needs_manager_approval=True))


@pytest.fixture
def tom(police):
    return UserFactory(
        full_name="Tom Fletcher", email="tom.fletcher@northshire-police.example.org", agency=police, job_title="PC"
    )


@pytest.fixture
def priya(police):
    return agency_lead(full_name="Priya Shah", email="priya.shah@northshire-police.example.org", agency=police)


def profile_post(client, person, email, name="Ruth Evans"):
    client.force_login(person)
    return client.post(
        reverse("accounts:edit-profile"),
        {
            "full_name": person.full_name,
            "job_title": person.job_title,
            "target_group": person.target_group_id,
            "line_manager_name": name,
            "line_manager_email": email,
        },
    )


def approvals_sent_to(address):
    return [m for m in mail.outbox if m.to == [address] and "Please approve a training place" in m.subject]


def test_item_2_own_address_as_line_manager_is_refused_on_the_profile(client, tom):
    response = profile_post(client, tom, "Tom.Fletcher@northshire-police.example.org", name="Tom Fletcher")
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert "Your line manager must be someone else" in page
    tom.refresh_from_db()
    assert tom.line_manager_email == "" and tom.line_manager_name == ""


def test_item_2_own_address_as_line_manager_is_refused_at_sign_up(client, police, target_groups):
    password = "kestrel-harbour-lantern-9"
    response = client.post(
        reverse("accounts:sign-up"),
        {
            "full_name": "Aisha Khan",
            "email": "aisha.khan@northshire-police.example.org",
            "job_title": "Police constable",
            "agency": str(police.pk),
            "target_group": str(target_groups[3].pk),
            "line_manager_name": "Aisha Khan",
            "line_manager_email": "aisha.khan@northshire-police.example.org",
            "password1": password,
            "password2": password,
        },
    )
    assert "Your line manager must be someone else" in response.content.decode()
    assert not User.objects.filter(email="aisha.khan@northshire-police.example.org").exists()


def test_item_2_the_person_booked_cannot_approve_their_own_place_even_if_the_data_says_so(client, tom, priya, hsb):
    # However it got there (an old profile, an import), the data names Tom as his own line manager.
    User.objects.filter(pk=tom.pk).update(line_manager_email=tom.email)
    tom.refresh_from_db()

    booking = book_place(person=tom, session=hsb)

    assert booking.status == BookingStatus.AWAITING_APPROVAL
    assert approvals_sent_to(tom.email) == []
    assert len(approvals_sent_to(priya.email)) == 1  # his lead is asked instead
    # A link made out to Tom himself (the old link's shape) is refused to look at and to use.
    link = reverse("courses:approval", args=[approval_token(booking, tom.email)])
    page = client.get(link)
    assert page.status_code == 400 and "You cannot approve your own place" in page.content.decode()
    client.post(link, {"decision": "approve"})
    with pytest.raises(BookingError, match="You cannot approve your own place"):
        decide_approval(token=approval_token(booking, tom.email), approve=True)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.AWAITING_APPROVAL and booking.approval_decided_by == ""


def test_item_2_an_approval_link_made_out_under_the_old_format_to_oneself_is_refused(tom, priya, hsb):
    from django.core import signing

    booking = book_place(person=tom, session=hsb)
    old = signing.dumps({"booking": booking.pk, "manager": tom.email}, salt="courses.booking-approval")
    with pytest.raises(BookingError, match="You cannot approve your own place"):
        decide_approval(token=old, approve=True)


def test_item_2_a_colleague_of_another_agency_is_refused_as_line_manager(client, tom, school):
    teacher = UserFactory(full_name="Ruth Evans", email="ruth.evans@riverside-academies.example.org", agency=school)
    page = profile_post(client, tom, teacher.email).content.decode()
    assert "Your line manager must work for Northshire Police" in page
    assert "@northshire-police.example.org" in page
    tom.refresh_from_db()
    assert tom.line_manager_email == ""


def test_item_2_an_address_on_the_agency_domain_belonging_to_another_agencys_account_is_refused(client, tom, school):
    # Moved to the school but kept a police address: the account says where they work now.
    UserFactory(email="ruth.evans@northshire-police.example.org", agency=school)
    page = profile_post(client, tom, "ruth.evans@northshire-police.example.org").content.decode()
    assert "Your line manager must work for Northshire Police" in page


def test_item_2_a_line_manager_who_leaves_the_agency_can_no_longer_approve(client, tom, priya, hsb, school):
    ruth = UserFactory(full_name="Ruth Evans", email="ruth.evans@personal.example.com", agency=tom.agency)
    assert profile_post(client, tom, ruth.email).status_code == 302
    tom.refresh_from_db()
    booking = book_place(person=tom, session=hsb)
    assert len(approvals_sent_to(ruth.email)) == 1
    ruth.agency = school
    ruth.save()

    response = client.post(
        reverse("courses:approval", args=[approval_token(booking, ruth.email)]), {"decision": "approve"}
    )

    assert response.status_code == 400 and "cannot approve Tom Fletcher" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.AWAITING_APPROVAL


def test_item_2_a_valid_line_manager_approves_and_the_approval_records_who(client, tom, hsb):
    ruth = UserFactory(full_name="Ruth Evans", email="ruth.evans@northshire-police.example.org", agency=tom.agency)
    assert profile_post(client, tom, "Ruth.Evans@northshire-police.example.org").status_code == 302
    tom.refresh_from_db()
    booking = book_place(person=tom, session=hsb)
    [request] = approvals_sent_to(ruth.email)
    path = urlsplit(re.search(r"https?://\S+/approve/\S+", request.body).group(0)).path

    client.logout()
    response = client.post(path, {"decision": "approve"})

    assert "Place approved" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.approval_decided_by == ruth.email
    entry = AuditEntry.objects.get(action="approved place", object_id=str(booking.pk))
    assert entry.actor == ruth and entry.changes == {"by": ruth.email}

    # The used link shows what was decided, not the question again.
    used = client.get(path).content.decode()
    assert "This link has been used" in used
    assert "The place was approved by ruth.evans@northshire-police.example.org on" in used
    assert 'name="decision"' not in used
    again = client.post(path, {"decision": "decline"}).content.decode()
    assert "This link has been used" in again
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_item_2_a_line_manager_without_an_account_qualifies_on_the_agency_domain(client, tom, hsb):
    assert profile_post(client, tom, "sgt.morgan@northshire-police.example.org", name="Sgt Morgan").status_code == 302
    tom.refresh_from_db()
    booking = book_place(person=tom, session=hsb)
    decide_approval(token=approval_token(booking, "sgt.morgan@northshire-police.example.org"), approve=True)
    booking.refresh_from_db()
    assert booking.approval_decided_by == "sgt.morgan@northshire-police.example.org"


def test_item_2_without_a_line_manager_the_agency_lead_approves(tom, priya, hsb):
    booking = book_place(person=tom, session=hsb)
    [request] = approvals_sent_to(priya.email)
    assert "as their agency lead" in request.body
    decide_approval(token=approval_token(booking, priya.email), approve=True)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.approval_decided_by == priya.email


def test_item_2_a_lead_booking_their_own_place_goes_to_the_training_team(priya, hsb):
    helen = training_manager(email="helen.carter@northshire-scp.example.org")
    booking = book_place(person=priya, session=hsb)
    assert approvals_sent_to(priya.email) == [] and len(approvals_sent_to(helen.email)) == 1
    with pytest.raises(BookingError, match="You cannot approve your own place"):
        decide_approval(token=approval_token(booking, priya.email), approve=True)


def test_item_2_someone_with_no_confirmed_agency_is_approved_by_the_training_team(police, hsb):
    helen = training_manager(email="helen.carter@northshire-scp.example.org")
    jo = UserFactory(email="jo.baker@gmail.example.com", agency=None, claimed_agency=police)
    booking = book_place(person=jo, session=hsb)
    assert len(approvals_sent_to(helen.email)) == 1
    awaiting = next(m for m in mail.outbox if m.to == [jo.email])
    assert "the training team to approve it" in awaiting.body
    decide_approval(token=approval_token(booking, helen.email), approve=False)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.DECLINED and booking.approval_decided_by == helen.email


def test_item_2_the_agency_lead_is_told_when_someone_changes_their_line_manager(client, tom, priya):
    UserFactory(full_name="Ruth Evans", email="ruth.evans@northshire-police.example.org", agency=tom.agency)
    profile_post(client, tom, "ruth.evans@northshire-police.example.org")
    [told] = [m for m in mail.outbox if m.to == [priya.email]]
    assert told.subject == "Tom Fletcher has changed their line manager"
    assert "Before: nobody" in told.body and "Now: Ruth Evans <ruth.evans@northshire-police.example.org>" in told.body
    assert f"/manage/people/{tom.pk}" in told.body
    entry = AuditEntry.objects.get(action="updated profile", object_id=str(tom.pk))
    assert entry.changes["line_manager_email"] == ["", "ruth.evans@northshire-police.example.org"]


def test_item_2_the_agency_lead_sees_line_manager_changes_on_the_persons_page(client, tom, priya):
    profile_post(client, tom, "sgt.morgan@northshire-police.example.org", name="Sgt Morgan")
    client.force_login(priya)
    page = client.get(reverse("manage:person", args=[tom.pk])).content.decode()
    assert "Changes of line manager" in page
    assert "Line manager email: none → sgt.morgan@northshire-police.example.org" in page


def test_a_link_already_answered_says_so_and_offers_no_decision(client, hsb, tom, priya):
    booking = book_place(person=tom, session=hsb)
    token = approval_token(booking, priya.email)
    decide_approval(token=token, approve=True)
    page = client.get(reverse("courses:approval", args=[token])).content.decode()
    assert "This link has been used" in page
    assert f"The place was approved by {priya.email} on" in page
    assert "Send your answer" not in page and 'name="decision"' not in page


def test_an_approval_link_older_than_60_days_says_it_has_expired(client, hsb, tom, priya, monkeypatch):
    import time as real_time
    from types import SimpleNamespace

    from django.core import signing

    booking = book_place(person=tom, session=hsb)
    token = approval_token(booking, priya.email)
    # 60 days and a minute later by the signer's clock.
    later = real_time.time() + 60 * 24 * 60 * 60 + 60
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: later))
    response = client.get(reverse("courses:approval", args=[token]))
    page = response.content.decode()
    assert response.status_code == 410
    assert "This link has expired" in page and "more than 60 days ago" in page
    response = client.post(reverse("courses:approval", args=[token]), {"decision": "approve"})
    assert response.status_code == 410
    booking.refresh_from_db()
    assert booking.status == BookingStatus.AWAITING_APPROVAL
