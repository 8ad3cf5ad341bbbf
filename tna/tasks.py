from celery import shared_task

from . import services


@shared_task
def send_tna_reminders() -> int:
    return services.send_tna_reminders()
