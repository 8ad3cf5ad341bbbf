"""Whole pages served from the cache between writes, and the "as at" time of every figure.

The pages most people open (the catalogue, a course, "My training", the training manager's
sessions, the TNA overview, attendance against need, the Board dashboard) and the working pages
read again between writes (a register, the people and charges lists, an agency's training, a
course's evaluation results, the pool's members, a TNA return) take 10-100 ms to build. Their
content depends on the data and on who is looking (roles and agency, or the person for "My
training" or a register), so a page built once can serve everyone in the same position until
something changes. The audit trail's own writes are ignored (below), so its page is kept with
a version too: its newest and oldest entries, asked on each request (`shared_page(version=...)`).

How it stays right:
- one generation for all pages, kept in the shared cache. A page's key includes it, so changing
  it makes every cached page unreachable at once; nothing has to know which page shows what;
- the generation changes after every write, whoever makes it: every database connection (web,
  worker, management commands, tests) carries a watcher that sees each statement as it runs
  (`watch_connection`). A statement that writes publishes a new generation once it is committed
  (at the end of its transaction, or straight after it in autocommit). Nothing depends on the code
  that writes remembering to say so: `.update()`, `bulk_create` and raw SQL count like a save;
- only the writing connection can see a change before it is committed. So from its first write
  until the commit, the writing thread reads and stores pages under a generation of its own (the
  shared one plus a token that changes again at each write after a read): it sees its own writes
  at once, and a page holding data that is then rolled back is never reachable by anyone else. A
  page another thread builds between the write and the commit is stored under a generation the
  commit replaces;
- the generation carries the time of the last committed write that can change a figure: the
  "as at" time of the Board dashboard and of every report, so a page and a PDF built at the same
  moment print the same figures and the same time. Writes that show on pages but in no figure (a
  report's own progress) change the generation but not the time;
- writes to tables that no page shows (sessions, sign-in attempts, the email outbox, the audit
  trail, the scheduler's bookkeeping) are ignored: settings.PAGE_CACHE_IGNORED_TABLES;
- PAGE_CACHE_SECONDS (default 60) bounds only what no write changes: time passing (a session that
  has started leaves the catalogue within a minute);
- the two personal parts of the layout, the person's name in the header and the CSRF token in
  forms, are rendered as placeholders and filled in for each response;
- a page with a message to show (after a redirect) is never served from or stored in the cache.

A decorated view's content may depend only on its path and query, and on the person's roles and
agency (or only their roles, or the person: the `per` argument). Put it under the permission
decorator, so the permission is checked before the cache is read. The generation lives in the
shared cache, which every web and worker process must see: Redis (CACHE_URL; production refuses to
start without it), or files under var/ for the processes of one machine. The built pages stay in
each web process's memory (the "pages" cache).
"""

import functools
import hashlib
import logging
import re
import secrets
import threading
import time
import weakref
from contextvars import ContextVar
from datetime import UTC, datetime

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache, caches
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.html import escape
from django.utils.safestring import mark_safe

logger = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
AS_AT_KEY = "pagecache:as-at"
# Placeholders for the personal parts; neither can occur in escaped page content.
CSRF_PLACEHOLDER = "<!--csrf-token-->"
NAME_PLACEHOLDER = "<!--account-name-->"


def is_shared(request) -> bool:
    """Whether this request is building a page for the cache (the context processors ask)."""
    return getattr(request, "building_shared_page", False)


# --- The generation ----------------------------------------------------------------------------


class _RequestGeneration:
    """The generation as this request first read it: one read of the shared cache per request."""

    value: str | None = None


_request: ContextVar[_RequestGeneration | None] = ContextVar("page_generation", default=None)
# Whether this thread has read the generation since its last write (see `_written`).
_observed: ContextVar[bool] = ContextVar("page_generation_observed", default=False)


def _read() -> str:
    values = cache.get_many([GENERATION_KEY, AS_AT_KEY])
    if GENERATION_KEY not in values or AS_AT_KEY not in values:
        # A new or emptied shared cache: the data read from now on is at least as new as now.
        cache.add(AS_AT_KEY, time.time_ns(), None)
        cache.add(GENERATION_KEY, secrets.token_hex(8), None)
        values = cache.get_many([GENERATION_KEY, AS_AT_KEY])
    return f"{values[AS_AT_KEY]}:{values[GENERATION_KEY]}"


def generation() -> str:
    """The current generation: "<as-at time in ns>:<token>", and "+<token>" while this thread has
    writes not yet committed. Within a request, the shared part is read once."""
    memo = _request.get()
    if memo is None:
        value = _read()
    else:
        if memo.value is None:
            memo.value = _read()
        value = memo.value
    _observed.set(True)
    pending = _uncommitted(connections[DEFAULT_DB_ALIAS])
    return f"{value}+{pending.private}" if pending is not None else value


def read_with_generation(key: str):
    """`key`'s value in the shared cache, with the generation read in the same round trip and kept
    for this request (as `generation()` would keep it), so a signed-in request asks the shared
    cache once rather than twice: the session store reads the session this way (common/sessions.py)."""
    memo = _request.get()
    if memo is None or memo.value is not None:
        return cache.get(key)
    values = cache.get_many([key, GENERATION_KEY, AS_AT_KEY])
    if GENERATION_KEY in values and AS_AT_KEY in values:
        memo.value = f"{values[AS_AT_KEY]}:{values[GENERATION_KEY]}"
    return values.get(key)


def as_at() -> datetime:
    """The time of the last committed write that can change a figure: what the figures on the
    dashboard and in a report built now are "as at"."""
    return datetime.fromtimestamp(int(generation().split(":", 1)[0]) / 1e9, tz=UTC)


def publish(*, figures: bool = True) -> None:
    """A write is committed: every cached page is out of date from now on, and if the write can
    change a figure, the figures are as at now. Never fails the write that caused it: if the shared
    cache cannot be reached the error is logged, and pages are bounded by PAGE_CACHE_SECONDS."""
    values = {GENERATION_KEY: secrets.token_hex(8)}
    if figures:
        values[AS_AT_KEY] = time.time_ns()
    try:
        cache.set_many(values, None)
    except Exception:  # the cache backends' errors vary (Redis, files)
        logger.exception("Could not publish a new page generation; cached pages may be out of date")
    memo = _request.get()
    if memo is not None:
        memo.value = None


# --- Seeing writes at the database connection --------------------------------------------------

# Statements that cannot change data. Anything else counts as a write: INSERT, UPDATE, DELETE,
# TRUNCATE, COPY, MERGE, WITH (a CTE may write), EXPLAIN (ANALYZE runs the statement), DDL.
_READ_PREFIXES = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "SET", "SHOW", "BEGIN", "COMMIT", "END")
_LEADING = re.compile(r"^(?:\s+|\(|/\*.*?\*/|--[^\n]*\n)+", re.DOTALL)
# The one table an INSERT, UPDATE or DELETE writes (Django quotes its names).
_TARGET = re.compile(r'^(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+["`]?(\w+)["`]?(?=[\s(]|$)', re.IGNORECASE)

NO_WRITE, PAGES_ONLY, PAGES_AND_FIGURES = 0, 1, 2


def statement_writes(sql) -> int:
    """What a statement can change: nothing, what pages show but no figure, or both."""
    if not isinstance(sql, str):
        return PAGES_AND_FIGURES  # composed SQL objects: assume the worst
    if sql.startswith("SELECT "):  # most statements: the ORM's reads
        return NO_WRITE
    text = _LEADING.sub("", sql[:300], count=1)
    head = text[:12].upper()
    if head.startswith(_READ_PREFIXES):
        return NO_WRITE
    if head.startswith("PRAGMA"):
        # SQLite's settings and schema reads; one that assigns a value counts, to be safe.
        return PAGES_AND_FIGURES if "=" in text else NO_WRITE
    target = _TARGET.match(text)
    if target:
        table = target.group(1).lower()
        if table in settings.PAGE_CACHE_IGNORED_TABLES:
            return NO_WRITE
        if table in settings.FIGURES_IGNORED_TABLES:
            return PAGES_ONLY
    return PAGES_AND_FIGURES


class _Announcement:
    """The new generation one transaction publishes when it commits, and the token of the writing
    thread's own generation until then. Django drops an on-commit callback when its transaction
    (or the savepoint it was registered in) rolls back; nothing else holds this object, so it is
    then gone: the thread is back on the shared generation, and its next write registers a new
    one, so a rolled back transaction never leaves the next one unannounced."""

    __slots__ = ("figures", "published", "private", "__weakref__")

    def __init__(self, figures: bool):
        self.figures, self.published, self.private = figures, False, secrets.token_hex(4)

    def __call__(self):
        self.published = True
        publish(figures=self.figures)


# The announcement waiting for each connection's current transaction, so that a transaction of
# 50,000 inserts publishes once.
_pending: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _uncommitted(connection) -> _Announcement | None:
    """The announcement of this connection's transaction, while it has writes not yet committed."""
    ref = _pending.get(connection)
    pending = ref() if ref is not None else None
    if pending is None or pending.published or not connection.in_atomic_block:
        return None
    return pending


def _written(connection, *, figures: bool) -> None:
    if not connection.in_atomic_block:
        # Autocommit: the statement is committed already. (Under manual transaction management,
        # which the service does not use, there is no commit to wait for either.)
        publish(figures=figures)
        return
    pending = _uncommitted(connection)
    if pending is None:
        pending = _Announcement(figures)
        _pending[connection] = weakref.ref(pending)
        transaction.on_commit(pending, using=connection.alias, robust=True)
    else:
        pending.figures |= figures
        if _observed.get():
            # This thread read a page or a memo since its last write: what it built may hide this one.
            pending.private = secrets.token_hex(4)
    _observed.set(False)


def _watch(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    kind = statement_writes(sql)
    if kind != NO_WRITE:
        _written(context["connection"], figures=kind == PAGES_AND_FIGURES)
    elif isinstance(sql, str) and sql.startswith("ROLLBACK TO SAVEPOINT"):
        # What this thread built inside the savepoint may show writes that are now undone.
        pending = _uncommitted(context["connection"])
        if pending is not None:
            pending.private = secrets.token_hex(4)
    return result


def watch_connection(sender=None, connection=None, **kwargs) -> None:
    """connection_created: watch every statement this connection runs, for as long as it lives.
    First in the list, so a temporary wrapper someone adds and removes later cannot remove it."""
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _watch)


# --- Values and pages kept between writes ------------------------------------------------------


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


def shared_page(view=None, *, per: str = PER_AGENCY, version=None):
    """Serve this GET view from the cache between writes (see the module's docstring). `per` says
    what besides the roles the content depends on: PER_ROLES (the same for everyone with the same
    roles, such as the catalogue), PER_AGENCY (the default) or PER_PERSON. `version`, for a page
    that shows a table whose writes the generation ignores (settings.PAGE_CACHE_IGNORED_TABLES): a
    function, asked on every request, returning what changes whenever that table does."""
    if per not in (PER_ROLES, PER_AGENCY, PER_PERSON):
        raise ValueError(f"per must be {PER_ROLES!r}, {PER_AGENCY!r} or {PER_PERSON!r}")

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            seconds = settings.PAGE_CACHE_SECONDS
            if not seconds or request.method not in ("GET", "HEAD") or len(messages.get_messages(request)):
                return view(request, *args, **kwargs)
            parts = (view.__module__, view.__qualname__, request.get_full_path(), _audience(request, per), generation())
            if version is not None:
                parts += (str(version()),)
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
    """Reads the generation at most once per request. Writes need nothing here: the database
    connection sees them (`watch_connection`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(_RequestGeneration())
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)
