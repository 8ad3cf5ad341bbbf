"""Error pages that must work when the database does not, and the health checks."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from common.logcontext import error_reference
from config import health


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


def _heartbeats(heartbeats: dict[str, health.Heartbeat]) -> dict:
    answer = {name: beat.state for name, beat in heartbeats.items()}
    answer.update({f"{name}_seconds_ago": beat.seconds_ago for name, beat in heartbeats.items()})
    return answer


@require_safe  # probes GET or HEAD; nothing to send
@never_cache
def healthz(request):
    """Whether this web server can serve pages: 200 when the database, the broker and the shared
    cache answer, 503 otherwise (what a load balancer asks before sending it visitors).

    Beat and the workers are reported beside them but never fail this check: a stopped worker
    leaves every web server able to serve pages, and taking them all out of the load balancer
    would close the site. `healthz_background` is the check that fails for them."""
    checks = {"database": health.database_ok(), "broker": health.broker_ok(), "cache": health.cache_ok()}
    healthy = all(checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            **{name: "ok" if answered else "unavailable" for name, answered in checks.items()},
            **_heartbeats(health.background_work()),
        },
        status=200 if healthy else 503,
    )


@require_safe
@never_cache
def healthz_background(request):
    """Whether beat sends its heartbeat and a worker runs it: 200 when both did within
    HEARTBEAT_STALE_SECONDS, 503 otherwise (for monitoring, not for a load balancer)."""
    heartbeats = health.background_work()
    healthy = all(beat.ok for beat in heartbeats.values())
    return JsonResponse(
        {"status": "ok" if healthy else "stale", **_heartbeats(heartbeats)}, status=200 if healthy else 503
    )
