"""Each figure of the Board's report against a fixture worked out by hand."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.factories import AgencyFactory, UserFactory, board_member, trainer, training_manager
from courses.factories import AttendanceRecordFactory, BookingFactory, CourseFactory, SessionFactory
from courses.models import Attendance, BookingStatus, Session, SessionStatus
from reports import metrics
from reports.templatetags.report_tags import money, num, pct
from tna.models import TrainingYear
from tna.selectors import percent

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=LONDON)


@pytest.fixture
def year():
    TrainingYear.objects.create(name="2024-25", starts_on=date(2024, 4, 1), ends_on=date(2025, 3, 31))
    return TrainingYear.objects.create(
        name="2025-26",
        starts_on=date(2025, 4, 1),
        ends_on=date(2026, 3, 31),
        children_in_need=2000,
        central_costs=Decimal("1000"),
    )


@pytest.fixture
def programme(year, target_groups):
    """2025-26: a full-day event (capacity 10: three booked came, one of them left early, one
    booked did not come, one walk-in) and a half-day event (capacity 8: two booked came, one
    cancelled late); a cancelled event; and an event in the next year that must not count.
    Each event costs £225 (venue 120, catering 90, materials 15)."""
    agency = AgencyFactory(name="Northshire Police")
    full = CourseFactory(title="Working Together to Safeguard Children", duration_days=Decimal("1.0"))
    half = CourseFactory(title="Domestic Abuse and its Impact on Children", duration_days=Decimal("0.5"))
    first = SessionFactory(
        course=full,
        capacity=10,
        starts_at=at(date(2025, 6, 10), 9),
        ends_at=at(date(2025, 6, 10), 16),
        status=SessionStatus.COMPLETED,
    )
    for outcome in (Attendance.ATTENDED, Attendance.ATTENDED, Attendance.PARTIAL, Attendance.NO_SHOW):
        person = UserFactory(agency=agency)
        AttendanceRecordFactory(
            session=first,
            person=person,
            agency=agency,
            outcome=outcome,
            booking=BookingFactory(session=first, person=person, agency=agency),
        )
    AttendanceRecordFactory(
        session=first,
        person=UserFactory(agency=agency),
        agency=agency,
        outcome=Attendance.ATTENDED,
        walk_in=True,
        booking=None,
    )
    second = SessionFactory(
        course=half,
        capacity=8,
        starts_at=at(date(2025, 11, 4), 9),
        ends_at=at(date(2025, 11, 4), 12),
        status=SessionStatus.COMPLETED,
    )
    for _ in range(2):
        person = UserFactory(agency=agency)
        AttendanceRecordFactory(
            session=second,
            person=person,
            agency=agency,
            outcome=Attendance.ATTENDED,
            booking=BookingFactory(session=second, person=person, agency=agency),
        )
    BookingFactory(
        session=second,
        person=UserFactory(agency=agency),
        agency=agency,
        status=BookingStatus.CANCELLED,
        late_cancellation=True,
    )
    SessionFactory(
        course=full, starts_at=at(date(2025, 9, 1), 9), ends_at=at(date(2025, 9, 1), 16), status=SessionStatus.CANCELLED
    )
    SessionFactory(
        course=full,
        starts_at=at(date(2026, 4, 20), 9),
        ends_at=at(date(2026, 4, 20), 16),
        status=SessionStatus.COMPLETED,
    )
    return {"agency": agency}


def test_the_headline_statistics(programme, year):
    h = metrics.headline(metrics.Period.of_year(year))
    assert (h.events_delivered, h.events_cancelled, h.training_days, h.courses) == (2, 1, Decimal("1.5"), 2)
    assert (h.attendance, h.walk_ins, h.no_shows, h.late_cancellations) == (6, 1, 1, 1)
    assert h.average_delegates == Decimal("3.0")  # 6 attendees / 2 events
    assert h.fill_rate == 33  # 6 / 18 places = 33.3%
    assert (h.booked_attendees, h.registrations) == (5, 6)
    assert h.attendance_rate == 83  # 5 booked who came / 6 booked = 83.3%, walk-in left out


def test_outputs_and_costs(programme, year):
    h = metrics.headline(metrics.Period.of_year(year))
    assert h.session_costs == Decimal("450.00")
    assert h.total_cost == Decimal("1450.00")  # with the year's central costs
    assert h.cost_per_event == Decimal("725.00")
    assert h.cost_per_training_day == Decimal("966.67")  # 1450 / 1.5
    assert h.cost_per_delegate == Decimal("241.67")  # 1450 / 6
    assert h.events_per_1000_children_in_need == Decimal("1.0")  # 2 x 1000 / 2000


def test_previous_years_sit_beside_this_one_even_when_not_recorded(programme, year):
    heads = metrics.headlines(year)
    assert [h.period.label for h in heads] == ["2023-24", "2024-25", "2025-26"]
    assert heads[0].period.year is None and heads[1].period.year.name == "2024-25"
    assert [h.events_delivered for h in heads] == [0, 0, 2]


def test_rounding_is_half_up_and_division_by_zero_is_not_applicable(year):
    assert percent(33, 40) == 83  # 82.5%
    assert percent(1, 8) == 13  # 12.5%
    assert metrics.Headline(period=None, attendance=33, capacity=40).fill_rate == 83
    empty = metrics.headline(metrics.Period.of_year(year))
    assert (empty.fill_rate, empty.attendance_rate, empty.average_delegates, empty.cost_per_delegate) == (
        None,
        None,
        None,
        None,
    )
    assert pct(None) == "not applicable" and money(None) == "not applicable" and num(Decimal("2.5")) == "2.5"
    assert money(Decimal("966.67")) == "£966.67" and money(Decimal("1450.00")) == "£1,450.00"


def test_courses_delivered_list_runs_days_delegates_and_trainers_agencies(programme, year):
    health = AgencyFactory(name="Northshire Hospitals NHS Foundation Trust")
    school = AgencyFactory(name="Riverside Academy Trust")
    delivered_full = Session.objects.get(course__title="Working Together to Safeguard Children", starts_at__month=6)
    delivered_half = Session.objects.get(course__title="Domestic Abuse and its Impact on Children")
    cancelled = Session.objects.get(status=SessionStatus.CANCELLED)
    # The full day: a nurse, a police officer and an independent trainer with no agency; the half
    # day: the same nurse. The cancelled run's trainer (the school's) delivered nothing, so her
    # agency is not listed; each agency is listed once, in alphabetical order.
    nurse = trainer(full_name="Priya Shah", agency=health)
    delivered_full.trainers.set([trainer(agency=programme["agency"]), nurse, trainer(agency=None)])
    delivered_half.trainers.set([nurse])
    cancelled.trainers.set([trainer(agency=school)])

    runs = {r.course.title: r for r in metrics.courses_delivered(metrics.Period.of_year(year))}
    full = runs["Working Together to Safeguard Children"]
    assert (full.runs, full.cancelled, full.days, full.delegates) == (1, 1, Decimal("1.0"), 4)
    assert runs["Domestic Abuse and its Impact on Children"].days == Decimal("0.5")
    assert full.trainer_agencies == ["No agency", "Northshire Hospitals NHS Foundation Trust", "Northshire Police"]
    assert runs["Domestic Abuse and its Impact on Children"].trainer_agencies == [
        "Northshire Hospitals NHS Foundation Trust"
    ]


def test_the_dashboard_shows_the_same_figures_and_runs_the_same_queries_for_more_data(client, programme, year):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(board_member())
    url = reverse("reports:dashboard") + f"?year={year.pk}"

    def count():
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(url).content.decode()
        return len(ctx.captured_queries), page

    before, page = count()
    assert "33%" in page and "83%" in page and "£241.67" in page
    for n in range(30):
        session = SessionFactory(
            starts_at=at(date(2025, 7, 1 + n % 28), 9),
            ends_at=at(date(2025, 7, 1 + n % 28), 16),
            status=SessionStatus.COMPLETED,
        )
        AttendanceRecordFactory(
            session=session, person=UserFactory(agency=programme["agency"]), agency=programme["agency"], booking=None
        )
    after, _ = count()
    assert after == before


def test_every_table_downloads_as_csv_with_what_it_divides_by(client, programme, year):
    client.force_login(training_manager())
    csv = client.get(reverse("reports:table-csv", args=[year.pk, "headlines"])).content.decode()
    assert "Fill rate % (attendance / places offered),not applicable,not applicable,33" in csv
    assert "Cost per delegate (£),not applicable,not applicable,241.67" in csv
    assert client.get(reverse("reports:table-csv", args=[year.pk, "no-such-table"])).status_code == 404
