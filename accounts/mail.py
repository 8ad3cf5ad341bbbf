"""Queueing email: render now, store in the outbox, send from the worker."""

import logging

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from .models import OutgoingEmail
from .selectors import partnership

logger = logging.getLogger(__name__)


def queue_email(
    *, to: str | list[str], subject: str, template: str, context: dict, attachments: list[dict] | None = None
) -> OutgoingEmail:
    """Write an email to the outbox and ask the worker to send it once the transaction commits.

    `template` names `templates/emails/<template>.txt`; the service's name and
    the partnership's (the name its emails are signed with) are added to the context. `attachments` are text files:
    dicts with "filename", "content" and "mimetype".
    """
    recipients = [to] if isinstance(to, str) else list(to)
    full_context = {
        "service_name": settings.SERVICE_NAME,
        "partnership_name": partnership().signature,
        "support_email": settings.SUPPORT_EMAIL,
        **context,
    }
    email = OutgoingEmail.objects.create(
        to=recipients,
        subject=subject,
        body_text=render_to_string(f"emails/{template}.txt", full_context),
        attachments=attachments or [],
    )
    transaction.on_commit(lambda: enqueue_send(email.pk))
    return email


def enqueue_send(email_id: int) -> None:
    """Hand the email to the worker. If the broker is down the email stays in
    the outbox and `send_pending_emails` sends it when the broker is back."""
    from .tasks import send_outgoing_email

    try:
        send_outgoing_email.delay(email_id)
    except Exception:  # the broker's errors vary by transport; none may fail the request
        logger.warning("Could not queue email %s; the outbox sweep will send it", email_id, exc_info=True)
