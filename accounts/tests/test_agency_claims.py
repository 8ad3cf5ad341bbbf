"""Claiming an agency (item 8 of the security review): a sign-up on one of the agency's email domains is its
staff at once; any other claim waits for the agency lead (or the training manager) to confirm or refuse it,
and until then the person is nobody's staff."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.factories import UserFactory, agency_lead, training_manager
from accounts.models import AuditEntry, User
from accounts.selectors import is_member_of, members_of, people_visible_to

pytestmark = pytest.mark.django_db

PASSWORD = "kestrel-harbour-lantern-9"


@pytest.fixture
def priya(police):
    return agency_lead(full_name="Priya Shah", email="priya.shah@northshire-police.example.org", agency=police)


def sign_up(client, police, target_groups, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:sign-up"),
            {
                "full_name": "Jamie Cole",
                "email": email,
                "job_title": "Special constable (volunteer)",
                "agency": str(police.pk),
                "target_group": str(target_groups[2].pk),
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    return User.objects.get(email=email)


def confirm_email(client, django_capture_on_commit_callbacks):
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(link.split("testserver", 1)[1])


@pytest.fixture
def claimant(police):
    """Jamie says they volunteer for the police, from a personal address; email confirmed."""
    return UserFactory(full_name="Jamie Cole", email="jamie.cole@gmail.example.com", agency=None, claimed_agency=police)


def test_item_8_a_sign_up_on_the_agencys_domain_is_its_staff_at_once(
    client, police, priya, target_groups, django_capture_on_commit_callbacks
):
    person = sign_up(
        client, police, target_groups, "jamie.cole@northshire-police.example.org", django_capture_on_commit_callbacks
    )
    assert person.agency == police and person.claimed_agency is None
    assert is_member_of(person, police)


def test_item_8_a_claim_from_a_personal_address_waits_and_the_lead_is_asked_once_the_email_is_confirmed(
    client, police, priya, target_groups, django_capture_on_commit_callbacks
):
    person = sign_up(client, police, target_groups, "jamie.cole@gmail.example.com", django_capture_on_commit_callbacks)

    assert person.agency is None and person.claimed_agency == police
    assert not is_member_of(person, police)
    assert [m.to for m in mail.outbox] == [[person.email]]  # only the confirmation link so far
    assert "waits for Northshire Police to confirm" in str(AuditEntry.objects.get(action="signed up").changes)

    confirm_email(client, django_capture_on_commit_callbacks)

    [asked] = [m for m in mail.outbox if m.to == [priya.email]]
    assert asked.subject == "Please confirm Jamie Cole works for Northshire Police"
    assert f"/manage/people/claims/{person.pk}" in asked.body


def test_item_8_a_claim_is_not_in_the_leads_people_list_or_export_until_confirmed(client, claimant, priya, police):
    client.force_login(priya)
    people = client.get(reverse("manage:people")).content.decode()
    export = client.get(reverse("manage:people") + "?export=csv").content.decode()
    training = client.get(reverse("courses:agency-training")).content.decode()
    assert "Jamie Cole" not in people and "Jamie Cole" not in export and "Jamie Cole" not in training
    assert claimant not in people_visible_to(priya) and claimant not in members_of(police)
    assert "1 person says they work" in people
    # Their record is not the lead's to see yet, except on the claim page.
    assert client.get(reverse("manage:person", args=[claimant.pk])).status_code == 404
    claims = client.get(reverse("manage:agency-claims")).content.decode()
    assert "Jamie Cole" in claims and "jamie.cole@gmail.example.com" in claims


def test_item_8_the_lead_confirms_a_claim(client, claimant, priya, police, django_capture_on_commit_callbacks):
    client.force_login(priya)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("manage:agency-claim", args=[claimant.pk]), {"decision": "confirm"}, follow=True)
    assert "Jamie Cole is now on Northshire Police" in response.content.decode()
    claimant.refresh_from_db()
    assert claimant.agency == police and claimant.claimed_agency is None
    assert "Jamie Cole" in client.get(reverse("manage:people")).content.decode()
    entry = AuditEntry.objects.get(action="confirmed agency claim")
    assert entry.actor == priya and entry.object_id == str(claimant.pk)
    assert [m.subject for m in mail.outbox if m.to == [claimant.email]] == [
        "Northshire Police has confirmed you are on its staff"
    ]


def test_item_8_the_lead_refuses_a_claim_with_a_reason_the_person_sees(
    client, claimant, priya, police, django_capture_on_commit_callbacks
):
    client.force_login(priya)
    url = reverse("manage:agency-claim", args=[claimant.pk])
    page = client.post(url, {"decision": "refuse", "reason": ""}).content.decode()
    assert "Enter why you are refusing" in page
    claimant.refresh_from_db()
    assert claimant.claimed_agency == police

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "refuse", "reason": "Nobody of this name volunteers with us"})

    claimant.refresh_from_db()
    assert claimant.agency is None and claimant.claimed_agency is None
    entry = AuditEntry.objects.get(action="refused agency claim")
    assert entry.actor == priya and entry.changes["reason"] == "Nobody of this name volunteers with us"
    [told] = [m for m in mail.outbox if m.to == [claimant.email]]
    assert "Nobody of this name volunteers with us" in told.body
    client.force_login(claimant)
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert "Northshire Police did not confirm that you are on its staff: Nobody of this name volunteers with us" in (
        profile
    )


def test_item_8_another_agencys_lead_cannot_see_or_decide_the_claim(client, claimant, school):
    other = agency_lead(agency=school)
    client.force_login(other)
    url = reverse("manage:agency-claim", args=[claimant.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"decision": "confirm"}).status_code == 404
    assert "Jamie Cole" not in client.get(reverse("manage:agency-claims")).content.decode()
    claimant.refresh_from_db()
    assert claimant.agency is None and claimant.claimed_agency is not None
    client.force_login(UserFactory(agency=claimant.claimed_agency))  # a colleague without the lead role
    assert client.post(url, {"decision": "confirm"}).status_code == 403


def test_item_8_the_training_manager_decides_a_claim_for_an_agency_without_a_lead(
    client, claimant, police, django_capture_on_commit_callbacks
):
    helen = training_manager()
    client.force_login(helen)
    assert "Northshire Police" in client.get(reverse("manage:agency-claims")).content.decode()
    client.post(reverse("manage:agency-claim", args=[claimant.pk]), {"decision": "confirm"})
    claimant.refresh_from_db()
    assert claimant.agency == police


def test_item_8_without_a_lead_the_training_manager_is_asked(
    client, police, target_groups, django_capture_on_commit_callbacks
):
    helen = training_manager(email="helen.carter@northshire-scp.example.org")
    sign_up(client, police, target_groups, "jamie.cole@gmail.example.com", django_capture_on_commit_callbacks)
    confirm_email(client, django_capture_on_commit_callbacks)
    [asked] = [m for m in mail.outbox if m.to == [helen.email]]
    assert asked.body.startswith("Dear training manager")


def test_item_8_a_move_by_the_training_manager_is_a_confirmed_membership(client, claimant, police):
    client.force_login(training_manager())
    client.post(reverse("manage:person-agency", args=[claimant.pk]), {"agency": police.pk})
    claimant.refresh_from_db()
    assert claimant.agency == police and claimant.claimed_agency is None and is_member_of(claimant, police)


def test_item_8_the_training_manager_sets_an_agencys_email_domains(client, police):
    client.force_login(training_manager())
    url = reverse("manage:agency-edit", args=[police.pk])
    data = {"name": police.name, "sector": "police", "category": police.category_id, "active": "on"}
    page = client.post(url, data | {"email_domains": "northshire-police.example.org, not a domain"}).content.decode()
    assert "is not an email domain" in page
    client.post(url, data | {"email_domains": "@Northshire-Police.example.org; police.example.net"})
    police.refresh_from_db()
    assert police.domains == ["northshire-police.example.org", "police.example.net"]
    assert police.owns_address("Jo@POLICE.example.net") and not police.owns_address("jo@mail.police.example.net")


def test_item_8_a_walk_in_claiming_their_account_keeps_the_agency_the_register_gave_them(
    client, police, school, target_groups, django_capture_on_commit_callbacks
):
    walk_in = UserFactory(email="jamie.cole@gmail.example.com", agency=police, is_active=False, email_verified_at=None)
    walk_in.set_unusable_password()
    walk_in.save()
    person = sign_up(client, police, target_groups, "jamie.cole@gmail.example.com", django_capture_on_commit_callbacks)
    assert person.pk == walk_in.pk and person.agency == police and person.claimed_agency is None

    other = UserFactory(email="sam.wilde@gmail.example.com", agency=police, is_active=False, email_verified_at=None)
    other.set_unusable_password()
    other.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:sign-up"),
            {
                "full_name": "Sam Wilde",
                "email": other.email,
                "job_title": "Teaching assistant",
                "agency": str(school.pk),
                "target_group": str(target_groups[3].pk),
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    other.refresh_from_db()
    assert other.agency is None and other.claimed_agency == school  # another agency is a claim like anyone's
