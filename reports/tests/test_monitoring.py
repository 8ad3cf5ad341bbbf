"""The quarterly monitoring report: take-up beside the previous quarter and the same quarter a year
earlier, and the reasons people gave for cancelling, computed by hand."""

import subprocess
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.factories import AgencyFactory, UserFactory, board_member, training_manager
from courses.factories import AttendanceRecordFactory, BookingFactory, CourseFactory, SessionFactory
from courses.models import Attendance, BookingStatus, ReasonGiven, SessionStatus
from reports import monitoring, services
from reports.models import ReportKind, RunStatus

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


def session_on(day: date, capacity: int, **kwargs):
    start = datetime(day.year, day.month, day.day, 9, 30, tzinfo=LONDON)
    return SessionFactory(
        course=CourseFactory(title="Working Together to Safeguard Children"),
        starts_at=start,
        ends_at=start + timedelta(hours=7),
        bookings_close_at=start - timedelta(days=2),
        capacity=capacity,
        status=kwargs.pop("status", SessionStatus.COMPLETED),
        **kwargs,
    )


def register(session, police, *, came: int, absent: int = 0, walk_ins: int = 0):
    for outcome, n in ((Attendance.ATTENDED, came), (Attendance.NO_SHOW, absent)):
        for _ in range(n):
            AttendanceRecordFactory(
                booking=BookingFactory(session=session, person=UserFactory(agency=police)), outcome=outcome
            )
    for _ in range(walk_ins):
        AttendanceRecordFactory(
            session=session, person=UserFactory(agency=police), agency=police, booking=None, walk_in=True
        )


def cancelled(session, police, reason="", *, late=False):
    return BookingFactory(
        session=session,
        person=UserFactory(agency=police),
        status=BookingStatus.CANCELLED,
        cancelled_at=session.starts_at - timedelta(days=3 if late else 20),
        cancellation_reason="Cancelled by the delegate",
        reason_given=reason,
        late_cancellation=late,
    )


@pytest.fixture
def quarters(target_groups):
    """July to September 2025, beside April to June 2025 and July to September 2024.

    This quarter: two events with 7 and 6 places (13). The first: 5 booked delegates came, 1 did
    not, 1 walk-in; the second: 4 came, 1 did not. Attendance 10, take-up 10 / 13 = 76.9% -> 77%;
    attendance rate 9 booked who came / 11 booked = 81.8% -> 82%. A third event was cancelled by the
    partnership. Cancellations by delegates: work pressures 3 (one late), illness 2, another
    commitment 1, no reason 2: 8. Not counted: a place passed to a colleague, a place on the
    cancelled event.
    Previous quarter: 8 places, 7 came: 87.5% -> 88% (half up). A year earlier: 11 places, 10 came:
    90.9% -> 91%.
    """
    police = AgencyFactory(name="Northshire Police", sector="police")
    first, second = session_on(date(2025, 7, 9), 7), session_on(date(2025, 9, 17), 6)
    register(first, police, came=5, absent=1, walk_ins=1)
    register(second, police, came=4, absent=1)
    dropped = session_on(date(2025, 8, 13), 12, status=SessionStatus.CANCELLED)
    cancelled(dropped, police)
    for reason, n in (
        (ReasonGiven.WORK_PRESSURES, 3),
        (ReasonGiven.ILLNESS, 2),
        (ReasonGiven.CLASH, 1),
        ("", 2),
    ):
        for i in range(n):
            cancelled(first if i % 2 else second, police, reason, late=reason == ReasonGiven.WORK_PRESSURES and i == 0)
    passed = cancelled(first, police, ReasonGiven.ILLNESS)
    BookingFactory(session=first, person=UserFactory(agency=police), substitute_for=passed, status="cancelled")
    register(session_on(date(2025, 5, 14), 8), police, came=7)
    register(session_on(date(2024, 8, 7), 11), police, came=10)
    return police


def test_a_quarter_is_compared_with_the_one_before_and_the_same_quarter_a_year_earlier(quarters):
    report = monitoring.monitoring(date(2025, 7, 1), date(2025, 9, 30))
    assert (report.period.label, report.previous.label, report.last_year.label) == (
        "July to September 2025",
        "April to June 2025",
        "July to September 2024",
    )
    take_up = report.take_up
    assert (take_up.now, take_up.previous, take_up.last_year) == (77, 88, 91)
    assert monitoring.take_up_sentence(report) == (
        "Take-up was 77% compared to 88% for the previous quarter and 91% for the comparable period last year."
    )
    this = report.this
    assert (this.capacity, this.attendance, this.walk_ins, this.no_shows, this.attendance_rate) == (13, 10, 1, 2, 82)
    assert (this.events_delivered, this.events_cancelled, this.late_cancellations) == (2, 1, 1)
    assert [(r.label, r.count) for r in report.reasons] == [
        ("Work pressures or staff shortages", 3),
        ("Illness", 2),
        ("Another commitment at the same time", 1),
        ("No reason given", 2),
    ]
    assert (report.cancellations, report.reasons_given) == (8, 6)


def test_periods_that_are_not_quarters_compare_like_with_like():
    assert monitoring.previous_period(date(2026, 1, 1), date(2026, 3, 31)) == (date(2025, 10, 1), date(2025, 12, 31))
    assert monitoring.year_earlier(date(2024, 2, 1), date(2024, 2, 29)) == (date(2023, 2, 1), date(2023, 2, 28))
    assert monitoring.previous_period(date(2026, 8, 3), date(2026, 8, 16)) == (date(2026, 7, 20), date(2026, 8, 2))
    assert monitoring.kind_of_period(date(2026, 8, 3), date(2026, 8, 16)) == "period"
    assert monitoring.period_label(date(2026, 12, 1), date(2027, 2, 28)) == "December 2026 to February 2027"


def test_an_empty_quarter_says_so_in_a_sentence(target_groups):
    report = monitoring.monitoring(date(2030, 1, 1), date(2030, 3, 31))
    assert monitoring.take_up_sentence(report) == (
        "No events were delivered in this quarter, so there is no take-up to report (no events were delivered "
        "in the previous quarter; no events were delivered in the comparable period last year)."
    )
    assert report.reasons == [] and report.cancellations == 0


def test_the_worker_builds_the_monitoring_report_as_a_pdf(quarters, settings, tmp_path, immediate_on_commit):
    settings.MEDIA_ROOT = tmp_path
    david = board_member(full_name="David Reid", email="david.reid@example.org")
    run = services.request_run(
        actor=david, kind=ReportKind.MONITORING, date_from=date(2025, 7, 1), date_to=date(2025, 9, 30)
    )
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    assert run.title == "Monitoring report: July to September 2025"
    with run.file.open("rb") as pdf:
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf.read(), capture_output=True, check=True)
    text = " ".join(text.stdout.decode().split())
    assert (
        "Take-up was 77% compared to 88% for the previous quarter and 91% for the comparable period last year." in text
    )
    assert "Work pressures or staff shortages 3" in text and "No reason given 2" in text
    assert "2 booked delegates did not attend" in text
    assert "not applicable" not in text.split("Definitions")[0].split("Reasons for cancelling")[1]


def test_the_monitoring_report_is_asked_for_with_its_dates(
    client, target_groups, immediate_on_commit, settings, tmp_path
):
    from tna.models import TrainingYear

    settings.MEDIA_ROOT = tmp_path
    TrainingYear.objects.create(name="2025-26", starts_on=date(2025, 4, 1), ends_on=date(2026, 3, 31))
    client.force_login(training_manager())
    page = client.post(reverse("reports:runs"), {"kind": "monitoring", "year": TrainingYear.objects.get().pk})
    assert "Enter the start of the period the report covers" in page.content.decode()
    response = client.post(
        reverse("reports:runs"),
        {
            "kind": "monitoring",
            "year": TrainingYear.objects.get().pk,
            "date_from": "1/7/2025",
            "date_to": "30/9/2025",
        },
    )
    assert response.status_code == 302
    assert "Monitoring report: July to September 2025" in client.get(response["Location"]).content.decode()


def test_the_chart_leaves_out_a_period_with_no_events(quarters):
    report = monitoring.monitoring(date(2025, 10, 1), date(2025, 12, 31))  # nothing delivered this quarter
    chart = str(monitoring.take_up_chart(report))
    assert "This quarter (October to December 2025): no events delivered" in chart
    assert "Previous quarter (July to September 2025): take-up 77%, attendance rate 82%" in chart
    assert monitoring.take_up_chart(monitoring.monitoring(date(2031, 1, 1), date(2031, 3, 31))) is None
