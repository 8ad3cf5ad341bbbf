"""Item: a Board member downloads charges statements that name people.

Every report run is read through one scope (reports/selectors.py): the lists, the run's page and
the download. Each role is checked against each kind of report, as the people who use them would.
"""

from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from accounts.factories import AgencyFactory, UserFactory, agency_lead, board_member, trainer, training_manager
from courses.factories import CourseFactory
from reports.forms import ReportKindForm, RunForm
from reports.models import ReportKind, ReportRun, RunStatus
from reports.selectors import report_runs_visible_to
from tna.models import TrainingYear

KINDS = ("annual", "agency", "charges", "course", "monitoring")

# role: the kinds of run (all about Northshire Police, where a run is about an agency) they may read.
VISIBLE = {
    "manager": {"annual", "agency", "charges", "course", "monitoring"},
    "board": {"annual", "agency", "course", "monitoring"},
    "lead_police": {"agency", "charges"},
    "lead_school": set(),
    "trainer": set(),
    "staff": set(),
}


@pytest.fixture
def runs(db, settings, tmp_path):
    """One finished run of each kind, asked for by the training manager, each with its PDF."""
    settings.MEDIA_ROOT = tmp_path
    police = AgencyFactory(name="Northshire Police", sector="police")
    school = AgencyFactory(name="Riverside Academy Trust", sector="education")
    year = TrainingYear.objects.create(name="2026-27", starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31))
    course = CourseFactory(title="Working Together to Safeguard Children")
    helen = training_manager(full_name="Helen Carter")
    parameters = {
        "annual": ({"year": year.pk}, None, "Annual training report 2026-27"),
        "agency": ({"year": year.pk, "agency": police.pk}, police, "Agency training report 2026-27: Northshire Police"),
        "charges": (
            {"agency": police.pk, "from": "2026-04-01", "to": "2026-09-30"},
            police,
            "Charges statement: Northshire Police, 1 Apr 2026 to 30 Sep 2026",
        ),
        "course": (
            {"year": year.pk, "course": course.pk},
            None,
            "Course evaluation report 2026-27: Working Together to Safeguard Children",
        ),
        "monitoring": (
            {"from": "2026-07-01", "to": "2026-09-30"},
            None,
            "Monitoring report: July to September 2026",
        ),
    }
    made = {}
    for kind, (params, agency, title) in parameters.items():
        run = ReportRun.objects.create(
            kind=kind, parameters=params, agency=agency, title=title, status=RunStatus.DONE, requested_by=helen
        )
        run.file.save(f"{kind}.pdf", ContentFile(b"%PDF-1.4 " + title.encode()))
        made[kind] = run
    people = {
        "manager": helen,
        "board": board_member(full_name="David Reid"),
        "lead_police": agency_lead(full_name="Priya Shah", agency=police),
        "lead_school": agency_lead(full_name="Mark Bennett", agency=school),
        "trainer": trainer(full_name="Grace Okafor", agency=school),
        "staff": UserFactory(full_name="Tom Fletcher", agency=police),
    }
    return made, people


@pytest.mark.parametrize("role", sorted(VISIBLE))
@pytest.mark.parametrize("kind", KINDS)
def test_report_scope_each_role_reads_only_its_kinds_on_the_page_and_the_download(client, runs, role, kind):
    made, people = runs
    client.force_login(people[role])
    run = made[kind]
    page = client.get(reverse("reports:run", args=[run.pk]))
    download = client.get(reverse("reports:download", args=[run.pk]))
    if kind in VISIBLE[role]:
        assert page.status_code == 200 and run.title in page.content.decode()
        assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    else:
        assert (page.status_code, download.status_code) == (404, 404)


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_report_scope_the_lists_show_only_the_runs_the_person_may_read(client, runs, role):
    made, people = runs
    person = people[role]
    expected = {made[kind].title for kind in VISIBLE[role]}
    assert {r.title for r in report_runs_visible_to(person)} == expected
    client.force_login(person)
    pages = ["reports:runs"] if (person.is_agency_lead or person.is_board_member) else []
    if person.is_training_manager or person.is_board_member:
        pages += ["reports:runs", "reports:dashboard"]
    for name in pages:
        html = client.get(reverse(name)).content.decode()
        for kind, run in made.items():
            assert (run.title in html) == (kind in VISIBLE[role]), f"{name}: {run.title}"


def test_report_scope_a_board_member_never_downloads_a_statement_that_names_people(client, runs):
    """The reported case: a statement the training manager asked for, opened by a Board member."""
    made, people = runs
    statement = made["charges"]
    client.force_login(people["board"])
    assert statement.title not in client.get(reverse("reports:runs")).content.decode()
    assert client.get(reverse("reports:run", args=[statement.pk])).status_code == 404
    assert client.get(reverse("reports:download", args=[statement.pk])).status_code == 404


def test_report_scope_the_request_form_offers_the_kinds_the_person_may_read(runs):
    _, people = runs
    offers = {
        "manager": {"annual", "agency", "charges", "course", "monitoring"},
        "board": {"annual", "agency", "course", "monitoring"},
        "lead_police": {"agency", "charges"},  # for their own agency only
        "lead_school": {"agency", "charges"},
    }
    for role, kinds in offers.items():
        form = ReportKindForm(user=people[role])
        offered = {value for value, _ in form.fields["kind"].choices}
        assert offered == kinds, role
        # Each kind's form asks for its own fields alone: a period of dates only for a charges statement
        # and a monitoring report.
        for kind in kinds:
            asks_for_dates = {"date_from", "date_to"} <= set(RunForm(user=people[role], kind=kind).fields)
            assert asks_for_dates == (kind in ("charges", "monitoring")), (role, kind)


def test_report_scope_a_lead_who_moves_agency_no_longer_sees_their_old_agencys_runs(client, runs):
    made, people = runs
    priya = people["lead_police"]
    ReportRun.objects.filter(pk=made["charges"].pk).update(requested_by=priya)
    priya.agency = AgencyFactory(name="Northshire College")
    priya.save()
    client.force_login(priya)
    assert client.get(reverse("reports:download", args=[made["charges"].pk])).status_code == 404


def test_report_scope_an_agency_report_names_nobody(client, runs, settings, tmp_path, immediate_on_commit):
    """Board members read agency reports because they show figures only: build one with staff who
    attended and were charged, and check no name reaches the PDF."""
    import subprocess

    from courses.factories import AttendanceRecordFactory, SessionFactory
    from courses.models import SessionStatus
    from reports import services

    made, people = runs
    police = made["agency"].agency
    session = SessionFactory(
        course__title="Recognising and Responding to Neglect", days_ahead=-2, status=SessionStatus.COMPLETED
    )
    year = TrainingYear.objects.get(name="2026-27")
    year.starts_on, year.ends_on = session.starts_at.date() - timedelta(days=100), session.starts_at.date()
    year.save()
    for name in ("Aisha Khan", "Ben Okoro", "Carla Mendes"):
        person = UserFactory(full_name=name, agency=police)
        AttendanceRecordFactory(session=session, person=person, agency=police, booking=None)
    run = services.request_run(actor=people["board"], kind=ReportKind.AGENCY, year=year, agency=police)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    with run.file.open("rb") as pdf:  # through the media storage, as a download reads it
        content = pdf.read()
    text = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()
    assert "Northshire Police" in text
    for name in ("Aisha Khan", "Ben Okoro", "Carla Mendes", "Priya Shah", "Tom Fletcher"):
        assert name not in text
