from celery import shared_task

from . import services


@shared_task
def send_invitations():
    """Beat (hourly) and after a register closes or a place is confirmed. Safe to run twice."""
    return services.send_due_invitations()


@shared_task
def send_reminders():
    return services.send_reminders()
