import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, SIGN_INS
from accounts.models import Agency, Sector, TargetGroup, User
from accounts.roles import Role
from courses.models import Booking, BookingStatus, Certificate, Charge, Level, PathwayRule, Session, SessionStatus

pytestmark = pytest.mark.django_db


def counts():
    return (Agency.objects.count(), User.objects.count(), TargetGroup.objects.count(), Level.objects.count())


def test_seed_demo_builds_a_realistic_partnership_and_is_safe_to_run_twice(capsys):
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first

    agencies, people, groups, levels = first
    assert agencies >= 12 and groups == 8 and levels == 4
    sectors = set(Agency.objects.values_list("sector", flat=True))
    assert {
        Sector.POLICE,
        Sector.HEALTH,
        Sector.EDUCATION,
        Sector.LOCAL_AUTHORITY,
        Sector.VOLUNTARY,
        Sector.INDEPENDENT,
    } <= sectors
    output = capsys.readouterr().out
    for email, _name, _job, _agency, _group, roles in SIGN_INS:
        person = User.objects.get(email=email)
        assert person.check_password(DEMO_PASSWORD) and person.is_active
        assert {r.value for r in roles} <= person.role_names
        assert email in output
    assert {"Training manager", "Agency lead", "Trainer", "Board member"} <= set().union(
        *(User.objects.get(email=e).role_names for e, *_ in SIGN_INS)
    )


def test_seed_demo_fills_a_realistic_programme():
    call_command("seed_demo")
    assert PathwayRule.objects.filter(
        refresh_months=24
    ).exists()  # designated safeguarding leads refresh every two years
    past = Session.objects.filter(status=SessionStatus.COMPLETED)
    assert past.count() >= 10 and all(s.register_closed_at for s in past)
    assert Certificate.objects.count() > 50
    assert Charge.objects.filter(kind="no_show").exists()
    assert Session.objects.filter(status=SessionStatus.SCHEDULED).count() >= 10
    assert Booking.objects.filter(status=BookingStatus.WAITLISTED).exists()
    full = Session.objects.filter(status=SessionStatus.SCHEDULED).order_by("starts_at").first()
    assert full.bookings.filter(status=BookingStatus.CONFIRMED).count() == full.capacity


def test_seed_demo_has_a_session_to_take_a_register_of_and_places_to_cancel_late():
    from courses.models import BookingPolicy, Room, Venue
    from courses.services.charges import is_late_cancellation
    from courses.services.register import register_has_opened

    call_command("seed_demo")
    call_command("seed_demo")
    now = timezone.now()
    (running,) = Session.objects.filter(starts_at__lte=now, ends_at__gt=now)
    assert register_has_opened(running) and running.register_closed_at is None
    trainer = User.objects.get(email=next(e for e, *_rest, roles in SIGN_INS if Role.TRAINER in roles))
    assert trainer in running.trainers.all()
    assert running.bookings.filter(status=BookingStatus.CONFIRMED).count() == running.capacity
    # Bookable sessions inside the late-cancellation window: cancelling one of their places is late.
    policy = BookingPolicy.current()
    late = [
        s
        for s in Session.objects.filter(status=SessionStatus.SCHEDULED, starts_at__gt=now, bookings_close_at__gt=now)
        if is_late_cancellation(session=s, when=now, policy=policy)
    ]
    with_places = [s for s in late if s.bookings.filter(status__in=("confirmed", "offered")).count() < s.capacity]
    assert len(with_places) >= 2
    # Venues hold what their sessions offer; rooms where a venue has several.
    assert not Venue.objects.filter(capacity__isnull=True).exists()
    assert Room.objects.filter(venue__name="Riverside Community Centre").count() == 2
    for session in Session.objects.select_related("venue", "room").exclude(venue=None):
        assert session.capacity <= (session.room or session.venue).capacity, session


def test_seed_demo_has_a_finished_and_an_open_training_needs_analysis():
    from tna.models import ReturnStatus, TnaCycle

    call_command("seed_demo")
    finished, current = TnaCycle.objects.order_by("deadline")
    assert not finished.returns.exclude(status=ReturnStatus.SUBMITTED).exists()
    assert finished.returns.count() == Agency.objects.filter(active=True).count()
    statuses = set(current.returns.values_list("status", flat=True))
    assert {ReturnStatus.SUBMITTED, ReturnStatus.DRAFT, ReturnStatus.REOPENED} <= statuses
    # Opening an analysis starts every active agency's return; some are not started yet.
    assert current.returns.count() == Agency.objects.filter(active=True).count()
    assert any(r.progress == "Not started" for r in current.returns.all())


def test_setup_partnership_creates_the_defaults_once():
    from courses.models import BookingPolicy

    call_command("setup_partnership", interactive=False)
    call_command("setup_partnership", interactive=False)
    assert TargetGroup.objects.count() == 8 and Level.objects.count() == 4
    assert PathwayRule.objects.count() > 0 and BookingPolicy.objects.count() == 1
    from committee.models import AuditQuestion
    from evaluation.models import ObservationValue
    from pool.models import MembershipCriterion

    # The values the guidance asks of trainers, in the pool's criteria and in what observers look for.
    values = MembershipCriterion.objects.get(text__startswith="Holds the values").text
    for value in ("children's rights", "diversity", "equality", "experience of the children and families"):
        assert value in values
    assert MembershipCriterion.objects.count() == 6
    assert set(ObservationValue.objects.values_list("text", flat=True)) == {
        "Children's rights",
        "Respect for diversity",
        "The experience of children and families who use services",
        "Equality",
    }
    assert AuditQuestion.objects.count() == 5
    assert not User.objects.exists() and not Agency.objects.exists()


def test_seed_demo_has_a_sub_committee_at_work_and_no_trainer_among_their_own_delegates():
    from committee.models import Action, Meeting, Member
    from committee.selectors import agency_attendance, todo_for
    from courses.models import AttendanceRecord
    from tna.models import ReturnKind, ReturnStatus, TnaCycle, TnaReturn

    call_command("seed_demo")
    call_command("seed_demo")
    assert Member.objects.count() >= 5 and Meeting.objects.count() == 4
    audit = TnaCycle.rounds.get(kind=ReturnKind.AUDIT)
    assert TnaReturn.every_kind.filter(cycle=audit, status=ReturnStatus.SUBMITTED).count() == 1
    priya = User.objects.get(email="priya.shah@northshire-police.example.org")
    assert [i.text for i in todo_for(priya) if i.count and i.overdue] == ["1 overdue sub-committee action"]
    assert Action.objects.filter(status="done").exists()
    first = Meeting.objects.order_by("held_on").first()
    rows = agency_attendance(starts_on=first.held_on, ends_on=Meeting.objects.order_by("held_on").last().held_on)
    assert rows and all(r.meetings == 4 for r in rows)
    from committee.selectors import money_statement, programme_plan
    from tna.models import TrainingYear

    plan = programme_plan(TrainingYear.objects.get(name="2027-28"))
    assert plan.approval.decision.text == "Programme 2027-28 approved"
    assert any(row.changes for row in plan.rows)
    money = money_statement(TrainingYear.objects.get(name="2026-27"))
    assert money.day_rate == 250 and money.income_total.year > 0
    # A session's trainers are never its delegates.
    for session in Session.objects.prefetch_related("trainers"):
        trainers = {t.pk for t in session.trainers.all()}
        assert not trainers & set(session.bookings.values_list("person_id", flat=True)), session
        assert not trainers & set(AttendanceRecord.objects.filter(session=session).values_list("person_id", flat=True))
