"""The training manager checks a spreadsheet of people, corrects it, and imports it."""

import pytest

from accounts.factories import AgencyFactory, training_manager
from accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_training_manager_imports_people_after_correcting_the_file(visitor, target_groups, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    AgencyFactory(name="Northshire Police")
    training_manager(email="helen.carter@example.org")
    bad = tmp_path / "people.csv"
    bad.write_text("Email,Name,Agency,Staff group\naisha.khan@example.org,Aisha Khan,Northshire Polce,3\n", encoding="utf-8")
    page = visitor.sign_in("helen.carter@example.org")
    page = visitor.go("/manage/records/")
    page.get_by_label("People", exact=True).check()
    page.get_by_label("CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    assert "Nothing has been imported" in page.locator(".govuk-error-summary").inner_text()
    assert "'Northshire Polce' is not a partner agency" in page.locator("table").inner_text()
    visitor.check()
    assert not User.objects.filter(email="aisha.khan@example.org").exists()
    good = tmp_path / "people-corrected.csv"
    good.write_text("Email,Name,Agency,Staff group\naisha.khan@example.org,Aisha Khan,Northshire Police,3\n", encoding="utf-8")
    page = visitor.go("/manage/records/")
    page.get_by_label("People", exact=True).check()
    page.get_by_label("CSV file").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    assert "The file is ready to import" in page.locator("h1").inner_text()
    visitor.check()
    page.get_by_role("button", name="Import these records").click()
    assert "People: 1 new, 0 changed" in page.locator(".govuk-notification-banner").inner_text()
    visitor.check()
    assert User.objects.get(email="aisha.khan@example.org").agency.name == "Northshire Police"
