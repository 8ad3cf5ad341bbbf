"""Errors by email to the people in ADMINS.

Sent straight through the email backend (SMTP in production), not through the outbox the worker
sends from: the error may be that the database or the broker is down, and the email must still go.
The email says where to look, not what the person was doing: the reference, the request id, the
method and path, the account's id and the traceback, never form values, cookies or anyone's details
(Django's own AdminEmailHandler attaches all of those).
"""

import logging
import threading
import time

from django.conf import settings
from django.core.mail import mail_admins

# The same error (the same logger and message) is emailed at most once in this period by each process:
# a database outage fails every request, and one email says it.
REPEAT_AFTER_SECONDS = 300


class ErrorEmailHandler(logging.Handler):
    def __init__(self):
        super().__init__()
        self._sent: dict[tuple[str, str], float] = {}
        self._sent_lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        if not settings.ADMINS:
            return
        try:
            first_line = record.getMessage().splitlines()[0] if record.getMessage() else record.name
            if not self._first_in_a_while((record.name, first_line)):
                return
            reference = getattr(record, "error_reference", None)
            subject = f"Error {reference}: {first_line}" if reference else f"Error: {first_line}"
            mail_admins(subject[:200], self.body(record), fail_silently=True)
        except Exception:
            self.handleError(record)

    def _first_in_a_while(self, key: tuple[str, str]) -> bool:
        now = time.monotonic()
        with self._sent_lock:
            last = self._sent.get(key)
            if last is not None and now - last < REPEAT_AFTER_SECONDS:
                return False
            self._sent[key] = now
            return True

    def body(self, record: logging.LogRecord) -> str:
        request = getattr(record, "request", None)
        facts = [
            ("Reference", getattr(record, "error_reference", None)),
            ("Request id", getattr(record, "request_id", None)),
            ("Task", getattr(record, "task", None)),
            ("Task id", getattr(record, "task_id", None)),
            ("Logger", record.name),
            ("Time (UTC)", time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(record.created))),
        ]
        if request is not None:
            facts.append(("Request", f"{request.method} {request.path}"))
            user = getattr(request, "_cached_user", None)  # only if the request already looked it up
            facts.append(("Account id", user.pk if user is not None and user.is_authenticated else "anonymous"))
        lines = [f"{label}: {value}" for label, value in facts if value is not None]
        lines += ["", record.getMessage()]
        if record.exc_info:
            lines += ["", logging.Formatter().formatException(record.exc_info)]
        lines += ["", "Search the logs for the reference or the request id to see every line of this request."]
        return "\n".join(lines)
