"""What every log line says about the request or task it was written for.

The request's middleware (common/requestlog.py) and the worker's task signals (config/celery.py) bind
a context; `AddContext`, on every log handler, copies it onto each record, so a line written anywhere
during a request (a service's warning, Django's error, the request line itself) carries the same request
id, and a task queued by the request carries it into the worker's lines.
"""

import contextvars
import logging
import re
import secrets
import uuid
from dataclasses import dataclass

# An id the proxy sets is kept only if it is short and plain: it is written into every line and
# returned in a response header, so nothing a client sends may break a line or a header.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
# Read out over the phone: no 0/O, 1/I/L or U (Crockford's base 32).
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass
class LogContext:
    request_id: str | None = None
    error_reference: str | None = None
    task: str | None = None
    task_id: str | None = None


_current: contextvars.ContextVar[LogContext | None] = contextvars.ContextVar("log_context", default=None)


def current() -> LogContext | None:
    return _current.get()


def bind(context: LogContext) -> contextvars.Token:
    return _current.set(context)


def unbind(token: contextvars.Token) -> None:
    _current.reset(token)


def request_id_from(incoming: str | None) -> str:
    """The proxy's request id when it looks safe, else a new one."""
    if incoming and _SAFE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def error_reference() -> str:
    """The reference of the error the current request met, made on first asking: the 500 page shows
    it, the error's log line and email carry it and Sentry tags it, so what a person reads out finds
    the error. Eight characters, shown as two groups of four."""
    context = current()
    if context is None:
        return _new_reference()  # outside a request or task: nothing to show it on
    if context.error_reference is None:
        context.error_reference = _new_reference()
    return context.error_reference


def _new_reference() -> str:
    code = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"{code[:4]}-{code[4:]}"


class AddContext(logging.Filter):
    """Copies the bound context onto each record (on handlers, so it sees records from every logger)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = current()
        for name in ("request_id", "error_reference", "task", "task_id"):
            value = getattr(context, name, None) if context is not None else None
            if value is not None and getattr(record, name, None) is None:
                setattr(record, name, value)
        return True
