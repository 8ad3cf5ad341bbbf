"""Shared test set-up.

Tests marked `postgres` or `redis` need those servers (DATABASE_URL, REDIS_URL).
Without them they are skipped with a reason, unless REQUIRE_SERVICES=1, which
turns the skip into a failure so CI always runs them.
"""

import logging
import os
import re
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.db import connection
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from accounts.factories import AgencyFactory, OrganisationCategoryFactory, TargetGroupFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "0") == "1"

# Property tests: the same examples on every run, so a red run is a bug and never luck. "ci" is the default
# (and what CI runs): derandomised, a fixed number of examples, no deadline (a slow shared machine is not a
# failure), no example database carried between runs. HYPOTHESIS_PROFILE=nightly searches wider with fresh
# random examples each run; a failure prints the example to add with @example so every run tries it.
_PROPERTY_CHECKS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
hypothesis_settings.register_profile(
    "ci", derandomize=True, max_examples=40, deadline=None, database=None, suppress_health_check=_PROPERTY_CHECKS
)
hypothesis_settings.register_profile(
    "nightly", max_examples=1000, deadline=None, database=None, print_blob=True, suppress_health_check=_PROPERTY_CHECKS
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

NEEDS = {
    "postgres": lambda: os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    "redis": lambda: os.environ.get("REDIS_URL", "").startswith("redis://"),
}


def pytest_runtest_setup(item):
    for marker, available in NEEDS.items():
        if item.get_closest_marker(marker) and not available():
            reason = f"needs {marker} ({'DATABASE_URL' if marker == 'postgres' else 'REDIS_URL'} not set)"
            if REQUIRE_SERVICES:
                pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}")
            pytest.skip(reason)


@pytest.fixture(autouse=True)
def migrated_defaults(request):
    """The rows migrations create (the booking and the pool policies), as a new database has them.

    Tests that commit (transactional ones, the browser journeys) end by emptying every table, rows made
    by migrations included; the next test in that process would otherwise meet a database no real
    partnership has. Put back outside the test's own transaction, before it starts."""
    uses_db = {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    if not uses_db and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("django_db_setup")
    with request.getfixturevalue("django_db_blocker").unblock():
        from courses.models import BookingPolicy
        from pool.models import PoolPolicy

        BookingPolicy.objects.get_or_create(pk=1)
        if not PoolPolicy.objects.exists():
            PoolPolicy.objects.create()


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache: cached pages, rate-limit counts and dashboard figures
    from one test must not show in the next (the local-memory cache lives as long as the process)."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield


@pytest.fixture
def page_cache_on(settings):
    """Pages served from the cache between writes, as in production (common/pagecache.py)."""
    settings.PAGE_CACHE_SECONDS = 60


def signed_in(user, *, enforce_csrf_checks: bool = False):
    """A browser signed in as `user`."""
    from django.test import Client

    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    client.force_login(user, backend="accounts.backends.EmailBackend")
    return client


# What every signed-in request reads whatever the page: the session, the person and their roles.
SIGNED_IN_QUERIES = 3


def _unmasked(page: bytes) -> bytes:
    return re.sub(rb'(name="csrfmiddlewaretoken" value=")[^"]+"', rb'\1"', page)


def served_twice(client, url: str, *, asks: int = 0) -> str:
    """`url` read twice with the page cache on: the same page both times, the second served from the
    cache (common/pagecache.py), reading nothing beyond what every signed-in request reads and the
    `asks` queries of the page's own version (`shared_page(version=...)`)."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as built:
        first = client.get(url)
    with CaptureQueriesContext(connection) as served:
        second = client.get(url)
    assert first.status_code == second.status_code == 200
    # The same page but for the CSRF token, masked afresh for each response.
    assert _unmasked(second.content) == _unmasked(first.content)
    assert len(served) <= SIGNED_IN_QUERIES + asks < len(built), [q["sql"] for q in served]
    return second.content.decode()


@pytest.fixture
def target_groups(db):
    """The eight Working Together staff groups, as the demo partnership has them."""
    from accounts.demo import TARGET_GROUPS

    return {n: TargetGroupFactory(number=n, name=name, description=text) for n, name, text in TARGET_GROUPS}


@pytest.fixture
def police(db):
    return AgencyFactory(name="Northshire Police", sector="police", email_domains="northshire-police.example.org")


@pytest.fixture
def school(db):
    category = OrganisationCategoryFactory(name="School or academy")
    return AgencyFactory(name="Riverside Academy Trust", sector="education", category=category, contributing=False)


@pytest.fixture
def immediate_on_commit(monkeypatch):
    """Run on-commit callbacks (emails, tasks, signals) at once, as if each
    service call were its own committed request."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


ROOT = Path(__file__).resolve().parent


def database_url_for_test_database() -> str:
    """The same server as DATABASE_URL, but the database this test run created."""
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def start_worker(tmp_path, queue: str, **extra_env) -> subprocess.Popen:
    """A real Celery worker process over Redis (REDIS_URL) against the test database (PostgreSQL)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "false",
        "DATABASE_URL": database_url_for_test_database(),
        "CELERY_BROKER_URL": os.environ["REDIS_URL"],
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        **extra_env,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            queue,
            "-P",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop_worker(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def worker(tmp_path):
    """A worker on its own queue, so it never takes another test's (or `make run`'s) tasks."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    process = start_worker(tmp_path, queue)
    yield queue, tmp_path / "mail", process
    stop_worker(process)


def send_to_worker(task, *, args, queue):
    """Queue `task` on Redis for a worker started with `start_worker` (tests run tasks eagerly)."""
    from celery import current_app as app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with app.connection_for_write(os.environ["REDIS_URL"]) as conn:
            task.apply_async(args=args, connection=conn, queue=queue)
    finally:
        app.conf.task_always_eager = eager


def wait_until_finished(run, process, *, seconds=90):
    """Wait (at most `seconds`) for the worker `process` to finish the report run."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        run.refresh_from_db()
        if run.is_finished:
            break
        time.sleep(0.5)


S3_BUCKET = "northshire-training-media"


@pytest.fixture
def s3_media(settings, monkeypatch):
    """Media on an S3-compatible server (moto's, on a free loopback port) configured as MEDIA_STORAGE=s3
    configures it, in this process and, through the environment, in any process it starts. Yields a
    boto3 client to look inside the bucket."""
    import boto3
    from moto.server import ThreadedMotoServer

    from config.media_storage import media_storage_from_environment

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's server logs every request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    environment = {
        "MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": S3_BUCKET,
        "AWS_S3_ENDPOINT_URL": f"http://{host}:{port}",
        "AWS_S3_REGION_NAME": "eu-west-2",
        "AWS_ACCESS_KEY_ID": "media-test-key",
        "AWS_SECRET_ACCESS_KEY": "media-test-secret",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    bucket = boto3.client(
        "s3",
        endpoint_url=environment["AWS_S3_ENDPOINT_URL"],
        region_name="eu-west-2",
        aws_access_key_id="media-test-key",
        aws_secret_access_key="media-test-secret",
    )
    # moto keeps its buckets per process, whichever of its servers made them: start empty.
    urllib.request.urlopen(urllib.request.Request(f"http://{host}:{port}/moto-api/reset", method="POST"), timeout=10)
    bucket.create_bucket(Bucket=S3_BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    settings.MEDIA_STORAGE = "s3"
    settings.STORAGES = {**settings.STORAGES, "default": media_storage_from_environment()}
    yield bucket
    server.stop()


def stored_objects(bucket) -> list[str]:
    """The names of the files in the media bucket."""
    return [item["Key"] for item in bucket.list_objects_v2(Bucket=S3_BUCKET).get("Contents", [])]
