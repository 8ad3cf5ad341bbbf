"""Each figure of the Board's report against a fixture worked out by hand."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.factories import AgencyFactory, UserFactory, board_member, trainer, training_manager
from courses.factories import AttendanceRecordFactory, BookingFactory, CourseFactory, SessionFactory
from courses.models import Attendance, BookingStatus, Course, Session, SessionStatus
from reports import metrics
from reports.templatetags.report_tags import compared, figure, money, num, pct
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


def test_periods_counted_together_each_count_every_session_they_hold_even_when_they_overlap(programme, year):
    """The whole year twice, June alone (the full-day event) and July to March (the half-day event):
    each period's figures are what it holds on its own, whichever other periods are asked with it."""
    whole = metrics.Period.of_year(year)
    june = metrics.Period("June", date(2025, 6, 1), date(2025, 6, 30))
    rest = metrics.Period("July on", date(2025, 7, 1), date(2026, 3, 31))
    heads = metrics.headlines_of([whole, june, whole, rest])
    figures = [
        (h.events_delivered, h.events_cancelled, h.courses, h.training_days, h.capacity, h.attendance, h.no_shows)
        for h in heads
    ]
    assert figures == [
        (2, 1, 2, Decimal("1.5"), 18, 6, 1),
        (1, 0, 1, Decimal("1.0"), 10, 4, 1),
        (2, 1, 2, Decimal("1.5"), 18, 6, 1),
        (1, 1, 1, Decimal("0.5"), 8, 2, 0),
    ]
    assert [(h.registrations, h.cancellations, h.late_cancellations) for h in heads] == [
        (6, 1, 1),
        (4, 0, 0),
        (6, 1, 1),
        (2, 1, 1),
    ]
    assert [h.session_costs for h in heads] == [
        Decimal("450.00"),
        Decimal("225.00"),
        Decimal("450.00"),
        Decimal("225.00"),
    ]
    assert [metrics.headline(p).attendance for p in (whole, june, rest)] == [6, 4, 2]


def test_headlines_run_three_queries_for_one_period_or_four_and_for_more_sessions(
    programme, year, django_assert_num_queries
):
    """The sessions, their register lines and their bookings: three queries whatever the periods and the data."""
    whole = metrics.Period.of_year(year)
    june = metrics.Period("June", date(2025, 6, 1), date(2025, 6, 30))
    with django_assert_num_queries(3):
        metrics.headlines_of([whole], begins=None)
    for n in range(20):
        session = SessionFactory(
            starts_at=at(date(2025, 6, 1 + n), 9), ends_at=at(date(2025, 6, 1 + n), 16), status=SessionStatus.COMPLETED
        )
        BookingFactory(session=session, status=BookingStatus.CONFIRMED)
        AttendanceRecordFactory(session=session, person=UserFactory(), booking=None)
    with django_assert_num_queries(3):
        heads = metrics.headlines_of([whole, june, whole, june], begins=None)
    assert [h.events_delivered for h in heads] == [22, 21, 22, 21]
    assert [h.registrations for h in heads] == [26, 24, 26, 24]


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
    # The records begin in 2025-26: the two years before have none, which is not "0" or "not applicable".
    assert "Fill rate % (attendance / places offered),no records,no records,33" in csv
    assert "Cost per delegate (£),no records,no records,241.67" in csv
    assert "Attendance rate of registrations % (attendance / registrations, cancellations included)" in csv
    assert client.get(reverse("reports:table-csv", args=[year.pk, "no-such-table"])).status_code == 404


def test_cancellations_and_both_attendance_rates(programme, year):
    """To the programme add an in-time cancellation on the full day. Booked at the time of the events:
    4 + 2 = 6, of whom 5 came; a walk-in makes attendance 6; delegates cancelled 2 (1 in time, 1 late).
    Attendance rate 5 / 6 = 83.3%; attendance ÷ registrations with cancellations 6 / (6 + 2) = 75%;
    cancellation rate 2 / 8 = 25%."""
    first = Session.objects.get(course__title="Working Together to Safeguard Children", starts_at__month=6)
    BookingFactory(session=first, person=UserFactory(agency=programme["agency"]), status=BookingStatus.CANCELLED)
    h = metrics.headline(metrics.Period.of_year(year), begins=date(2025, 4, 1))
    assert (h.registrations, h.cancellations, h.on_time_cancellations, h.late_cancellations) == (6, 2, 1, 1)
    assert (h.attendance_rate, h.attendance_rate_of_registrations, h.cancellation_rate) == (83, 75, 25)


def test_per_course_places_offered_fill_rate_and_cost_per_run(programme, year):
    """The full day: one run of 10 places, 4 delegates (3 booked who came and the walk-in... the
    no-show does not count) = 40%, costing £225; the half day: 8 places, 2 delegates = 25%."""
    runs = {r.course.title: r for r in metrics.courses_delivered(metrics.Period.of_year(year))}
    full, half = runs["Working Together to Safeguard Children"], runs["Domestic Abuse and its Impact on Children"]
    assert (full.places, full.delegates, full.fill_rate, full.cost_per_run) == (10, 4, 40, Decimal("225.00"))
    assert (half.places, half.delegates, half.fill_rate, half.cost_per_run) == (8, 2, 25, Decimal("225.00"))
    Session.objects.update(venue_cost=0, catering_cost=0, materials_cost=0, trainer_fees=0)
    runs = {r.course.title: r for r in metrics.courses_delivered(metrics.Period.of_year(year))}
    assert runs["Working Together to Safeguard Children"].cost_per_run is None  # no cost recorded, not £0


def free_session(course, day: date, *, capacity=12):
    return SessionFactory(
        course=course,
        capacity=capacity,
        starts_at=at(day, 9),
        ends_at=at(day, 16),
        status=SessionStatus.COMPLETED,
        venue_cost=0,
        catering_cost=0,
        materials_cost=0,
    )


def test_a_year_in_progress_is_compared_with_the_same_months_of_earlier_years(year):
    """On 10 November 2025, 2025-26 runs 1 April to 10 November: 224 of its 365 days. Its events: June
    (3 delegates) and October (2); the December event is not yet in the year to date. 2024-25's same
    months hold its June event (4 delegates) but not its January one; 2023-24's hold nothing, and the
    records begin in March 2024 (after them): "no records". Central costs of £3,650 count 224/365 of
    themselves, £2,240, so the cost per delegate is £2,240 / 5 = £448, never £3,650 / 5."""
    police = AgencyFactory(name="Northshire Police")
    course = CourseFactory(title="Working Together to Safeguard Children", duration_days=Decimal("1.0"))
    TrainingYear.objects.filter(name="2025-26").update(central_costs=Decimal("3650"))
    year.refresh_from_db()
    for day, delegates in (
        (date(2024, 3, 12), 2),
        (date(2024, 6, 11), 4),
        (date(2025, 1, 14), 6),
        (date(2025, 6, 10), 3),
        (date(2025, 10, 7), 2),
        (date(2025, 12, 2), 9),
    ):
        session = free_session(course, day)
        for _ in range(delegates):
            AttendanceRecordFactory(session=session, person=UserFactory(agency=police), agency=police, booking=None)

    heads = metrics.headlines(year, today=date(2025, 11, 10))
    assert [h.period.heading for h in heads] == [
        "2023-24 to 10 November 2023",
        "2024-25 to 10 November 2024",
        "2025-26 to 10 November 2025",
    ]
    assert [h.coverage for h in heads] == ["none", "full", "full"]
    assert [(h.events_delivered, h.attendance) for h in heads[1:]] == [(1, 4), (2, 5)]
    this = heads[-1]
    assert this.central_costs_year == Decimal("3650.00") and this.central_costs == Decimal("2240.00")
    assert this.cost_per_delegate == Decimal("448.00")
    assert compared(this, heads[1], "attendance") == "up 1 on the same months of 2024-25"
    assert (
        compared(heads[1], heads[0], "attendance")
        == "there are no records for the same months of 2023-24 to compare with"
    )
    assert figure(heads[0], "attendance") == "no records"

    by_agency = metrics.attendance_by_agency([h.period for h in heads])
    assert [(row.label, row.values) for row in by_agency] == [("Northshire Police", [0, 4, 5])]


def test_a_year_the_records_begin_part_way_through_is_not_compared(year):
    """The records begin on 5 January 2026, inside 2025-26: 2026-27 is not compared with it."""
    course = CourseFactory(title="Working Together to Safeguard Children")
    free_session(course, date(2026, 1, 5))
    later = TrainingYear.objects.create(name="2026-27", starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31))
    heads = metrics.headlines(later, today=date(2027, 4, 2))
    assert [h.coverage for h in heads] == ["none", "partial", "full"]
    assert compared(heads[2], heads[1], "events_delivered") == (
        "the records begin on 5 January 2026, part way through 2025-26, so no comparison is made"
    )


def test_no_cost_recorded_is_not_a_cost_of_nothing(year):
    TrainingYear.objects.filter(pk=year.pk).update(central_costs=0)
    year.refresh_from_db()
    h = metrics.headline(metrics.Period.of_year(year), begins=date(2024, 1, 1))
    assert (h.total_cost, h.cost_per_delegate) == (None, None)
    assert figure(h, "total_cost", "money") == "none recorded"


def test_trainer_days_by_agency_with_the_number_of_trainers(programme, year):
    """2025-26: the full day (1 day) by two police trainers and a nurse; the half day (0.5) by the
    same nurse. Police: 2 trainer days, 2 trainers; health: 1.5 days, 1 trainer."""
    health = AgencyFactory(name="Northshire Hospitals NHS Foundation Trust")
    full = Session.objects.get(course__title="Working Together to Safeguard Children", starts_at__month=6)
    half = Session.objects.get(course__title="Domestic Abuse and its Impact on Children")
    nurse = trainer(full_name="Priya Shah", agency=health)
    full.trainers.set([trainer(agency=programme["agency"]), trainer(agency=programme["agency"]), nurse])
    half.trainers.set([nurse])
    heads = metrics.headlines(year)
    rows = {row.label: row.values[-1] for row in metrics.trainer_days_by_agency([h.period for h in heads])}
    assert (rows["Northshire Police"].days, rows["Northshire Police"].trainers) == (Decimal("2.0"), 2)
    health_row = rows["Northshire Hospitals NHS Foundation Trust"]
    assert (health_row.days, health_row.trainers) == (Decimal("1.5"), 1)


def test_an_agencys_report_counts_need_met_only_on_the_courses_it_asked_for(programme, year):
    """The police return asked for 6 places on Working Together and none on Domestic Abuse. Their staff
    attended 4 Working Together (the walk-in included) and 2 Domestic Abuse: need met is 4 / 6 = 67%;
    the 2 are shown as attended on a course not requested."""
    from tna.models import ReturnStatus, TnaCycle, TnaReturn, TrainingNeed

    cycle = TnaCycle.objects.create(year=year, opens_on=date(2025, 1, 6), deadline=date(2025, 2, 28))
    tna_return = TnaReturn.objects.create(cycle=cycle, agency=programme["agency"], status=ReturnStatus.SUBMITTED)
    full = Course.objects.get(title="Working Together to Safeguard Children")
    TrainingNeed.objects.create(tna_return=tna_return, course=full, staff_in_scope=10, places_requested=6)
    need = metrics.agency_need(year, programme["agency"])
    rows = {r.label: r for r in need.rows}
    assert (rows["Working Together to Safeguard Children"].attended, need.total.attended) == (4, 6)
    assert rows["Domestic Abuse and its Impact on Children"].attended_unrequested == 2
    assert (need.total.requested, need.total.attended_unrequested, need.total.met) == (6, 2, 67)


def test_the_dashboards_trainer_days_are_the_partner_contributions_totals(year, target_groups):
    """Police agreed 4 days and Health 2 for 2025-26; a Police trainer gave a full day and a half day, a
    Health trainer a full day, and a trainer of no agency a full day (nobody's contribution). Whole year:
    2.5 of 6 agreed days delivered (42%). April to September (183 of 365 days): 2.0 + 1.0 = 3.0 agreed."""
    from pool.factories import TrainerCommitmentFactory, active_member

    police, health = AgencyFactory(name="Northshire Police"), AgencyFactory(name="Northshire Health")
    full = CourseFactory(title="Working Together to Safeguard Children", duration_days=Decimal("1.0"))
    half = CourseFactory(title="Domestic Abuse and its Impact on Children", duration_days=Decimal("0.5"))
    mark = active_member(UserFactory(full_name="Mark Evans", agency=police)).person
    grace = active_member(UserFactory(full_name="Grace Okafor", agency=health)).person
    nobody = active_member(UserFactory(full_name="Sam Free", agency=None)).person
    for day, course, trainers in (
        (date(2025, 5, 14), full, [mark, grace]),
        (date(2025, 11, 3), half, [mark]),
        (date(2025, 6, 2), full, [nobody]),
    ):
        SessionFactory(
            course=course,
            starts_at=at(day, 9),
            ends_at=at(day, 16),
            trainers=trainers,
            status=SessionStatus.COMPLETED,
        )
    TrainerCommitmentFactory(year=year, agency=police, agreed_days=Decimal("4"))
    TrainerCommitmentFactory(year=year, agency=health, agreed_days=Decimal("2"))
    whole = metrics.Period.of_year(year, today=date(2026, 6, 1))
    first_half = metrics.Period("April to September", date(2025, 4, 1), date(2025, 9, 30), year)
    years = list(TrainingYear.objects.all())
    for period, committed, delivered, share in (
        (whole, Decimal("6.0"), Decimal("2.5"), 42),
        (first_half, Decimal("3.0"), Decimal("2.0"), 67),
    ):
        days = metrics.partner_days(period, years=years)
        assert (days.committed_days, days.delivered_days, days.percent_delivered) == (committed, delivered, share)
        partners = metrics.partner_contribution(period)
        assert (partners.committed_days, partners.delivered_days, partners.percent_delivered) == (
            days.committed_days,
            days.delivered_days,
            days.percent_delivered,
        )
        assert metrics.partner_days(period) == days  # the same read without the years given


def test_a_year_of_bookings_alone_shows_the_dashboards_chart_not_the_message(client, year):
    from tna.selectors import attendance_against_need

    client.force_login(board_member())
    url = reverse("reports:dashboard") + f"?year={year.pk}"
    assert "No returns or attendance recorded for 2025-26 yet." in client.get(url).content.decode()
    # A year with one place booked and nothing requested or attended: a row, so the chart, not the message.
    police = AgencyFactory(name="Northshire Police")
    session = SessionFactory(starts_at=at(date(2025, 9, 1), 9), ends_at=at(date(2025, 9, 1), 16))
    BookingFactory(session=session, person=UserFactory(agency=police))
    assert "No returns or attendance recorded" not in client.get(url).content.decode()
    [row] = attendance_against_need(year, by="agency")
    assert (row.label, row.booked) == ("Northshire Police", 1)
    AttendanceRecordFactory(session=session, person=UserFactory(agency=police), agency=police, booking=None)
    [row] = attendance_against_need(year, by="agency")
    assert (row.attended, row.booked) == (1, 1)
