"""The Board dashboard and a report built at the same moment print the same figures, as at the
same time: the time of the last committed write that can change a figure (common/pagecache.py)."""

import re
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgencyFactory, UserFactory, board_member, training_manager
from accounts.models import Agency
from common import pagecache
from courses.factories import AttendanceRecordFactory, SessionFactory
from courses.models import SessionStatus
from reports import services
from reports.models import ReportKind, RunStatus
from reports.templatetags.report_tags import as_at_time
from tna.models import TrainingYear


def pdf_text(stored) -> str:
    """The text of a stored PDF, read through the media storage as a download reads it."""
    with stored.open("rb") as pdf:
        content = pdf.read()
    text = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()
    return " ".join(text.split())  # the PDF's line breaks fall anywhere in a sentence


def dashboard(client) -> tuple[str, str]:
    """The dashboard's "as at" time and this year's cost per delegate."""
    html = client.get(reverse("reports:dashboard")).content.decode()
    as_at = re.search(r"Figures as at ([^:<]+\d\d:\d\d)", html).group(1)
    row = re.search(r"Cost per delegate[^<]*</th>(.*?)</tr>", html, re.DOTALL).group(1)
    cost = re.findall(r">([^<]+)</td>", row)[-1]
    return as_at, cost


@pytest.fixture
def year(transactional_db):
    today = timezone.localdate()
    start = date(today.year - (today.month < 4), 4, 1)
    return TrainingYear.objects.create(
        name="2025-26",
        starts_on=start,
        ends_on=date(start.year + 1, 3, 31),
        children_in_need=3400,
        central_costs=Decimal("9049.32"),
    )


@pytest.fixture
def delivered(year, target_groups):
    """One delivered session whose own costs are nil, so the cost per delegate is the year's
    central costs (its share for the year to date) over its delegates."""
    police = AgencyFactory(name="Northshire Police")
    session = SessionFactory(
        course__title="Working Together to Safeguard Children",
        days_ahead=-2,
        status=SessionStatus.COMPLETED,
        venue_cost=0,
        catering_cost=0,
        materials_cost=0,
    )
    for _ in range(7):
        AttendanceRecordFactory(session=session, person=UserFactory(agency=police), agency=police, booking=None)
    return session


def cost_per_delegate(year, central: str) -> str:
    """The year is in progress: its central costs count for its days so far (1 April to today),
    shared by the seven delegates, in pounds and pence rounded half up."""
    from decimal import ROUND_HALF_UP

    days = (timezone.localdate() - year.starts_on).days + 1
    share = (Decimal(central) * days / ((year.ends_on - year.starts_on).days + 1)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return f"£{(share / 7).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def build(david, year):
    run = services.request_run(actor=david, kind=ReportKind.ANNUAL, year=year)  # the task runs on commit
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    return pdf_text(run.file)


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_and_a_report_built_together_print_the_same_figures_as_at_the_same_time(
    delivered, year, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    david = board_member(full_name="David Reid")
    client = Client()
    client.force_login(david)

    as_at, cost = dashboard(client)
    assert cost == cost_per_delegate(year, "9049.32")
    pdf = build(david, year)
    # The report's own progress (queued, being built, ready) changes the dashboard's list of runs
    # but no figure, so the dashboard built now says the same as the report.
    assert dashboard(client) == (as_at, cost)
    assert f"Figures as at {as_at}." in pdf
    assert cost in pdf
    assert as_at == as_at_time(pagecache.as_at())

    # The year's costs are corrected by a bulk update (as an import of training years does): the
    # next dashboard and the next report both show it, as at the time of that change.
    before = pagecache.as_at()
    TrainingYear.objects.filter(pk=year.pk).update(central_costs=Decimal("140.21"))
    assert pagecache.as_at() > before
    old_cost = cost
    as_at, cost = dashboard(client)
    assert cost == cost_per_delegate(year, "140.21")
    pdf = build(david, year)
    assert f"Figures as at {as_at}." in pdf and cost in pdf and old_cost not in pdf
    assert dashboard(client) == (as_at, cost)


@pytest.mark.django_db(transaction=True)
def test_every_report_says_what_its_figures_are_as_at(delivered, year, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    police = Agency.objects.get(name="Northshire Police")
    manager = board_member(full_name="David Reid")
    helen = training_manager(full_name="Helen Carter")
    expected = as_at_time(pagecache.as_at())
    runs = [
        services.request_run(actor=manager, kind=ReportKind.AGENCY, year=year, agency=police),
        services.request_run(actor=helen, kind=ReportKind.COURSE, year=year, course=delivered.course),
        services.request_run(
            actor=helen,
            kind=ReportKind.CHARGES,
            agency=police,
            date_from=year.starts_on,
            date_to=year.ends_on,
        ),
    ]
    for run in runs:
        run.refresh_from_db()
        assert run.status == RunStatus.DONE, run.error
        assert f"Figures as at {expected}." in pdf_text(run.file), run.title
