"""The annual report as a Board member reads it: the demo partnership's year in progress and a year with
no records at all, built with the worker's code and read back from the PDF as text."""

import re
import subprocess
from datetime import date

import pytest
from django.core.management import call_command

from reports import services
from reports.models import ReportKind, ReportRun
from tna.models import TrainingYear
from tna.selectors import current_training_year

pytestmark = pytest.mark.django_db


def annual_text(year) -> str:
    run = ReportRun(kind=ReportKind.ANNUAL, parameters={"year": year.pk}, title=f"Annual training report {year.name}")
    pdf, _pages = services.render_pdf(services.render_html(run))
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return " ".join(text.split())  # the PDF's line breaks fall anywhere in a sentence


def summary_of(text: str) -> str:
    """From the Summary heading (after the contents) to the first numbered section."""
    start = text.index("Summary", text.index("Appendix B. What the figures mean"))
    return text[start : text.index("1. Headline", start)]


def assert_sections_numbered_in_order(text: str):
    contents = text[text.index("Contents") : text.index("Appendix B. What the figures mean")]
    listed = [int(n) for n in re.findall(r"(?:^| )(\d)\. [A-Z]", contents)]
    assert listed == list(range(1, len(listed) + 1)), listed
    body = text[text.index("Appendix B. What the figures mean") :]
    printed = [
        int(n)
        for n in re.findall(
            r"(?:^| )(\d)\. (?:Headline|Attendance against|Partner contribution|"
            r"Outputs and costs|Quality and impact|Practice issues|The training sub-committee|Single-agency)",
            body,
        )
    ]
    # Each section's heading, then its name in the running header of each of its pages: in the order listed.
    assert list(dict.fromkeys(printed)) == listed


def assert_every_sentence_has_its_figure(text: str):
    summary = summary_of(text)
    assert "not applicable" not in summary
    assert not re.search(r"(cost|costs) £0\.00", summary)
    assert "meeting not" not in text and "average of not" not in text


def test_the_demo_years_report_is_the_year_to_date_with_every_sentence_whole():
    call_command("seed_demo")
    year = current_training_year()
    text = annual_text(year)
    assert f"{year.name}: year to date" in text
    assert "every figure is for the year to date" in summary_of(text)
    assert_every_sentence_has_its_figure(text)
    assert_sections_numbered_in_order(text)
    # The year's central costs count for the months to date only.
    assert re.search(r"counting £[\d,]+\.\d\d of the year's £[\d,]+\.\d\d central costs for the months to date", text)
    assert "Northshire Safeguarding Children Partnership" in text


def test_an_empty_year_says_there_are_no_records_and_leaves_nothing_broken():
    year = TrainingYear.objects.create(name="2019-20", starts_on=date(2019, 4, 1), ends_on=date(2020, 3, 31))
    text = annual_text(year)
    summary = summary_of(text)
    assert "No learning events were delivered in 2019-20." in summary
    assert "No places were requested in submitted training needs returns for 2019-20" in summary
    assert "No costs were recorded for 2019-20." in summary
    assert "The programme cost" not in summary
    assert "no records" in text
    assert_every_sentence_has_its_figure(text)
    assert_sections_numbered_in_order(text)
    # Partner contribution, quality and practice issues have nothing to show: the next section takes the number.
    assert "3. Outputs and costs" in text and "4." not in text[text.index("Contents") : text.index("Appendix A")]
