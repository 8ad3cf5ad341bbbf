"""The training manager's overview of an analysis and the attendance against need page: what each row
says, and the same queries for one agency as for many."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.factories import AgencyFactory, UserFactory, agency_lead, training_manager
from courses.factories import AttendanceRecordFactory, BookingFactory, CourseFactory, LevelFactory, SessionFactory
from courses.models import Attendance
from tna import services
from tna.models import ReminderLog, ReturnStatus, TnaCycle, TnaReturn, TrainingYear

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle():
    year = TrainingYear.objects.create(name="2026-27", starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31))
    return TnaCycle.objects.create(year=year, opens_on=date(2026, 1, 5), deadline=date(2026, 2, 27))


@pytest.fixture
def course():
    return CourseFactory(title="Working Together to Safeguard Children", level=LevelFactory(number=2))


def row(*cells: str) -> str:
    return '<tr class="govuk-table__row">\n' + "".join(f"        {c}\n" for c in cells) + "      </tr>"


def test_the_overview_shows_each_agency_s_return_who_submitted_it_and_the_last_reminder(
    client, cycle, course, target_groups
):
    """Times are shown on the day they fell in England: 23:30 UTC on 31 March 2026 is 1 April."""
    police = AgencyFactory(name="Police & Crime")
    lead = agency_lead(agency=police, full_name="Ann O'Neil")
    submitted = services.start_return(agency=police, cycle=cycle)
    TnaReturn.every_kind.filter(pk=submitted.pk).update(
        status=ReturnStatus.SUBMITTED, submitted_at=datetime(2026, 3, 31, 23, 30, tzinfo=UTC), submitted_by=lead
    )
    school = AgencyFactory(name="Riverside Academy Trust")
    imported = services.start_return(agency=school, cycle=cycle)
    TnaReturn.every_kind.filter(pk=imported.pk).update(
        status=ReturnStatus.REOPENED,
        submitted_at=datetime(2026, 1, 31, 12, tzinfo=LONDON),
        submitted_by=lead,
        imported_from="needs.csv",
    )
    college = AgencyFactory(name="Northshire College")
    ReminderLog.objects.create(
        cycle=cycle, agency=college, kind="reminder", offset_days=-3, sent_at=datetime(2026, 2, 24, 8, tzinfo=LONDON)
    )
    client.force_login(training_manager())
    page = client.get(reverse("tna:cycle", args=[cycle.pk])).content.decode()
    assert (
        row(
            '<td class="govuk-table__cell">Northshire College</td>',
            '<td class="govuk-table__cell"><strong class="govuk-tag govuk-tag--red">Late</strong></td>',
            '<td class="govuk-table__cell"></td>',
            '<td class="govuk-table__cell">Reminder, 24 Feb 2026</td>',
        )
        in page
    )
    assert (
        row(
            f'<td class="govuk-table__cell"><a class="govuk-link" href="/tna/returns/{submitted.pk}">'
            "Police &amp; Crime</a></td>",
            '<td class="govuk-table__cell"><strong class="govuk-tag govuk-tag--green">Submitted</strong></td>',
            '<td class="govuk-table__cell">1 Apr 2026 by Ann O&#x27;Neil</td>',
            '<td class="govuk-table__cell"></td>',
        )
        in page
    )
    assert (
        row(
            f'<td class="govuk-table__cell"><a class="govuk-link" href="/tna/returns/{imported.pk}">'
            "Riverside Academy Trust</a></td>",
            '<td class="govuk-table__cell"><strong class="govuk-tag govuk-tag--orange">Reopened</strong></td>',
            '<td class="govuk-table__cell">31 Jan 2026 imported by Ann O&#x27;Neil from needs.csv</td>',
            '<td class="govuk-table__cell"></td>',
        )
        in page
    )


def test_the_overview_runs_the_same_queries_for_one_agency_and_for_thirty(client, cycle, course, target_groups):
    client.force_login(training_manager())
    url = reverse("tna:cycle", args=[cycle.pk])

    def agency(n):
        agency = AgencyFactory(name=f"Agency {n:02}")
        lead = agency_lead(agency=agency, full_name=f"Lead {n:02}")
        tna_return = services.start_return(agency=agency, cycle=cycle)
        if n % 2:
            TnaReturn.every_kind.filter(pk=tna_return.pk).update(
                status=ReturnStatus.SUBMITTED, submitted_at=datetime(2026, 2, 2, 9, tzinfo=LONDON), submitted_by=lead
            )
        ReminderLog.objects.create(cycle=cycle, agency=agency, kind="invitation")

    agency(1)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    one = len(queries)
    for n in range(2, 31):
        agency(n)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    assert len(queries) == one
    assert "<strong>15</strong> submitted" in page
    assert "Agency 30" in page and "2 Feb 2026 by Lead 29" in page


def need_page(client, year, by="agency"):
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("tna:attendance", args=[year.pk]), {"by": by}).content.decode()
    return len(queries), page


def test_attendance_against_need_shows_each_agency_and_the_total(client, cycle, course, target_groups):
    police = AgencyFactory(name="Police & Crime")
    lead = agency_lead(agency=police)
    tna_return = services.start_return(agency=police, cycle=cycle)
    counts = {line.target_group_id: (5, 1) for line in tna_return.staff_counts.all()}
    services.save_staff_counts(actor=lead, tna_return=tna_return, counts=counts)
    services.save_needs(actor=lead, tna_return=tna_return, needs={course.pk: (20, 0, 4)})
    services.save_single_agency(actor=lead, tna_return=tna_return, lines={}, evaluation="Questionnaires")
    services.submit_return(actor=lead, tna_return=tna_return, declaration=True)
    start = datetime(2026, 6, 10, 9, 30, tzinfo=LONDON)
    session = SessionFactory(course=course, starts_at=start, ends_at=start + timedelta(hours=7))
    for outcome in (Attendance.ATTENDED, Attendance.NO_SHOW):
        AttendanceRecordFactory(
            booking=BookingFactory(session=session, person=UserFactory(agency=police)), outcome=outcome
        )
    client.force_login(training_manager())
    _, page = need_page(client, cycle.year)
    numbers = "".join(
        f'  <td class="govuk-table__cell govuk-table__cell--numeric">{n}</td>\n' for n in ("4", "2", "1", "0", "1")
    )
    police_row = (
        '<tr class="govuk-table__row">\n  <th scope="row" class="govuk-table__header">Police &amp; Crime</th>\n'
        + numbers
        + '  <td class="govuk-table__cell govuk-table__cell--numeric">25%</td>\n'
        '  <td class="govuk-table__cell"><strong class="govuk-tag govuk-tag--red">Red</strong></td>\n</tr>\n'
    )
    assert police_row in page
    assert police_row.replace("Police &amp; Crime", "Total") in page


def test_attendance_against_need_runs_the_same_queries_for_one_agency_and_for_thirty(
    client, cycle, course, target_groups
):
    start = datetime(2026, 6, 10, 9, 30, tzinfo=LONDON)
    session = SessionFactory(course=course, starts_at=start, ends_at=start + timedelta(hours=7))

    def agency(n):
        agency = AgencyFactory(name=f"Agency {n:02}")
        AttendanceRecordFactory(booking=BookingFactory(session=session, person=UserFactory(agency=agency)))

    agency(1)
    client.force_login(training_manager())
    one = {by: need_page(client, cycle.year, by)[0] for by in ("agency", "course", "level")}
    for n in range(2, 31):
        agency(n)
    for by in ("agency", "course", "level"):
        queries, page = need_page(client, cycle.year, by)
        assert queries == one[by]
    _, page = need_page(client, cycle.year)
    assert page.count("No need stated") == 31  # thirty agencies and the total
