"""The one log format of the web server, the worker and beat: a JSON object per line.

Each line has `time` (UTC, ISO 8601), `level`, `logger` and `message`, then what the context adds
(`request_id`, `error_reference`, `task`, `task_id`), what the request line adds (`method`, `path`,
`status`, `duration_ms`, `user_id`, `client`) and any `extra` a caller gave. A traceback is the
`traceback` field of the same line, never lines of its own. `LOG_FORMAT=text` prints the same records
as readable lines for a developer's console.
"""

import logging
from datetime import UTC, datetime

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

# Extras that are objects, not facts for a line: Django's `request` (its repr), runserver's
# `server_time`, Celery's `data` (the task's arguments and result, already named in the message).
_NOT_WRITTEN = {"request", "server_time", "data", "status_code", "color_message", "refusal_briefed"}


class JsonLines(_JsonFormatter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, *_NOT_WRITTEN])
        super().__init__(*args, **kwargs)

    def add_fields(self, log_data, record, message_dict):
        log_data["time"] = datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")
        log_data["level"] = record.levelname
        log_data["logger"] = record.name
        log_data["message"] = record.getMessage()
        if getattr(record, "status_code", None) is not None and "status" not in record.__dict__:
            log_data["status"] = record.status_code
        super().add_fields(log_data, record, message_dict)
        if "exc_info" in log_data:
            log_data["traceback"] = log_data.pop("exc_info")


class TextLines(logging.Formatter):
    """`time LEVEL logger message [request id]` with the traceback below, for `make run`."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        tags = [getattr(record, name, None) for name in ("error_reference", "request_id", "task")]
        tags = [str(tag) for tag in tags if tag]
        if not tags:
            return line
        first, newline, rest = line.partition("\n")
        return f"{first} [{' '.join(tags)}]{newline}{rest}"


def logging_config(*, log_format: str, level: str) -> dict:
    """The `LOGGING` dictionary, for Django's settings, the worker, beat and gunicorn alike."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": "common.logformat.JsonLines"},
            "text": {"()": "common.logformat.TextLines"},
        },
        "filters": {
            "context": {"()": "common.logcontext.AddContext"},
            "brief_refusals": {"()": "common.logfilters.BriefRefusals"},
            "one_line_probes": {"()": "common.logfilters.OneLineProbes"},
            "debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["context"],
            },
            # Errors by email to ADMINS, straight to SMTP (not the outbox: the error may be the database).
            "admins": {
                "class": "common.errormail.ErrorEmailHandler",
                "level": "ERROR",
                "filters": ["context", "debug_false"],
            },
        },
        "root": {"handlers": ["console", "admins"], "level": level},
        "loggers": {
            # Django's own console and email handlers (under DEBUG, and for every ERROR) printed every
            # request warning a second time: its loggers pass everything to the handlers above instead.
            "django": {"handlers": [], "level": "INFO", "propagate": True},
            # A refusal (403) is one line, who, path and why, not a traceback.
            "django.request": {"filters": ["brief_refusals"]},
            "django.security.csrf": {"filters": ["brief_refusals"]},
            # A request refused as suspicious (a probe with another Host header, a form too big) is one
            # warning line about the client, not an error of the service with its traceback.
            **{f"django.security.{name}": {"filters": ["one_line_probes"]} for name in SUSPICIOUS_REQUESTS},
            # The request line (common/requestlog.py) says what runserver's and gunicorn's access lines said.
            "django.server": {"handlers": [], "propagate": False},
            "gunicorn.access": {"handlers": [], "propagate": False},
            "gunicorn.error": {"handlers": [], "propagate": True},
            "celery": {"handlers": [], "propagate": True},
            # WeasyPrint reports every step of every PDF at INFO.
            "weasyprint": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
            "axes": {"level": "WARNING"},
        },
    }


# Django logs each of these SuspiciousOperation kinds on `django.security.<name>`.
SUSPICIOUS_REQUESTS = (
    "DisallowedHost",
    "DisallowedRedirect",
    "SuspiciousOperation",
    "SuspiciousFileOperation",
    "SuspiciousMultipartForm",
    "SuspiciousSession",
    "RequestDataTooBig",
    "TooManyFieldsSent",
    "TooManyFilesSent",
)
