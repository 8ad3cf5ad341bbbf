"""/healthz and /healthz/background: what a load balancer and a monitor ask of each machine."""

import time

import pytest
from celery import current_app as app
from django.core.cache import cache
from django.db import OperationalError, connection

from config import health
from config.tasks import record_heartbeat

pytestmark = pytest.mark.django_db


def heartbeats(*, beat_ago: float | None, worker_ago: float | None):
    """Beat last sent a heartbeat `beat_ago` seconds ago, and a worker last ran one `worker_ago` ago."""
    now = time.time()
    for key, ago in ((health.BEAT_KEY, beat_ago), (health.WORKER_KEY, worker_ago)):
        if ago is not None:
            cache.set(key, now - ago, timeout=None)


def test_healthz_is_200_and_reports_fresh_heartbeats_when_everything_answers(client):
    heartbeats(beat_ago=20, worker_ago=19)
    response = client.get("/healthz")
    assert response.status_code == 200
    answer = response.json()
    # The ages as the page was built: the checks before take a moment.
    assert 20 <= answer.pop("beat_seconds_ago") <= 25 and 19 <= answer.pop("worker_seconds_ago") <= 24
    assert answer == {"status": "ok", "database": "ok", "broker": "ok", "cache": "ok", "beat": "ok", "worker": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert client.get("/healthz/background").json()["status"] == "ok"


def test_a_stopped_worker_shows_stale_on_healthz_without_taking_the_web_server_out(client):
    """Beat still sends heartbeats but no worker has run one for 7 minutes: the web server can still
    serve pages, so /healthz stays 200 for the load balancer; the monitor's check fails."""
    heartbeats(beat_ago=30, worker_ago=420)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["worker"] == "stale" and 420 <= response.json()["worker_seconds_ago"] <= 425
    assert response.json()["beat"] == "ok"
    background = client.get("/healthz/background")
    assert background.status_code == 503
    answer = background.json()
    assert 30 <= answer.pop("beat_seconds_ago") <= 35 and 420 <= answer.pop("worker_seconds_ago") <= 425
    assert answer == {"status": "stale", "beat": "ok", "worker": "stale"}


def test_with_beat_stopped_the_worker_that_answered_its_last_heartbeat_is_unknown(client):
    heartbeats(beat_ago=600, worker_ago=599)
    answer = client.get("/healthz/background")
    assert answer.status_code == 503
    assert answer.json()["beat"] == "stale" and answer.json()["worker"] == "unknown"


def test_with_beat_stopped_a_worker_that_missed_heartbeats_is_stale(client):
    heartbeats(beat_ago=600, worker_ago=2000)
    assert client.get("/healthz/background").json()["worker"] == "stale"


def test_before_any_heartbeat_both_are_missing_and_the_background_check_fails(client):
    answer = client.get("/healthz/background")
    assert answer.status_code == 503
    assert answer.json() == {
        "status": "stale",
        "beat": "missing",
        "worker": "missing",
        "beat_seconds_ago": None,
        "worker_seconds_ago": None,
    }


def test_how_old_a_heartbeat_may_be_is_a_setting(client, settings):
    heartbeats(beat_ago=400, worker_ago=400)
    assert client.get("/healthz/background").status_code == 503
    settings.HEARTBEAT_STALE_SECONDS = 600  # a worker running one process, busy with reports
    assert client.get("/healthz/background").status_code == 200


def test_beat_sending_the_heartbeat_is_beats_heartbeat_and_a_worker_running_it_is_the_workers(settings):
    """Sent to a broker as beat sends it (the scheduler names its entry in the message), then run."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with app.connection_for_write("memory://") as conn:
            record_heartbeat.apply_async(connection=conn)  # by hand: not beat
            assert cache.get(health.BEAT_KEY) is None
            record_heartbeat.apply_async(connection=conn, headers={"periodic_task_name": health.HEARTBEAT_ENTRY})
    finally:
        app.conf.task_always_eager = eager
    assert time.time() - cache.get(health.BEAT_KEY) < 5
    assert cache.get(health.WORKER_KEY) is None  # sent, not yet run
    record_heartbeat.apply()
    assert time.time() - cache.get(health.WORKER_KEY) < 5
    assert health.background_work()["worker"].ok


def test_the_heartbeat_writes_nothing_to_the_database_so_cached_pages_stay_valid(django_assert_num_queries):
    with django_assert_num_queries(0):
        record_heartbeat.apply()


def test_beat_sends_the_heartbeat_every_minute_and_drops_one_not_run_in_time(settings):
    entry = settings.CELERY_BEAT_SCHEDULE[health.HEARTBEAT_ENTRY]
    assert entry["task"] == health.HEARTBEAT_TASK == record_heartbeat.name
    assert entry["schedule"] == 60.0 and entry["options"] == {"expire_seconds": 60}


def test_healthz_is_503_when_the_shared_cache_does_not_answer(client, monkeypatch):
    from redis.exceptions import ConnectionError as RedisDown

    def refuse(*args, **kwargs):
        raise RedisDown("Error 111 connecting to cache.internal:6379. Connection refused.")

    monkeypatch.setattr(cache, "get", refuse)
    monkeypatch.setattr(cache, "get_many", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "unavailable"
    assert response.json()["beat"] == response.json()["worker"] == "unavailable"


def test_healthz_is_503_when_the_broker_does_not_answer(client, monkeypatch):
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:9/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"


def test_healthz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
