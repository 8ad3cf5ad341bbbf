"""The address a request came from, for sign-in lockout and rate limits.

Behind a proxy, `REMOTE_ADDR` is the proxy's address: counted by it, five wrong passwords from
anyone would lock an account for everyone, and one busy network would use up everyone's
allowance. Each proxy in front of the site appends the address it received the request from to
`X-Forwarded-For`, so with `TRUSTED_PROXY_COUNT` proxies the client is the entry that many places
from the right. Everything to the left of it was written by the client and can be anything, so it
is never read. With no trusted proxy (the default) the header is ignored and `REMOTE_ADDR` is used.

This is the only place the service reads the client's address: django-axes calls it
(`AXES_CLIENT_IP_CALLABLE`) and so do the rate limits (`RATELIMIT_IP_META_KEY`).
"""

import ipaddress

from django.conf import settings

UNKNOWN = "0.0.0.0"


def _address(value: str) -> str | None:
    """The address in one entry of the header, or None if it is not one (a misconfigured proxy)."""
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 203.0.113.7:51234
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_address(request) -> str:
    """The client's address: from `X-Forwarded-For`, counting `TRUSTED_PROXY_COUNT` entries from the
    right, or `REMOTE_ADDR` when no proxy is trusted (or the header is missing or unreadable)."""
    # A connection with no address (gunicorn on a Unix socket, with no proxy trusted) counts as one
    # client: the limits still hold, and the fix is to set TRUSTED_PROXY_COUNT.
    remote = _address(request.META.get("REMOTE_ADDR") or "") or UNKNOWN
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if not forwarded:
        return remote  # reached the site without passing the proxies (an internal health probe)
    # Fewer entries than proxies: the request entered after the outermost proxy; the left-most
    # entry was still written by a trusted proxy.
    entry = forwarded[-proxies] if len(forwarded) >= proxies else forwarded[0]
    return _address(entry) or remote
