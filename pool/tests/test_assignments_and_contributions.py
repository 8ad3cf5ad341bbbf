"""Assigning trainers (warnings, answers, links) and the contribution arithmetic."""

from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.factories import AgencyFactory, UserFactory, agency_lead, training_manager
from courses.factories import AttendanceRecordFactory, CourseFactory, SessionFactory
from courses.models import Attendance, SessionStatus
from pool import selectors, services
from pool.factories import TrainerCommitmentFactory, active_member
from pool.models import Assignment, AssignmentStatus, MembershipStatus, PoolPolicy
from pool.services import NeedsConfirmation, PoolError
from tna.models import TrainingYear

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def run_on_commit(immediate_on_commit, target_groups):
    pass


@pytest.fixture
def police():
    return AgencyFactory(name="Northshire Police", sector="police")


@pytest.fixture
def health():
    return AgencyFactory(name="Northshire Hospitals NHS Foundation Trust", sector="health")


@pytest.fixture
def manager():
    return training_manager(full_name="Helen Carter", email="helen.carter@example.org")


@pytest.fixture
def neglect():
    return CourseFactory(title="Recognising and Responding to Neglect")


def emailed_link(message) -> str:
    """The answer link in an email, as the path the trainer's browser opens (the site's address dropped)."""
    link = next(word for line in message.body.splitlines() for word in line.split() if "/pool/answer/" in word)
    assert link.startswith(settings.SITE_URL)
    return urlsplit(link).path


def test_a_clean_assignment_asks_the_trainer_and_their_yes_puts_them_on_the_session(client, manager, police, neglect):
    trainer = active_member(
        UserFactory(full_name="Mark Evans", email="mark.evans@example.org", agency=police), courses=[neglect]
    ).person
    session = SessionFactory(course=neglect)
    assignment = services.assign_trainer(actor=manager, session=session, trainer=trainer)
    assert assignment.status == AssignmentStatus.INVITED and assignment.warnings == []
    assert mail.outbox[-1].to == ["mark.evans@example.org"]
    assert not session.trainers.filter(pk=trainer.pk).exists()

    # Mark opens the link in the email, without signing in, and says yes.
    url = emailed_link(mail.outbox[-1])
    page = client.get(url)
    assert page.status_code == 200 and "Recognising and Responding to Neglect" in page.content.decode()
    client.post(url, {"decision": "accept"}, follow=True)
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ACCEPTED
    assert list(session.trainers.all()) == [trainer]
    with pytest.raises(PoolError, match="already answered"):
        services.respond(trainer=trainer, assignment=assignment, accepted=False)


def test_warnings_for_same_agency_not_active_clash_and_course_not_offered_must_be_confirmed(manager, police, neglect):
    colleague = active_member(UserFactory(full_name="Sara Patel", agency=police), courses=[neglect]).person
    session = SessionFactory(course=neglect, trainers=[colleague])
    lapsed = active_member(UserFactory(full_name="Mark Evans", agency=police), courses=[]).person
    lapsed.pool_membership.status = MembershipStatus.LAPSED
    lapsed.pool_membership.save()
    same_time = SessionFactory(
        course=CourseFactory(title="Safeguarding Disabled Children"),
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        trainers=[lapsed],
    )

    with pytest.raises(NeedsConfirmation) as raised:
        services.assign_trainer(actor=manager, session=session, trainer=lapsed)
    warnings = " ".join(raised.value.warnings)
    assert "not an active pool member (lapsed)" in warnings
    assert "Recognising and Responding to Neglect is not one of the courses Mark Evans offered" in warnings
    assert "Mark Evans and Sara Patel are both from Northshire Police" in warnings
    assert f"already committed to {same_time}" in warnings
    assert not Assignment.objects.exists()  # nothing happens until the training manager confirms

    assignment = services.assign_trainer(actor=manager, session=session, trainer=lapsed, confirmed=True)
    assert len(assignment.warnings) == 4


def test_someone_outside_the_pool_is_a_warning_and_a_cancelled_session_an_error(manager, neglect):
    outsider = UserFactory(full_name="Nobody Special")
    session = SessionFactory(course=neglect)
    with pytest.raises(NeedsConfirmation) as raised:
        services.assign_trainer(actor=manager, session=session, trainer=outsider)
    assert "not a member of the trainer pool" in raised.value.warnings[0]
    session.status = SessionStatus.CANCELLED
    session.save()
    with pytest.raises(PoolError, match="cancelled"):
        services.assign_trainer(actor=manager, session=session, trainer=outsider, confirmed=True)


def test_the_emailed_link_answers_without_signing_in_once_and_refuses_tampering(client, manager, police, neglect):
    trainer = active_member(UserFactory(agency=police), courses=[neglect]).person
    session = SessionFactory(course=neglect)
    assignment = services.assign_trainer(actor=manager, session=session, trainer=trainer)
    url = emailed_link(mail.outbox[-1])
    assert client.get(url).status_code == 200
    response = client.post(url, {"decision": "decline", "reason": "On leave that week"}, follow=True)
    assert "The training manager has been told" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.DECLINED and assignment.decline_reason == "On leave that week"
    assert mail.outbox[-1].to == ["helen.carter@example.org"]
    # A second answer through the same link changes nothing.
    client.post(url, {"decision": "accept"})
    assert Assignment.objects.get(pk=assignment.pk).status == AssignmentStatus.DECLINED
    assert not session.trainers.exists()
    response = client.get(url[:-2] + "xx")
    assert response.status_code == 400 and "This link is not valid" in response.content.decode()


def test_a_trainer_cannot_answer_someone_elses_assignment(client, manager, neglect):
    trainer = active_member(courses=[neglect]).person
    assignment = services.assign_trainer(actor=manager, session=SessionFactory(course=neglect), trainer=trainer)
    client.force_login(UserFactory())
    assert client.get(reverse("pool:respond", args=[assignment.pk])).status_code == 404


# --- Contribution arithmetic, against figures worked out by hand --------------------------------


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=LONDON)


def session_on(day: date, course, trainers, *, status=SessionStatus.COMPLETED):
    return SessionFactory(course=course, starts_at=at(day, 9), ends_at=at(day, 16), trainers=trainers, status=status)


@pytest.fixture
def year():
    return TrainingYear.objects.create(name="2025-26", starts_on=date(2025, 4, 1), ends_on=date(2026, 3, 31))


@pytest.fixture
def delivered_year(year, police, health):
    """Police: Mark delivers a full day and a half day, Sara a two-day course: 3.5 days.
    Health: Grace co-delivers the full day: 1 day. Not counted: a cancelled session,
    and a session in the next year."""
    full = CourseFactory(title="Working Together to Safeguard Children", duration_days=Decimal("1.0"))
    half = CourseFactory(title="Domestic Abuse and its Impact on Children", duration_days=Decimal("0.5"))
    two = CourseFactory(title="Harmful Sexual Behaviour", duration_days=Decimal("2.0"))
    mark = active_member(UserFactory(full_name="Mark Evans", agency=police)).person
    sara = active_member(UserFactory(full_name="Sara Patel", agency=police)).person
    grace = active_member(UserFactory(full_name="Grace Okafor", agency=health)).person
    session_on(date(2025, 5, 14), full, [mark, grace])
    session_on(date(2025, 9, 3), half, [mark])
    session_on(date(2025, 11, 20), two, [sara])
    session_on(date(2025, 12, 1), full, [mark, sara], status=SessionStatus.CANCELLED)
    session_on(date(2026, 4, 20), full, [mark])
    TrainerCommitmentFactory(year=year, agency=police, agreed_days=Decimal("5"))
    TrainerCommitmentFactory(year=year, agency=health, agreed_days=Decimal("2.5"))
    # Police staff used three places on chargeable courses (attended, no-show, left early);
    # the conference is free and does not count.
    conference = CourseFactory(title="Annual Safeguarding Conference", charge_exempt=True)
    chargeable = session_on(date(2025, 6, 10), full, [])
    for outcome in (Attendance.ATTENDED, Attendance.NO_SHOW, Attendance.PARTIAL):
        AttendanceRecordFactory(
            session=chargeable, person=UserFactory(agency=police), agency=police, outcome=outcome, booking=None
        )
    AttendanceRecordFactory(
        session=session_on(date(2025, 10, 1), conference, []),
        person=UserFactory(agency=police),
        agency=police,
        outcome=Attendance.ATTENDED,
        booking=None,
    )
    return {"police": police, "health": health}


def test_days_delivered_free_places_and_percent_of_commitment(delivered_year, year):
    PoolPolicy.objects.update(free_places_per_day=Decimal("10"))
    rows = {r.agency.name: r for r in selectors.agency_contributions(year.starts_on, year.ends_on)}
    police = rows["Northshire Police"]
    assert (police.sessions, police.delivered_days, police.committed_days) == (3, Decimal("3.5"), Decimal("5.0"))
    assert police.percent_delivered == 70  # 3.5 / 5
    assert police.places_earned == 35  # 3.5 days x 10
    assert police.places_used == 3
    assert police.places_balance == 32
    assert police.days_outstanding == Decimal("1.5")
    health = rows["Northshire Hospitals NHS Foundation Trust"]
    assert (health.delivered_days, health.percent_delivered, health.places_earned) == (
        Decimal("1.0"),
        40,
        10,
    )  # 1 / 2.5
    totals = selectors.totals(list(rows.values()))
    assert (totals.delivered_days, totals.committed_days, totals.percent_delivered) == (
        Decimal("4.5"),
        Decimal("7.5"),
        60,
    )


def test_a_half_day_earns_half_the_places_rounded_down(delivered_year, year):
    PoolPolicy.objects.update(free_places_per_day=Decimal("5"))
    police = next(
        r for r in selectors.agency_contributions(year.starts_on, year.ends_on) if r.agency.name == "Northshire Police"
    )
    assert police.places_earned == 17  # 3.5 x 5 = 17.5, rounded down
    assert selectors.free_places_earned(Decimal("0.5"), Decimal("5")) == 2
    assert selectors.free_places_earned(Decimal("0.5"), Decimal("10")) == 5


def test_the_delivery_log_per_trainer_and_a_part_year_commitment(delivered_year, year):
    trainers = {t.name: (t.sessions, t.days) for t in selectors.delivery_by_trainer(year.starts_on, year.ends_on)}
    assert trainers == {
        "Mark Evans": (2, Decimal("1.5")),
        "Sara Patel": (1, Decimal("2.0")),
        "Grace Okafor": (1, Decimal("1.0")),
    }
    # April to September: 183 of the year's 365 days, so 5 x 183/365 = 2.5 agreed days; Mark's two sessions.
    first_half = {r.agency.name: r for r in selectors.agency_contributions(date(2025, 4, 1), date(2025, 9, 30))}
    police = first_half["Northshire Police"]
    assert (police.committed_days, police.delivered_days, police.percent_delivered) == (
        Decimal("2.5"),
        Decimal("1.5"),
        60,
    )


def test_an_agency_lead_sees_their_own_contribution_and_another_agencys_is_404(client, delivered_year, year):
    police, health = delivered_year["police"], delivered_year["health"]
    lead = agency_lead(agency=police)
    client.force_login(lead)
    page = client.get(reverse("pool:agency", args=[police.pk]) + f"?year={year.pk}").content.decode()
    assert "3.5 in 3 sessions (70% of agreed)" in page
    assert "Mark Evans" in page and "Sara Patel" in page
    assert client.get(reverse("pool:agency", args=[health.pk])).status_code == 404


def test_the_training_managers_commitments_page_and_bad_days_change_nothing(client, delivered_year, year):
    manager = training_manager()
    client.force_login(manager)
    page = client.get(reverse("pool:commitments") + f"?year={year.pk}").content.decode()
    assert "70%" in page and "40%" in page
    csv = client.get(reverse("pool:commitments") + f"?year={year.pk}&export=csv").content.decode()
    assert "Northshire Police,5,3.5,3,70,35,3,32" in csv
    police = delivered_year["police"]
    response = client.post(reverse("pool:commitments-edit", args=[year.pk]), {f"agency_{police.pk}": "2.3"})
    assert "use whole or half days" in response.content.decode()
    response = client.post(reverse("pool:commitments-edit", args=[year.pk]), {f"agency_{police.pk}": "-1"})
    assert "cannot be negative" in response.content.decode()
    assert police.trainer_commitments.get(year=year).agreed_days == Decimal("5.0")


def test_the_delivery_log_refuses_a_bad_period_with_a_message(client):
    client.force_login(training_manager())
    response = client.get(reverse("pool:delivery"), {"date_from": "31/13/2025", "date_to": "1/1/2025"})
    assert response.status_code == 200
    assert "Enter the start date as day/month/year" in response.content.decode()


def test_the_delivery_log_says_how_many_free_places_a_full_day_earns(client, delivered_year, year):
    client.force_login(training_manager())
    page = client.get(reverse("pool:delivery"), {"date_from": "1/4/2025", "date_to": "31/3/2026"}).content.decode()
    rate = PoolPolicy.current().free_places_per_day
    assert f"Free places earned: {rate.normalize():f} per full day delivered" in page
