from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services


@shared_task(
    bind=True,
    acks_late=True,  # a worker that dies mid-build leaves the message for another
    reject_on_worker_lost=True,
    soft_time_limit=300,
    time_limit=360,
    autoretry_for=(OperationalError, InterfaceError),  # the database blinked: try again
    retry_backoff=10,
    retry_kwargs={"max_retries": 3},
)
def build_report(self, run_id: int):
    """Build one report run. Safe to run twice; never builds the same run twice at once."""
    try:
        run = services.build_run(run_id)
    except (OperationalError, InterfaceError):
        if self.request.retries >= 3:
            services.record_failure(run_id, Exception("the database was unavailable"))
        else:
            services.release(run_id)
        raise
    except Exception as error:
        services.record_failure(run_id, error)
        raise
    return run.pk if run else None


@shared_task
def requeue_stale_runs():
    return services.requeue_stale_runs()
