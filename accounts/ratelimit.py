"""Rate limits for the forms that send email or check a secret, and for the pages that accept
emailed links, so nobody can use them to flood inboxes, guess codes or try tokens.

Counting is django-ratelimit's (`get_usage`: a fixed window per key in the shared cache, Redis
in production). Its app is not installed, only its counter is used: its system checks refuse the
file cache `make run` uses on one machine and warn about Django's own Redis cache, neither of
which is a problem for counting here.

Each kind of form and each kind of emailed link has its own allowance per client address
(`common.clientip.client_address`, the address the sign-in lockout uses too), so using up one
(say, many people in one training room answering the evaluation) never blocks another (a line
manager approving a place from the same network).
"""

from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import get_usage


@dataclass(frozen=True)
class Allowance:
    requests: int
    seconds: int
    methods: tuple[str, ...]

    @property
    def rate(self) -> str:
        return f"{self.requests}/{self.seconds}s"


POST = ("POST",)
READ_AND_POST = ("GET", "POST")

LIMITS = {
    # Forms. Axes also locks one email from one address after a few wrong passwords; this stops one
    # address trying many accounts. Generous: a whole agency may sign in from one network.
    "sign-in": Allowance(60, 600, POST),
    "sign-up": Allowance(10, 3600, POST),
    "resend-verification": Allowance(5, 3600, POST),
    "password-reset": Allowance(5, 3600, POST),
    "two-step": Allowance(10, 600, POST),
    # The public certificate check shows a name for a code: no walking through codes.
    "certificate-check": Allowance(60, 600, ("GET",)),
    # Emailed links, one allowance per kind.
    "verification-link": Allowance(30, 600, READ_AND_POST),
    "password-reset-link": Allowance(30, 600, READ_AND_POST),
    "approval-link": Allowance(30, 600, READ_AND_POST),
    "assignment-link": Allowance(30, 600, READ_AND_POST),
    # A room of delegates on one network answers straight after the course: each opens and sends.
    "evaluation-link": Allowance(120, 600, READ_AND_POST),
}


def _seconds_to_wait(request, scope: str) -> int:
    """Count this request against the scope's allowance; the seconds to wait if it is over, else 0."""
    allowance = LIMITS[scope]
    usage = get_usage(
        request,
        group=f"lscb:{scope}",
        key="ip",  # the client address through the trusted proxies (RATELIMIT_IP_META_KEY)
        rate=allowance.rate,
        method=list(allowance.methods),
        increment=True,
    )
    if usage is None or not usage["should_limit"]:
        return 0
    # time_left is -1 when the cache could not be read: refuse for a minute rather than let through.
    return max(usage["time_left"], 60)


def rate_limited(scope: str):
    """Answer 429 with a plain page once the client has used up the scope's allowance."""
    if scope not in LIMITS:
        raise KeyError(f"No allowance named {scope!r}")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if settings.RATE_LIMITS_ENABLED:
                wait = _seconds_to_wait(request, scope)
                if wait:
                    minutes = max(1, (wait + 59) // 60)
                    return render(request, "429.html", {"minutes": minutes}, status=429)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
