"""The training manager reads the import guide in the service, and sees a good file's lines before
importing it."""

import pytest
from playwright.sync_api import expect

from accounts.factories import AgencyFactory, training_manager

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_guide_is_a_page_and_the_preview_shows_the_file_s_lines(visitor, target_groups, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    AgencyFactory(name="Northshire Police")
    training_manager(email="helen.carter@example.org")
    visitor.sign_in("helen.carter@example.org")
    page = visitor.go("/manage/records/")
    page.get_by_role("link", name="the guide to importing and exporting records").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bringing records in, and taking them out")
    expect(page.get_by_role("heading", name="3. People (people)")).to_be_visible()
    visitor.check()

    people = tmp_path / "people.csv"
    people.write_text(
        "Email,Name,Agency,Staff group\n"
        "aisha.khan@example.org,Aisha Khan,Northshire Police,3\n"
        "tom.booth@example.org,Tom Booth,Northshire Police,2\n",
        encoding="utf-8",
    )
    page = visitor.go("/manage/records/")
    page.get_by_label("People", exact=True).check()
    page.get_by_label("CSV file").set_input_files(str(people))
    page.get_by_role("button", name="Check the file").click()
    lines = page.get_by_role("table", name="The 2 lines of the file")
    expect(lines).to_contain_text("aisha.khan@example.org")
    expect(lines).to_contain_text("Tom Booth")
    visitor.check()
