"""When the database or the broker is down, people see plain pages and nothing is lost."""

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_down(monkeypatch):
    def refuse(self):
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")

    def down():
        monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
        monkeypatch.setattr(BaseDatabaseWrapper, "_cursor", lambda self, name=None: refuse(self))

    return down


def test_with_the_database_down_pages_show_a_plain_503_and_healthz_says_so(database_down):
    client = Client(raise_request_exception=False)
    database_down()
    response = client.get(reverse("courses:catalogue"))
    assert response.status_code == 503
    page = response.content.decode()
    assert "Sorry, the service is unavailable" in page
    assert "Traceback" not in page and "OperationalError" not in page
    assert response["Retry-After"] == "60"
    health = client.get(reverse("healthz"))
    assert health.status_code == 503
    assert health.json()["database"] == "unavailable"


def test_any_other_failure_is_a_plain_500(monkeypatch):
    client = Client(raise_request_exception=False)
    from courses.views import catalogue

    monkeypatch.setattr(catalogue, "catalogue_courses", lambda **kwargs: 1 / 0)
    response = client.get(reverse("courses:catalogue"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


@pytest.fixture
def broker_at():
    """Point the site's Celery app at a broker address, as a web process configured with it would be."""
    from config.celery import app

    original, eager = app.conf.broker_url, app.conf.task_always_eager
    app.conf.task_always_eager = False

    def point(url):
        app.conf.broker_url = url
        app._pool = None  # connections are pooled per address: start afresh
        app.amqp._producer_pool = None

    yield point
    point(original)
    app.conf.task_always_eager = eager


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_with_redis_down_booking_works_and_its_email_is_sent_once_redis_is_back(
    client, worker, broker_at, target_groups
):
    import os
    import time
    from datetime import timedelta

    from django.utils import timezone

    from accounts.factories import UserFactory
    from accounts.models import OutgoingEmail
    from accounts.tasks import send_pending_emails
    from courses.factories import SessionFactory
    from courses.models import Booking, BookingStatus

    queue, mail_dir, process = worker
    session = SessionFactory(course__title="Working Together to Safeguard Children")
    person = UserFactory(email="aisha.khan@example.org")
    client.force_login(person)

    broker_at("redis://127.0.0.1:6399/0")  # nothing listens there: Redis is down
    assert client.get(reverse("courses:catalogue")).status_code == 200
    response = client.post(reverse("courses:book", args=[session.pk]), follow=True)
    assert "Booking confirmed" in response.content.decode()
    assert Booking.objects.get(person=person).status == BookingStatus.CONFIRMED
    email = OutgoingEmail.objects.get(to=["aisha.khan@example.org"])
    assert email.sent_at is None  # kept in the outbox, not lost

    broker_at(os.environ["REDIS_URL"])  # Redis is back: beat's sweep reaches a worker
    OutgoingEmail.objects.filter(pk=email.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    send_pending_emails.apply_async(queue=queue)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and email.sent_at is None and process.poll() is None:
        time.sleep(0.25)
        email.refresh_from_db()
    assert email.sent_at is not None, "the worker did not send the queued email"
    written = "".join(p.read_text() for p in mail_dir.iterdir())
    assert "aisha.khan@example.org" in written and "Working Together to Safeguard Children" in written


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_building_a_report_is_replaced_and_the_report_is_built_once(
    tmp_path, settings, target_groups
):
    """SIGKILL the worker as soon as it has claimed the run: the message was not acknowledged, so
    Redis gives it to the next worker once its visibility timeout passes; the dead worker's claim
    has run out by then, and the run is finished exactly once."""
    import os
    import signal
    import time
    import uuid
    from datetime import date

    from accounts.factories import board_member
    from config.celery import app
    from conftest import start_worker, stop_worker
    from reports.models import ReportKind, ReportRun, RunStatus
    from reports.tasks import build_report
    from tna.models import TrainingYear

    quick = {"CELERY_VISIBILITY_TIMEOUT": "6", "CELERY_RESTORE_INTERVAL": "1", "REPORT_CLAIM_SECONDS": "4"}
    queue = f"test-{uuid.uuid4().hex[:8]}"
    year = TrainingYear.objects.create(name="2026-27", starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31))
    run = ReportRun.objects.create(
        kind=ReportKind.ANNUAL,
        parameters={"year": year.pk},
        title="Annual training report 2026-27",
        requested_by=board_member(),
    )
    first = start_worker(tmp_path, queue, **quick)
    second = None
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with app.connection_for_write(os.environ["REDIS_URL"], transport_options={"visibility_timeout": 6}) as conn:
            build_report.apply_async(args=[run.pk], connection=conn, queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.status != RunStatus.QUEUED:
                break
            time.sleep(0.02)
        assert run.status == RunStatus.RUNNING, f"the first worker never claimed the run ({run.status})"
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)

        second = start_worker(tmp_path, queue, **quick)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and second.poll() is None:
            run.refresh_from_db()
            if run.is_finished:
                break
            time.sleep(0.5)
    finally:
        app.conf.task_always_eager = eager
        if second is not None:
            stop_worker(second)
    assert run.status == RunStatus.DONE, run.error
    assert run.attempts == 2  # claimed by the killed worker, then by its replacement
    settings.MEDIA_ROOT = tmp_path / "media"
    assert run.file.read(5) == b"%PDF-"
    assert len(list((tmp_path / "media" / "reports").rglob("*.pdf"))) == 1
