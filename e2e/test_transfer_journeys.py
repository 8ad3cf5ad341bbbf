"""The training manager checks a spreadsheet of people, corrects it, and imports it."""

import pytest
from playwright.sync_api import expect

from accounts.factories import AgencyFactory, training_manager
from accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_training_manager_imports_people_after_correcting_the_file(visitor, target_groups, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    AgencyFactory(name="Northshire Police")
    training_manager(email="helen.carter@example.org")
    bad = tmp_path / "people.csv"
    bad.write_text(
        "Email,Name,Agency,Staff group\naisha.khan@example.org,Aisha Khan,Northshire Polce,3\n", encoding="utf-8"
    )
    page = visitor.sign_in("helen.carter@example.org")
    page = visitor.go("/manage/records/")
    page.get_by_label("People", exact=True).check()
    page.get_by_label("CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Nothing has been imported", use_inner_text=True)
    expect(page.locator("table")).to_contain_text("'Northshire Polce' is not a partner agency", use_inner_text=True)
    visitor.check()
    assert not User.objects.filter(email="aisha.khan@example.org").exists()
    good = tmp_path / "people-corrected.csv"
    good.write_text(
        "Email,Name,Agency,Staff group\naisha.khan@example.org,Aisha Khan,Northshire Police,3\n", encoding="utf-8"
    )
    page = visitor.go("/manage/records/")
    page.get_by_label("People", exact=True).check()
    page.get_by_label("CSV file").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("h1")).to_contain_text("The file is ready to import", use_inner_text=True)
    visitor.check()
    page.get_by_role("button", name="Import these records").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("People: 1 new, 0 changed", use_inner_text=True)
    visitor.check()
    assert User.objects.get(email="aisha.khan@example.org").agency.name == "Northshire Police"
