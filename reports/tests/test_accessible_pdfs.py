"""Every report kind is an accessible PDF (PDF/UA-1): tagged, with its language and title, headings,
table header cells and a text alternative for each chart, read back from the stored file."""

import pytest

from accounts.factories import training_manager
from common.tests.pdf_checks import accessibility
from courses.models import Session
from reports import services
from reports.models import ReportKind, RunStatus

pytestmark = pytest.mark.django_db


def built(run) -> bytes:
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    with run.file.open("rb") as pdf:
        return pdf.read()


@pytest.mark.parametrize("kind", [ReportKind.ANNUAL, ReportKind.AGENCY, ReportKind.COURSE, ReportKind.CHARGES])
def test_every_report_kind_is_tagged_with_its_title_language_headings_and_table_headers(
    kind, delivered, year, settings, tmp_path, immediate_on_commit
):
    settings.MEDIA_ROOT = tmp_path
    helen = training_manager(full_name="Helen Carter")
    options = {
        ReportKind.ANNUAL: {"year": year},
        ReportKind.AGENCY: {"year": year, "agency": delivered},
        ReportKind.COURSE: {"year": year, "course": Session.objects.get().course},
        ReportKind.CHARGES: {"agency": delivered, "date_from": year.starts_on, "date_to": year.ends_on},
    }[kind]
    run = services.request_run(actor=helen, kind=kind, **options)
    read = accessibility(built(run))
    assert read.tagged and read.lang == "en-GB" and read.title == run.title
    assert read.headings[0] == "H1"
    assert read.tags["Table"] >= 1 and read.tags["TH"] >= read.tags["Table"]
    if kind == ReportKind.ANNUAL:
        assert set(read.headings) == {"H1", "H2", "H3"}
        # Both charts carry their title as the figure's text alternative; the report prints their
        # figures in the tables they sit beside.
        assert read.tags["Figure"] == 2
        assert "Places requested against attendance, by agency" in read.alternatives
        assert any(alt.startswith("Events delivered and total attendance") for alt in read.alternatives)
