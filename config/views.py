"""Error pages that must work when the database does not."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

from common.logcontext import error_reference


def server_error(request):
    """500, or 503 with a plain "try again shortly" page when the database is unreachable.

    Both show the error's reference, which its log line, the admins' email and Sentry carry too, so
    the IT team can find the error from what a person reads out. Neither template touches the
    database or the context processors."""
    error = sys.exc_info()[1]
    context = {"reference": error_reference()}
    if isinstance(error, (OperationalError, InterfaceError)):
        response = HttpResponse(render_to_string("503.html", context), status=503)
        response["Retry-After"] = "60"
        return response
    return HttpResponse(render_to_string("500.html", context), status=500)
