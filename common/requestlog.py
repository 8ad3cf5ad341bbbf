"""One line per request, and the request id every line of the request carries.

The id comes from the proxy's `X-Request-ID` when a proxy is trusted and the id looks safe, else it
is made here; it is returned in the response's `X-Request-ID`, bound for every log line written while
the request is handled, and carried into the tasks the request queues (config/celery.py).
The request line says what an IT team needs and nothing more: method, path (never the query string,
which may hold a search for someone's name), status, time taken, the account's id (never its email)
and the client's real address (common/clientip.py).
"""

import logging
import re
import time

from django.conf import settings
from django.shortcuts import render

from . import logcontext
from .clientip import client_address

logger = logging.getLogger("request")

REQUEST_ID_HEADER = "X-Request-ID"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def printable(text: str) -> str:
    """Control characters written as escapes, so a path cannot break a text log line."""
    return _CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode(), text)


class RequestLogMiddleware:
    """First in MIDDLEWARE: it times everything after it and sees the answer of every error page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID") if settings.TRUSTED_PROXY_COUNT else None
        context = logcontext.LogContext(request_id=logcontext.request_id_from(incoming))
        token = logcontext.bind(context)
        started = time.monotonic()
        try:
            try:
                response = self.get_response(request)
            except Exception:
                # Even the error page failed: the server answers 500 and logs the traceback; this line
                # still says which request it was.
                self.log(request, 500, time.monotonic() - started)
                raise
            response[REQUEST_ID_HEADER] = context.request_id
            self.log(request, response.status_code, time.monotonic() - started)
            # Django would log a 4xx answered without an exception again ("Bad Request: /path") after
            # this middleware, without the request id: the line above says it.
            response._has_been_logged = True
            return response
        finally:
            logcontext.unbind(token)

    def log(self, request, status: int, seconds: float) -> None:
        # The account as the request already found it: looking it up here would cost a query on pages
        # that never did (and fail when the database is down).
        user = getattr(request, "_cached_user", None)
        duration_ms = round(seconds * 1000, 1)
        path = printable(request.path)
        logger.log(
            logging.WARNING if status >= 500 else logging.INFO,
            "%s %s %s %sms",
            request.method,
            path,
            status,
            duration_ms,
            extra={
                "method": request.method,
                "path": path,
                "status": status,
                "duration_ms": duration_ms,
                "user_id": user.pk if user is not None and user.is_authenticated else None,
                "client": client_address(request),
            },
        )


class RefuseControlCharactersMiddleware:
    """Answers 400 to a request no person could have typed: a control character in the path, or a NUL
    in the query, a form value or name, a cookie or an upload's file name.

    PostgreSQL cannot store a NUL, so one reaching a lookup (`/certificates/%00.pdf`) was a 500; a
    browser never sends one from a keyboard. Refusing here covers every page at once, including the
    lookups of pages still to be written. Other control characters in typed values (a vertical tab
    pasted from a word processor) go on to the form, which accepts or explains them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = self.problem(request)
        if problem:
            logger.warning("Refused (400): %s, %s %s", problem, request.method, printable(request.path))
            return render(request, "400.html", status=400)
        return self.get_response(request)

    @staticmethod
    def problem(request) -> str | None:
        if _CONTROL.search(request.path_info):
            return "a control character in the path"
        if any("\x00" in key or "\x00" in value for key, value in request.COOKIES.items()):
            return "a NUL in a cookie"
        if _has_nul(request.GET):
            return "a NUL in the query"
        if request.method == "POST" and _has_nul(request.POST):
            return "a NUL in a form value"
        return None


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())
