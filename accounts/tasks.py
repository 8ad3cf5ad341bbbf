import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.utils import timezone

from .models import OutgoingEmail

logger = logging.getLogger(__name__)

CLAIM_FOR = timedelta(minutes=5)
MAX_ATTEMPTS = 8


class DeliveryFailed(Exception):
    pass


def deliver_email(email_id: int) -> bool:
    """Send one email from the outbox. Safe to run twice: the first run claims it,
    a second finds it sent or claimed and does nothing. Returns whether it sent."""
    now = timezone.now()
    claimed = (
        OutgoingEmail.objects.filter(pk=email_id, sent_at__isnull=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + CLAIM_FOR, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    email = OutgoingEmail.objects.get(pk=email_id)
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.body_text, from_email=settings.DEFAULT_FROM_EMAIL, to=email.to
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for attachment in email.attachments:
        message.attach(attachment["filename"], attachment["content"], attachment.get("mimetype", "text/plain"))
    try:
        message.send()
    except Exception as exc:
        OutgoingEmail.objects.filter(pk=email_id).update(claimed_until=None, last_error=str(exc)[:2000])
        raise DeliveryFailed(f"email {email_id}: {exc}") from exc
    OutgoingEmail.objects.filter(pk=email_id).update(sent_at=timezone.now(), claimed_until=None, last_error="")
    return True


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def send_outgoing_email(self, email_id: int) -> bool:
    try:
        return deliver_email(email_id)
    except DeliveryFailed as exc:
        raise self.retry(exc=exc)


@shared_task
def send_pending_emails() -> int:
    """Beat task: send what the broker never delivered (it was down, or a worker died)."""
    now = timezone.now()
    pending = list(
        OutgoingEmail.objects.filter(
            sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS, created_at__lt=now - timedelta(minutes=1)
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("created_at")
        .values_list("pk", flat=True)[:200]
    )
    sent = 0
    for email_id in pending:
        try:
            sent += deliver_email(email_id)
        except DeliveryFailed:
            logger.warning("Email %s failed again; it will be retried", email_id, exc_info=True)
    return sent


@shared_task
def apply_retention():
    """Daily: remove personal data past the periods the training manager set. Safe to run twice."""
    from .retention import apply_retention as apply

    return apply()
