"""A task sent through Redis is run by a real Celery worker process against the test database."""

import os
import time

import pytest
from celery import current_app as app

from accounts.models import OutgoingEmail
from accounts.tasks import send_outgoing_email


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
