"""The register: marking attendance, walk-ins, and what closing it sets off."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgencyFactory, UserFactory, trainer, training_manager
from accounts.models import User
from courses.factories import AttendanceRecordFactory, BookingFactory, CourseFactory, SessionFactory
from courses.models import Attendance, AttendanceRecord, Certificate, Charge, SessionStatus
from courses.services.register import RegisterError, add_walk_in, close_register, record_attendance
from courses.signals import register_closed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def run_on_commit(immediate_on_commit):
    """Certificates, emails and signals follow each service call at once."""


@pytest.fixture
def nursery():
    return AgencyFactory(name="Little Acorns Day Nurseries Ltd", sector="independent", contributing=False)


@pytest.fixture
def manager():
    return training_manager()


def test_the_register_does_not_open_before_the_session_starts(manager):
    future = SessionFactory()
    booking = BookingFactory(session=future)
    with pytest.raises(RegisterError, match="The register opens when the session starts"):
        record_attendance(actor=manager, session=future, outcomes={booking.pk: Attendance.ATTENDED})
    assert not AttendanceRecord.objects.exists()


def test_the_register_page_before_the_start_says_when_it_opens(client, manager):
    future = SessionFactory()
    client.force_login(manager)
    page = client.post(reverse("courses:register", args=[future.pk]), {"save": "1"}).content.decode()
    assert "The register opens when the session starts" in page
    assert not AttendanceRecord.objects.exists()


def test_marking_attended_left_early_and_did_not_attend(today_session, manager):
    bookings = [BookingFactory(session=today_session) for _ in range(3)]
    outcomes = dict(zip([b.pk for b in bookings], [Attendance.ATTENDED, Attendance.PARTIAL, Attendance.NO_SHOW]))
    assert record_attendance(actor=manager, session=today_session, outcomes=outcomes) == 3
    assert record_attendance(actor=manager, session=today_session, outcomes=outcomes) == 0
    assert sorted(AttendanceRecord.objects.values_list("outcome", flat=True)) == ["attended", "no_show", "partial"]


def test_a_walk_in_with_an_account_counts_as_attended(today_session, manager):
    person = UserFactory(full_name="Jamal Jones")
    record = add_walk_in(actor=manager, session=today_session, email=person.email)
    assert record.walk_in and record.outcome == Attendance.ATTENDED and record.person == person


def test_a_new_walk_in_gets_an_account_they_can_claim_by_signing_up(
    client, today_session, manager, nursery, target_groups
):
    add_walk_in(
        actor=manager,
        session=today_session,
        email="new.starter@little-acorns.example.org",
        full_name="New Starter",
        agency=nursery,
    )
    person = User.objects.get(email="new.starter@little-acorns.example.org")
    assert not person.is_active and not person.has_usable_password()
    response = client.post(
        reverse("accounts:sign-up"),
        {
            "full_name": "New Starter",
            "email": "new.starter@little-acorns.example.org",
            "job_title": "Nursery practitioner",
            "agency": nursery.pk,
            "target_group": target_groups[3].pk,
            "password1": "kestrel-harbour-lantern-9",
            "password2": "kestrel-harbour-lantern-9",
        },
    )
    assert response.status_code == 302
    claimed = User.objects.get(email="new.starter@little-acorns.example.org")
    assert claimed.pk == person.pk and claimed.has_usable_password()
    assert claimed.attendance.count() == 1


def test_a_booked_person_cannot_be_added_as_a_walk_in(today_session, manager):
    booking = BookingFactory(session=today_session)
    with pytest.raises(RegisterError, match="mark them on the register instead"):
        add_walk_in(actor=manager, session=today_session, email=booking.person.email)


def test_closing_needs_everyone_marked(today_session, manager):
    BookingFactory(session=today_session)
    with pytest.raises(RegisterError, match="1 person has no mark"):
        close_register(actor=manager, session=today_session)
    today_session.refresh_from_db()
    assert today_session.status == SessionStatus.SCHEDULED


def test_closing_issues_certificates_raises_charges_and_tells_the_apps_that_follow(today_session, manager, nursery):
    attended = BookingFactory(session=today_session, person=UserFactory(agency=nursery))
    left_early = BookingFactory(session=today_session, person=UserFactory(agency=nursery))
    no_show = BookingFactory(session=today_session, person=UserFactory(agency=nursery))
    record_attendance(
        actor=manager,
        session=today_session,
        outcomes={
            attended.pk: Attendance.ATTENDED,
            left_early.pk: Attendance.PARTIAL,
            no_show.pk: Attendance.NO_SHOW,
        },
    )
    received = []
    register_closed.connect(lambda **kw: received.append(kw), weak=False, dispatch_uid="test-register-closed")
    try:
        plan = close_register(actor=manager, session=today_session)
    finally:
        register_closed.disconnect(dispatch_uid="test-register-closed")

    assert len(plan.issue) == 2 and plan.no_shows == 1
    assert set(Certificate.objects.values_list("attendance__person", flat=True)) == {
        attended.person_id,
        left_early.person_id,
    }
    assert Charge.objects.filter(kind="no_show", person=no_show.person, agency=nursery).exists()
    today_session.refresh_from_db()
    assert today_session.status == SessionStatus.COMPLETED and today_session.register_closed_at
    assert received and received[0]["session_id"] == today_session.pk
    assert sorted(received[0]["attended_booking_ids"]) == sorted([attended.pk, left_early.pk])
    with pytest.raises(RegisterError, match="closed"):
        close_register(actor=manager, session=today_session)


def test_a_trainer_of_the_session_takes_the_register_and_others_get_404(client, today_session):
    delivering = trainer(full_name="Grace Okafor")
    today_session.trainers.add(delivering)
    booking = BookingFactory(session=today_session)
    client.force_login(trainer(full_name="Someone Else"))
    assert client.get(reverse("courses:register", args=[today_session.pk])).status_code == 404
    client.force_login(UserFactory())
    assert client.get(reverse("courses:register", args=[today_session.pk])).status_code == 404
    client.force_login(delivering)
    response = client.post(
        reverse("courses:register", args=[today_session.pk]), {"save": "1", f"b{booking.pk}": "attended"}, follow=True
    )
    assert "Register saved" in response.content.decode()
    assert AttendanceRecord.objects.get().outcome == "attended"


def test_closing_from_the_page_asks_for_confirmation_then_reports_what_happened(client, today_session, manager):
    booking = BookingFactory(session=today_session)
    client.force_login(manager)
    response = client.post(
        reverse("courses:register", args=[today_session.pk]), {"close": "1", f"b{booking.pk}": "attended"}, follow=True
    )
    assert "Issue 1 certificate" in response.content.decode()
    assert not Certificate.objects.exists()
    response = client.post(reverse("courses:register-close", args=[today_session.pk]), follow=True)
    assert "Register closed. 1 certificate issued, 0 certificates withdrawn" in response.content.decode()
    assert Certificate.objects.count() == 1


def test_an_unknown_mark_is_refused(client, today_session, manager):
    booking = BookingFactory(session=today_session)
    client.force_login(manager)
    page = client.post(
        reverse("courses:register", args=[today_session.pk]), {"save": "1", f"b{booking.pk}": "asleep"}
    ).content.decode()
    assert "There is a problem" in page
    assert not AttendanceRecord.objects.exists()


def test_the_register_runs_the_same_number_of_queries_for_1_and_100_delegates(
    client, today_session, manager, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(manager)
    BookingFactory(session=today_session)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("courses:register", args=[today_session.pk]))
    BookingFactory.create_batch(99, session=today_session)
    with CaptureQueriesContext(connection) as hundred:
        client.get(reverse("courses:register", args=[today_session.pk]))
    assert len(one) == len(hundred)


def test_a_closed_register_runs_the_same_number_of_queries_for_1_and_50_delegates(client, today_session, manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(manager)
    url = reverse("courses:register", args=[today_session.pk])
    AttendanceRecordFactory(booking=BookingFactory(session=today_session, person__full_name="Aisha Khan"))
    today_session.register_closed_at = timezone.now()
    today_session.save(update_fields=["register_closed_at"])
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(49):
        AttendanceRecordFactory(booking=BookingFactory(session=today_session), outcome=Attendance.NO_SHOW)
    with CaptureQueriesContext(connection) as fifty:
        page = client.get(url).content.decode()
    assert len(one) == len(fifty)
    # The attendance as closed, and nothing to mark.
    assert "The register was closed on" in page and "Aisha Khan" in page
    assert page.count('<tr class="govuk-table__row">') == 51  # the heading and 50 delegates
    assert "Save register" not in page and "Add walk-in" not in page


def test_a_trainer_finds_their_sessions_and_registers_on_my_training(client, today_session):
    delivering = trainer(full_name="Grace Okafor")
    today_session.trainers.add(delivering)
    SessionFactory(course=CourseFactory(title="Harmful Sexual Behaviour"))  # someone else's
    client.force_login(delivering)
    page = client.get(reverse("courses:my-training")).content.decode()
    assert "Sessions you deliver" in page and "Recognising and Responding to Neglect" in page
    assert reverse("courses:register", args=[today_session.pk]) in page
    assert "Harmful Sexual Behaviour" not in page
