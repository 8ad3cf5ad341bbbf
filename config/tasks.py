"""The heartbeat beat sends every minute and a worker answers (config/health.py)."""

from celery import shared_task

from config import health


# Nothing to retry: a heartbeat missed is replaced by the next one a minute later.
@shared_task(name=health.HEARTBEAT_TASK, ignore_result=True, soft_time_limit=10, time_limit=20)
def record_heartbeat() -> None:
    health.record_worker_heartbeat()
