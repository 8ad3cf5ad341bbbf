"""The Celery app: configured from Django settings (CELERY_*), tasks found in each app."""

import logging.config
import os
from pathlib import Path

from celery import Celery, signals

from common import logcontext

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("lscb")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_filesystem_broker_folders() -> None:
    """kombu's filesystem transport expects its folders to exist already."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


if str(app.conf.broker_url).startswith("filesystem://"):
    ensure_filesystem_broker_folders()


# Logging: the worker and beat write the service's own format (LOGGING), not Celery's. With a receiver
# for setup_logging Celery leaves the root logger alone; it is configured from the settings here.
@signals.setup_logging.connect
def use_the_services_logging(**kwargs):
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


# The request id of the request that queued a task travels in the task's headers, and the worker's
# lines for that task carry it (with the task's name and id).
REQUEST_ID_HEADER = "request_id"
_bound: dict[str, object] = {}


@signals.before_task_publish.connect
def carry_the_request_id(headers=None, **kwargs):
    context = logcontext.current()
    if headers is not None and context is not None and context.request_id:
        headers.setdefault(REQUEST_ID_HEADER, context.request_id)


@signals.task_prerun.connect
def bind_the_task(task_id=None, task=None, **kwargs):
    outer = logcontext.current()
    # Run in the request's own process (eagerly), the task has no headers but the request's context.
    # From a worker the headers are the request's own fields; from apply() they stay under `headers`.
    request_id = (
        task.request.get(REQUEST_ID_HEADER)
        or (task.request.headers or {}).get(REQUEST_ID_HEADER)
        or (outer.request_id if outer else None)
    )
    _bound[task_id] = logcontext.bind(logcontext.LogContext(request_id=request_id, task=task.name, task_id=task_id))


@signals.task_postrun.connect
def unbind_the_task(task_id=None, **kwargs):
    token = _bound.pop(task_id, None)
    if token is not None:
        logcontext.unbind(token)
