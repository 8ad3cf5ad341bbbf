"""The import guide is a page of the service, from the same text as docs/imports.md, and a good
file's preview shows its first lines, not only counts."""

import html
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.factories import training_manager

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_the_import_page_links_to_the_guide_rendered_from_the_repository_s_text(client):
    client.force_login(training_manager())
    imports = client.get(reverse("transfer:imports")).content.decode()
    assert f'href="{reverse("transfer:guide")}"' in imports
    assert "docs/imports.md" not in imports
    guide = client.get(reverse("transfer:guide")).content.decode()
    assert '<h1 class="govuk-heading-l" id="bringing-records-in-and-taking-them-out">' in guide
    # Every section of the text is on the page.
    for line in (ROOT / "docs" / "imports.md").read_text().splitlines():
        if line.startswith("## "):
            assert line[3:].replace("`", "").split(" (")[0] in html.unescape(guide)


def test_a_good_file_s_preview_shows_its_first_lines(client):
    client.force_login(training_manager())
    content = "Name,Starts,Ends\n" + "".join(
        f"{2000 + n}-{(n + 1) % 100:02d},1/4/{2000 + n},31/3/{2001 + n}\n" for n in range(12)
    )
    page = client.post(
        reverse("transfer:imports"),
        {"format": "training-years", "file": SimpleUploadedFile("years.csv", content.encode())},
    ).content.decode()
    assert "The first 10 of 12 lines" in page
    table = page.split('id="preview-rows"')[1].split("</table>")[0]
    assert '<th scope="col" class="govuk-table__header">Name</th>' in table
    assert '<td class="govuk-table__cell">2000-01</td>' in table
    assert "2009-10" in table and "2010-11" not in table


def test_a_bad_file_s_error_summary_links_to_the_problems_table(client):
    client.force_login(training_manager())
    page = client.post(
        reverse("transfer:imports"),
        {
            "format": "training-years",
            "file": SimpleUploadedFile("years.csv", b"Name,Starts,Ends\n2025-26,soon,later\n"),
        },
    ).content.decode()
    links = [part.split('"')[0] for part in page.split('<a href="#')[1:]]
    problems = [anchor for anchor in links if anchor.startswith("problem-")]
    assert problems == ["problem-1", "problem-2"]  # one link to each problem's own line of the table
    assert all(f'id="{anchor}"' in page for anchor in links)
