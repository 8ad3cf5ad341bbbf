"""The Celery app: configured from Django settings (CELERY_*), tasks found in each app."""

from pathlib import Path

from celery import Celery
from celery.signals import before_task_publish

from config.env import choose_settings

# The worker and beat choose their settings as the web server does: ENVIRONMENT, from the
# environment or the env file.
choose_settings()

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


@before_task_publish.connect
def note_beat_heartbeat(sender=None, headers=None, **kwargs):
    """Beat sending the heartbeat is beat's own heartbeat. The scheduler names the schedule entry in
    the message it sends, so the task run by hand counts for nothing."""
    from config import health

    if sender == health.HEARTBEAT_TASK and (headers or {}).get("periodic_task_name") == health.HEARTBEAT_ENTRY:
        health.record_beat_heartbeat()
