"""Certificates on storage every machine shares: built by a worker, handed out by any web server, and
built again whenever their file is not there."""

import subprocess
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from accounts.factories import UserFactory
from conftest import S3_BUCKET, stored_objects
from courses.certificates import issue_certificate, store_certificate_file
from courses.factories import AttendanceRecordFactory, BookingFactory, CourseFactory, SessionFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def aisha_attended():
    start = datetime(2026, 10, 13, 9, 30, tzinfo=LONDON)
    session = SessionFactory(
        course=CourseFactory(title="Recognising and Responding to Neglect"),
        starts_at=start,
        ends_at=start + timedelta(hours=7),
        bookings_close_at=start - timedelta(days=2),
    )
    return AttendanceRecordFactory(booking=BookingFactory(session=session, person=UserFactory(full_name="Aisha Khan")))


def pdf_text(content: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()


def test_a_certificate_the_worker_stored_in_the_bucket_is_handed_out_by_another_web_server(
    s3_media, aisha_attended, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    certificate = store_certificate_file(issue_certificate(record=aisha_attended).pk)  # the worker's task
    assert stored_objects(s3_media) == [certificate.file.name]
    another_web_server = Client()
    another_web_server.force_login(aisha_attended.person)
    response = another_web_server.get(reverse("courses:certificate", args=[certificate.code]))
    assert response.status_code == 200
    downloaded = b"".join(response.streaming_content)
    assert downloaded == s3_media.get_object(Bucket=S3_BUCKET, Key=certificate.file.name)["Body"].read()
    assert "Aisha Khan" in pdf_text(downloaded) and certificate.code in pdf_text(downloaded)
    assert not (tmp_path / "media").exists()


def test_a_certificate_whose_file_is_missing_is_built_again_rather_than_failing(s3_media, aisha_attended):
    certificate = store_certificate_file(issue_certificate(record=aisha_attended).pk)
    s3_media.delete_object(Bucket=S3_BUCKET, Key=certificate.file.name)
    assert stored_objects(s3_media) == []
    client = Client(raise_request_exception=False)
    client.force_login(aisha_attended.person)
    response = client.get(reverse("courses:certificate", args=[certificate.code]))
    assert response.status_code == 200
    assert "Recognising and Responding to Neglect" in pdf_text(b"".join(response.streaming_content))
    certificate.refresh_from_db()
    assert stored_objects(s3_media) == [certificate.file.name]
