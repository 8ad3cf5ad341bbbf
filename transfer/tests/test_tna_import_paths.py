"""Training needs returns come in by three doors: the analysis's own import page, the records import
page and `manage.py import_records`. All three go through the one service that owns a return's life,
so the same file gives the same returns, lines, versions and "imported by", and the same refusals."""

import csv
import re
from datetime import date
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.factories import AgencyFactory, agency_lead, training_manager
from courses.factories import CourseFactory, LevelFactory
from tna import services as tna_services
from tna.models import TnaCycle, TnaReturn, TrainingYear
from tna.selectors import RETURN_LINE_COLUMNS

pytestmark = pytest.mark.django_db

FILE_NAME = "needs-2026-27.csv"
GOOD = (
    "Training year,Agency,Course,Staff in scope,Trained and in date,Places requested\n"
    "2026-27,Northshire Police,Working Together to Safeguard Children,12,4,8\n"
    "2026-27,Riverside Academy Trust,Working Together to Safeguard Children,45,20,12\n"
    "2026-27,Riverside Academy Trust,Recognising and Responding to Neglect,45,10,50\n"
    "2026-27,Northshire College,Working Together to Safeguard Children,30,10,5\n"
)
BAD = (
    "Training year,Agency,Course,Staff in scope,Trained and in date,Places requested\n"
    "2026-27,Northshire Police,Working Together to Safeguard Children,12,4,8\n"
    "2026-27,Northshire Police,Recognising and Responding to Neglect,20,30,4\n"
    "2026-27,Riverside Academy Trust,Working Together to Safeguard Children,45,20,-4\n"
    "2026-27,Riverside Academy Trust,Working Together to Safeguard Children,45,20,12\n"
    "2026-27,Riverside Academy Trust,Working Together to Safeguard Children,45,20,12\n"
)
REFUSALS = [  # line, column, message
    (3, "Trained and in date", "staff already trained and in date (30) cannot be more than staff in scope (20)"),
    (4, "Places requested", "-4 is below 0: numbers cannot be negative"),
    (6, "", "this agency, course and year are already on line 5"),
]


@pytest.fixture
def world(target_groups):
    year = TrainingYear.objects.create(name="2026-27", starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31))
    cycle = TnaCycle.objects.create(
        year=year, opens_on=date(2026, 1, 5), deadline=date(2026, 2, 27), opened_at="2026-01-05T09:00Z"
    )
    working_together = CourseFactory(title="Working Together to Safeguard Children", level=LevelFactory(number=2))
    CourseFactory(title="Recognising and Responding to Neglect", level=working_together.level)
    police_lead = agency_lead(full_name="Priya Shah", agency=AgencyFactory(name="Northshire Police"))
    college_lead = agency_lead(full_name="Ruth Evans", agency=AgencyFactory(name="Northshire College"))
    AgencyFactory(name="Riverside Academy Trust")
    manager = training_manager(full_name="Helen Carter", email="helen.carter@example.org")
    return {"cycle": cycle, "police_lead": police_lead, "college_lead": college_lead, "manager": manager}


def before_the_import(world):
    """The same starting point for each door: the police's return submitted by its lead, the
    college's a draft, the school's not started."""
    TnaReturn.objects.all().delete()
    lead, cycle = world["police_lead"], world["cycle"]
    police = tna_services.start_return(agency=lead.agency, cycle=cycle)
    tna_services.save_staff_counts(
        actor=lead, tna_return=police, counts={s.target_group_id: (5, 1) for s in police.staff_counts.all()}
    )
    tna_services.save_needs(actor=lead, tna_return=police, needs={n.course_id: (10, 4, 6) for n in police.needs.all()})
    tna_services.save_single_agency(actor=lead, tna_return=police, lines={}, evaluation="Post-course questionnaires")
    tna_services.submit_return(actor=lead, tna_return=police, declaration=True)
    college = tna_services.start_return(agency=world["college_lead"].agency, cycle=cycle)
    tna_services.save_staff_counts(actor=world["college_lead"], tna_return=college, counts={})


def returns_now() -> dict:
    """Everything the import decides, per agency: status, who and which file, sections, lines, versions."""
    state = {}
    for r in TnaReturn.objects.select_related("agency", "submitted_by").order_by("agency__name"):
        state[r.agency.name] = {
            "status": r.status,
            "submitted by": r.submitted_by.email if r.submitted_by else None,
            "imported from": r.imported_from,
            "sections": sorted(r.sections_done),
            "lines": sorted(
                (n.course.title, n.staff_in_scope, n.trained_in_date, n.places_requested)
                for n in r.needs.select_related("course")
            ),
            "versions": [
                (v.number, v.action, v.by.email if v.by else None, v.imported_from, v.reason, v.changes)
                for v in r.versions.select_related("by").order_by("number")
            ],
        }
    return state


def through_the_cycles_page(client, world, content):
    client.force_login(world["manager"])
    url = reverse("tna:import", args=[world["cycle"].pk])
    preview = client.post(url, {"file": SimpleUploadedFile(FILE_NAME, content.encode())}).content.decode()
    if "ready to import" in preview:
        client.post(url, {"confirm": "1"})
    return preview


def through_the_records_page(client, world, content):
    client.force_login(world["manager"])
    preview = client.post(
        reverse("transfer:imports"),
        {"format": "tna-returns", "file": SimpleUploadedFile(FILE_NAME, content.encode())},
    ).content.decode()
    if "ready to import" in preview:
        client.post(reverse("transfer:confirm"))
    return preview


def through_the_command(tmp_path, world, content):
    path = tmp_path / FILE_NAME
    path.write_text(content, encoding="utf-8")
    out, err = StringIO(), StringIO()
    try:
        call_command("import_records", "tna-returns", str(path), "--by", world["manager"].email, stdout=out, stderr=err)
    except CommandError as error:
        err.write(str(error))
    return out.getvalue() + err.getvalue()


def test_the_same_file_gives_the_same_returns_through_every_door(client, tmp_path, world):
    results, said = {}, {}
    for door, run in (
        ("cycle page", lambda: through_the_cycles_page(client, world, GOOD)),
        ("records page", lambda: through_the_records_page(client, world, GOOD)),
        ("command", lambda: through_the_command(tmp_path, world, GOOD)),
    ):
        before_the_import(world)
        said[door] = run()
        results[door] = returns_now()
    assert results["records page"] == results["cycle page"]
    assert results["command"] == results["cycle page"]
    helen = "helen.carter@example.org"
    after = results["cycle page"]
    assert {name: (r["status"], r["submitted by"], r["imported from"]) for name, r in after.items()} == {
        "Northshire College": ("submitted", helen, FILE_NAME),
        "Northshire Police": ("submitted", helen, FILE_NAME),
        "Riverside Academy Trust": ("submitted", helen, FILE_NAME),
    }
    assert [v[:4] for v in after["Northshire Police"]["versions"]] == [
        (1, "submitted", world["police_lead"].email, ""),
        (2, "imported", helen, FILE_NAME),
    ]
    assert after["Riverside Academy Trust"]["sections"] == ["needs"]  # what the import filled is complete
    assert ("Recognising and Responding to Neglect", 45, 10, 50) in after["Riverside Academy Trust"]["lines"]
    # Each door says which status each return is left in, in the same words.
    for sentence in (
        "Northshire College, 2026-27: draft submitted as version 1, imported by Helen Carter from needs-2026-27.csv",
        "Northshire Police, 2026-27: submitted return reopened and resubmitted as version 2, "
        "imported by Helen Carter from needs-2026-27.csv",
        "Riverside Academy Trust, 2026-27: new return submitted as version 1, "
        "imported by Helen Carter from needs-2026-27.csv",
    ):
        assert sentence in said["records page"] and sentence in said["command"]
    assert "Submitted as version 2, imported by Helen Carter (reopened and resubmitted)" in said["cycle page"]


def page_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_every_door_refuses_the_same_lines_with_their_numbers_and_writes_nothing(client, tmp_path, world):
    for door, run in (
        ("cycle page", lambda: through_the_cycles_page(client, world, BAD)),
        ("records page", lambda: through_the_records_page(client, world, BAD)),
        ("command", lambda: through_the_command(tmp_path, world, BAD)),
    ):
        before_the_import(world)
        before = returns_now()
        said = page_text(run())
        assert returns_now() == before, door
        for line, column, message in REFUSALS:
            if door == "records page":  # a table of line, column and problem
                wanted = f"{line} {column or '(whole line)'} {message}"
            else:
                wanted = f"Line {line}, {column}: {message}" if column else f"Line {line}: {message}"
            assert wanted in said, (door, wanted, said)


def test_the_command_needs_to_know_who_is_importing(tmp_path, world):
    path = tmp_path / FILE_NAME
    path.write_text(GOOD, encoding="utf-8")
    with pytest.raises(CommandError, match="add --by with your email"):
        call_command("import_records", "tna-returns", str(path))
    with pytest.raises(CommandError, match="is not an active training manager"):
        call_command("import_records", "tna-returns", str(path), "--by", world["police_lead"].email)
    assert not TnaReturn.objects.exists()


def test_the_records_export_and_the_analysis_download_write_the_same_lines(client, world):
    from transfer import services

    before_the_import(world)  # the police's return submitted; the college's a draft
    records = list(csv.reader(StringIO(services.export_csv("tna-returns", world["cycle"].year))))
    client.force_login(world["manager"])
    download = list(csv.reader(StringIO(client.get(reverse("tna:export", args=[world["cycle"].pk])).content.decode())))
    assert records[0] == download[0] == RETURN_LINE_COLUMNS
    # The download shows drafts too; the records export only what an import would bring back as it was.
    assert records[1:] == [row for row in download[1:] if row[6] == "Submitted"]
    assert {row[1] for row in download[1:]} == {"Northshire College", "Northshire Police"}
    assert {row[1] for row in records[1:]} == {"Northshire Police"}
