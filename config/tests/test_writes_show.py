"""A write by any path shows on the next view of the pages that depend on it.

Pages are served from the cache between writes (common/pagecache.py); the database connection
sees every write, so a request, the worker's bulk updates, an import's bulk_create, raw SQL and
another process all make the cached pages out of date, and a rolled back transaction never stops
the next one from doing so. Reads (a policy page, a report download) change nothing pages show.
"""

import os
import re
import subprocess
import sys
import threading
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.core.cache import caches
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.factories import UserFactory, board_member, training_manager
from common import pagecache
from common.pagecache import NO_WRITE, PAGES_AND_FIGURES, PAGES_ONLY, statement_writes
from conftest import database_url_for_test_database
from courses.factories import AttendanceRecordFactory, CourseFactory, SessionFactory
from courses.models import BookingPolicy, Course, SessionStatus
from pool.models import PoolPolicy
from reports import services as reports
from reports.models import ReportKind, ReportRun, RunStatus
from tna.models import TrainingYear

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = "/courses"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend="accounts.backends.EmailBackend")
    return client


def page(client, url=CATALOGUE) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def delegates_attended(dashboard: str) -> int:
    return int(re.search(r'app-figure">([\d,]+)</span><br>delegates attended', dashboard).group(1).replace(",", ""))


def run_status(dashboard: str, title: str) -> str:
    row = re.search(re.escape(title) + r"</a>.*?govuk-tag[^>]*>([^<]+)</strong>", dashboard, re.DOTALL)
    return row.group(1)


@pytest.fixture
def year(db):
    today = timezone.localdate()
    start = date(today.year - (today.month < 4), 4, 1)
    return TrainingYear.objects.create(
        name="2025-26", starts_on=start, ends_on=date(start.year + 1, 3, 31), children_in_need=3400
    )


@pytest.fixture
def delivered_session(year, police):
    return SessionFactory(
        course__title="Working Together to Safeguard Children", days_ahead=-2, status=SessionStatus.COMPLETED
    )


# --- What counts as a write ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql, writes",
    [
        ('SELECT "courses_course"."id" FROM "courses_course"', NO_WRITE),
        ("  (SELECT 1) UNION (SELECT 2)", NO_WRITE),
        ("/* a comment */ SELECT 1", NO_WRITE),
        ('SAVEPOINT "s1_x1"', NO_WRITE),
        ('RELEASE SAVEPOINT "s1_x1"', NO_WRITE),
        ('ROLLBACK TO SAVEPOINT "s1_x1"', NO_WRITE),
        ("SET CONSTRAINTS ALL IMMEDIATE", NO_WRITE),
        ("BEGIN IMMEDIATE", NO_WRITE),
        ("PRAGMA table_info(courses_course)", NO_WRITE),
        ('INSERT INTO "courses_course" ("title") VALUES (%s)', PAGES_AND_FIGURES),
        ("insert into courses_booking (id) values (1)", PAGES_AND_FIGURES),
        ('UPDATE "courses_course" SET "title" = %s', PAGES_AND_FIGURES),
        ('DELETE FROM "tna_tnareturn" WHERE id = 1', PAGES_AND_FIGURES),
        ('TRUNCATE "django_session"', PAGES_AND_FIGURES),  # not parsed for its tables: counts
        ("COPY courses_booking FROM STDIN", PAGES_AND_FIGURES),
        ("MERGE INTO courses_course USING x ON true WHEN MATCHED THEN DELETE", PAGES_AND_FIGURES),
        ("WITH gone AS (DELETE FROM courses_booking RETURNING id) SELECT count(*) FROM gone", PAGES_AND_FIGURES),
        ("EXPLAIN ANALYZE UPDATE courses_course SET title = 'x'", PAGES_AND_FIGURES),
        ("ALTER TABLE courses_course ADD COLUMN x int", PAGES_AND_FIGURES),
        ("PRAGMA foreign_keys = OFF", PAGES_AND_FIGURES),
        # Tables no page shows
        ('UPDATE "django_session" SET "expire_date" = %s', NO_WRITE),
        ('INSERT INTO "axes_accessattempt" ("username") VALUES (%s)', NO_WRITE),
        ('UPDATE "django_celery_beat_periodictask" SET "last_run_at" = %s', NO_WRITE),
        ('UPDATE "accounts_outgoingemail" SET "sent_at" = %s', NO_WRITE),
        ('INSERT INTO "accounts_auditentry" ("action") VALUES (%s)', NO_WRITE),
        # A table whose name starts like an ignored one is not ignored
        ('INSERT INTO "django_session_archive" ("x") VALUES (%s)', PAGES_AND_FIGURES),
        # A report's progress shows on pages but in no figure
        ('UPDATE "reports_reportrun" SET "progress" = %s', PAGES_ONLY),
    ],
)
def test_what_counts_as_a_write(sql, writes):
    assert statement_writes(sql) == writes


def test_every_ignored_table_exists(db):
    """A table renamed or removed would leave its name here doing nothing."""
    tables = set(connection.introspection.table_names())
    from django.conf import settings

    assert settings.PAGE_CACHE_IGNORED_TABLES <= tables
    assert settings.FIGURES_IGNORED_TABLES <= tables


# --- Each path --------------------------------------------------------------------------------


def test_a_bulk_update_shows_on_the_next_view_without_any_request(police):
    course = CourseFactory(title="Harmful Sexual Behaviour")
    client = signed_in(UserFactory(agency=police))
    assert "Harmful Sexual Behaviour" in page(client)
    Course.objects.filter(pk=course.pk).update(title="Harmful Sexual Behaviour (AIM3)")  # sends no signal
    assert "Harmful Sexual Behaviour (AIM3)" in page(client)


def test_raw_sql_through_a_cursor_shows_on_the_next_view(police):
    course = CourseFactory(title="Safer Recruitment")
    client = signed_in(UserFactory(agency=police))
    assert "Safer Recruitment" in page(client)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Course._meta.db_table} SET title = %s WHERE id = %s",
            ["Safer Recruitment in Education", course.pk],
        )
    assert "Safer Recruitment in Education" in page(client)


def test_the_workers_updates_to_a_report_run_show_on_the_dashboard(year, settings, tmp_path):
    """Queued, being built, given back, built: each step is the worker's write, three of them bulk
    updates (`release`, the progress, `record_failure`); the dashboard lists the run's status."""
    settings.MEDIA_ROOT = tmp_path
    david = board_member(full_name="David Reid")
    client = signed_in(david)
    run = reports.request_run(actor=david, kind=ReportKind.ANNUAL, year=year)  # queued; no worker yet
    assert run_status(page(client, reverse("reports:dashboard")), run.title) == "Waiting to start"
    reports.claim(run.pk)
    assert run_status(page(client, reverse("reports:dashboard")), run.title) == "Being built"
    reports.release(run.pk)  # a transient failure gives the run back: ReportRun.objects.update(...)
    assert run_status(page(client, reverse("reports:dashboard")), run.title) == "Waiting to start"
    reports.build_run(run.pk)
    assert run_status(page(client, reverse("reports:dashboard")), run.title) == "Ready"
    failing = reports.request_run(actor=david, kind=ReportKind.ANNUAL, year=year)
    assert run_status(page(client, reverse("reports:dashboard")), failing.title) == "Waiting to start"
    reports.record_failure(failing.pk, Exception("the disk is full"))  # ReportRun.objects.update(...)
    assert "Failed" in page(client, reverse("reports:dashboard"))


def attendance_file(tmp_path, session, people) -> Path:
    starts = timezone.localtime(session.starts_at)
    lines = ["Email,Course,Date,Starts,Outcome"] + [
        f"{person.email},{session.course.title},{starts:%d/%m/%Y},{starts:%H:%M},Attended" for person in people
    ]
    path = tmp_path / "attendance.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_an_import_by_the_command_shows_on_the_dashboard(year, delivered_session, police, tmp_path):
    """`manage.py import_records` writes bookings and attendance with bulk_create."""
    client = signed_in(board_member())
    assert delegates_attended(page(client, reverse("reports:dashboard"))) == 0
    people = [UserFactory(agency=police) for _ in range(3)]
    call_command("import_records", "attendance", str(attendance_file(tmp_path, delivered_session, people)))
    assert delegates_attended(page(client, reverse("reports:dashboard"))) == 3


def _in_another_thread(work):
    """Run `work` on another thread, so with its own database connection, and its own view of the
    generation: only what its transactions announce on commit can reach this thread's pages."""
    errors = []

    def target():
        try:
            work()
        except Exception as error:  # reported to the test below
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    assert not errors, errors


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_does_not_stop_the_next_ones_write_from_showing(police):
    course = CourseFactory(title="Child Sexual Exploitation")
    client = signed_in(UserFactory(agency=police))
    kept = {}

    def roll_back_then_write():
        # A transaction that writes and then fails: the exception, and with it the traceback of
        # its frames, is kept, as a caller that logs it later would.
        try:
            with transaction.atomic():
                Course.objects.filter(pk=course.pk).update(title="Child Sexual Exploitation (draft)")
                CourseFactory(slug=course.slug)  # the same slug: IntegrityError
        except IntegrityError as error:
            kept["error"] = error
        assert "(draft)" not in page(client)  # the other thread's page; nothing was committed
        # A savepoint rolled back inside a transaction that then commits.
        with transaction.atomic():
            try:
                with transaction.atomic():
                    Course.objects.filter(pk=course.pk).update(title="never saved")
                    raise IntegrityError("a later check failed")
            except IntegrityError:
                pass
            Course.objects.filter(pk=course.pk).update(title="Child Sexual Exploitation and County Lines")

    assert "Child Sexual Exploitation" in page(client)
    _in_another_thread(roll_back_then_write)
    assert kept["error"].__traceback__ is not None
    assert "Child Sexual Exploitation and County Lines" in page(client)
    # And a plain transaction after a rolled back one.

    def roll_back_then_commit():
        try:
            with transaction.atomic():
                Course.objects.filter(pk=course.pk).update(title="rolled back")
                raise IntegrityError("no")
        except IntegrityError:
            pass
        with transaction.atomic():
            Course.objects.filter(pk=course.pk).update(title="Exploitation: Children at Risk")

    _in_another_thread(roll_back_then_commit)
    assert "Exploitation: Children at Risk" in page(client)


@pytest.mark.django_db(transaction=True)
def test_a_page_built_from_a_write_that_is_rolled_back_is_never_shown(police):
    """The writer sees its own write at once, but what it built from it dies with the rollback."""
    course = CourseFactory(title="Domestic Abuse and its Impact on Children")
    reader = signed_in(UserFactory(agency=police))
    assert "Domestic Abuse and its Impact on Children" in page(reader)

    def write_look_and_roll_back():
        writer = signed_in(UserFactory(agency=police))
        assert "(draft title)" not in page(writer)  # the page as everyone has it, now cached
        with pytest.raises(IntegrityError):
            with transaction.atomic():
                Course.objects.filter(pk=course.pk).update(title="Domestic Abuse (draft title)")
                assert "(draft title)" in page(writer)  # its own write, at once
                Course.objects.filter(pk=course.pk).update(title="Domestic Abuse (second draft title)")
                assert "(second draft title)" in page(writer)
                raise IntegrityError("the change is abandoned")
        assert "(draft title)" not in page(writer)
        assert "(draft title)" not in page(reader)
        # A savepoint rolled back inside a transaction that goes on and commits.
        with transaction.atomic():
            CourseFactory(title="Contextual Safeguarding")
            assert "Contextual Safeguarding" in page(writer)
            with pytest.raises(IntegrityError):
                with transaction.atomic():
                    Course.objects.filter(pk=course.pk).update(title="Domestic Abuse (draft title)")
                    assert "(draft title)" in page(writer)
                    raise IntegrityError("the change is abandoned")
            assert "(draft title)" not in page(writer)
        assert "Contextual Safeguarding" in page(reader)

    _in_another_thread(write_look_and_roll_back)
    assert "(draft title)" not in page(reader)
    assert "Domestic Abuse and its Impact on Children" in page(reader)


@pytest.mark.django_db(transaction=True)
def test_a_transaction_of_many_writes_publishes_once_on_commit(police, monkeypatch):
    """An import of thousands of rows must not make thousands of round trips to the shared cache."""
    published = []
    real = pagecache.publish
    monkeypatch.setattr(pagecache, "publish", lambda **kw: (published.append(kw), real(**kw)))
    course = CourseFactory(title="Neglect: Recognising and Responding")
    published.clear()

    def import_many():
        with transaction.atomic():
            for number in range(200):
                Course.objects.filter(pk=course.pk).update(title=f"Neglect {number}")
            assert published == []  # nothing seen yet outside this transaction
        assert published == [{"figures": True}]

    _in_another_thread(import_many)


# --- Reads write nothing pages show -----------------------------------------------------------


def table_counts() -> dict[str, int]:
    return {model._meta.db_table: model.objects.count() for model in apps.get_models(include_auto_created=True)}


@pytest.mark.parametrize("missing", [False, True])
def test_the_policy_pages_write_nothing(db, client, missing):
    if missing:  # a database emptied by hand: the pages show the defaults, still writing nothing
        BookingPolicy.objects.all().delete()
        PoolPolicy.objects.all().delete()
    client.force_login(training_manager())
    before = table_counts()
    assert "Booking" in page(client, reverse("courses:manage-policy"))
    assert "Trainer pool rules" in page(client, reverse("pool:policy"))
    assert table_counts() == before


def test_a_download_changes_nothing_pages_show_and_is_still_in_the_audit_trail(
    year, delivered_session, settings, tmp_path, immediate_on_commit
):
    settings.MEDIA_ROOT = tmp_path
    david = board_member(full_name="David Reid")
    client = signed_in(david)
    run = reports.request_run(actor=david, kind=ReportKind.ANNUAL, year=year)
    page(client, reverse("reports:dashboard"))
    before, generation = table_counts(), pagecache.generation()
    response = client.get(reverse("reports:download", args=[run.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    after = table_counts()
    assert after.pop("accounts_auditentry") == before.pop("accounts_auditentry") + 1  # who downloaded what
    assert after == before
    assert pagecache.generation() == generation
    with CaptureQueriesContext(connection) as queries:
        page(client, reverse("reports:dashboard"))
    assert len(queries) <= 3  # the session, the person and their roles: the page came from the cache
    client.force_login(training_manager())
    trail = page(client, reverse("manage:audit"))
    assert "downloaded report" in trail and "David Reid" in trail


# --- Another process --------------------------------------------------------------------------


@pytest.fixture
def shared_redis_cache(settings):
    """This process's shared cache in Redis, as in production, so another process can reach it."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        },
    }
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_an_import_by_another_process_shows_on_this_processs_pages(
    shared_redis_cache, year, delivered_session, police, tmp_path
):
    """Another machine's command (or web process) writes; this process's cached dashboard, kept in
    its own memory, is out of date at once because the generation is shared in Redis."""
    client = signed_in(board_member())
    assert delegates_attended(page(client, reverse("reports:dashboard"))) == 0
    assert delegates_attended(page(client, reverse("reports:dashboard"))) == 0  # now from the cache
    people = [UserFactory(agency=police) for _ in range(4)]
    path = attendance_file(tmp_path, delivered_session, people)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "false",
        "DATABASE_URL": database_url_for_test_database(),
        "CACHE_URL": os.environ["REDIS_URL"],
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "import_records", "attendance", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "4 new" in result.stdout
    assert delegates_attended(page(client, reverse("reports:dashboard"))) == 4


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_report_built_by_a_worker_process_shows_ready_on_the_dashboard(
    shared_redis_cache, year, delivered_session, tmp_path
):
    """The worker claims the run, reports its progress with bulk updates and finishes it, all in
    another process; the dashboard cached in this one follows each step."""
    from conftest import send_to_worker, start_worker, stop_worker, wait_until_finished
    from reports.tasks import build_report

    queue = f"test-{uuid.uuid4().hex[:8]}"
    process = start_worker(tmp_path, queue, CACHE_URL=os.environ["REDIS_URL"])
    try:
        david = board_member(full_name="David Reid")
        client = signed_in(david)
        AttendanceRecordFactory(session=delivered_session)
        run = ReportRun.objects.create(
            kind=ReportKind.ANNUAL,
            parameters={"year": year.pk},
            title="Annual training report 2025-26",
            requested_by=david,
        )
        assert run_status(page(client, reverse("reports:dashboard")), run.title) == "Waiting to start"
        send_to_worker(build_report, args=[run.pk], queue=queue)
        wait_until_finished(run, process)
        assert run.status == RunStatus.DONE, run.error
        assert run_status(page(client, reverse("reports:dashboard")), run.title) == "Ready"
    finally:
        stop_worker(process)


def test_policy_defaults_are_the_models_defaults(db):
    """The row the migrations create holds the same rules a read of a missing row shows."""
    saved = BookingPolicy.objects.get(pk=1)
    BookingPolicy.objects.all().delete()
    assert BookingPolicy.current().late_cancellation_charge_per_day == saved.late_cancellation_charge_per_day
    assert PoolPolicy.current().free_places_per_day == Decimal("10")
