"""The demo partnership's trainer pool: criteria, active, lapsed and applying members across
agencies, agreed trainer days, and the past programme delivered by inter-agency pairs."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Agency, User
from accounts.roles import Role
from accounts.services import role_group
from courses.models import AttendanceRecord, Booking, Course, Session, SessionStatus
from tna.models import TrainingYear

from .factories import MembershipFactory, TrainerCommitmentFactory
from .models import Assignment, AssignmentStatus, Membership, MembershipCriterion, MembershipStatus, PoolPolicy
from .standard import install_criteria

# agency, which of its staff (0 = first non-lead), status, days since the last status change,
# days since training for trainers (None: not trained), courses they offered (titles)
MEMBERS = [
    (
        "Northshire County Council Children's Services",
        0,
        MembershipStatus.ACTIVE,
        400,
        400,
        [
            "Working Together to Safeguard Children",
            "Child Protection Conferences and Core Groups",
            "Recognising and Responding to Neglect",
        ],
    ),
    (
        "Northshire Police",
        0,
        MembershipStatus.ACTIVE,
        380,
        380,
        [
            "Child Sexual Exploitation and Criminal Exploitation",
            "Domestic Abuse and its Impact on Children",
            "Working Together to Safeguard Children",
        ],
    ),
    (
        "Northshire Community Health NHS Trust",
        0,
        MembershipStatus.ACTIVE,
        300,
        300,
        [
            "Recognising and Responding to Neglect",
            "Safeguarding Disabled Children",
            "Parental Mental Health and Substance Misuse",
        ],
    ),
    (
        "Northshire Women's Aid",
        0,
        MembershipStatus.ACTIVE,
        500,
        500,
        ["Domestic Abuse and its Impact on Children", "Parental Mental Health and Substance Misuse"],
    ),
    (
        "Northshire County Council Education and Inclusion",
        0,
        MembershipStatus.ACTIVE,
        260,
        260,
        [
            "Working Together to Safeguard Children",
            "Safeguarding Disabled Children",
            "Child Sexual Exploitation and Criminal Exploitation",
        ],
    ),
    (
        "Probation Service, Northshire",
        0,
        MembershipStatus.LAPSED,
        40,
        1200,
        ["Parental Mental Health and Substance Misuse", "Learning from Child Safeguarding Practice Reviews"],
    ),
    (
        "Northshire Youth Justice Service",
        0,
        MembershipStatus.ACCEPTED,
        20,
        None,
        ["Child Sexual Exploitation and Criminal Exploitation", "Harmful Sexual Behaviour"],
    ),
    (
        "Northshire Integrated Care Board",
        0,
        MembershipStatus.ENDORSED,
        6,
        None,
        ["Learning from Child Safeguarding Practice Reviews", "Working Together to Safeguard Children"],
    ),
    (
        "Riverside Academy Trust",
        1,
        MembershipStatus.APPLIED,
        3,
        None,
        ["Working Together to Safeguard Children", "Recognising and Responding to Neglect"],
    ),
    ("Northshire College", 0, MembershipStatus.LEFT, 150, 900, ["Child Sexual Exploitation and Criminal Exploitation"]),
]

EXPERIENCE = {
    "Northshire Police": (
        "Nine years in the public protection unit, now a detective sergeant in the child exploitation team."
    ),
    "Northshire Women's Aid": (
        "Independent domestic violence adviser for seven years; runs the children's recovery groups."
    ),
    "Northshire Community Health NHS Trust": (
        "Health visitor for eleven years, now a named nurse for safeguarding children."
    ),
}

COMMITMENTS = {
    "Northshire County Council Children's Services": "6",
    "Northshire Police": "4",
    "Northshire Hospitals NHS Foundation Trust": "4",
    "Northshire Community Health NHS Trust": "3",
    "Northshire County Council Education and Inclusion": "3",
    "Probation Service, Northshire": "2",
    "Northshire Women's Aid": "1.5",
    "Northshire Youth Justice Service": "1",
}


def _staff_member(agency_name: str, index: int) -> User | None:
    people = list(
        User.objects.filter(agency__name=agency_name, is_active=True)
        .exclude(groups__name__in=[str(Role.AGENCY_LEAD), str(Role.TRAINING_MANAGER), str(Role.BOARD_MEMBER)])
        .order_by("pk")
    )
    return people[index] if index < len(people) else None


def seed(stdout=None) -> None:
    now = timezone.now()
    if not PoolPolicy.objects.exists():  # migrations create it; a database emptied since has none
        PoolPolicy.objects.create()
    install_criteria(MembershipCriterion)
    courses = {c.title: c for c in Course.objects.all()}
    trainer_group_members = list(User.objects.filter(groups__name=str(Role.TRAINER)).order_by("pk"))
    # The demo's named trainer (Grace Okafor) is an active member like the others.
    people = [
        (
            p,
            MembershipStatus.ACTIVE,
            420,
            420,
            [
                "Working Together to Safeguard Children",
                "Recognising and Responding to Neglect",
                "Domestic Abuse and its Impact on Children",
                "Safeguarding Disabled Children",
            ],
        )
        for p in trainer_group_members[:1]
    ]
    for agency_name, index, status, changed_days, trained_days, titles in MEMBERS:
        person = _staff_member(agency_name, index)
        if person is not None:
            people.append((person, status, changed_days, trained_days, titles))
    for person, status, changed_days, trained_days, titles in people:
        if Membership.objects.filter(person=person).exists():
            continue
        membership = MembershipFactory(
            person=person,
            status=status,
            experience=EXPERIENCE.get(person.agency.name if person.agency else "", MembershipFactory.experience),
            applied_at=now - timedelta(days=(trained_days or changed_days) + 45),
            status_changed_at=now - timedelta(days=changed_days),
            trained_on=(now - timedelta(days=trained_days)).date() if trained_days else None,
            courses=[courses[t] for t in titles if t in courses],
        )
        if status in (MembershipStatus.ACTIVE, MembershipStatus.LAPSED, MembershipStatus.ACCEPTED):
            membership.criteria_met.set(MembershipCriterion.objects.all())
        if status == MembershipStatus.ACTIVE:
            person.groups.add(role_group(Role.TRAINER))
        last = membership.history.last()
        if status == MembershipStatus.LAPSED and last:
            last.reason = "Training for trainers needs a refresher (valid for 36 months)."
            last.save(update_fields=["reason"])
        if status == MembershipStatus.LEFT and last:
            last.reason = "Moved to a post outside the partnership's area."
            last.save(update_fields=["reason"])
    _deliver_programme(now)
    agencies = {a.name: a for a in Agency.objects.filter(name__in=COMMITMENTS)}
    for year in TrainingYear.objects.all():
        for agency_name, days in COMMITMENTS.items():
            if agency_name in agencies:
                TrainerCommitmentFactory(year=year, agency=agencies[agency_name], agreed_days=Decimal(days))
    if stdout:
        counts = {s: Membership.objects.filter(status=s).count() for s in MembershipStatus.values}
        stdout.write(
            f"Trainer pool: {counts['active']} active, {counts['lapsed']} lapsed, "
            f"{counts['applied'] + counts['endorsed'] + counts['accepted']} joining"
        )


def _deliver_programme(now) -> None:
    """Give every session an inter-agency pair of active trainers who offered its course
    (or any two from different agencies), with accepted assignments; Grace Okafor delivers the
    session in progress, and is asked to deliver one upcoming session so her page has
    something to answer."""
    if Assignment.objects.exists():
        return
    active = list(
        Membership.objects.filter(status=MembershipStatus.ACTIVE)
        .select_related("person")
        .prefetch_related("courses")
        .order_by("pk")
    )
    if len(active) < 2:
        return
    manager = User.objects.filter(groups__name=str(Role.TRAINING_MANAGER)).order_by("pk").first()
    sessions = list(
        Session.objects.exclude(status=SessionStatus.CANCELLED)
        .exclude(course__is_training_for_trainers=True)
        .select_related("course")
        .order_by("starts_at")
    )
    upcoming = [s for s in sessions if s.starts_at > now]
    # A session's delegates cannot be its trainers (courses' booking and register refuse it).
    delegates: dict[int, set[int]] = {}
    for session_id, person_id in Booking.objects.values_list("session_id", "person_id"):
        delegates.setdefault(session_id, set()).add(person_id)
    for session_id, person_id in AttendanceRecord.objects.values_list("session_id", "person_id"):
        delegates.setdefault(session_id, set()).add(person_id)
    for n, session in enumerate(sessions):
        free = [m for m in active if m.person_id not in delegates.get(session.pk, set())]
        if not free:
            continue
        offered = [m for m in free if session.course in m.courses.all()] or free
        first = offered[n % len(offered)]
        if session.starts_at <= now < session.ends_at and active[0] in free:
            first = active[0]  # the demo's trainer takes the register of the session running today
        second = next((m for m in free[n % len(free) :] + free if m.person.agency_id != first.person.agency_id), None)
        pair = [first] + ([second] if second else [])
        if session in upcoming[:1]:
            pair = pair[:1]
        session.trainers.set([m.person for m in pair])
        for m in pair:
            Assignment.objects.get_or_create(
                session=session,
                trainer=m.person,
                defaults={
                    "status": AssignmentStatus.ACCEPTED,
                    "assigned_by": manager,
                    "assigned_at": session.starts_at - timedelta(days=60),
                    "responded_at": session.starts_at - timedelta(days=58),
                },
            )
    # A co-trainer who gave only part of a day: on the first full-day session delivered, the second
    # trainer led the last quarter of the day, and their trainer days count 0.25.
    shared = next(
        (s for s in sessions if s.ends_at <= now and s.course.duration_days == 1 and s.trainers.count() == 2), None
    )
    if shared is not None:
        from courses.models import SessionTrainer
        from courses.services.programme import record_trainer_share

        second_trainer = SessionTrainer.objects.filter(session=shared).order_by("pk").last().user
        record_trainer_share(actor=manager, session=shared, trainer=second_trainer, share_days=Decimal("0.25"))
    grace = active[0].person
    target = next(
        (s for s in upcoming[1:] if grace not in s.trainers.all() and grace.pk not in delegates.get(s.pk, set())),
        None,
    )
    if target is not None:
        Assignment.objects.get_or_create(
            session=target,
            trainer=grace,
            defaults={
                "status": AssignmentStatus.INVITED,
                "assigned_by": manager,
                "assigned_at": now - timedelta(days=2),
            },
        )
