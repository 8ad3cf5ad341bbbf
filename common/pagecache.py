"""Whole pages served from the cache between writes.

The pages most people open (the catalogue, a course, "My training", the training manager's
sessions, the TNA overview, attendance against need, the Board dashboard) take 10-70 ms of
Python to build: model instances and template rendering, not the database. Their content depends
on the data and on who is looking (roles and agency, or the person for "My training"), so a page
built once can serve everyone in the same position until something changes.

How it stays right:
- one generation number for all pages, changed after every write: any POST, PUT, PATCH or DELETE
  request, and any save or delete of a model in the service's apps (so the worker, the management
  commands and the tests invalidate too). A page's key includes the generation, so a write makes
  every cached page unreachable at once; nothing has to know which page shows what;
- PAGE_CACHE_SECONDS (default 60) bounds what no signal sees: bulk updates by the worker and time
  passing (a session that has started leaves the catalogue within a minute);
- the two personal parts of the layout, the person's name in the header and the CSRF token in
  forms, are rendered as placeholders and filled in for each response;
- a page with a message to show (after a redirect) is never served from or stored in the cache.

A decorated view's content may depend only on its path and query, and on the person's roles and
agency (or only their roles, or the person: the `per` argument). Put it under the permission decorator, so the
permission is checked before the cache is read. The generation lives in the shared cache (Redis,
or files under var/ on one machine: see CACHE_URL), so every web and worker process sees a write;
the built pages stay in each web process's memory (the "pages" cache).
"""

import functools
import hashlib
import threading
import time
from contextvars import ContextVar

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache, caches
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.html import escape
from django.utils.safestring import mark_safe

GENERATION_KEY = "pagecache:generation"
# Placeholders for the personal parts; neither can occur in escaped page content.
CSRF_PLACEHOLDER = "<!--csrf-token-->"
NAME_PLACEHOLDER = "<!--account-name-->"

# Apps whose saves can change what pages show. Every model counts, even the audit trail: fewer
# rules to keep right is worth a few more rebuilds.
WATCHED_APPS = {"accounts", "courses", "tna", "pool", "evaluation", "reports", "transfer"}


def is_shared(request) -> bool:
    """Whether this request is building a page for the cache (the context processors ask)."""
    return getattr(request, "building_shared_page", False)


# The generation as this request first read it: one read of the shared cache per request.
_request_generation: ContextVar[str | None] = ContextVar("page_generation", default=None)


def generation() -> str:
    value = _request_generation.get()
    if value is None:
        value = cache.get(GENERATION_KEY)
        if value is None:
            cache.add(GENERATION_KEY, str(time.time_ns()), None)
            value = cache.get(GENERATION_KEY)
        _request_generation.set(value)
    return value


def bump() -> None:
    """Every cached page is out of date from now on."""
    value = str(time.time_ns())
    cache.set(GENERATION_KEY, value, None)
    _request_generation.set(value)


def remembered(key: str, build):
    """What `build()` returns, kept in this process's memory until the next write (or for
    PAGE_CACHE_SECONDS). For values every request needs, such as the signed-in person."""
    seconds = settings.PAGE_CACHE_SECONDS
    if not seconds:
        return build()
    local, full_key = caches["pages"], f"pagecache:memo:{key}:{generation()}"
    value = local.get(full_key)
    if value is None:
        value = build()
        if value is not None:
            local.set(full_key, value, seconds)
    return value


def data_changed(sender, using=None, **kwargs) -> None:
    """post_save / post_delete / m2m_changed: bump now, and again once the change is committed,
    since a page rebuilt in between would be stored under the new generation with the old data."""
    meta = getattr(sender, "_meta", None)
    if meta is None or meta.app_label not in WATCHED_APPS:
        return
    bump()
    if transaction.get_connection(using).in_atomic_block:
        transaction.on_commit(bump, using=using, robust=True)


# Whose page it is, beyond the roles that shape every page's menu.
PER_ROLES, PER_AGENCY, PER_PERSON = "roles", "agency", "person"


def _audience(request, per: str) -> str:
    user = request.user
    if not user.is_authenticated:
        return "anonymous"
    roles = ",".join(sorted(user.role_names))
    who = {PER_ROLES: "", PER_AGENCY: f"agency {user.agency_id}", PER_PERSON: f"person {user.pk}"}[per]
    return f"{who}|{roles}|{int(user.is_active)}{int(user.is_superuser)}{int(user.is_staff)}"


def _personalise(content: bytes, request) -> bytes:
    if CSRF_PLACEHOLDER.encode() in content:
        content = content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
    if NAME_PLACEHOLDER.encode() in content:
        content = content.replace(NAME_PLACEHOLDER.encode(), escape(account_name(request.user)).encode())
    return content


def account_name(user) -> str:
    return getattr(user, "full_name", "") or "Your details"


def layout_context(request) -> dict:
    """The layout's personal values: placeholders while a shared page is being built."""
    if is_shared(request):
        return {"csrf_token": mark_safe(CSRF_PLACEHOLDER), "account_name": mark_safe(NAME_PLACEHOLDER)}
    return {"account_name": account_name(getattr(request, "user", None))}


_builders: dict[str, threading.Event] = {}
_builders_lock = threading.Lock()
BUILD_WAIT_SECONDS = 2.0


def _wait_for_builder(key: str, pages):
    """None if this thread is to build the page (nobody else in this process is); otherwise what
    the builder stored, or None (then build it too) if it stored nothing in time."""
    with _builders_lock:
        building = _builders.get(key)
        if building is None:
            _builders[key] = threading.Event()
            return None
    building.wait(BUILD_WAIT_SECONDS)
    return pages.get(key)


def _built(key: str) -> None:
    with _builders_lock:
        building = _builders.pop(key, None)
    if building is not None:
        building.set()


def shared_page(view=None, *, per: str = PER_AGENCY):
    """Serve this GET view from the cache between writes (see the module's docstring). `per` says
    what besides the roles the content depends on: PER_ROLES (the same for everyone with the same
    roles, such as the catalogue), PER_AGENCY (the default) or PER_PERSON."""
    if per not in (PER_ROLES, PER_AGENCY, PER_PERSON):
        raise ValueError(f"per must be {PER_ROLES!r}, {PER_AGENCY!r} or {PER_PERSON!r}")

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            seconds = settings.PAGE_CACHE_SECONDS
            if not seconds or request.method not in ("GET", "HEAD") or len(messages.get_messages(request)):
                return view(request, *args, **kwargs)
            parts = (view.__module__, view.__qualname__, request.get_full_path(), _audience(request, per), generation())
            key = "pagecache:page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()
            pages = caches["pages"]
            cached = pages.get(key)
            if cached is None:
                # Right after a write every reader misses at once: one thread of this process
                # builds the page and the others wait for it rather than all building it.
                cached = _wait_for_builder(key, pages)
            if cached is not None:
                content_type, content = cached
                return HttpResponse(_personalise(content, request), content_type=content_type)
            request.building_shared_page = True
            try:
                response = view(request, *args, **kwargs)
            finally:
                request.building_shared_page = False
                _built(key)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            cacheable = (
                response.status_code == 200
                and not response.streaming
                and not response.cookies
                and response.get("Content-Type", "").startswith("text/html")
                and not response.has_header("Refresh")
            )
            if cacheable:
                pages.set(key, (response["Content-Type"], response.content), seconds)
            if not response.streaming:
                response.content = _personalise(response.content, request)
            return response

        return wrapper

    return decorate(view) if view is not None else decorate


class PageCacheMiddleware:
    """Reads the generation once per request, and after any request that may have written (POST
    and the like) makes every cached page out of date: views that change data with bulk updates
    send no signals, but they all answer a POST."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_generation.set(None)
        try:
            response = self.get_response(request)
        finally:
            _request_generation.reset(token)
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            bump()
            _request_generation.set(None)
        return response
