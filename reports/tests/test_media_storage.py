"""Report files on storage every machine shares: any web server hands out what any worker built, and a
file that is not there is said plainly, never a 500, and never recorded as downloaded."""

import logging
import subprocess
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.factories import board_member
from accounts.models import AuditEntry
from conftest import S3_BUCKET, stored_objects
from reports import services
from reports.models import ReportKind, ReportRun, RunStatus
from reports.tasks import build_report
from tna.models import TrainingYear


def pdf_text(content: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def downloads_recorded(run) -> int:
    return AuditEntry.objects.filter(action="downloaded report", object_id=str(run.pk)).count()


@pytest.mark.django_db
def test_a_report_the_worker_built_is_in_the_bucket_and_another_web_server_hands_it_out(
    s3_media, delivered, year, settings, tmp_path, immediate_on_commit
):
    settings.MEDIA_ROOT = tmp_path / "media"  # this machine's own disk: nothing may land here
    david = board_member(full_name="David Reid", email="david.reid@northshire-scp.example.org")
    run = services.request_run(actor=david, kind=ReportKind.ANNUAL, year=year)  # the worker's build_run, on commit
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    assert stored_objects(s3_media) == [run.file.name]
    assert not (tmp_path / "media").exists()

    another_web_server = Client()
    another_web_server.force_login(david)
    response = another_web_server.get(reverse("reports:download", args=[run.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    downloaded = b"".join(response.streaming_content)
    assert downloaded == s3_media.get_object(Bucket=S3_BUCKET, Key=run.file.name)["Body"].read()
    assert "7 people attended" in pdf_text(downloaded)
    assert downloads_recorded(run) == 1


@pytest.mark.django_db
def test_build_report_copies_the_pdf_out_of_the_bucket(s3_media, delivered, year, tmp_path):
    from django.core.management import call_command

    call_command("build_report", "--year", "This year", "--output", str(tmp_path / "annual.pdf"))
    run = ReportRun.objects.get()
    assert stored_objects(s3_media) == [run.file.name]
    assert "7 people attended" in pdf_text((tmp_path / "annual.pdf").read_bytes())


@pytest.mark.parametrize("storage", ["local", "s3"])
@pytest.mark.django_db
def test_a_report_whose_file_is_missing_answers_a_plain_page_and_is_not_recorded_as_downloaded(
    request, storage, settings, tmp_path, caplog
):
    """What a second web server saw when the worker wrote to a disk it does not share."""
    settings.MEDIA_ROOT = tmp_path
    if storage == "s3":
        request.getfixturevalue("s3_media")
    year = TrainingYear.objects.create(name="2026-27", starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31))
    david = board_member(full_name="David Reid")
    run = ReportRun.objects.create(
        kind=ReportKind.ANNUAL,
        parameters={"year": year.pk},
        title="Annual training report 2026-27",
        status=RunStatus.DONE,
        requested_by=david,
        finished_at=timezone.now(),
    )
    run.file.save("annual-training-report-2026-27.pdf", ContentFile(b"%PDF-1.4 the annual report"))
    default_storage.delete(run.file.name)

    client = Client(raise_request_exception=False)
    client.force_login(david)
    with caplog.at_level(logging.WARNING, logger="reports.services"):
        response = client.get(reverse("reports:download", args=[run.pk]))
    assert response.status_code == 404
    page = response.content.decode()
    assert '<h1 class="govuk-heading-l">The report\'s file is missing</h1>' in page
    assert "The file of Annual training report 2026-27 cannot be found, so nothing was downloaded" in page
    assert reverse("reports:runs") in page  # where to ask for it again
    assert downloads_recorded(run) == 0
    assert f"{run.file.name!r} is not in the media storage" in caplog.text
    # The run's page still opens; once the file is back, the download works and is recorded.
    assert client.get(reverse("reports:run", args=[run.pk])).status_code == 200
    default_storage.save(run.file.name, ContentFile(b"%PDF-1.4 the annual report"))
    assert client.get(reverse("reports:download", args=[run.pk])).status_code == 200
    assert downloads_recorded(run) == 1


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_process_stores_the_report_in_the_bucket_for_the_web_server(s3_media, delivered, year, tmp_path):
    """The worker is another process (another machine, as far as it knows): it shares only the
    database, Redis and the bucket with this one, which serves the download."""
    from conftest import start_worker, stop_worker, wait_until_finished

    queue = "test-media-storage"
    process = start_worker(tmp_path, queue)  # the environment carries MEDIA_STORAGE=s3 and the bucket
    try:
        david = board_member(email="david.reid@northshire-scp.example.org")
        run = ReportRun.objects.create(
            kind=ReportKind.ANNUAL, parameters={"year": year.pk}, title="Annual training report", requested_by=david
        )
        from conftest import send_to_worker

        send_to_worker(build_report, args=[run.pk], queue=queue)
        wait_until_finished(run, process)
        assert run.status == RunStatus.DONE, run.error
    finally:
        stop_worker(process)
    assert stored_objects(s3_media) == [run.file.name]
    assert not (tmp_path / "media").exists()  # the worker's own disk
    client = Client()
    client.force_login(david)
    response = client.get(reverse("reports:download", args=[run.pk]))
    assert response.status_code == 200
    assert "7 people attended" in pdf_text(b"".join(response.streaming_content))
    assert downloads_recorded(run) == 1
