"""The training manager prepares next year's analysis and still finds the live one, and moves between
years on the pages about one year."""

from datetime import date

import pytest
from playwright.sync_api import expect

from accounts.factories import AgencyFactory, training_manager
from tna.models import ReturnStatus, TnaCycle, TnaReturn, TrainingYear

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_live_analysis_is_reachable_after_next_year_is_prepared(visitor):
    this_year = TrainingYear.objects.create(name="2026-27", starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31))
    TnaCycle.objects.create(
        year=this_year, opens_on=date(2026, 1, 5), deadline=date(2026, 2, 27), opened_at="2026-01-05T09:00Z"
    )
    live_year = TrainingYear.objects.create(name="2027-28", starts_on=date(2027, 4, 1), ends_on=date(2028, 3, 31))
    live = TnaCycle.objects.create(
        year=live_year, opens_on=date(2026, 11, 2), deadline=date(2027, 1, 29), opened_at="2026-11-02T09:00Z"
    )
    for name, status in (("Northshire Police", ReturnStatus.SUBMITTED), ("Northshire County Council", "draft")):
        TnaReturn.objects.create(cycle=live, agency=AgencyFactory(name=name), status=status)
    training_manager(email="helen.carter@example.org")

    page = visitor.sign_in("helen.carter@example.org")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Training needs").click()
    visitor.check()
    page.get_by_role("link", name="Set up the next training year").click()
    visitor.check()
    page.get_by_label("Training year").fill("2028-29")
    page.get_by_label("Start date (DD/MM/YYYY)").fill("01/04/2028")
    page.get_by_label("End date (DD/MM/YYYY)").fill("31/03/2029")
    page.get_by_label("Date the analysis opens (DD/MM/YYYY)").fill("01/11/2027")
    page.get_by_label("Deadline for returns (DD/MM/YYYY)").fill("28/01/2028")
    page.get_by_role("button", name="Save training year").click()
    expect(page.get_by_role("heading", name="Training needs analysis 2028-29")).to_be_visible()
    visitor.check()

    # The live analysis is one click from the TNA home, beside the one being prepared.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Training needs").click()
    visitor.check()
    table = page.get_by_role("table", name="Open or being prepared")
    expect(table.get_by_role("row", name="Training needs analysis 2027-28")).to_contain_text("1 of 2")
    expect(table.get_by_role("row", name="Training needs analysis 2028-29")).to_contain_text("Being prepared")
    page.get_by_role("link", name="Training needs analysis 2027-28").click()
    expect(page.get_by_role("heading", name="Training needs analysis 2027-28")).to_be_visible()
    visitor.check()

    # Attendance against need, then another year through its picker.
    page.get_by_role("link", name="Attendance against need").click()
    expect(page.get_by_text("Training year 2027-28")).to_be_visible()
    page.get_by_label("Training year").select_option(label="2026-27")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("Training year 2026-27")).to_be_visible()
    visitor.check()
