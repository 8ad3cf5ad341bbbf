"""Certificates (PDF, read back as text and as an image) and calendar files."""

import subprocess
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.factories import UserFactory, agency_lead, training_manager
from courses.certificates import CODE_ALPHABET, issue_certificate, normalise_code, store_certificate_file
from courses.factories import AttendanceRecordFactory, BookingFactory, CourseFactory, SessionFactory, VenueFactory
from courses.ics import session_ics
from courses.models import Attendance

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def record():
    start = datetime(2026, 10, 13, 9, 30, tzinfo=LONDON)
    session = SessionFactory(
        course=CourseFactory(title="Working Together to Safeguard Children"),
        starts_at=start,
        ends_at=start + timedelta(hours=7),
        bookings_close_at=start - timedelta(days=2),
    )
    return AttendanceRecordFactory(booking=BookingFactory(session=session, person=UserFactory(full_name="Aisha Khan")))


def test_a_certificate_is_issued_once_with_an_unambiguous_code(record):
    certificate = issue_certificate(record=record)
    assert issue_certificate(record=record) == certificate
    assert len(certificate.code) == 8 and set(certificate.code) <= set(CODE_ALPHABET)
    assert not set("01OIL") & set(certificate.code)


def test_no_certificate_for_someone_who_did_not_attend(record):
    record.outcome = Attendance.NO_SHOW
    with pytest.raises(ValueError):
        issue_certificate(record=record)


def test_the_certificate_pdf_names_the_person_course_date_and_code(record, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    certificate = store_certificate_file(issue_certificate(record=record).pk)
    certificate.refresh_from_db()
    pdf = tmp_path / certificate.file.name
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for expected in (
        "Certificate of attendance",
        "Aisha Khan",
        "Working Together to Safeguard Children",
        "13 October 2026",
        certificate.code,
        "Describe the roles of partner agencies in safeguarding children",
    ):
        assert expected in text
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    image = next(tmp_path.glob("page*.png"))
    assert image.stat().st_size > 5_000
    # Safe to build twice: the file is replaced, under the same name, not joined by a second one.
    again = store_certificate_file(certificate.pk)
    assert again.file.name == certificate.file.name
    assert list(pdf.parent.glob("*.pdf")) == [pdf] and pdf.read_bytes().startswith(b"%PDF")


def test_the_person_their_lead_and_the_manager_can_download_and_others_get_404(client, record, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    certificate = issue_certificate(record=record)
    url = reverse("courses:certificate", args=[certificate.code])
    for allowed in (record.person, agency_lead(agency=record.agency), training_manager()):
        client.force_login(allowed)
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_anyone_can_check_a_code_whatever_its_case_and_spacing(client, record):
    certificate = issue_certificate(record=record)
    spaced = f" {certificate.code[:4].lower()} {certificate.code[4:]} "
    page = client.get(reverse("courses:verify-certificate"), {"code": spaced}).content.decode()
    assert "Valid certificate" in page and "Aisha Khan" in page
    page = client.get(reverse("courses:verify-certificate"), {"code": "NOPE<script>"}).content.decode()
    assert "No certificate has this code" in page and "<script>" not in page.split("<main")[1].split("</main>")[
        0
    ].replace("&lt;script&gt;", "")
    assert normalise_code("ab-cd ef") == "ABCDEF"


def unfold(ics: str) -> list[str]:
    return ics.replace("\r\n ", "").split("\r\n")


def test_the_calendar_file_is_valid_icalendar_with_escaped_text_and_folded_lines():
    course = CourseFactory(title="Parental Mental Health, Substance Misuse; and Children")
    venue = VenueFactory(name="Riverside Community Centre, Hall 2", access_information="Step-free access. " * 10)
    session = SessionFactory(course=course, venue=venue)
    ics = session_ics(session, attendee_email="aisha.khan@example.org")
    assert ics.startswith("BEGIN:VCALENDAR\r\n") and ics.endswith("END:VCALENDAR\r\n")
    assert "\n" not in ics.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))
    lines = unfold(ics)
    assert "SUMMARY:Parental Mental Health\\, Substance Misuse\\; and Children" in lines
    for prop in ("UID:", "DTSTAMP:", "DTSTART:", "DTEND:", "LOCATION:Riverside Community Centre\\, Hall 2"):
        assert any(line.startswith(prop) for line in lines), prop
    start = next(line for line in lines if line.startswith("DTSTART:"))
    assert start.endswith("Z") and start == "DTSTART:" + session.starts_at.astimezone(ZoneInfo("UTC")).strftime(
        "%Y%m%dT%H%M%SZ"
    )
    assert lines.count("BEGIN:VEVENT") == 1


def test_the_certificate_is_an_accessible_pdf_with_its_title_language_and_headings(record, tmp_path, settings):
    from common.tests.pdf_checks import accessibility

    settings.MEDIA_ROOT = tmp_path
    certificate = store_certificate_file(issue_certificate(record=record).pk)
    read = accessibility((tmp_path / certificate.file.name).read_bytes())
    assert read.tagged and read.lang == "en-GB"
    assert read.title == f"Certificate {certificate.code}: Aisha Khan"
    assert read.headings == ["H1", "H2"] and read.tags["L"] == 1
