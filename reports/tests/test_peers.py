"""Where the partnership stands among other Boards: eight Boards' figures imported from a CSV file,
the comparison computed by hand, this partnership's own export imported again, and the comparison in
the annual report and on the dashboard."""

import csv
import io
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.factories import board_member, training_manager
from reports import peers, services
from reports.models import PeerFigures, ReportKind, RunStatus

pytestmark = pytest.mark.django_db


def eight_boards(year: str) -> str:
    """Eight Boards' published figures, as a training manager types them from their annual reports:
    money with pound signs and commas, one Board without a cost, one without children in need."""
    return (
        "Board,Year,Children in need,Courses or events,Training days,Attendance,Total cost\n"
        f'Eastshire Safeguarding Children Board,{year},"2,000",40,30,800,"£40,000"\n'
        f"Westshire Safeguarding Children Board,{year},4000,60,45,1200,90000\n"
        f"Northvale Safeguarding Children Partnership,{year},1000,10,8,150,6000.00\n"
        f"Southport Safeguarding Children Board,{year},5000,150,100,3000,120000\n"
        f"Riverside Safeguarding Children Partnership,{year},2500,25,19.25,500,50000\n"
        f"Castleford Safeguarding Children Board,{year},3000,45,40,900,36000\n"
        f"Lakeland Safeguarding Children Board,{year},1500,30,22.5,600,\n"
        f"Moorside Safeguarding Children Partnership,{year},,20,15,400,30000\n"
    )


@pytest.fixture
def imported(year, delivered):
    label = peers.year_label(year)
    manager = training_manager()
    preview = peers.import_peer_figures(actor=manager, text=eight_boards(label), commit=False)
    assert preview.ok, [str(p) for p in preview.problems]
    assert (preview.created, preview.updated, len(preview.rows)) == (8, 0, 8)
    assert not PeerFigures.objects.exists()  # the preview writes nothing
    result = peers.import_peer_figures(actor=manager, text=eight_boards(label), commit=True)
    assert result.written and result.created == 8
    return label


def test_eight_boards_import_and_the_comparison_is_computed_by_hand(imported, year):
    eastshire = PeerFigures.objects.get(board="Eastshire Safeguarding Children Board")
    assert (eastshire.children_in_need, eastshire.total_cost) == (2000, Decimal("40000.00"))
    assert PeerFigures.objects.get(board__startswith="Riverside").training_days == Decimal("19.25")
    comparison = peers.peer_comparison(year)
    assert comparison.label == imported and len(comparison.others) == 8
    # This partnership: one delivered event, 7 attended, 1 training day, 3,400 children in need, costs
    # £120 venue + £90 catering + £15 materials = £225. Events per 1,000: 1,000 / 3,400 = 0.29 -> 0.3;
    # cost per delegate £225 / 7 = £32.14.
    ours = comparison.ours
    assert ours.board == "Northshire Safeguarding Children Partnership"
    assert (ours.events_per_1000, ours.days_per_1000) == (Decimal("0.3"), Decimal("0.3"))
    assert (ours.cost_per_event, ours.cost_per_delegate) == (Decimal("225.00"), Decimal("32.14"))
    by_board = {r.board.split()[0]: r for r in comparison.others}
    # Westshire: 45 days × 1,000 / 4,000 = 11.25 -> 11.3 (half up); Castleford 40,000 / 3,000 = 13.3.
    assert by_board["Westshire"].days_per_1000 == Decimal("11.3")
    assert by_board["Castleford"].days_per_1000 == Decimal("13.3")
    assert by_board["Lakeland"].cost_per_event is None and by_board["Moorside"].events_per_1000 is None
    # Medians of the other Boards that published what each measure needs (seven each):
    # events per 1,000: 10, 10, 15, 15, 20, 20, 30 -> 15; days per 1,000: 7.7, 8, 11.3, 13.3, 15, 15, 20
    # -> 13.3; cost per event: 600, 800, 800, 1,000, 1,500, 1,500, 2,000 -> 1,000; cost per delegate:
    # 40, 40, 40, 50, 75, 75, 100 -> 50.
    medians = {m.key: m.median for m in comparison.measures}
    assert medians == {
        "events_per_1000": Decimal("15.00"),
        "days_per_1000": Decimal("13.30"),
        "cost_per_event": Decimal("1000.00"),
        "cost_per_delegate": Decimal("50.00"),
    }
    # The same file again changes nothing.
    again = peers.import_peer_figures(actor=training_manager(), text=eight_boards(imported), commit=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 8)


def test_this_partnerships_export_imports_into_another_boards_system(client, year, delivered, settings):
    client.force_login(training_manager())
    response = client.get(reverse("reports:peer-export", args=[year.pk]))
    exported = response.content.decode()
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert rows == [
        {
            "Board": "Northshire Safeguarding Children Partnership",
            "Year": peers.year_label(year),
            "Children in need": "3400",
            "Courses or events": "1",
            "Training days": "1",
            "Attendance": "7",
            "Total cost": "225.00",
        }
    ]
    # Our own file is refused here (our figures come from our records) ...
    refused = peers.import_peer_figures(actor=training_manager(), text=exported, commit=True)
    assert [str(p) for p in refused.problems] == [
        "Line 2, Board: This is this partnership's own name: its figures come from its own records"
    ]
    # ... and imports into another Board's system with the same figures.
    settings.PARTNERSHIP_NAME = "Eastshire Safeguarding Children Board"
    result = peers.import_peer_figures(actor=training_manager(), text=exported, commit=True)
    assert result.ok and result.created == 1
    figures = PeerFigures.objects.get(board="Northshire Safeguarding Children Partnership")
    assert (
        figures.year,
        figures.children_in_need,
        figures.events,
        figures.training_days,
        figures.attendance,
        figures.total_cost,
    ) == (peers.year_label(year), 3400, 1, Decimal("1.00"), 7, Decimal("225.00"))


def test_every_bad_line_is_reported_and_nothing_is_imported(target_groups, client):
    content = (
        "Board,Year,Children in need,Courses or events,Training days,Attendance,Total cost\n"
        "Eastshire Safeguarding Children Board,2025-26,2000,40,30,800,40000\n"
        ",2025-26,2000,40,30,800,40000\n"
        "Westshire Safeguarding Children Board,2025,4000,sixty,45,1200,90000\n"
        "Northvale Safeguarding Children Partnership,2025-27,1000,10,-8,150,lots\n"
        "Eastshire Safeguarding Children Board,2025/26,2000,40,30,800,40000\n"
    )
    client.force_login(training_manager())
    upload = io.BytesIO(content.encode())
    upload.name = "boards.csv"
    page = client.post(reverse("reports:peer-import"), {"file": upload}).content.decode()
    for problem in (
        "Enter the Board&#x27;s name",
        "&#x27;2025&#x27; is not a year like 2025-26",
        "&#x27;sixty&#x27; is not a whole number of 0 or more",
        "the second year must follow the first",
        "&#x27;-8&#x27; is not a number of days, like 19.25",
        "&#x27;lots&#x27; is not an amount of money",
        "the same Board and year are already on line 2",
    ):
        assert problem in page, problem
    assert "Nothing has been imported: 7 problems to correct" in page
    assert not PeerFigures.objects.exists()


def test_the_training_manager_adds_changes_and_removes_a_boards_figures(client, target_groups):
    client.force_login(training_manager())
    data = {"board": "Eastshire Safeguarding Children Board", "year": "2025/2026", "events": "40", "total_cost": "x"}
    page = client.post(reverse("reports:peer-new"), data).content.decode()
    assert "Enter the total cost (£) as a number" in page and "govuk-error-summary" in page
    data["total_cost"] = "40000"
    client.post(reverse("reports:peer-new"), data)
    figures = PeerFigures.objects.get()
    assert (figures.year, figures.events, figures.total_cost) == ("2025-26", 40, Decimal("40000"))
    page = client.post(reverse("reports:peer-new"), data).content.decode()
    assert "figures for 2025-26 are already recorded" in page
    client.post(reverse("reports:peer-edit", args=[figures.pk]), {**data, "events": "42"})
    figures.refresh_from_db()
    assert figures.events == 42
    assert "Eastshire Safeguarding Children Board" in client.get(reverse("reports:peers")).content.decode()
    client.post(reverse("reports:peer-remove", args=[figures.pk]))
    assert not PeerFigures.objects.exists()


def test_the_dashboard_and_the_annual_report_show_where_we_stand(
    imported, year, client, settings, tmp_path, immediate_on_commit
):
    client.force_login(board_member())
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert "Where we stand among other Boards" in page
    assert "Northshire Safeguarding Children Partnership (this partnership)" in page
    assert "Median of the other Boards" in page and "£1,000.00" in page
    settings.MEDIA_ROOT = tmp_path
    run = services.request_run(actor=training_manager(), kind=ReportKind.ANNUAL, year=year)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    with run.file.open("rb") as pdf:
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf.read(), capture_output=True, check=True)
    text = " ".join(text.stdout.decode().split())
    assert "Where we stand among other Boards" in text
    assert "8 other Boards and this partnership" in text
    assert "Median of the other Boards: 15" in text  # the chart's median line, events per 1,000
    assert "Southport Safeguarding Children Board" in text


def test_the_list_of_other_boards_figures_runs_the_same_queries_for_one_board_and_for_a_hundred(client, target_groups):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(training_manager())
    PeerFigures.objects.create(board="Eastshire Safeguarding Children Board", year="2025-26", events=40)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("reports:peers")).status_code == 200
        return len(ctx.captured_queries)

    one = count()
    PeerFigures.objects.bulk_create(
        PeerFigures(board=f"Board number {n}", year="2025-26", events=n, total_cost=1000 + n) for n in range(99)
    )
    assert count() == one
