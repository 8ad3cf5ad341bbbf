"""A return's life has one owner: started when the analysis opens (never by reading a page), and
imported from a file only through the one service, which checks every line the same way and leaves
each return submitted, recorded as imported by whom from which file. Also "the current training year"."""

import csv
import io
from datetime import date

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.factories import AgencyFactory, agency_lead, training_manager
from courses.factories import CourseFactory, LevelFactory
from tna import services
from tna.models import ReturnStatus, TnaCycle, TnaReturn, TrainingYear
from tna.selectors import RETURN_LINE_COLUMNS, attendance_against_need, current_training_year
from tna.services import TnaError

pytestmark = pytest.mark.django_db

HEADER = "Agency,Course,Staff in scope,Trained and in date,Places requested\n"


@pytest.fixture(autouse=True)
def run_on_commit(immediate_on_commit):
    """Emails follow each service call at once."""


@pytest.fixture
def year():
    return TrainingYear.objects.create(name="2026-27", starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31))


@pytest.fixture
def cycle(year):
    return TnaCycle.objects.create(year=year, opens_on=date(2026, 1, 5), deadline=date(2026, 2, 27))


@pytest.fixture
def manager():
    return training_manager(full_name="Helen Carter", email="helen.carter@example.org")


@pytest.fixture
def police(target_groups):
    return AgencyFactory(name="Northshire Police", sector="police")


@pytest.fixture
def school(target_groups):
    return AgencyFactory(name="Riverside Academy Trust", sector="education")


@pytest.fixture
def lead(police):
    return agency_lead(full_name="Priya Shah", email="priya.shah@example.org", agency=police)


@pytest.fixture
def working_together():
    return CourseFactory(title="Working Together to Safeguard Children", level=LevelFactory(number=2))


@pytest.fixture
def neglect(working_together):
    return CourseFactory(title="Recognising and Responding to Neglect", level=working_together.level)


def submitted_by_lead(lead, cycle, course, *, in_scope=10, trained=4, requested=6):
    tna_return = services.start_return(agency=lead.agency, cycle=cycle)
    services.save_staff_counts(
        actor=lead, tna_return=tna_return, counts={g.target_group_id: (5, 1) for g in tna_return.staff_counts.all()}
    )
    services.save_needs(actor=lead, tna_return=tna_return, needs={course.pk: (in_scope, trained, requested)})
    services.save_single_agency(actor=lead, tna_return=tna_return, lines={}, evaluation="Post-course questionnaires")
    return services.submit_return(actor=lead, tna_return=tna_return, declaration=True)


def row_counts():
    return {model.__name__: model.objects.count() for model in apps.get_app_config("tna").get_models()}


# --- The current training year ------------------------------------------------------------------


def test_the_current_training_year_is_the_one_containing_today_else_the_latest_started_else_the_next():
    assert current_training_year(today=date(2026, 6, 1)) is None  # no year at all
    next_one = TrainingYear.objects.create(name="2027-28", starts_on=date(2027, 4, 1), ends_on=date(2028, 3, 31))
    assert current_training_year(today=date(2026, 6, 1)) == next_one  # nothing has started: the next one
    this_one = TrainingYear.objects.create(name="2026-27", starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31))
    TrainingYear.objects.create(name="2025-26", starts_on=date(2025, 4, 1), ends_on=date(2026, 3, 31))
    assert current_training_year(today=date(2026, 3, 31)).name == "2025-26"  # its last day
    assert current_training_year(today=date(2026, 4, 1)) == this_one  # the first day of the next
    assert current_training_year(today=date(2027, 3, 31)) == this_one
    assert current_training_year(today=date(2027, 4, 1)) == next_one
    # After the last year ends, and in a gap between years, the latest that has started.
    assert current_training_year(today=date(2029, 1, 1)) == next_one
    TrainingYear.objects.filter(pk=next_one.pk).update(starts_on=date(2027, 6, 1), ends_on=date(2028, 5, 31))
    assert current_training_year(today=date(2027, 5, 1)) == this_one


def test_the_menu_and_the_board_dashboard_choose_the_same_year(client, year):
    from accounts.factories import board_member

    TrainingYear.objects.create(name="2031-32", starts_on=date(2031, 4, 1), ends_on=date(2032, 3, 31))
    client.force_login(board_member())
    current = current_training_year()
    assert current == year  # today is after 1 April 2026 and before the 2031-32 year
    assert client.get(reverse("tna:attendance-latest")).url == reverse("tna:attendance", args=[year.pk])
    assert client.get(reverse("reports:dashboard")).context["year"] == year


# --- Reads never write --------------------------------------------------------------------------


def test_opening_the_analysis_starts_every_active_agencys_return_with_or_without_a_lead(cycle, lead, school):
    AgencyFactory(name="Northshire College", active=False)
    services.open_cycle(actor=training_manager(), cycle=cycle)
    started = set(TnaReturn.objects.values_list("agency__name", flat=True))
    assert {"Northshire Police", "Riverside Academy Trust"} <= started  # the school has no lead
    assert "Northshire College" not in started


def test_reading_the_analysis_pages_writes_nothing(client, cycle, lead, working_together):
    TnaCycle.objects.filter(pk=cycle.pk).update(opened_at="2026-01-05T09:00Z")
    manager = training_manager()
    client.force_login(lead)
    before = row_counts()
    page = client.get(reverse("tna:index"))
    assert page.status_code == 200 and "Start your return" in page.content.decode()
    assert row_counts() == before  # opening the page started nothing

    tna_return = services.start_return(agency=lead.agency, cycle=cycle)
    before = row_counts()
    for name in ("tna:return", "tna:check"):
        assert client.get(reverse(name, args=[tna_return.pk])).status_code == 200
    assert client.get(reverse("tna:section", args=[tna_return.pk, "needs"])).status_code == 200
    assert client.get(reverse("tna:index")).url == reverse("tna:return", args=[tna_return.pk])
    client.force_login(manager)
    for name, pk in (("tna:cycle", cycle.pk), ("tna:export", cycle.pk), ("tna:import", cycle.pk)):
        assert client.get(reverse(name, args=[pk])).status_code == 200
    assert row_counts() == before


def test_an_agency_added_after_the_analysis_opened_starts_its_return_with_a_post(client, cycle, lead, working_together):
    services.open_cycle(actor=training_manager(), cycle=cycle)
    newcomer = agency_lead(agency=AgencyFactory(name="Little Acorns Day Nurseries Ltd"))
    client.force_login(newcomer)
    assert not TnaReturn.objects.filter(agency=newcomer.agency).exists()
    response = client.post(reverse("tna:index"))
    tna_return = TnaReturn.objects.get(agency=newcomer.agency)
    assert response.url == reverse("tna:return", args=[tna_return.pk])
    assert tna_return.needs.get().course == working_together
    client.post(reverse("tna:index"))  # twice starts nothing more
    assert TnaReturn.objects.filter(agency=newcomer.agency).count() == 1


def test_a_lead_cannot_start_another_agencys_return_or_one_before_the_analysis_opens(cycle, lead, school):
    with pytest.raises(TnaError, match="not open yet"):
        services.start_return(agency=lead.agency, cycle=cycle, actor=lead)
    TnaCycle.objects.filter(pk=cycle.pk).update(opened_at="2026-01-05T09:00Z")
    cycle.refresh_from_db()
    with pytest.raises(TnaError, match="Only the agency's lead"):
        services.start_return(agency=school, cycle=cycle, actor=lead)
    assert not TnaReturn.objects.exists()


# --- Importing returns: the rules, each refused with its line ------------------------------------


def test_every_rule_is_refused_with_its_line_and_column_and_nothing_is_written(
    cycle, manager, police, working_together
):
    TrainingYear.objects.create(name="2030-31", starts_on=date(2030, 4, 1), ends_on=date(2031, 3, 31))
    text = (
        "Training year,"
        + HEADER
        + "2026-27,Northshire Police,Working Together to Safeguard Children,10,4,6\n"
        + "2026-27,Northshire Police,Working Together to Safeguard Children,20,30,4\n"
        + "2026-27,Castle Street Pharmacy,Working Together to Safeguard Children,10,4,6\n"
        + "2026-27,Northshire Police,Basket Weaving,10,4,6\n"
        + "2026-27,Northshire Police,Working Together to Safeguard Children,ten,-1,12000000\n"
        + "2019-20,Northshire Police,Working Together to Safeguard Children,10,4,6\n"
        + "2030-31,Northshire Police,Working Together to Safeguard Children,10,4,6\n"
        + "2026-27,Northshire Police,Working Together to Safeguard Children,10,4,6\n"
    )
    before = row_counts()
    result = services.import_needs(actor=manager, text=text, file_name="needs.csv", commit=True)
    messages = [str(e) for e in result.errors]
    for wanted in (
        "Line 9: this agency, course and year are already on line 2",
        "Line 3, Trained and in date: staff already trained and in date (30) cannot be more than staff in scope (20)",
        "Line 4, Agency: 'Castle Street Pharmacy' is not a partner agency",
        "Line 5, Course: 'Basket Weaving' is not a course in the catalogue",
        "Line 6, Staff in scope: 'ten' is not a whole number",
        "Line 6, Trained and in date: -1 is below 0: numbers cannot be negative",
        "Line 6, Places requested: 12,000,000 is more than 9,999,999",
        "Line 7, Training year: '2019-20' is not a training year",
        "Line 8, Training year: 2030-31 has no training needs analysis",  # no analysis is invented
    ):
        assert any(m.startswith(wanted) for m in messages), f"{wanted!r} not in {messages}"
    assert not result.written and result.saved == 0
    assert row_counts() == before
    assert not TnaCycle.objects.filter(year__name="2030-31").exists()


def test_a_missing_column_an_empty_file_and_the_wrong_year_on_the_cycles_page(cycle, manager, police):
    missing = services.import_needs(actor=manager, text="Agency,Course\nx,y\n", commit=False, cycle=cycle)
    assert [str(e) for e in missing.errors] == [
        "Line 1: Missing columns: Staff in scope, Trained and in date, Places requested. "
        "The first line must name the columns, as in the example file"
    ]
    # Without the page's year, the file must say which year each line is for.
    no_year = services.import_needs(actor=manager, text=HEADER + "x,y,1,0,1\n", commit=False)
    assert str(no_year.errors[0]).startswith("Line 1: Missing column: Training year")
    assert [str(e) for e in services.import_needs(actor=manager, text=HEADER, commit=False, cycle=cycle).errors] == [
        "Line 2: There are no lines under the column names"
    ]
    TrainingYear.objects.create(name="2025-26", starts_on=date(2025, 4, 1), ends_on=date(2026, 3, 31))
    other = services.import_needs(
        actor=manager,
        text="Training year," + HEADER + "2025-26,Northshire Police,Working Together to Safeguard Children,1,0,1\n",
        commit=False,
        cycle=cycle,
    )
    assert str(other.errors[0]).startswith("Line 2, Training year: '2025-26' is not 2026-27")


def test_only_the_training_manager_imports(cycle, lead):
    with pytest.raises(TnaError, match="Only the training manager"):
        services.import_needs(actor=lead, text=HEADER, commit=False, cycle=cycle)


# --- Importing returns: the status each return is left in ---------------------------------------


def test_each_return_is_left_submitted_and_recorded_as_imported_by_whom_from_which_file(
    cycle, manager, lead, school, working_together, neglect
):
    submitted_by_lead(lead, cycle, working_together)  # version 1, by Priya Shah
    college_lead = agency_lead(agency=AgencyFactory(name="Northshire College"))
    draft = services.start_return(agency=college_lead.agency, cycle=cycle)
    services.save_staff_counts(actor=college_lead, tna_return=draft, counts={})
    text = (
        HEADER
        + "Northshire College,Working Together to Safeguard Children,30,10,5\n"
        + "Northshire Police,Working Together to Safeguard Children,12,4,8\n"  # changes the submitted 10, 4, 6
        + "Riverside Academy Trust,Working Together to Safeguard Children,45,20,12\n"
        + "Riverside Academy Trust,Recognising and Responding to Neglect,45,10,50\n"  # more than in scope: a warning
    )
    preview = services.import_needs(actor=manager, text=text, file_name="needs-2026-27.csv", commit=False, cycle=cycle)
    assert preview.ok and not preview.written
    assert [str(w) for w in preview.warnings] == [
        "Line 5, Places requested: you asked for 50 places for 45 staff in scope. Check this is right."
    ]
    expected = [
        "Northshire College, 2026-27: draft submitted as version 1, imported by Helen Carter from needs-2026-27.csv",
        "Northshire Police, 2026-27: submitted return reopened and resubmitted as version 2, "
        "imported by Helen Carter from needs-2026-27.csv",
        "Riverside Academy Trust, 2026-27: new return submitted as version 1, "
        "imported by Helen Carter from needs-2026-27.csv",
    ]
    assert [str(r) for r in preview.returns] == expected
    draft.refresh_from_db()
    assert draft.status == ReturnStatus.DRAFT  # the preview wrote nothing

    result = services.import_needs(actor=manager, text=text, file_name="needs-2026-27.csv", commit=True, cycle=cycle)
    assert [str(r) for r in result.returns] == expected  # the preview said what happened
    # New lines: the school's two (it had no return) and the college's prefilled one, which its lead never
    # answered; changed: only the police's submitted line.
    assert (result.created, result.updated, result.unchanged) == (3, 1, 0)
    police_return = TnaReturn.objects.get(agency=lead.agency)
    assert police_return.status == ReturnStatus.SUBMITTED
    assert (police_return.submitted_by, police_return.imported_from) == (manager, "needs-2026-27.csv")
    latest = police_return.versions.first()
    assert (latest.number, latest.action, latest.by, latest.imported_from) == (
        2,
        "imported",
        manager,
        "needs-2026-27.csv",
    )
    assert latest.reason == "Replaced the submitted figures"
    assert latest.changes == ["Needs, Working Together to Safeguard Children: [10, 4, 6] → [12, 4, 8]"]
    school_return = TnaReturn.objects.get(agency=school)
    assert school_return.status == ReturnStatus.SUBMITTED and "needs" in school_return.sections_done
    assert school_return.needs.get(course=neglect).places_requested == 50
    # Imported returns count: 8 + 12 + 50 places requested.
    need = {r.label: r.requested for r in attendance_against_need(cycle.year, by="agency")}
    assert need == {"Northshire College": 5, "Northshire Police": 8, "Riverside Academy Trust": 62}

    # The same file again changes nothing and records no version.
    again = services.import_needs(actor=manager, text=text, file_name="needs-2026-27.csv", commit=True, cycle=cycle)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert [str(r) for r in again.returns] == [
        "Northshire College, 2026-27: already submitted with these figures, left as it is",
        "Northshire Police, 2026-27: already submitted with these figures, left as it is",
        "Riverside Academy Trust, 2026-27: already submitted with these figures, left as it is",
    ]
    assert police_return.versions.count() == 2


def test_a_reopened_return_is_resubmitted_by_the_import(cycle, manager, lead, working_together):
    tna_return = submitted_by_lead(lead, cycle, working_together)
    services.reopen_return(actor=manager, tna_return=tna_return, reason="Add the new volunteers")
    result = services.import_needs(
        actor=manager,
        text=HEADER + "Northshire Police,Working Together to Safeguard Children,10,4,6\n",
        file_name="police.csv",
        commit=True,
        cycle=cycle,
    )
    assert str(result.returns[0]) == (
        "Northshire Police, 2026-27: reopened return resubmitted as version 3, imported by Helen Carter from police.csv"
    )
    assert [v.action for v in tna_return.versions.order_by("number")] == ["submitted", "reopened", "imported"]


# --- The cycle's import and export pages --------------------------------------------------------


def test_the_cycles_import_page_previews_each_returns_status_then_imports(
    client, cycle, manager, lead, working_together
):
    submitted_by_lead(lead, cycle, working_together)
    client.force_login(manager)
    upload = SimpleUploadedFile(
        "police-needs.csv", (HEADER + "Northshire Police,Working Together to Safeguard Children,12,4,8\n").encode()
    )
    page = client.post(reverse("tna:import", args=[cycle.pk]), {"file": upload}).content.decode()
    assert "What happens to each return" in page
    assert "Submitted as version 2, imported by Helen Carter (reopened and resubmitted)" in page
    assert TnaReturn.objects.get().versions.count() == 1
    response = client.post(reverse("tna:import", args=[cycle.pk]), {"confirm": "1"}, follow=True)
    assert (
        "Imported 1 line from police-needs.csv. 1 return is now submitted, recorded as imported by you, "
        "and count in attendance against need." in response.content.decode()
    )
    tna_return = TnaReturn.objects.get()
    assert tna_return.imported_from == "police-needs.csv" and tna_return.versions.count() == 2
    assert "imported by Helen Carter from police-needs.csv" in response.content.decode()


def test_the_cycles_download_has_the_records_columns_and_imports_back_unchanged(
    client, cycle, manager, lead, working_together
):
    submitted_by_lead(lead, cycle, working_together)
    client.force_login(manager)
    download = b"".join(
        client.get(reverse("tna:export", args=[cycle.pk])).streaming_content
        if False
        else [client.get(reverse("tna:export", args=[cycle.pk])).content]
    ).decode()
    rows = list(csv.reader(io.StringIO(download)))
    assert rows[0] == RETURN_LINE_COLUMNS
    assert rows[1][:7] == [
        "2026-27",
        "Northshire Police",
        "Working Together to Safeguard Children",
        "10",
        "4",
        "6",
        "Submitted",
    ]
    assert rows[1][8:] == ["Priya Shah", ""]
    again = services.import_needs(actor=manager, text=download, file_name="tna-2026-27.csv", commit=True, cycle=cycle)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_the_prefill_counts_in_date_by_the_pathway_rule_as_my_training_does(cycle, police, target_groups):
    from accounts.factories import UserFactory
    from courses.factories import AttendanceRecordFactory, BookingFactory, PathwayRuleFactory, SessionFactory
    from courses.selectors.training_record import Status, requirements_for

    level3 = LevelFactory(number=3)
    conferences = CourseFactory(title="Child Protection Conferences and Core Groups", level=level3)
    PathwayRuleFactory(target_group=target_groups[4], level=level3, refresh_months=24)
    dsl = UserFactory(full_name="Sam Patel", agency=police, target_group=target_groups[4])
    # About 30 months ago: inside the old flat 36 x 30 days, outside the designated lead's 24 months.
    AttendanceRecordFactory(
        booking=BookingFactory(person=dsl, session=SessionFactory(course=conferences, days_ahead=-915))
    )
    tna_return = services.start_return(agency=police, cycle=cycle)
    assert tna_return.needs.get(course=conferences).trained_in_date == 0
    assert requirements_for([dsl])[dsl.pk][0].status == Status.OVERDUE


# --- The return page ------------------------------------------------------------------------------


def test_the_return_page_runs_the_same_number_of_queries_for_one_version_and_for_twenty_one(
    client, cycle, lead, manager, working_together
):
    tna_return = submitted_by_lead(lead, cycle, working_together)
    client.force_login(manager)
    url = reverse("tna:return", args=[tna_return.pk])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    one = len(queries)
    for n in range(10):
        services.reopen_return(actor=manager, tna_return=tna_return, reason=f"Add the volunteers of team {n + 1}")
        tna_return = services.submit_return(actor=lead, tna_return=tna_return, declaration=True)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    assert len(queries) == one
    assert "Add the volunteers of team 10" in page and "Priya Shah" in page
