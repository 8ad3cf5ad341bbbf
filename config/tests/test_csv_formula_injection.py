"""CSV formula injection: no export hands a spreadsheet a formula typed into the service.

A name of `=HYPERLINK("http://x","Tom")` or a job title of `@SUM(1)` once arrived as live formulas in every
CSV download. Each kind of export is fetched here as its user fetches it and read back: a cell that would
start a formula carries the quote that makes it text, numbers stay numbers, and the records import
reads an export back into the same records.
"""

import csv
import io
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.audit import log_action
from accounts.factories import AgencyFactory, OrganisationCategoryFactory, UserFactory, agency_lead, training_manager
from accounts.models import User
from common.csvfiles import FORMULA_STARTS, Writer, dict_reader, neutralise, restore
from courses.factories import AttendanceRecordFactory, BookingFactory, CourseFactory, SessionFactory
from courses.models import Attendance, BookingPolicy, FeeRate
from courses.services.charges import raise_register_charge
from pool.factories import TrainerCommitmentFactory, active_member
from tna.models import AgencyContribution, TnaCycle, TnaReturn, TrainingNeed, TrainingYear

pytestmark = pytest.mark.django_db

NAME = '=HYPERLINK("http://x","Tom")'
JOB = "@SUM(1)"
AGENCY = "+Northshire Police"


def cells(content: bytes | str) -> list[list[str]]:
    text = content.decode("utf-8") if isinstance(content, bytes) else content
    return list(csv.reader(io.StringIO(text, newline="")))


def assert_safe(rows: list[list[str]], *expected_text):
    """No cell would start a formula, and each piece of hostile text is there as text."""
    flat = [cell for row in rows for cell in row]
    live = [c for c in flat if c.startswith(FORMULA_STARTS) and neutralise(c) != c]
    assert live == [], f"cells a spreadsheet would run: {live}"
    for text in expected_text:
        assert "'" + text in flat, f"{text!r} is not in the file as text: {flat}"


@pytest.fixture
def tom():
    return UserFactory(full_name=NAME, job_title=JOB, agency=AgencyFactory(name=AGENCY), email="tom@example.org")


@pytest.fixture
def manager_client(client):
    client.force_login(training_manager())
    return client


# --- The one writer and reader ---------------------------------------------------------------------


@pytest.mark.parametrize("value", ["=1+1", "+44 1632 960000", "-cmd", "@SUM(1)", "\tx", "\rx", "'=already quoted"])
def test_csv_formula_injection_cells_that_start_a_formula_get_a_quote(value):
    assert neutralise(value) == "'" + value
    assert restore(neutralise(value)) == value


@pytest.mark.parametrize("value", ["-3", "-12.50", "+7", "-0.5", 42, Decimal("-3.50"), None, "Tom Jones", "'quoted"])
def test_csv_formula_injection_numbers_and_plain_text_are_written_as_they_are(value):
    assert neutralise(value) == value


@given(st.lists(st.text(), min_size=1, max_size=5))
def test_csv_formula_injection_writing_then_reading_gives_back_every_text(values):
    out = io.StringIO()
    writer = Writer(out)
    writer.writerow([f"c{n}" for n in range(len(values))])
    writer.writerow(values)
    (row,) = list(dict_reader(out.getvalue()))
    assert [row[f"c{n}"] for n in range(len(values))] == values


# --- Every export -------------------------------------------------------------------------------


def test_csv_formula_injection_people_export(manager_client, tom):
    response = manager_client.get("/manage/people?export=csv")
    assert_safe(cells(response.content), NAME, AGENCY)


def test_csv_formula_injection_audit_export(manager_client, tom):
    log_action(actor=tom, action="changed their profile", obj=tom, changes={"job_title": [None, JOB]})
    response = manager_client.get("/manage/audit?export=csv")
    assert_safe(cells(response.content), NAME)


def test_csv_formula_injection_charges_export(manager_client, tom):
    category = OrganisationCategoryFactory(name="Private or independent provider")
    FeeRate.objects.create(policy=BookingPolicy.current(), category=category, per_day=120, per_half_day=70)
    User.objects.filter(pk=tom.pk).update(
        agency=AgencyFactory(name="@Little Acorns Day Nurseries Ltd", category=category, contributing=False)
    )
    tom.refresh_from_db()
    session = SessionFactory(course=CourseFactory(title="Recognising and Responding to Neglect"), days_ahead=-3)
    record = AttendanceRecordFactory(booking=BookingFactory(person=tom, session=session), outcome=Attendance.NO_SHOW)
    raise_register_charge(record=record)
    response = manager_client.get(reverse("courses:charges") + "?export=csv")
    assert_safe(cells(response.content), NAME, "@Little Acorns Day Nurseries Ltd")


def test_csv_formula_injection_agency_training_export(client, tom):
    client.force_login(agency_lead(agency=tom.agency))
    response = client.get(reverse("courses:agency-training") + "?export=csv")
    assert_safe(cells(response.content), NAME)


def test_csv_formula_injection_pool_members_and_contributions_exports(manager_client, tom):
    active_member(tom)
    year = TrainingYear.objects.create(name="2026-27", starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31))
    TrainerCommitmentFactory(year=year, agency=tom.agency)
    response = manager_client.get(reverse("pool:members") + "?export=csv")
    assert_safe(cells(response.content), NAME)
    response = manager_client.get(reverse("pool:commitments") + f"?year={year.pk}&export=csv")
    assert_safe(cells(response.content), AGENCY)


def _need(agency):
    year = TrainingYear.objects.create(name="2026-27", starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31))
    cycle = TnaCycle.objects.create(
        year=year, opens_on=timezone.localdate(), deadline=timezone.localdate() + timedelta(days=30)
    )
    tna_return = TnaReturn.objects.create(cycle=cycle, agency=agency)
    TrainingNeed.objects.create(
        tna_return=tna_return, course=CourseFactory(title="-Working Together"), staff_in_scope=40, places_requested=9
    )
    return year, cycle


def test_csv_formula_injection_tna_returns_export(manager_client, tom):
    _, cycle = _need(tom.agency)
    response = manager_client.get(reverse("tna:export", args=[cycle.pk]))
    rows = cells(response.content)
    assert_safe(rows, AGENCY, "-Working Together")
    assert rows[1][3:6] == ["40", "0", "9"]  # staff in scope, trained and in date, places requested


def test_csv_formula_injection_dashboard_tables(manager_client, tom):
    year, _ = _need(tom.agency)
    AgencyContribution.objects.create(year=year, agency=tom.agency, amount=Decimal("2500"))
    for table in ("partners", "need-by-agency", "need-by-course"):
        response = manager_client.get(reverse("reports:table-csv", args=[year.pk, table]))
        assert response.status_code == 200
        assert_safe(cells(response.content))
    partners = cells(manager_client.get(reverse("reports:table-csv", args=[year.pk, "partners"])).content)
    assert_safe(partners, AGENCY)


def test_csv_formula_injection_records_export_and_year_zip(manager_client, tom):
    from transfer import services

    assert_safe(cells(services.export_csv("people")), NAME, JOB)
    year, _ = _need(tom.agency)
    with zipfile.ZipFile(io.BytesIO(services.export_year(year))) as archive:
        names = archive.namelist()
        people = next(n for n in names if n.endswith("-people.csv"))
        assert_safe(cells(archive.read(people)), NAME, JOB)
        for name in names:
            assert_safe(cells(archive.read(name)))


def test_csv_formula_injection_reimporting_an_export_gives_the_same_records(tom):
    from transfer import services

    exported = services.export_csv("people")
    User.objects.filter(pk=tom.pk).update(full_name="Tom Jones", job_title="Nurse")
    result = services.import_records(format_key="people", content=exported, commit=True)
    assert result.ok, result.errors
    tom.refresh_from_db()
    assert (tom.full_name, tom.job_title) == (NAME, JOB)
    assert tom.agency.name == AGENCY
