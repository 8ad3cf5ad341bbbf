"""Rate limits for the pages that send email or accept signed links, so nobody can use them to
flood inboxes or to guess tokens. Counted per client address in the cache (Redis in production,
shared by every web process); a fixed window is enough for this."""

import time
from functools import wraps

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

# scope: (requests allowed, per seconds). Only the methods listed count.
LIMITS = {
    "sign-up": (10, 3600, ("POST",)),
    "resend-verification": (5, 3600, ("POST",)),
    "password-reset": (5, 3600, ("POST",)),
    "signed-link": (30, 600, ("GET", "POST")),
    "two-step": (10, 600, ("POST",)),
}


def _over_limit(request, scope: str) -> int:
    """Count this request; return the seconds to wait if it is over the limit, else 0."""
    limit, period, methods = LIMITS[scope]
    if request.method not in methods:
        return 0
    window = int(time.time() // period)
    key = f"ratelimit:{scope}:{get_client_ip_address(request) or 'unknown'}:{window}"
    cache.add(key, 0, timeout=period)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period)
        count = 1
    if count > limit:
        return period - int(time.time()) % period
    return 0


def rate_limited(scope: str):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if settings.RATE_LIMITS_ENABLED:
                wait = _over_limit(request, scope)
                if wait:
                    minutes = max(1, (wait + 59) // 60)
                    return render(request, "429.html", {"minutes": minutes}, status=429)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
