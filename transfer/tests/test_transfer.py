"""Imports and exports: the round trip keeps the Board's figures, bad rows are each reported with
their line and nothing is imported, and the same file twice changes nothing."""

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from accounts.factories import AgencyFactory, UserFactory, training_manager
from accounts.models import Agency, User
from courses.factories import (
    AttendanceRecordFactory,
    BookingFactory,
    CourseFactory,
    LevelFactory,
    SessionFactory,
    VenueFactory,
)
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
from reports import metrics
from tna.models import ReturnStatus, TnaCycle, TnaReturn, TrainingNeed, TrainingYear
from transfer import services
from transfer.formats import BY_KEY

LONDON = ZoneInfo("Europe/London")
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
pytestmark = pytest.mark.django_db


def at(day, hour):
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=LONDON)


@pytest.fixture
def seeded(target_groups):
    from accounts.factories import OrganisationCategoryFactory

    OrganisationCategoryFactory(name="Statutory partner")
    year = TrainingYear.objects.create(
        name="2025-26",
        starts_on=date(2025, 4, 1),
        ends_on=date(2026, 3, 31),
        children_in_need=3400,
        central_costs=Decimal("42000"),
    )
    police, school = (
        AgencyFactory(name="Northshire Police", sector="police"),
        AgencyFactory(name="Riverside Academy Trust", sector="education"),
    )
    venue = VenueFactory(name="Riverside Community Centre")
    full = CourseFactory(
        title="Working Together to Safeguard Children", duration_days=Decimal("1.0"), level=LevelFactory(number=2)
    )
    half = CourseFactory(
        title="Domestic Abuse and its Impact on Children", duration_days=Decimal("0.5"), level=full.level
    )
    trainer = UserFactory(email="grace.okafor@example.org", agency=police)
    sessions = [
        SessionFactory(
            course=full,
            venue=venue,
            capacity=12,
            starts_at=at(date(2025, 5, 14), 9),
            ends_at=at(date(2025, 5, 14), 16),
            status=SessionStatus.COMPLETED,
            trainers=[trainer],
        ),
        SessionFactory(
            course=half,
            venue=venue,
            capacity=10,
            starts_at=at(date(2025, 10, 2), 9),
            ends_at=at(date(2025, 10, 2), 12),
            status=SessionStatus.COMPLETED,
        ),
        SessionFactory(
            course=full,
            venue=venue,
            capacity=12,
            starts_at=at(date(2026, 1, 20), 9),
            ends_at=at(date(2026, 1, 20), 16),
            status=SessionStatus.CANCELLED,
        ),
    ]
    for n, outcome in enumerate(
        [Attendance.ATTENDED, Attendance.ATTENDED, Attendance.PARTIAL, Attendance.NO_SHOW, Attendance.ATTENDED]
    ):
        agency = police if n % 2 else school
        person = UserFactory(email=f"delegate{n}@example.org", agency=agency)
        booking = BookingFactory(session=sessions[n % 2], person=person, agency=agency)
        AttendanceRecordFactory(session=sessions[n % 2], person=person, agency=agency, booking=booking, outcome=outcome)
    walk_in = UserFactory(email="walk.in@example.org", agency=school)
    AttendanceRecordFactory(session=sessions[0], person=walk_in, agency=school, booking=None, walk_in=True)
    BookingFactory(
        session=sessions[1],
        person=UserFactory(email="late@example.org", agency=police),
        agency=police,
        status=BookingStatus.CANCELLED,
        late_cancellation=True,
    )
    cycle = TnaCycle.objects.create(year=year, opens_on=date(2025, 1, 6), deadline=date(2025, 2, 28))
    for agency, requested in ((police, 8), (school, 5)):
        tna_return = TnaReturn.objects.create(cycle=cycle, agency=agency, status=ReturnStatus.SUBMITTED)
        TrainingNeed.objects.create(
            tna_return=tna_return, course=full, staff_in_scope=20, trained_in_date=6, places_requested=requested
        )
    return year


def figures(year):
    h = metrics.headline(metrics.Period.of_year(year))
    need = metrics.need_against_attendance(year, by="agency")
    partners = metrics.partner_contribution(metrics.Period.of_year(year))
    return {
        "headline": (
            h.events_delivered,
            h.events_cancelled,
            h.training_days,
            h.attendance,
            h.walk_ins,
            h.booked_attendees,
            h.registrations,
            h.no_shows,
            h.late_cancellations,
            h.session_costs,
            h.total_cost,
            h.fill_rate,
            h.attendance_rate,
        ),
        "need": [(r.label, r.requested, r.booked, r.attended, r.no_shows, r.met) for r in need.rows],
        "trainer days": [(r.agency.name, r.delivered_days) for r in partners.rows],
    }


def empty_the_system():
    """What a new partnership has before it imports: reference data (levels, staff groups,
    categories, venues, the standard questionnaires) and nothing else."""
    AttendanceRecord.objects.all().delete()
    Booking.objects.all().delete()
    Session.trainers.through.objects.all().delete()
    SessionDate.objects.all().delete()
    Session.objects.all().delete()
    TrainingNeed.objects.all().delete()
    TnaReturn.objects.all().delete()
    TnaCycle.objects.all().delete()
    TrainingYear.objects.all().delete()
    Course.objects.all().delete()
    User.objects.all().delete()
    Agency.objects.all().delete()


def test_export_then_import_into_an_empty_system_gives_the_same_report(seeded):
    before = figures(seeded)
    assert before["headline"][:9] == (2, 1, Decimal("1.5"), 5, 1, 4, 5, 1, 1)
    archive = services.export_year(seeded)
    empty_the_system()
    manager = training_manager(email="helen.carter@example.org")
    results = services.import_zip(archive, actor=manager, file_name="training-year-2025-26.zip")
    assert all(r.ok for r in results), [str(e) for r in results for e in r.errors]
    year = TrainingYear.objects.get(name="2025-26")
    assert figures(year) == before
    cycle = TnaCycle.objects.get(year=year)
    assert (cycle.opens_on, cycle.deadline) == (date(2025, 1, 6), date(2025, 2, 28))  # from the file, not invented
    # The same files again change nothing.
    again = services.import_zip(archive, actor=manager)
    assert sum(r.created + r.updated for r in again) == 0
    assert figures(year) == before


BAD_ROWS = {
    "training-years": (
        "Name,Starts,Ends,Children in need,Central costs\n"
        "2026-27,01/04/2026,31/03/2027,3400,42000\n"
        "2027-28,1st April,31/03/2028,3400,42000\n"
        "2028-29,01/04/2028,31/03/2028,-5,lots\n"
        "2026-27,01/04/2026,31/03/2027,3400,42000\n",
        [
            "Line 3, Starts: '1st April' is not a date",
            "Line 4, Children in need: -5 is below 0",
            "Line 4, Central costs: 'lots' is not an amount of money",
            "Line 5: the same record is already on line 2",
        ],
    ),
    "courses": (
        "Title,Level,Days,Delivery\n"
        'Safeguarding Disabled Children,2,0.5,"Virtual (online, live)"\n'
        "Harmful Sexual Behaviour,9,2,Face to face\n"
        "Parental Mental Health,2,0.7,Face to face\n"
        "Child Exploitation,2,1,Carrier pigeon\n"
        'Safeguarding Disabled Children,2,0.5,"Virtual (online, live)"\n',
        [
            "Line 3, Level: there is no level 9",
            "Line 4, Days: must be in quarter days",
            "Line 5, Delivery: 'Carrier pigeon' is not a delivery",
            "Line 6: the same record is already on line 2",
        ],
    ),
    "trainer-contributions": (
        "Email,Course,Date,Starts\n"
        "grace.okafor@example.org,Working Together to Safeguard Children,14/05/2025,09:00\n"
        "nobody@example.org,Working Together to Safeguard Children,14/05/2025,09:00\n"
        "grace.okafor@example.org,Working Together to Safeguard Children,15/05/2025,09:00\n"
        "grace.okafor@example.org,Working Together to Safeguard Children,14/05/2025,09:00\n",
        [
            "Line 3, Email: nobody has the email",
            "Line 4, Course: no session of 'Working Together to Safeguard Children' starts on 15/05/2025",
            "Line 5: the same record is already on line 2",
        ],
    ),
    "agencies": (
        "Name,Sector,Charging category,Contributing partner,Active\n"
        "Northshire Police,Police,Statutory partner,yes,yes\n"
        ",Health,Statutory partner,no,yes\n"
        "Castle Street Medical Practice,Dentistry,,no,yes\n"
        "Northshire Police,Police,Statutory partner,yes,yes\n"
        "Little Acorns,Independent or private provider,Nonexistent,maybe,yes\n",
        [
            "Line 3, Name: is empty",
            "Line 4, Sector: 'Dentistry' is not a sector",
            "Line 4, Charging category: is empty",
            "Line 5: the same record is already on line 2",
            "Line 6, Charging category: 'Nonexistent' is not a charging category",
            "Line 6, Contributing partner: 'maybe' is not yes or no",
        ],
    ),
    "people": (
        "Email,Name,Agency,Staff group\n"
        "aisha.khan@example.org,Aisha Khan,Northshire Police,3\n"
        "not-an-email,Ben Brown,Northshire Police,3\n"
        "chloe@example.org,Chloe Campbell,Unknown Agency,3\n"
        "AISHA.KHAN@example.org,Aisha Khan,Northshire Police,3\n"
        "dan@example.org,Dan Davies,Northshire Police,-2\n",
        [
            "Line 3, Email: 'not-an-email' is not an email address",
            "Line 4, Agency: 'Unknown Agency' is not a partner agency",
            "Line 5: the same record is already on line 2",
            "Line 6, Staff group: -2 is below 1",
        ],
    ),
    "sessions": (
        "Course,Date,Starts,Ends,Venue,Capacity,Status\n"
        "Working Together to Safeguard Children,31/02/2025,09:30,16:30,Online,20,Delivered\n"
        "Working Together to Safeguard Children,14/05/2025,09:30,16:30,Online,-5,Delivered\n"
        "Working Together to Safeguard Children,15/05/2025,09:30,16:30,Online,20,Postponed\n"
        "Nonsense Course,16/05/2025,09:30,16:30,Online,20,Delivered\n",
        [
            "Line 2, Date: '31/02/2025' is not a date",
            "Line 3, Capacity: -5 is below 1",
            "Line 4, Status: 'Postponed' is not a session status",
            "Line 5, Course: 'Nonsense Course' is not a course",
        ],
    ),
    "attendance": (
        "Email,Course,Date,Starts,Outcome\n"
        "delegate0@example.org,Working Together to Safeguard Children,14/05/2025,09:00,Attended\n"
        "nobody@example.org,Working Together to Safeguard Children,14/05/2025,09:00,Attended\n"
        "delegate1@example.org,Working Together to Safeguard Children,14/05/2025,09:00,Snoozed\n"
        "delegate0@example.org,Working Together to Safeguard Children,14/05/2025,09:00,No-show\n"
        "delegate2@example.org,Working Together to Safeguard Children,14th May,09:00,Attended\n",
        [
            "Line 3, Email: nobody has the email 'nobody@example.org'",
            "Line 4, Outcome: 'Snoozed' is not an outcome",
            "Line 5: the same record is already on line 2",
            "Line 6, Date: '14th May' is not a date",
        ],
    ),
    "tna-returns": (
        "Training year,Agency,Course,Staff in scope,Trained and in date,Places requested\n"
        "2025-26,Northshire Police,Working Together to Safeguard Children,20,30,4\n"
        "2019-20,Northshire Police,Working Together to Safeguard Children,20,3,4\n"
        "2025-26,Northshire Police,Working Together to Safeguard Children,ten,3,-4\n",
        [
            "Line 2, Trained and in date: staff already trained and in date (30) cannot be more than staff in scope",
            "Line 3, Training year: '2019-20' is not a training year",
            "Line 4, Staff in scope: 'ten' is not a whole number",
            "Line 4, Places requested: -4 is below 0: numbers cannot be negative",
        ],
    ),
}


@pytest.mark.parametrize("key", sorted(BAD_ROWS))
def test_every_bad_row_is_reported_with_its_line_and_nothing_is_imported(seeded, key):
    content, expected = BAD_ROWS[key]
    manager = training_manager()
    counts = (
        Agency.objects.count(),
        User.objects.count(),
        Session.objects.count(),
        AttendanceRecord.objects.count(),
        TrainingNeed.objects.count(),
    )
    result = services.import_records(format_key=key, content=content, commit=True, actor=manager)
    messages = [str(e) for e in result.errors]
    for wanted in expected:
        assert any(m.startswith(wanted) for m in messages), f"{wanted!r} not in {messages}"
    assert not result.written
    assert (
        Agency.objects.count(),
        User.objects.count(),
        Session.objects.count(),
        AttendanceRecord.objects.count(),
        TrainingNeed.objects.count(),
    ) == counts


def test_an_imported_session_offers_no_more_places_than_its_venue_holds(seeded):
    Venue.objects.filter(name="Riverside Community Centre").update(capacity=24)
    content = (
        "Course,Date,Starts,Ends,Venue,Capacity,Status\n"
        "Working Together to Safeguard Children,12/01/2026,09:30,16:30,Riverside Community Centre,30,Scheduled\n"
        "Working Together to Safeguard Children,13/01/2026,09:30,16:30,Riverside Community Centre,24,Scheduled\n"
    )
    before = Session.objects.count()
    result = services.import_records(format_key="sessions", content=content, commit=True, actor=training_manager())
    assert [str(e) for e in result.errors] == [
        "Line 2, Capacity: Riverside Community Centre holds 24 people: offer at most 24 places"
    ]
    assert Session.objects.count() == before


def test_a_missing_column_is_reported_before_any_row(seeded):
    result = services.import_records(format_key="people", content="Email,Name\naisha@example.org,Aisha\n", commit=True)
    assert [str(e) for e in result.errors] == [
        "Line 1: Missing column: Agency. The first line must name the columns, as in the example file"
    ]


@pytest.mark.parametrize("key", sorted(BY_KEY))
def test_each_documented_example_file_imports_in_order(key, target_groups):
    from accounts.factories import OrganisationCategoryFactory
    from courses.factories import LevelFactory as Levels

    for name in ("Statutory partner", "School or academy", "Private or independent provider"):
        OrganisationCategoryFactory(name=name)
    for number in (1, 2, 3, 4):
        Levels(number=number)
    VenueFactory(name="Riverside Community Centre")
    manager = training_manager()
    for earlier in sorted(EXAMPLES.glob("*.csv")):
        fmt = earlier.stem.split("-", 1)[1]
        result = services.import_records(
            format_key=fmt, content=earlier.read_text(encoding="utf-8"), commit=True, actor=manager
        )
        assert result.ok, (earlier.name, [str(e) for e in result.errors])
        if fmt == key:
            assert result.created > 0
            break
