"""Log filters the logging settings name."""

import logging
import re

_FORBIDDEN = re.compile(r"Forbidden(?: \((?P<reason>.*)\))?: ")


class BriefRefusals(logging.Filter):
    """A refused request (403) is logged on one line: who, which path, why.

    Django logs a PermissionDenied with its whole traceback, which says nothing about a refusal that the
    line does not; a person probing pages they may not see would fill the log with them. Who is the
    account's id (never its email: logs are not the place for personal data)."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Applying the logging settings again (the worker does, after Django) adds the filter again.
        if getattr(record, "status_code", None) != 403 or getattr(record, "refusal_briefed", False):
            return True
        record.refusal_briefed = True
        request = getattr(record, "request", None)
        match = _FORBIDDEN.match(record.getMessage())
        reason = (match and match["reason"]) or "Forbidden"
        error = record.exc_info[1] if record.exc_info else None
        if error is not None and str(error):
            reason = f"{reason}: {error}"
        user = getattr(request, "user", None)
        who = f"user {user.pk}" if user is not None and user.is_authenticated else "anonymous"
        where = f"{request.method} {request.path}" if request is not None else "unknown path"
        record.msg, record.args = "Refused (403): %s, %s: %s", (who, where, reason)
        record.exc_info = record.exc_text = record.stack_info = None
        return True


class OneLineProbes(logging.Filter):
    """A request Django refused as suspicious (answered 400: a Host header not in ALLOWED_HOSTS, a form
    with too many fields) is one warning line. The message says what was wrong; the traceback only says
    where Django noticed it, and a scanner sending other Host headers would fill the log (and, at ERROR,
    the admins' inboxes and the error tracker) with them. Set on the loggers, so it runs before any
    handler chooses by level."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = record.exc_text = record.stack_info = None
        if record.levelno > logging.WARNING:
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True
