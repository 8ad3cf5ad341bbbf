"""The home page's to-do lists: what waits for the training manager, a trainer and an agency lead,
with counts and links, in a fixed number of queries whatever the amount of work."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgencyFactory, TargetGroupFactory, UserFactory, agency_lead, trainer, training_manager
from courses.factories import BookingFactory, CourseFactory, PathwayRuleFactory, SessionFactory
from courses.models import BookingStatus
from pool.factories import MembershipFactory
from pool.models import Assignment, MembershipStatus
from reports.models import ReportKind, ReportRun, RunStatus
from tna.models import ReturnStatus, TnaCycle, TnaReturn, TrainingYear

pytestmark = pytest.mark.django_db


def _open_cycle(*, deadline: date) -> TnaCycle:
    today = timezone.localdate()
    year, _ = TrainingYear.objects.get_or_create(
        name=f"{today.year}-{today.year % 100 + 1:02d}",
        defaults={"starts_on": today - timedelta(days=100), "ends_on": today + timedelta(days=200)},
    )
    cycle, _ = TnaCycle.objects.get_or_create(
        year=year, defaults={"opens_on": today - timedelta(days=60), "deadline": deadline, "opened_at": timezone.now()}
    )
    return cycle


def _manager_world(n: int):
    """n of each thing the training manager is asked to deal with."""
    course = CourseFactory(title="Working Together: Multi-agency Safeguarding")
    for i in range(n):
        # Ended yesterday, register still open.
        SessionFactory(course=course, days_ahead=-1 - i, capacity=20)
        MembershipFactory(person=UserFactory(), status=MembershipStatus.ENDORSED)
        ReportRun.objects.create(kind=ReportKind.ANNUAL, title=f"Annual training report {i}", status=RunStatus.FAILED)
    cycle = _open_cycle(deadline=timezone.localdate() - timedelta(days=3))
    for _ in range(n):
        TnaReturn.objects.create(cycle=cycle, agency=AgencyFactory(), status=ReturnStatus.DRAFT)


def _held(person, **kwargs):
    return BookingFactory(
        person=person,
        status=BookingStatus.AWAITING_APPROVAL,
        approval_expires_at=timezone.now() + timedelta(days=2),
        **kwargs,
    )


def _queries(client, user) -> int:
    client.force_login(user)
    client.get(reverse("home"))  # the session and the caches warm up
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["manager", "lead", "trainer"])
def test_the_home_page_costs_the_same_queries_for_one_item_as_for_a_hundred(client, role):
    counts = []
    for n in (1, 100):
        people = {"manager": training_manager, "lead": agency_lead, "trainer": trainer}
        user = people[role]()
        if role == "manager":
            _manager_world(n)
        elif role == "lead":
            for i in range(n):
                MembershipFactory(person=UserFactory(agency=user.agency), status=MembershipStatus.APPLIED)
                UserFactory(agency=user.agency)
                # Staff with and without a line manager of their own: only the second waits for the lead.
                colleague = UserFactory(agency=user.agency, line_manager_email=f"manager{i}@elsewhere.example.org")
                for person in (colleague, UserFactory(agency=user.agency)):
                    _held(person)
        else:
            for i in range(n):
                session = SessionFactory(days_ahead=10 + i)
                Assignment.objects.create(session=session, trainer=user)
                SessionFactory(days_ahead=5 + i, trainers=[user])
        counts.append(_queries(client, user))
    assert counts[0] == counts[1], f"queries for 1 item: {counts[0]}, for 100: {counts[1]}"


def test_the_training_manager_sees_each_kind_of_work_with_its_count_and_link(client):
    _manager_world(2)
    full = SessionFactory(days_ahead=30, capacity=1)
    BookingFactory(session=full)
    BookingFactory(session=full, status=BookingStatus.WAITLISTED)
    SessionFactory(days_ahead=10, capacity=20)  # cut-off in 8 days, nobody booked
    client.force_login(training_manager())
    page = client.get(reverse("home")).content.decode()
    sessions = reverse("courses:manage-sessions")
    assert f'href="{sessions}?needs=register">2 registers to close' in page
    assert "2 trainer pool applications to review" in page
    assert "2 reports failed to build" in page
    assert "2 training needs returns for" in page and "are late" in page
    assert f'href="{sessions}?needs=waiting">1 session with a waiting list and nobody offered a place' in page
    assert f'href="{sessions}?needs=under-booked">1 session under half full' in page


def test_the_sessions_list_behind_an_entry_shows_exactly_the_sessions_counted(client):
    ended = SessionFactory(course=CourseFactory(title="Neglect: Recognising and Responding"), days_ahead=-2)
    coming = SessionFactory(course=CourseFactory(title="Child Sexual Exploitation"), days_ahead=20)
    client.force_login(training_manager())
    page = client.get(reverse("courses:manage-sessions") + "?needs=register").content.decode()
    assert reverse("courses:manage-session", args=[ended.pk]) in page
    assert reverse("courses:manage-session", args=[coming.pk]) not in page


def test_a_trainer_sees_assignments_to_answer_and_their_next_sessions_with_registers(client):
    person = trainer()
    asked = SessionFactory(course=CourseFactory(title="Domestic Abuse and its Impact on Children"), days_ahead=40)
    Assignment.objects.create(session=asked, trainer=person)
    next_one = SessionFactory(
        course=CourseFactory(title="Safeguarding Disabled Children"), days_ahead=3, trainers=[person]
    )
    client.force_login(person)
    page = client.get(reverse("home")).content.decode()
    assert "1 session you have been asked to deliver: accept or decline" in page
    assert reverse("courses:register", args=[next_one.pk]) in page
    assert "Safeguarding Disabled Children" in page


def test_an_agency_lead_sees_endorsements_the_return_with_its_deadline_and_red_staff(client):
    lead = agency_lead()
    group = TargetGroupFactory()
    PathwayRuleFactory(target_group=group)
    UserFactory(agency=lead.agency, target_group=group)
    UserFactory(agency=lead.agency, target_group=group)
    MembershipFactory(person=UserFactory(agency=lead.agency), status=MembershipStatus.APPLIED)
    deadline = timezone.localdate() + timedelta(days=20)
    cycle = _open_cycle(deadline=deadline)
    tna_return = TnaReturn.objects.create(cycle=cycle, agency=lead.agency)
    client.force_login(lead)
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("pool:applications")}">1 trainer pool application to endorse' in page
    assert reverse("tna:return", args=[tna_return.pk]) in page
    assert f"to submit by {deadline:%-d %B %Y}" in page
    assert f'href="{reverse("courses:agency-training")}?status=red">2 of your staff are not in date' in page


def test_places_waiting_for_the_lead_s_approval_are_listed_with_their_approval_links(client):
    lead = agency_lead()
    waiting = _held(UserFactory(full_name="Tom Booth", agency=lead.agency))
    manager = training_manager(email="line.manager@northshire-police.example.org", agency=lead.agency)
    _held(UserFactory(full_name="Amy Shaw", agency=lead.agency, line_manager_email=manager.email))  # her manager's
    _held(UserFactory(agency=AgencyFactory()))  # another agency's
    client.force_login(lead)
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("courses:approvals")}">1 training place waiting for your approval' in page
    page = client.get(reverse("courses:approvals")).content.decode()
    assert "Tom Booth" in page and "Amy Shaw" not in page
    token = page.split('href="/approve/')[1].split('"')[0]
    approval = client.get(f"/approve/{token}")
    assert approval.status_code == 200 and waiting.session.course.title in approval.content.decode()


def test_a_submitted_return_leaves_the_lead_s_list(client):
    lead = agency_lead()
    cycle = _open_cycle(deadline=timezone.localdate() + timedelta(days=20))
    TnaReturn.objects.create(cycle=cycle, agency=lead.agency, status=ReturnStatus.SUBMITTED)
    client.force_login(lead)
    page = client.get(reverse("home")).content.decode()
    assert "Nothing is waiting for you." in page


def test_nothing_waiting_says_so(client):
    client.force_login(UserFactory())
    assert "Nothing is waiting for you." in client.get(reverse("home")).content.decode()


def test_a_place_passed_or_offered_waits_on_the_person_s_home_page_and_a_lead_s_records_to_confirm(client):
    """Noah has a place offered to him (passed on by a colleague); his lead has his e-learning to confirm."""
    from courses.models import ExternalTraining, Level

    police = AgencyFactory(name="Northshire Police", sector="police")
    noah = UserFactory(full_name="Noah Owen", agency=police)
    BookingFactory(person=noah, session=SessionFactory(days_ahead=3), status=BookingStatus.OFFERED)
    ExternalTraining.objects.create(
        person=noah,
        level=Level.objects.get_or_create(number=1, defaults={"name": "Basic awareness"})[0],
        title="Safeguarding children: basic awareness",
        provider="Northshire Police e-learning",
        completed_on=timezone.localdate() - timedelta(days=10),
    )
    client.force_login(noah)
    page = client.get(reverse("home")).content.decode()
    assert "1 place offered to you: accept or decline it before it lapses" in page
    client.force_login(agency_lead(agency=police))
    page = client.get(reverse("home")).content.decode()
    assert "1 record of training done elsewhere to confirm" in page
    assert f'href="{reverse("courses:external-training")}"' in page
