"""A Board member asks for the annual report, watches it build, and downloads it."""

import re
import subprocess
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.factories import AgencyFactory, UserFactory, board_member
from courses.factories import AttendanceRecordFactory, SessionFactory
from courses.models import SessionStatus
from tna.models import TrainingYear

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_board_member_requests_and_downloads_the_annual_report(visitor, target_groups, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    today = timezone.localdate()
    start = date(today.year - (today.month < 4), 4, 1)
    year = TrainingYear.objects.create(
        name=f"{start.year}-{str(start.year + 1)[-2:]}",
        starts_on=start,
        ends_on=date(start.year + 1, 3, 31),
        children_in_need=3400,
    )
    police = AgencyFactory(name="Northshire Police")
    session = SessionFactory(
        course__title="Working Together to Safeguard Children", days_ahead=-5, status=SessionStatus.COMPLETED
    )
    for _ in range(12):
        AttendanceRecordFactory(session=session, person=UserFactory(agency=police), agency=police, booking=None)
    board_member(full_name="David Reid", email="david.reid@northshire-scp.example.org")

    from reports.models import ReportKind, ReportRun, RunStatus

    building = ReportRun.objects.create(
        kind=ReportKind.ANNUAL,
        parameters={"year": year.pk},
        title=f"Annual training report {year.name}",
        status=RunStatus.RUNNING,
        progress=40,
    )
    page = visitor.sign_in("david.reid@northshire-scp.example.org")
    page = visitor.go(f"/reports/runs/{building.pk}?stop=1")  # a report being built: accessible while it waits
    expect(page.locator("main")).to_contain_text("Being built: 40% done", use_inner_text=True)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Board dashboard").click()
    visitor.check()
    assert "12" in page.locator(".app-figure").nth(1).inner_text()
    # Which report first (a Board member is never offered a charges statement), then that report's fields.
    expect(page.get_by_label("Charges statement")).to_have_count(0)
    page.get_by_label("Annual training report").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Annual training report")
    expect(page.get_by_label("Agency")).to_have_count(0)
    visitor.check()
    page.get_by_label("Training year").select_option(label=year.name)
    page.get_by_role("button", name="Build the report").click()
    page.wait_for_selector(".govuk-panel", timeout=60_000)  # the page refreshes itself until the report is ready
    expect(page.locator(".govuk-panel")).to_contain_text("Your report is ready", use_inner_text=True)
    visitor.check()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the report (PDF)").click()
    pdf = tmp_path / "annual.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Annual training report" in text and year.name in text
    assert re.search(r"12 people attended", text)
    # The dashboard built now says its figures are as at the same time as the report's.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Board dashboard").click()
    visitor.check()
    as_at = re.search(r"Figures as at (\d{1,2} \w+ \d{4} \d\d:\d\d)", page.locator("main").inner_text()).group(1)
    assert f"Figures as at {as_at}." in " ".join(text.split())
