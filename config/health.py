"""Whether the parts of the service answer: the database, the broker, the shared cache, beat and the workers.

Beat and the workers are checked by a heartbeat. Every HEARTBEAT_SECONDS (a minute) beat sends the
task `config.tasks.record_heartbeat` and notes the time it sent it (a `before_task_publish` hook in
`config/celery.py`); the worker that runs it notes the time it ran. Both
times are kept in the shared cache, which every web and worker machine sees, so any web server can
tell:

- beat is alive when it sent a heartbeat within HEARTBEAT_STALE_SECONDS;
- some worker is alive, and keeping up with its queue, when one ran a heartbeat within that time;
- when beat is stale a worker has been sent nothing to answer: if it answered the last heartbeat
  beat sent, its state is "unknown" (ask it with `celery -A config inspect ping`), otherwise stale.

The heartbeat writes nothing to the database, so it never makes the cached pages out of date.
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection

HEARTBEAT_TASK = "config.tasks.record_heartbeat"
HEARTBEAT_ENTRY = "record-heartbeat"  # its entry in CELERY_BEAT_SCHEDULE
BEAT_KEY = "health:beat-sent-heartbeat"
WORKER_KEY = "health:worker-ran-heartbeat"

OK, STALE, MISSING, UNKNOWN, UNAVAILABLE = "ok", "stale", "missing", "unknown", "unavailable"


def record_beat_heartbeat() -> None:
    """Beat has just sent a heartbeat."""
    cache.set(BEAT_KEY, time.time(), timeout=None)


def record_worker_heartbeat() -> None:
    """A worker has just run a heartbeat."""
    cache.set(WORKER_KEY, time.time(), timeout=None)


@dataclass(frozen=True)
class Heartbeat:
    state: str  # ok, stale, missing (never recorded), unknown (worker, while beat sends nothing), unavailable
    seconds_ago: int | None

    @property
    def ok(self) -> bool:
        return self.state == OK


def background_work() -> dict[str, Heartbeat]:
    """The state of beat and of the workers, from the times of their last heartbeats."""
    try:
        times = cache.get_many([BEAT_KEY, WORKER_KEY])
    except Exception:
        # The shared cache is down: the heartbeats cannot be read (cache_ok says so too).
        return {"beat": Heartbeat(UNAVAILABLE, None), "worker": Heartbeat(UNAVAILABLE, None)}
    now = time.time()
    limit = settings.HEARTBEAT_STALE_SECONDS
    sent, ran = times.get(BEAT_KEY), times.get(WORKER_KEY)

    def beat_of(at, *, waiting_for_beat=False) -> Heartbeat:
        if at is None:
            return Heartbeat(MISSING, None)
        age = max(0, round(now - at))
        if age <= limit:
            return Heartbeat(OK, age)
        return Heartbeat(UNKNOWN if waiting_for_beat else STALE, age)

    beat = beat_of(sent)
    # A worker that ran the last heartbeat beat sent has had nothing to answer since.
    worker = beat_of(ran, waiting_for_beat=not beat.ok and sent is not None and ran is not None and ran >= sent)
    return {"beat": beat, "worker": worker}


# --- What the web server itself needs ---------------------------------------------------------
# Each check answers within a few seconds and never raises: a health page that fails is no help.


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def broker_ok() -> bool:
    from celery import current_app as app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


def cache_ok() -> bool:
    """The shared cache holds the cached pages' generation, sessions and rate limits."""
    try:
        cache.get(BEAT_KEY)
        return True
    except Exception:
        return False
