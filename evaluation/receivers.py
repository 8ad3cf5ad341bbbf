"""Ask at once when courses reports a confirmed place or a closed register; the hourly sweep
catches anything missed (the same code, safe to run twice)."""

import logging

from django.dispatch import receiver

from courses.models import Booking, Session
from courses.signals import booking_confirmed, register_closed

logger = logging.getLogger(__name__)


def _sweep():
    from .tasks import send_invitations

    try:
        send_invitations.delay()
    except Exception:  # the broker is down: the hourly sweep sends them
        logger.warning("Could not queue the evaluation invitations; the hourly sweep will send them", exc_info=True)


@receiver(register_closed, sender=Session)
def ask_those_who_attended(sender, **kwargs):
    _sweep()


@receiver(booking_confirmed, sender=Booking)
def ask_before_the_course(sender, **kwargs):
    _sweep()
