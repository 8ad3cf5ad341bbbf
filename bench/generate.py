"""A large partnership for benchmarks: 60 agencies, 25,000 people, 400 sessions a year over five
years (about 50,000 bookings), 30 trainers and a year of evaluation answers. Deterministic
(a fixed random seed, dates relative to today), written in bulk, and `factor` multiplies it
to show how costs grow.

It starts from the demo partnership's reference data (staff groups, pathway, catalogue, policy)
and the demo sign-ins, so the same accounts work at either scale.
"""

import random
import time
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.models import Agency, OrganisationCategory, Sector, TargetGroup, User
from accounts.roles import Role
from accounts.services import role_group
from courses.models import (
    Attendance,
    AttendanceRecord,
    Booking,
    BookingStatus,
    Course,
    Session,
    SessionDate,
    SessionStatus,
    Venue,
)
from evaluation import services as evaluation_services
from evaluation.models import Answer, Invitation, ItemKind, Response, Stage
from pool.models import Membership, MembershipStatus, TrainerCommitment
from tna.models import ReturnStatus, TnaCycle, TnaReturn, TrainingNeed, TrainingYear

KINDS = [  # name pattern, sector, category, contributing
    ("Northshire {} Primary School", Sector.EDUCATION, "School or academy", False),
    ("{} Academy", Sector.EDUCATION, "School or academy", False),
    ("{} Medical Practice", Sector.HEALTH, "GP practice", False),
    ("{} Day Nursery", Sector.INDEPENDENT, "Private or independent provider", False),
    ("{} Community Trust", Sector.VOLUNTARY, "Voluntary or community group", False),
    ("{} Youth Football Club", Sector.SPORT, "Voluntary or community group", False),
    ("St {} Church", Sector.FAITH, "Voluntary or community group", False),
]
PLACES = [
    "Ashford",
    "Brookside",
    "Castleton",
    "Dunmore",
    "Elmwood",
    "Fairview",
    "Greenhill",
    "Hartley",
    "Ivybridge",
    "Kingsmead",
    "Longfield",
    "Millbrook",
    "Northgate",
    "Oakridge",
    "Parkside",
    "Queensway",
    "Riverside",
    "Southfield",
    "Thornbury",
    "Westcliff",
]
FIRST = [
    "Amira",
    "Ben",
    "Chloe",
    "Daniel",
    "Ellie",
    "Farhan",
    "Georgia",
    "Harry",
    "Isla",
    "Jamal",
    "Katie",
    "Liam",
    "Maya",
    "Noah",
    "Olivia",
    "Patrick",
    "Ruby",
    "Sam",
    "Tasha",
    "Umar",
    "Zara",
    "Yusuf",
    "Grace",
    "Owen",
]
LAST = [
    "Ahmed",
    "Brown",
    "Campbell",
    "Davies",
    "Evans",
    "Fraser",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Kaur",
    "Lewis",
    "Morgan",
    "Nolan",
    "Owen",
    "Patel",
    "Quinn",
    "Roberts",
    "Singh",
    "Taylor",
    "Walker",
    "Young",
]
BATCH = 2000


def _bulk(model, rows):
    model.objects.bulk_create(rows, batch_size=BATCH)


def generate(*, factor: int = 1, stdout=None) -> dict:
    """Add the large partnership to the demo one. Safe to run twice: it does nothing the second time."""
    if Agency.objects.filter(name="Northshire Ashford Primary School").exists():
        return {}
    started = time.monotonic()
    rng = random.Random(20261122)
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        counts = _generate(rng, now, today, factor)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    counts["seconds"] = round(time.monotonic() - started, 1)
    if stdout:
        stdout.write("Large partnership: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    return counts


def _generate(rng, now, today, factor) -> dict:
    categories = {c.name: c for c in OrganisationCategory.objects.all()}
    groups = list(TargetGroup.objects.order_by("number"))
    courses = [c for c in Course.objects.filter(active=True).order_by("pk") if not c.is_training_for_trainers]
    venues = list(Venue.objects.all())
    password = make_password(DEMO_PASSWORD)

    # Agencies: the demo's 18 and enough local ones to reach 60 (times the factor).
    wanted = 60 * factor - Agency.objects.count()
    new_agencies = []
    for n in range(max(0, wanted)):
        pattern, sector, category, contributing = KINDS[n % len(KINDS)]
        place = PLACES[(n // len(KINDS)) % len(PLACES)]
        site = n // (len(KINDS) * len(PLACES))
        name = pattern.format(place) + (f" (site {site + 1})" if site else "")
        new_agencies.append(
            Agency(name=name, sector=sector, category=categories.get(category), contributing=contributing)
        )
    _bulk(Agency, new_agencies)
    agencies = list(Agency.objects.order_by("pk"))

    # People: 25,000 per factor, spread over the agencies, mostly front-line staff groups.
    people = []
    for n in range(25_000 * factor):
        first, last = FIRST[n % len(FIRST)], LAST[(n // len(FIRST)) % len(LAST)]
        agency = agencies[n % len(agencies)]
        people.append(
            User(
                email=f"{first}.{last}.{n}@staff.northshire.example.org".lower(),
                full_name=f"{first} {last}",
                agency=agency,
                target_group=groups[rng.choice([1, 1, 2, 2, 2, 3, 3, 4, 5])] if len(groups) > 5 else groups[0],
                password=password,
                email_verified_at=now - timedelta(days=rng.randint(30, 1800)),
                date_joined=now - timedelta(days=rng.randint(30, 1900)),
            )
        )
    _bulk(User, people)
    staff = list(
        User.objects.filter(email__endswith="@staff.northshire.example.org")
        .order_by("pk")
        .values_list("pk", "agency_id")
    )

    # Trainers: 30, from different agencies, active members of the pool.
    trainer_ids = [staff[i * 37][0] for i in range(30)]
    trainer_group = role_group(Role.TRAINER)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=pk, group_id=trainer_group.pk) for pk in trainer_ids], ignore_conflicts=True
    )
    _bulk(
        Membership,
        [
            Membership(
                person_id=pk,
                status=MembershipStatus.ACTIVE,
                experience="Front-line safeguarding practice.",
                specialisms="Neglect; exploitation",
                facilitation_experience="Team briefings.",
                trained_on=today - timedelta(days=rng.randint(60, 900)),
            )
            for pk in trainer_ids
        ],
    )

    # Five training years, 400 sessions each (times the factor), April to March.
    this_start = date(today.year - (today.month < 4), 4, 1)
    years = []
    for back in range(4, -1, -1):
        start = date(this_start.year - back, 4, 1)
        name = f"{start.year}-{str(start.year + 1)[-2:]}"
        year, _ = TrainingYear.objects.get_or_create(
            name=name,
            defaults={
                "starts_on": start,
                "ends_on": date(start.year + 1, 3, 31),
                "children_in_need": 3400 + 50 * back,
                "central_costs": Decimal("42000"),
            },
        )
        years.append(year)
    tz = timezone.get_current_timezone()
    sessions = []
    # A course runs once a day: sessions are known by their course and start (as the imports know them).
    taken = {
        (s.course_id, timezone.localtime(s.starts_at).date()) for s in Session.objects.only("course_id", "starts_at")
    }
    for year in years:
        for n in range(400 * factor):
            course = courses[n % len(courses)]
            day = year.starts_on + timedelta(days=rng.randint(0, 360))
            while day.weekday() >= 5 or (course.pk, day) in taken:
                day += timedelta(days=1)
            taken.add((course.pk, day))
            start = datetime(day.year, day.month, day.day, 9, 30, tzinfo=tz)
            end = start + (
                timedelta(hours=3, minutes=30) if course.duration_days == Decimal("0.5") else timedelta(hours=7)
            )
            cancelled = rng.random() < 0.04
            past = end < now
            sessions.append(
                Session(
                    course=course,
                    venue=venues[n % len(venues)] if venues else None,
                    capacity=rng.choice([24, 30, 30, 30]),
                    bookings_close_at=start - timedelta(days=2),
                    starts_at=start,
                    ends_at=end,
                    status=SessionStatus.CANCELLED
                    if cancelled
                    else SessionStatus.COMPLETED
                    if past
                    else SessionStatus.SCHEDULED,
                    venue_cost=Decimal("150"),
                    catering_cost=Decimal("120"),
                    materials_cost=Decimal("25"),
                    register_closed_at=end + timedelta(days=1) if past and not cancelled else None,
                    cancelled_at=start - timedelta(days=10) if cancelled else None,
                    cancellation_reason="Trainer unavailable" if cancelled else "",
                )
            )
    _bulk(Session, sessions)
    _bulk(SessionDate, [SessionDate(session=s, starts_at=s.starts_at, ends_at=s.ends_at) for s in sessions])
    through = Session.trainers.through
    pairs = []
    for n, s in enumerate(sessions):
        a, b = trainer_ids[n % 30], trainer_ids[(n * 7 + 3) % 30]
        pairs += [through(session_id=s.pk, user_id=a)] + ([through(session_id=s.pk, user_id=b)] if b != a else [])
    _bulk(through, pairs)

    # Bookings: about 26 a session (about 50,000 in all); past sessions get their register.
    bookings, records = [], []
    booked = set()
    for s in sessions:
        for _ in range(min(s.capacity, rng.randint(23, 30)) if s.status != SessionStatus.CANCELLED else 0):
            person, agency = staff[rng.randrange(len(staff))]
            if (s.pk, person) in booked:
                continue
            booked.add((s.pk, person))
            late = rng.random() < 0.03
            bookings.append(
                Booking(
                    session=s,
                    person_id=person,
                    agency_id=agency,
                    created_at=s.starts_at - timedelta(days=rng.randint(3, 60)),
                    status=BookingStatus.CANCELLED if late else BookingStatus.CONFIRMED,
                    late_cancellation=late,
                    cancelled_at=s.starts_at - timedelta(days=1) if late else None,
                )
            )
    _bulk(Booking, bookings)
    for booking in (
        Booking.objects.filter(
            session__in=[s for s in sessions if s.status == SessionStatus.COMPLETED], status=BookingStatus.CONFIRMED
        )
        .values_list("pk", "session_id", "person_id", "agency_id")
        .iterator()
    ):
        pk, session_id, person, agency = booking
        roll = rng.random()
        outcome = Attendance.NO_SHOW if roll < 0.08 else Attendance.PARTIAL if roll < 0.1 else Attendance.ATTENDED
        records.append(
            AttendanceRecord(
                session_id=session_id,
                person_id=person,
                booking_id=pk,
                agency_id=agency,
                outcome=outcome,
                recorded_at=now,
            )
        )
    _bulk(AttendanceRecord, records)

    # Training needs returns for every year, every agency, every course.
    needs = []
    for year in years:
        cycle, _ = TnaCycle.objects.get_or_create(
            year=year,
            defaults={
                "opens_on": year.starts_on - timedelta(days=90),
                "deadline": year.starts_on - timedelta(days=30),
                "opened_at": now,
            },
        )
        existing = set(TnaReturn.objects.filter(cycle=cycle).values_list("agency_id", flat=True))
        _bulk(
            TnaReturn,
            [
                TnaReturn(cycle=cycle, agency=a, status=ReturnStatus.SUBMITTED, submitted_at=now)
                for a in agencies
                if a.pk not in existing
            ],
        )
        for tna_return in TnaReturn.objects.filter(
            cycle=cycle, agency_id__in=[a.pk for a in agencies if a.pk not in existing]
        ):
            for course in courses:
                scope = rng.randint(5, 60)
                needs.append(
                    TrainingNeed(
                        tna_return=tna_return,
                        course=course,
                        staff_in_scope=scope,
                        trained_in_date=rng.randint(0, scope),
                        places_requested=rng.randint(0, 12),
                    )
                )
    _bulk(TrainingNeed, needs)
    trainer_agencies = sorted({staff[i * 37][1] for i in range(30)})
    _bulk(
        TrainerCommitment,
        [
            TrainerCommitment(year=year, agency_id=agency, agreed_days=Decimal(rng.choice(["2", "3", "4.5", "6"])))
            for year in years
            for agency in trainer_agencies
            if not TrainerCommitment.objects.filter(year=year, agency_id=agency).exists()
        ],
    )

    # A year of evaluation: straight-after answers for last year's sessions.
    answers = _evaluation(rng, years[-2], now)
    return {
        # The whole partnership's agencies: the demo's and the new local ones.
        "agencies": len(agencies),
        "people": len(people),
        "sessions": len(sessions),
        "bookings": len(bookings),
        "attendance records": len(records),
        "training needs": len(needs),
        "evaluation answers": answers,
    }


def _evaluation(rng, year, now) -> int:
    settings_by_course = {}
    invitations = []
    booking_rows = list(
        Booking.objects.filter(
            session__starts_at__date__gte=year.starts_on,
            session__starts_at__date__lte=year.ends_on,
            attendance__outcome=Attendance.ATTENDED,
            evaluation_invitations__isnull=True,
        )
        .select_related("session__course")
        .only("pk", "session__course", "session__ends_at")[:8000]
    )
    for booking in booking_rows:
        course = booking.session.course
        if course.pk not in settings_by_course:
            settings_by_course[course.pk] = evaluation_services.settings_for(course)
        ce = settings_by_course[course.pk]
        invitations.append(
            Invitation(
                booking_id=booking.pk,
                stage=Stage.IMMEDIATE,
                questionnaire=ce.immediate,
                sent_at=booking.session.ends_at + timedelta(days=1),
                answered_at=booking.session.ends_at + timedelta(days=2),
            )
        )
    _bulk(Invitation, invitations)
    invitations = list(
        Invitation.objects.filter(
            stage=Stage.IMMEDIATE, response__isnull=True, answered_at__isnull=False
        ).select_related("questionnaire", "booking__session__course")
    )
    _bulk(Response, [Response(invitation=i, submitted_at=i.answered_at) for i in invitations])
    responses = {r.invitation_id: r for r in Response.objects.filter(invitation__in=invitations)}
    items = {}
    rows = []
    for invitation in invitations:
        questionnaire = invitation.questionnaire
        if questionnaire.pk not in items:
            items[questionnaire.pk] = list(questionnaire.items.all())
        outcomes = len(invitation.booking.session.course.outcomes())
        for item in items[questionnaire.pk]:
            if item.kind == ItemKind.CONFIDENCE:
                rows += [
                    Answer(response=responses[invitation.pk], item=item, outcome=o, number=rng.randint(5, 10))
                    for o in range(outcomes)
                ]
            elif item.kind == ItemKind.AGREEMENT:
                rows.append(Answer(response=responses[invitation.pk], item=item, number=rng.choice([3, 4, 4, 5, 5])))
            elif item.kind == ItemKind.SINGLE:
                rows.append(Answer(response=responses[invitation.pk], item=item, choices=[item.choices[0]]))
    _bulk(Answer, rows)
    return len(rows)
