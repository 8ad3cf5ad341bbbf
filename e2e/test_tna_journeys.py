"""An agency lead completes, checks and submits a training needs return; the manager reopens it."""

from datetime import date

import pytest
from playwright.sync_api import expect

from accounts.factories import AgencyFactory, agency_lead, training_manager
from courses.factories import CourseFactory, LevelFactory
from tna.models import ReturnStatus, TnaCycle, TnaReturn, TrainingYear

pytestmark = pytest.mark.django_db(transaction=True)


def fill_all(page, value):
    for field in page.locator("table input.govuk-input").all():
        field.fill(value)


def test_a_lead_submits_another_lead_cannot_see_it_and_the_manager_reopens_it(visitor, target_groups):
    year = TrainingYear.objects.create(name="2027-28", starts_on=date(2027, 4, 1), ends_on=date(2028, 3, 31))
    TnaCycle.objects.create(
        year=year, opens_on=date(2026, 11, 2), deadline=date(2027, 1, 29), opened_at="2026-11-02T09:00Z"
    )
    CourseFactory(title="Working Together to Safeguard Children", level=LevelFactory(number=2))
    police = AgencyFactory(name="Northshire Police")
    agency_lead(email="priya.shah@example.org", agency=police)
    agency_lead(email="ruth.evans@example.org", agency=AgencyFactory(name="Little Acorns Day Nurseries Ltd"))
    training_manager(email="helen.carter@example.org")

    page = visitor.sign_in("priya.shah@example.org")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Training needs").click()
    # The analysis was opened before the police joined it: the lead starts the return.
    expect(page.get_by_role("heading", name="Training needs return 2027-28")).to_be_visible()
    visitor.check()
    page.get_by_role("button", name="Start your return").click()
    visitor.check()
    page.get_by_role("link", name="About your agency").click()
    visitor.check()
    fill_all(page, "4")
    page.get_by_role("button", name="Save and continue").click()
    visitor.check()
    page.get_by_role("link", name="Inter-agency training needs").click()
    fill_all(page, "-1")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    visitor.check()
    fill_all(page, "3")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Single-agency training").click()
    fill_all(page, "10")
    page.get_by_label("How does your agency evaluate its own training?").fill(
        "Questionnaires after every course and a case-file audit."
    )
    page.get_by_role("button", name="Save and continue").click()
    visitor.check()
    page.get_by_role("link", name="Check your answers and submit").click()
    visitor.check()
    page.get_by_role("button", name="Submit return").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()  # the declaration
    page.get_by_label("I confirm that these figures are accurate").check()
    page.get_by_role("button", name="Submit return").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been submitted", use_inner_text=True)
    visitor.check()
    tna_return = TnaReturn.objects.get(agency=police)
    assert tna_return.status == ReturnStatus.SUBMITTED
    page.get_by_role("button", name="Sign out").click()

    page = visitor.sign_in("ruth.evans@example.org")
    response = page.goto(visitor.base_url + f"/tna/returns/{tna_return.pk}")
    assert response.status == 404
    visitor.check()
    page.get_by_role("button", name="Sign out").click()

    page = visitor.sign_in("helen.carter@example.org")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Training needs").click()
    visitor.check()
    page.get_by_role("link", name="Training needs analysis 2027-28").click()
    page.get_by_role("link", name="Northshire Police").click()
    page.get_by_role("link", name="Reopen this return").click()
    visitor.check()
    page.get_by_label("Why are you reopening this return?").fill("Please add the volunteers who started in November.")
    page.get_by_role("button", name="Reopen return").click()
    visitor.check()
    page.get_by_role("button", name="Sign out").click()

    page = visitor.sign_in("priya.shah@example.org")
    page.goto(visitor.base_url + f"/tna/returns/{tna_return.pk}/check")
    page.get_by_label("I confirm that these figures are accurate").check()
    page.get_by_role("button", name="Submit return").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been submitted", use_inner_text=True)
    visitor.check()
    assert [v.action for v in tna_return.versions.order_by("number")] == ["submitted", "reopened", "submitted"]


def test_the_manager_imports_an_agencys_spreadsheet_and_sees_what_happens_to_its_return(
    visitor, target_groups, tmp_path
):
    year = TrainingYear.objects.create(name="2027-28", starts_on=date(2027, 4, 1), ends_on=date(2028, 3, 31))
    cycle = TnaCycle.objects.create(
        year=year, opens_on=date(2026, 11, 2), deadline=date(2027, 1, 29), opened_at="2026-11-02T09:00Z"
    )
    CourseFactory(title="Working Together to Safeguard Children", level=LevelFactory(number=2))
    police = AgencyFactory(name="Northshire Police")
    training_manager(full_name="Helen Carter", email="helen.carter@example.org")
    spreadsheet = tmp_path / "northshire-police-needs.csv"
    spreadsheet.write_text(
        "Agency,Course,Staff in scope,Trained and in date,Places requested\n"
        "Northshire Police,Working Together to Safeguard Children,120,60,40\n",
        encoding="utf-8",
    )

    page = visitor.sign_in("helen.carter@example.org")
    page = visitor.go(f"/tna/cycles/{cycle.pk}/import")
    page.get_by_label("CSV file of training needs").set_input_files(str(spreadsheet))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("table").first).to_contain_text(
        "Submitted as version 1, imported by Helen Carter", use_inner_text=True
    )
    visitor.check()
    page.get_by_role("button", name="Import 1 line").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "1 return is now submitted, recorded as imported by you", use_inner_text=True
    )
    visitor.check()
    tna_return = TnaReturn.objects.get(agency=police)
    assert tna_return.status == ReturnStatus.SUBMITTED and tna_return.imported_from == "northshire-police-needs.csv"
