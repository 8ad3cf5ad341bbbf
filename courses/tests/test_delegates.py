"""Preparing a session: the delegate list before it starts, the sign-in sheet, and messages to delegates."""

import subprocess
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgencyFactory, TargetGroupFactory, UserFactory, trainer, training_manager
from courses.factories import BookingFactory, CourseFactory, SessionFactory, VenueFactory
from courses.models import BookingStatus, SessionMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def prepared(settings, tmp_path):
    """A session in three weeks delivered by Grace Okafor, with two delegates, an offer and a waiting list."""
    settings.MEDIA_ROOT = tmp_path
    police = AgencyFactory(name="Northshire Police", sector="police")
    school = AgencyFactory(name="Riverside Academy Trust", sector="education")
    group = TargetGroupFactory(number=3, name="Work predominantly with children")
    grace = trainer(full_name="Grace Okafor", agency=school)
    session = SessionFactory(
        course=CourseFactory(title="Working Together to Safeguard Children"),
        venue=VenueFactory(name="Riverside Community Centre"),
        capacity=3,
        trainers=[grace],
    )
    aisha = BookingFactory(
        session=session,
        person=UserFactory(full_name="Aisha Khan", agency=police, job_title="Detective Constable", target_group=group),
    )
    tom = BookingFactory(
        session=session,
        person=UserFactory(full_name="Tom Fletcher", agency=school, job_title="Designated Safeguarding Lead"),
    )
    offered = BookingFactory(
        session=session,
        person=UserFactory(full_name="Priya Shah", agency=school),
        status=BookingStatus.OFFERED,
        offer_expires_at=timezone.now() + timedelta(hours=24),
    )
    waiting = BookingFactory(
        session=session, person=UserFactory(full_name="Dan Price", agency=police), status=BookingStatus.WAITLISTED
    )
    return {"session": session, "trainer": grace, "aisha": aisha, "tom": tom, "offered": offered, "waiting": waiting}


def test_before_the_session_its_trainer_sees_who_is_coming(client, prepared):
    client.force_login(prepared["trainer"])
    page = client.get(reverse("courses:register", args=[prepared["session"].pk])).content.decode()
    assert "Delegates: Working Together to Safeguard Children" in page
    assert "The register opens when the session starts" in page
    assert "Booked delegates (2)" in page
    for text in (
        "Aisha Khan",
        "Northshire Police",
        "Detective Constable",
        "Group 3: Work predominantly with children",
        "Tom Fletcher",
        "Designated Safeguarding Lead",
    ):
        assert text in page
    # Only confirmed delegates are expected on the day; nothing can be marked yet.
    assert "Dan Price" not in page and "Priya Shah" not in page
    assert "Save and close the register" not in page
    assert "Print a sign-in sheet" in page


def test_a_trainer_of_another_session_sees_nothing(client, prepared):
    client.force_login(trainer(full_name="Sam Newman"))
    for name in ("courses:register", "courses:sign-in-sheet", "courses:session-messages"):
        assert client.get(reverse(name, args=[prepared["session"].pk])).status_code == 404


def test_sessions_still_to_come_are_not_labelled_take_the_register(client, prepared):
    SessionFactory(
        course=CourseFactory(title="Neglect: Recognition and Response"), days_ahead=-1, trainers=[prepared["trainer"]]
    )
    client.force_login(prepared["trainer"])
    page = client.get(reverse("courses:my-training")).content.decode()
    assert page.count("Delegate list") == 1 and page.count("Take the register") == 1


def _pdf_text(tmp_path, content: bytes) -> str:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_sign_in_sheet_has_a_line_to_sign_for_each_delegate_and_lines_for_walk_ins(
    client, prepared, tmp_path, django_capture_on_commit_callbacks
):
    session = prepared["session"]
    client.force_login(prepared["trainer"])
    page_url = reverse("courses:sign-in-sheet", args=[session.pk])
    assert "Prepare the sign-in sheet" in client.get(page_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the worker builds it
        client.post(page_url)
    assert "Download the sign-in sheet (PDF)" in client.get(page_url).content.decode()

    response = client.get(reverse("courses:sign-in-sheet-pdf", args=[session.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(tmp_path, b"".join(response.streaming_content))
    assert "Sign-in sheet: Working Together to Safeguard Children" in text
    assert "Riverside Community Centre" in text
    assert "Signature" in text and "Access or dietary needs" in text
    lines = text.splitlines()
    aisha = next(line for line in lines if "Aisha Khan" in line)
    assert "Northshire Police" in aisha and "Detective Constable" in aisha
    assert any("Tom Fletcher" in line for line in lines)
    assert "Dan Price" not in text and "Priya Shah" not in text
    assert "Came without a booking" in text and "Email address" in text
    walk_in_part = text[text.index("Came without a booking") :]
    assert [line.split()[0] for line in walk_in_part.splitlines() if line.strip()[:1].isdigit()] == [
        str(n) for n in range(1, 9)
    ]

    # A new delegate makes the sheet out of date: it is prepared again, not handed out stale.
    BookingFactory(session=session, person=UserFactory(full_name="Ruth Evans"))
    response = client.get(reverse("courses:sign-in-sheet-pdf", args=[session.pk]))
    assert response.status_code == 302 and response.url == page_url
    assert "has changed since the last sheet was prepared" in client.get(page_url).content.decode()


def test_a_sheet_being_prepared_says_so_and_checks_again(client, prepared):
    client.force_login(training_manager())
    url = reverse("courses:sign-in-sheet", args=[prepared["session"].pk])
    client.post(url)  # the worker has not run: nothing commits in this test's transaction
    response = client.get(url)
    assert "being prepared" in response.content.decode()
    assert response["Refresh"] == "3"
    assert "Refresh" not in client.get(url + "?stop=1")


def test_writing_to_delegates_reaches_everyone_with_a_place_and_is_kept(
    client, prepared, django_capture_on_commit_callbacks
):
    session = prepared["session"]
    client.force_login(prepared["trainer"])
    url = reverse("courses:session-messages", args=[session.pk])
    page = client.post(url, {"subject": "", "body": ""}).content.decode()
    assert "There is a problem" in page and "Enter a subject" in page and "Enter the message" in page
    assert not SessionMessage.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"subject": "Joining instructions", "body": "Please read the 2023 guidance before the day."},
            follow=True,
        )
    page = response.content.decode()
    assert "Message sent to 3 people." in page
    assert sorted(m.to[0] for m in mail.outbox) == sorted(prepared[k].person.email for k in ("aisha", "tom", "offered"))
    message = mail.outbox[0]
    assert message.subject == "Joining instructions (Working Together to Safeguard Children)"
    assert "Grace Okafor has written" in message.body and "Please read the 2023 guidance" in message.body
    sent = SessionMessage.objects.get()
    assert (sent.session, sent.sent_by, sent.recipients) == (session, prepared["trainer"], 3)
    assert "Messages sent (1)" in page and "Sent by Grace Okafor" in page
    client.force_login(training_manager())
    page = client.get(reverse("courses:manage-session", args=[session.pk])).content.decode()
    assert "Messages to delegates" in page and "1 sent" in page


@pytest.mark.parametrize("name", ["courses:register", "courses:session-messages", "courses:sign-in-sheet"])
def test_the_delegate_pages_run_the_same_number_of_queries_for_1_and_100_delegates(client, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    session = SessionFactory(capacity=200)
    client.force_login(training_manager())
    url = reverse(name, args=[session.pk])
    BookingFactory(session=session, person=UserFactory(target_group=TargetGroupFactory(number=2)))
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    group = TargetGroupFactory(number=3)
    for _ in range(99):
        BookingFactory(session=session, person=UserFactory(target_group=group))
    with CaptureQueriesContext(connection) as hundred:
        client.get(url)
    assert len(one) == len(hundred)
