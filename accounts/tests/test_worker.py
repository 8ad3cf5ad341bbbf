"""A task sent through Redis is run by a real Celery worker process against the test database."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from accounts.models import OutgoingEmail
from accounts.tasks import send_outgoing_email
from config.celery import app

ROOT = Path(__file__).resolve().parents[2]


def database_url_for_test_database() -> str:
    """The same server as DATABASE_URL, but the database this test run created."""
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker(tmp_path):
    """A worker on its own queue, so it never takes another test's (or `make run`'s) tasks."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "false",
        "DATABASE_URL": database_url_for_test_database(),
        "CELERY_BROKER_URL": os.environ["REDIS_URL"],
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue, "-P", "solo",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    yield queue, tmp_path / "mail", process
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_an_email_task_sent_through_redis_is_sent_by_a_real_worker(worker):
    queue, mail_dir, process = worker
    email = OutgoingEmail.objects.create(
        to=["aisha.khan@example.org"], subject="Your place is confirmed", body_text="Working Together: Level 2"
    )
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # the test settings run tasks in-process; not this one
    try:
        with app.connection_for_write(os.environ["REDIS_URL"]) as conn:
            send_outgoing_email.apply_async(args=[email.pk], connection=conn, queue=queue)
    finally:
        app.conf.task_always_eager = eager

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        email.refresh_from_db()
        if email.sent_at or process.poll() is not None:
            break
        time.sleep(0.25)

    assert process.poll() is None, process.stdout.read()
    assert email.sent_at is not None, "the worker did not send the email within 60 seconds"
    written = "".join(p.read_text() for p in mail_dir.iterdir())
    assert "Subject: Your place is confirmed" in written
    assert "aisha.khan@example.org" in written
