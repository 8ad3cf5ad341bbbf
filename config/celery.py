"""The Celery app: configured from Django settings (CELERY_*), tasks found in each app."""

import logging.config
from pathlib import Path

from celery import Celery, signals
from kombu.transport import TRANSPORT_ALIASES

from common import logcontext
from config.env import choose_settings

# The worker and beat choose their settings as the web server does: ENVIRONMENT, from the
# environment or the env file.
choose_settings()

# `filesystem://` (the broker `make run` uses without Redis) writes each message whole before a worker
# can take it: see config/broker_files.py.
TRANSPORT_ALIASES["filesystem"] = "config.broker_files:Transport"

app = Celery("lscb")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_filesystem_broker_folders() -> None:
    """kombu's filesystem transport expects its folders to exist already."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


# When the configuration is first read, not at import: reading it here would load the settings
# before the web server's entry point has chosen them (config/wsgi.py).
@app.on_after_configure.connect
def _make_broker_folders(sender, **kwargs):
    if str(app.conf.broker_url).startswith("filesystem://"):
        ensure_filesystem_broker_folders()


@signals.before_task_publish.connect
def note_beat_heartbeat(sender=None, headers=None, **kwargs):
    """Beat sending the heartbeat is beat's own heartbeat. The scheduler names the schedule entry in
    the message it sends, so the task run by hand counts for nothing."""
    from config import health

    if sender == health.HEARTBEAT_TASK and (headers or {}).get("periodic_task_name") == health.HEARTBEAT_ENTRY:
        health.record_beat_heartbeat()


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
