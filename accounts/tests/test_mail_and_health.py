"""The outbox and the email tasks."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import OperationalError
from django.utils import timezone

from accounts.mail import queue_email
from accounts.models import OutgoingEmail
from accounts.tasks import deliver_email, send_pending_emails

pytestmark = pytest.mark.django_db


def make_email(**kwargs):
    return OutgoingEmail.objects.create(
        to=["aisha.khan@example.org"], subject="Your place is confirmed", body_text="See you there", **kwargs
    )


def test_queued_email_is_sent_by_the_task_once_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = queue_email(
            to="aisha.khan@example.org",
            subject="Confirm your email address",
            template="verify_email",
            context={"person": {"full_name": "Aisha Khan"}, "link": "https://x.example/verify", "days": 3},
        )
        assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert [m.subject for m in mail.outbox] == ["Confirm your email address"]
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 1


def test_delivering_twice_sends_once():
    email = make_email()
    assert deliver_email(email.pk) is True
    assert deliver_email(email.pk) is False
    assert len(mail.outbox) == 1


def test_an_email_claimed_by_another_worker_is_left_alone():
    email = make_email(claimed_until=timezone.now() + timedelta(minutes=3))
    assert deliver_email(email.pk) is False
    assert mail.outbox == []


def test_the_sweep_sends_what_the_broker_never_delivered():
    stale = make_email()
    OutgoingEmail.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    fresh = make_email()  # its own task is probably still on the way
    assert send_pending_emails() == 1
    stale.refresh_from_db(), fresh.refresh_from_db()
    assert stale.sent_at and not fresh.sent_at


def test_a_broker_that_is_down_does_not_fail_the_request(monkeypatch, django_capture_on_commit_callbacks):
    from accounts import tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.send_outgoing_email, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_email(
            to="a@example.org",
            subject="Hello",
            template="verify_email",
            context={"person": {"full_name": "A"}, "link": "x", "days": 3},
        )
    email.refresh_from_db()
    assert email.sent_at is None  # waiting for the sweep
