"""The programme plan: per course, places requested in the needs analysis against places planned, the
changes evaluation led to, and the decision that approved it."""

from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgencyFactory, board_member, training_manager
from committee import selectors, services
from committee.models import PlanChange, ProgrammePlan
from courses.factories import CourseFactory, LevelFactory, SessionFactory
from courses.models import SessionStatus
from tna.models import ReturnStatus, TnaCycle, TnaReturn, TrainingNeed, TrainingYear

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return training_manager(full_name="Helen Carter", agency=None)


def on(day: date):
    return timezone.make_aware(datetime(day.year, day.month, day.day, 9, 30))


@pytest.fixture
def year(target_groups):
    return TrainingYear.objects.create(name="2027-28", starts_on=date(2027, 4, 1), ends_on=date(2028, 3, 31))


def test_the_plan_sets_places_requested_against_places_planned_with_changes_and_approval(manager, year):
    """Requested (submitted returns only): Working Together 12 (police) + 8 (school) = 20; neglect 5
    (school); the nursery's draft asking for 40 does not count. Planned (sessions in the year, not
    cancelled, times capacity): Working Together 2 x 16 = 32; neglect 1 x 20 = 20 (a cancelled one and
    one in March 2027, the year before, do not count). Totals 25 requested, 52 planned."""
    level = LevelFactory(number=2, name="Inter-agency foundation")
    together = CourseFactory(title="Working Together to Safeguard Children", level=level)
    neglect = CourseFactory(title="Recognising and Responding to Neglect", level=level)
    cycle = TnaCycle.objects.create(year=year, opens_on=date(2026, 11, 2), deadline=date(2027, 1, 29))
    for name, status, lines in [
        ("Northshire Police", ReturnStatus.SUBMITTED, {together: 12}),
        ("Riverside Academy Trust", ReturnStatus.SUBMITTED, {together: 8, neglect: 5}),
        ("Little Acorns Day Nurseries Ltd", ReturnStatus.DRAFT, {neglect: 40}),
    ]:
        tna_return = TnaReturn.objects.create(cycle=cycle, agency=AgencyFactory(name=name), status=status)
        for course, places in lines.items():
            TrainingNeed.objects.create(
                tna_return=tna_return, course=course, staff_in_scope=50, places_requested=places
            )
    SessionFactory(course=together, capacity=16, starts_at=on(date(2027, 5, 12)))
    SessionFactory(course=together, capacity=16, starts_at=on(date(2027, 11, 3)))
    SessionFactory(course=neglect, capacity=20, starts_at=on(date(2027, 6, 9)))
    SessionFactory(course=neglect, capacity=20, starts_at=on(date(2027, 9, 8)), status=SessionStatus.CANCELLED)
    SessionFactory(course=neglect, capacity=20, starts_at=on(date(2027, 3, 10)))
    services.record_plan_change(
        actor=manager,
        year=year,
        course=neglect,
        finding="Delegates said the afternoon exercise ran over and the referral section was rushed.",
        change="Neglect course made a full day with the referral pathway in the morning.",
    )
    meeting = services.create_meeting(actor=manager, held_on=date(2027, 3, 10), agenda="Programme 2027-28")
    decision = services.add_decision(actor=manager, meeting=meeting, text="Programme 2027-28 approved")
    services.approve_plan(actor=manager, year=year, decision=decision)

    plan = selectors.programme_plan(year)
    assert [(r.course.title, r.requested, r.planned, len(r.changes)) for r in plan.rows] == [
        ("Recognising and Responding to Neglect", 5, 20, 1),
        ("Working Together to Safeguard Children", 20, 32, 0),
    ]
    assert (plan.total_requested, plan.total_planned) == (25, 52)
    assert plan.approval.decision == decision
    assert [c.change for c in selectors.changes_from_evaluation(year)] == [
        "Neglect course made a full day with the referral pathway in the morning."
    ]


def test_board_members_read_the_plan_but_cannot_change_it(manager, year, client):
    course = CourseFactory(title="Working Together to Safeguard Children")
    meeting = services.create_meeting(actor=manager, held_on=date(2027, 3, 10), agenda="")
    decision = services.add_decision(actor=manager, meeting=meeting, text="Programme 2027-28 approved")
    client.force_login(board_member(full_name="Ruth Evans"))
    assert client.get(reverse("committee:plan", args=[year.pk])).status_code == 200
    assert (
        client.post(
            reverse("committee:plan-change", args=[year.pk]),
            {"course": course.pk, "finding": "Too long", "change": "Shorter"},
        ).status_code
        == 403
    )
    assert client.post(reverse("committee:plan-approve", args=[year.pk]), {"decision": decision.pk}).status_code == 403
    assert not PlanChange.objects.exists() and not ProgrammePlan.objects.exists()


def test_the_training_manager_records_a_change_on_the_page(manager, year, client):
    course = CourseFactory(title="Working Together to Safeguard Children")
    client.force_login(manager)
    response = client.post(reverse("committee:plan-change", args=[year.pk]), {"course": course.pk, "finding": ""})
    assert "Enter what evaluation found" in response.content.decode()
    client.post(
        reverse("committee:plan-change", args=[year.pk]),
        {"course": course.pk, "finding": "Too much lecture", "change": "Two case studies added"},
    )
    page = client.get(reverse("committee:plan", args=[year.pk])).content.decode()
    assert "Two case studies added" in page
