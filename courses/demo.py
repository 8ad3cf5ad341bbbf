"""The demo partnership's training pathway and programme: a year of past sessions
with closed registers, and the coming months with bookings and waiting lists.

Deterministic for a given day and safe to run twice: sessions are looked up by
course and start time, bookings by session and person.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.text import slugify

from accounts.models import OrganisationCategory, TargetGroup, User
from accounts.roles import Role

from .models import (
    Attendance,
    AttendanceRecord,
    Booking,
    BookingPolicy,
    BookingStatus,
    Certificate,
    Charge,
    Course,
    DeliveryMode,
    ExternalTraining,
    FeeRate,
    Level,
    PathwayRule,
    Room,
    Session,
    SessionDate,
    SessionStatus,
    Venue,
)

LEVELS = [
    (1, "Basic awareness", "Single-agency, often e-learning; within three months of starting work."),
    (
        2,
        "Inter-agency foundation",
        "Working together: recognising and responding to abuse and neglect across agencies.",
    ),
    (
        3,
        "Inter-agency advanced",
        "For those who assess, plan and review: child protection conferences, core groups, complex cases.",
    ),
    (4, "Specialist", "Specialist and bespoke training for named and designated professionals and managers."),
]

# target group -> [(level, refresh months)]; designated safeguarding leads (group 4) refresh every two years.
PATHWAY = {
    1: [(1, 36)],
    2: [(1, 36), (2, 36)],
    3: [(2, 36)],
    4: [(2, 36), (3, 24)],
    5: [(3, 36), (4, 36)],
    6: [(3, 36)],
    7: [(4, 36)],
    8: [(4, 36)],
}

OUTCOMES = {
    "Working Together to Safeguard Children": (
        "Describe the roles and responsibilities of partner agencies\n"
        "Recognise the signs and indicators of abuse and neglect\n"
        "Know how to share information and make a referral to children's social care\n"
        "Understand thresholds and the early help offer"
    ),
    "Recognising and Responding to Neglect": (
        "Define neglect and its impact on children's development\n"
        "Use the graded care profile to assess neglect\n"
        "Recognise cumulative harm and drift"
    ),
    "Domestic Abuse and its Impact on Children": (
        "Recognise coercive control and its effect on children\n"
        "Assess risk using the DASH checklist\n"
        "Refer to MARAC and specialist services"
    ),
    "Child Sexual Exploitation and Criminal Exploitation": (
        "Recognise grooming and exploitation, including county lines\n"
        "Use the exploitation screening tool\n"
        "Work with the multi-agency exploitation panel"
    ),
    "Child Protection Conferences and Core Groups": (
        "Prepare reports for an initial child protection conference\n"
        "Contribute to a child protection plan\n"
        "Work effectively in core groups"
    ),
    "Safeguarding Disabled Children": (
        "Recognise why disabled children are at greater risk\n"
        "Communicate with children who do not use speech\n"
        "Avoid attributing signs of abuse to a child's impairment"
    ),
    "Parental Mental Health and Substance Misuse": (
        "Understand the impact of parental mental ill health and substance misuse on children\n"
        "Work with adult services to keep the child in view"
    ),
    "Learning from Child Safeguarding Practice Reviews": (
        "Apply the lessons of local and national reviews to practice\n"
        "Recognise professional optimism and disguised compliance"
    ),
    "Harmful Sexual Behaviour": (
        "Distinguish healthy, problematic and harmful sexual behaviour\n"
        "Use the AIM3 assessment framework\n"
        "Plan a safe response for all children involved"
    ),
    "Annual Safeguarding Conference": (
        "Hear from national speakers on current safeguarding priorities\nNetwork with colleagues across the partnership"
    ),
    "Training for Trainers": (
        "Plan and co-deliver inter-agency training\n"
        "Facilitate group learning and manage difficult conversations\n"
        "Use the partnership's training materials and evaluation"
    ),
}

# title, level, days, mode, inter-agency, needs approval, charge exempt, trainers' course, target groups
COURSES = [
    (
        "Working Together to Safeguard Children",
        2,
        "1.0",
        DeliveryMode.FACE_TO_FACE,
        True,
        False,
        False,
        False,
        [2, 3, 4],
    ),
    (
        "Recognising and Responding to Neglect",
        2,
        "1.0",
        DeliveryMode.FACE_TO_FACE,
        True,
        False,
        False,
        False,
        [2, 3, 4, 6],
    ),
    ("Domestic Abuse and its Impact on Children", 2, "0.5", DeliveryMode.VIRTUAL, True, False, False, False, [2, 3, 4]),
    (
        "Child Sexual Exploitation and Criminal Exploitation",
        3,
        "1.0",
        DeliveryMode.FACE_TO_FACE,
        True,
        False,
        False,
        False,
        [3, 4, 6],
    ),
    (
        "Child Protection Conferences and Core Groups",
        3,
        "1.0",
        DeliveryMode.FACE_TO_FACE,
        True,
        False,
        False,
        False,
        [3, 4, 5, 6],
    ),
    ("Safeguarding Disabled Children", 3, "0.5", DeliveryMode.VIRTUAL, True, False, False, False, [3, 4]),
    (
        "Parental Mental Health and Substance Misuse",
        3,
        "1.0",
        DeliveryMode.FACE_TO_FACE,
        True,
        False,
        False,
        False,
        [3, 4, 6],
    ),
    (
        "Learning from Child Safeguarding Practice Reviews",
        4,
        "0.5",
        DeliveryMode.VIRTUAL,
        True,
        False,
        False,
        False,
        [5, 6, 7, 8],
    ),
    ("Harmful Sexual Behaviour", 4, "2.0", DeliveryMode.FACE_TO_FACE, True, True, False, False, [4, 5]),
    ("Annual Safeguarding Conference", 4, "1.0", DeliveryMode.CONFERENCE, True, False, True, False, [4, 5, 6, 7, 8]),
    ("Training for Trainers", 4, "2.0", DeliveryMode.FACE_TO_FACE, True, False, False, True, [5, 6]),
]

# name, address, postcode, access, how many it holds, and its rooms where it books them separately.
VENUES = [
    (
        "Northshire County Hall, Training Suite 2",
        "County Hall\nMarket Street\nNorthtown",
        "NT1 2AB",
        "Step-free access from the main entrance. Hearing loop in all training rooms. Blue badge parking at the rear.",
        24,
        [],
    ),
    (
        "Riverside Community Centre",
        "14 Riverside Walk\nEastbridge",
        "NT4 7QD",
        "Ground-floor rooms. Accessible toilet. Ten minutes' walk from Eastbridge station.",
        60,
        [("Main Hall", 60), ("Garden Room", 16)],
    ),
    (
        "Castlegate Police Headquarters, Learning Centre",
        "Castlegate\nNorthtown",
        "NT2 9PX",
        "Bring photo ID to sign in at reception. Lift to the first floor. Visitor parking in bay C.",
        40,
        [("Learning Room 1", 24), ("Learning Room 2", 16)],
    ),
    (
        "Eastbridge Civic Centre",
        "Civic Square\nEastbridge",
        "NT4 1CS",
        "Step-free throughout. Hearing loop in the Assembly Hall. Pay and display parking in Civic Square.",
        150,
        [("Assembly Hall", 150), ("Committee Room", 20)],
    ),
]

# Fees by organisation category: per day, per half day. Statutory partners contribute and train free.
FEES = {
    "School or academy": ("85.00", "50.00"),
    "GP practice": ("95.00", "55.00"),
    "Voluntary or community group": ("40.00", "25.00"),
    "National charity": ("95.00", "55.00"),
    "Private or independent provider": ("120.00", "70.00"),
    "Out of area": ("150.00", "85.00"),
}

# days from today, course index, venue index (None: online), capacity
PAST = [
    (-330, 0, 0, 24),
    (-300, 1, 1, 20),
    (-270, 2, None, 30),
    (-240, 3, 2, 20),
    (-200, 4, 0, 18),
    (-170, 0, 1, 24),
    (-140, 5, None, 25),
    (-110, 6, 0, 20),
    (-80, 1, 2, 20),
    (-60, 7, None, 40),
    (-40, 0, 0, 24),
    (-20, 9, 3, 120),
]
FUTURE = [
    (9, 0, 0, 12),
    (16, 1, 1, 20),
    (23, 2, None, 30),
    (30, 3, 2, 20),
    (37, 4, 0, 18),
    (44, 8, 2, 16),
    (58, 5, None, 25),
    (72, 6, 0, 20),
    (86, 10, 1, 12),
    (100, 0, 1, 24),
    (120, 7, None, 40),
    # Inside the late-cancellation window (10 working days) with places left: book, then cancel late.
    (3, 1, 1, 16),
    (6, 5, None, 25),
]
# A session running as the demo is made, so the demo's trainer can take its register today:
# course index, venue index, capacity (every place taken).
IN_PROGRESS = (0, 0, 14)


def _at(days: int, hour: int, minute: int = 0):
    day = timezone.localtime() + timedelta(days=days)
    day = day.replace(hour=hour, minute=minute, second=0, microsecond=0)
    while day.weekday() >= 5:  # training runs on weekdays
        day += timedelta(days=1)
    return day


def seed_pathway() -> None:
    levels = {}
    for number, name, description in LEVELS:
        levels[number], _ = Level.objects.update_or_create(
            number=number, defaults={"name": name, "description": description}
        )
    for group in TargetGroup.objects.all():
        for level, months in PATHWAY.get(group.number, []):
            PathwayRule.objects.update_or_create(
                target_group=group, level=levels[level], course=None, defaults={"refresh_months": months}
            )


def seed_policy() -> None:
    policy, _ = BookingPolicy.objects.get_or_create(pk=1)  # a database emptied since it was migrated has none
    if not policy.invoice_address:
        policy.invoice_address = "Northshire County Hall\nMarket Street\nNorthshire\nNS1 1AA"
        policy.payment_instructions = (
            "Payment within 30 days of the invoice date, by BACS to Northshire County Council, "
            "sort code 00-00-00, account 00000000, quoting the invoice number."
        )
        policy.save(update_fields=["invoice_address", "payment_instructions"])
    for category in OrganisationCategory.objects.all():
        per_day, per_half_day = FEES.get(category.name, ("0", "0"))
        FeeRate.objects.update_or_create(
            category=category,
            defaults={"policy": policy, "per_day": Decimal(per_day), "per_half_day": Decimal(per_half_day)},
        )


def seed_catalogue() -> tuple[list[Course], list[Venue]]:
    levels = {level.number: level for level in Level.objects.all()}
    groups = {group.number: group for group in TargetGroup.objects.all()}
    courses = []
    for title, level, days, mode, inter, approval, exempt, trainers, target in COURSES:
        course, _ = Course.objects.update_or_create(
            title=title,
            defaults={
                "slug": slugify(title),
                "summary": OUTCOMES[title].splitlines()[0] + ".",
                "learning_outcomes": OUTCOMES[title],
                "level": levels[level],
                "duration_days": Decimal(days),
                "delivery_mode": mode,
                "inter_agency": inter,
                "needs_manager_approval": approval,
                "charge_exempt": exempt,
                "is_training_for_trainers": trainers,
            },
        )
        course.target_groups.set([groups[n] for n in target if n in groups])
        courses.append(course)
    # The introductory course opens up the rest of the inter-agency programme.
    for course in courses[3:9]:
        course.prerequisites.set([courses[0]])
    venues = []
    for name, address, postcode, access, capacity, rooms in VENUES:
        venue, _ = Venue.objects.update_or_create(
            name=name,
            defaults={"address": address, "postcode": postcode, "access_information": access, "capacity": capacity},
        )
        for room, holds in rooms:
            Room.objects.update_or_create(venue=venue, name=room, defaults={"capacity": holds})
        venues.append(venue)
    return courses, venues


def _room_for(venue, capacity):
    """The smallest room of the venue that holds the session (None where the venue is one space)."""
    if venue is None:
        return None
    return venue.rooms.filter(capacity__gte=capacity).order_by("capacity").first()


def _session(course, venue, days, capacity, trainers):
    start = _at(days, 9, 30)
    end = start + (timedelta(hours=3, minutes=30) if course.duration_days == Decimal("0.5") else timedelta(hours=7))
    session, created = Session.objects.get_or_create(
        course=course,
        starts_at=start,
        defaults={
            "venue": venue,
            "room": _room_for(venue, capacity),
            "online_link": "" if venue else "https://meet.northshire-scp.example.org/training",
            "capacity": capacity,
            "ends_at": end,
            "bookings_close_at": start - timedelta(days=2),
            "venue_cost": Decimal("0" if venue is None else "150.00"),
            "catering_cost": Decimal("0" if venue is None else "6.50") * capacity,
            "materials_cost": Decimal("25.00"),
            "trainer_fees": Decimal("0"),
        },
    )
    if created:
        SessionDate.objects.create(session=session, starts_at=start, ends_at=end)
        if course.duration_days == Decimal("2.0"):
            second = _at(days + 7, 9, 30)
            SessionDate.objects.create(session=session, starts_at=second, ends_at=second + timedelta(hours=7))
            session.ends_at = second + timedelta(hours=7)
            session.save(update_fields=["ends_at"])
        session.trainers.set(trainers)
    return session


def seed_training_elsewhere() -> None:
    """Level 1 e-learning done with their own agency by a police officer, waiting for the agency
    lead to confirm it: no Level 1 course runs in the partnership's own programme."""
    person = (
        User.objects.filter(is_active=True, agency__name="Northshire Police")
        .exclude(groups__name__in=[str(Role.AGENCY_LEAD), str(Role.TRAINER), str(Role.TRAINING_MANAGER)])
        .order_by("pk")
        .first()
    )
    level = Level.objects.filter(number=1).first()
    if person is None or level is None:
        return
    ExternalTraining.objects.get_or_create(
        person=person,
        level=level,
        provider="Northshire Police e-learning",
        completed_on=(timezone.localdate() - timedelta(days=45)),
        defaults={"title": "Safeguarding children: basic awareness", "recorded_by": person},
    )


def seed(stdout=None) -> None:
    from .services.register import close_register

    seed_pathway()
    seed_policy()
    courses, venues = seed_catalogue()
    staff = list(
        User.objects.filter(is_active=True, agency__isnull=False)
        .exclude(groups__name__in=[str(Role.BOARD_MEMBER), str(Role.TRAINER), str(Role.TRAINING_MANAGER)])
        .select_related("agency")
        .order_by("pk")
    )
    trainers = list(User.objects.filter(groups__name=str(Role.TRAINER)).order_by("pk"))
    manager = User.objects.filter(groups__name=str(Role.TRAINING_MANAGER)).order_by("pk").first()
    made = 0
    for n, (days, course_i, venue_i, capacity) in enumerate(PAST):
        session = _session(
            courses[course_i], venues[venue_i] if venue_i is not None else None, days, capacity, trainers
        )
        if session.register_closed_at:
            continue
        booked = [staff[(n * 7 + i) % len(staff)] for i in range(min(capacity - 2, 10 + n % 5))]
        for i, person in enumerate(booked):
            booking, _ = Booking.objects.get_or_create(
                session=session,
                person=person,
                defaults={
                    "agency": person.agency,
                    "status": BookingStatus.CONFIRMED,
                    "created_at": session.starts_at - timedelta(days=30 - i),
                },
            )
            outcome = Attendance.NO_SHOW if i % 9 == 4 else Attendance.PARTIAL if i % 13 == 7 else Attendance.ATTENDED
            AttendanceRecord.objects.get_or_create(
                session=session,
                person=person,
                defaults={"booking": booking, "agency": person.agency, "outcome": outcome},
            )
        walk_in = staff[(n * 11 + 40) % len(staff)]
        if walk_in not in booked:
            AttendanceRecord.objects.get_or_create(
                session=session,
                person=walk_in,
                defaults={"agency": walk_in.agency, "outcome": Attendance.ATTENDED, "walk_in": True},
            )
        close_register(actor=manager, session=session)
        # As if the register had been closed the day after, not when the demo was loaded: its charges
        # and certificates carry that date too.
        closed_at = session.ends_at + timedelta(days=1)
        Session.objects.filter(pk=session.pk).update(register_closed_at=closed_at)
        Charge.objects.filter(session=session).update(raised_at=closed_at)
        Certificate.objects.filter(attendance__session=session).update(issued_at=closed_at)
        made += 1
    for n, (days, course_i, venue_i, capacity) in enumerate(FUTURE):
        session = _session(
            courses[course_i], venues[venue_i] if venue_i is not None else None, days, capacity, trainers[:1]
        )
        if session.bookings.exists():
            # Booked by an earlier run: the staff list has changed since (trainers joined the pool),
            # so booking again would add other people.
            continue
        # The first session is popular: full, with a waiting list.
        wanted = capacity + 4 if n == 0 else capacity // 2 + n % 4
        for i in range(wanted):
            person = staff[(n * 5 + i * 3) % len(staff)]
            status = BookingStatus.CONFIRMED if i < capacity else BookingStatus.WAITLISTED
            Booking.objects.get_or_create(
                session=session,
                person=person,
                defaults={
                    "agency": person.agency,
                    "status": status,
                    "created_at": timezone.now() - timedelta(days=20 - i % 20),
                    "waitlist_priority": timezone.now() if status == BookingStatus.WAITLISTED else None,
                },
            )
    running = _session_in_progress(courses, venues, staff, trainers)
    seed_training_elsewhere()
    if stdout:
        stdout.write(
            f"Training programme: {len(courses)} courses, "
            f"{Session.objects.filter(status=SessionStatus.COMPLETED).count()} past sessions "
            f"({made} closed now), {Session.objects.filter(status=SessionStatus.SCHEDULED).count()} coming up, "
            f"{Booking.objects.count()} bookings; in progress now: {running}"
        )


def _session_in_progress(courses, venues, staff, trainers) -> Session:
    """A session that has started and not ended when the demo is made, every place taken. It runs
    09:30 to 16:30 when the demo is made in the working day, and stretches round the time it is made
    otherwise. Looked up by course and day, so running the demo twice in a day keeps one as it was."""
    course_i, venue_i, capacity = IN_PROGRESS
    course, venue = courses[course_i], venues[venue_i]
    now = timezone.localtime()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    session = Session.objects.filter(
        course=course, ends_at__gt=midnight, starts_at__lt=midnight + timedelta(days=1)
    ).first()
    if session is not None:
        return session
    hour = now.replace(minute=0, second=0, microsecond=0)
    start = min(midnight.replace(hour=9, minute=30), hour - timedelta(hours=1))
    end = max(midnight.replace(hour=16, minute=30), hour + timedelta(hours=3))
    session = Session.objects.create(
        course=course,
        venue=venue,
        room=_room_for(venue, capacity),
        capacity=capacity,
        starts_at=start,
        ends_at=end,
        bookings_close_at=start - timedelta(days=2),
        venue_cost=Decimal("150.00"),
        catering_cost=Decimal("6.50") * capacity,
        materials_cost=Decimal("25.00"),
    )
    SessionDate.objects.create(session=session, starts_at=start, ends_at=end)
    session.trainers.set(trainers[:1])
    for i in range(capacity):
        person = staff[(37 + i) % len(staff)]
        Booking.objects.create(
            session=session,
            person=person,
            agency=person.agency,
            status=BookingStatus.CONFIRMED,
            created_at=session.starts_at - timedelta(days=25 - i),
        )
    return session
