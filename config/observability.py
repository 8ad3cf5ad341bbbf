"""Errors and logs: who is emailed about errors, and the optional error tracker (Sentry).

Read by the settings; the log format itself is common/logformat.py.
"""

import re

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email

_NAMED = re.compile(r"(?P<name>[^<>,]+?)\s*<(?P<email>[^<>\s]+)>")


def parse_admins(raw: str) -> list[tuple[str, str]]:
    """`ADMINS="IT service desk <itsd@council.example.gov.uk>, Sam Patel <sam.patel@council.example.gov.uk>"`:
    each entry `Name <address>` or a bare address. Anything else stops the site starting, so a typing
    mistake is not found on the day of the first error."""
    admins = []
    for entry in (part.strip() for part in raw.split(",")):
        if not entry:
            continue
        match = _NAMED.fullmatch(entry)
        name, email = (match["name"].strip(), match["email"]) if match else (entry, entry)
        try:
            validate_email(email)
        except ValidationError:
            raise ImproperlyConfigured(
                f"ADMINS: {entry!r} is not 'Name <address>' or an email address "
                "(separate people with commas; a name may not contain one)"
            ) from None
        admins.append((name, email))
    return admins


NO_PERSONAL_DATA = {
    "user_info": False,
    "cookies": {"mode": "off"},
    "http_headers": {"request": {"mode": "off"}},
    "http_bodies": [],
    "url_query_params": {"mode": "off"},
    "graphql": {"document": False, "variables": False},
    "gen_ai": {"inputs": False, "outputs": False},
    "database_query_data": False,
    "queues": False,
    "stack_frame_variables": False,
}


def init_sentry(*, dsn: str, environment: str, release: str, traces_sample_rate: float) -> None:
    """Errors of the web server, the worker and beat to Sentry, with no personal data: no user, no
    cookies, headers, query strings, form values or local variables; tagged with the reference the
    500 page shows and the request id."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # What Sentry may collect, category by category (it replaces the deprecated send_default_pii):
        # nothing about the person, no cookies, headers, query strings, bodies or local variables.
        data_collection=NO_PERSONAL_DATA,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=traces_sample_rate,
        before_send=without_personal_data,
        before_breadcrumb=breadcrumb_without_data,
    )


def without_personal_data(event: dict, hint: dict) -> dict:
    from common import logcontext

    request = event.get("request")
    if request:
        event["request"] = {key: request[key] for key in ("method", "url") if key in request}
    event.pop("user", None)
    tags = event.setdefault("tags", {})
    context = logcontext.current()
    if context is not None:
        if context.request_id:
            tags["request_id"] = context.request_id
            # An error in a request gets the reference its 500 page shows (made here if Sentry is first).
            tags["reference"] = logcontext.error_reference()
        if context.task_id:
            tags["task_id"] = context.task_id
    return event


def breadcrumb_without_data(crumb: dict, hint: dict) -> dict:
    # A log line's extras include the client's address; its message is enough to follow what happened.
    crumb.pop("data", None)
    return crumb


def env_float(name: str, default: float) -> float:
    import os

    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from None


def log_format_from_env(default: str) -> str:
    """LOG_FORMAT: `json` (one JSON object a line, for the log collector) or `text` (a console)."""
    import os

    value = os.environ.get("LOG_FORMAT", "").strip().lower() or default
    if value not in ("json", "text"):
        raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {os.environ['LOG_FORMAT']!r}")
    return value
