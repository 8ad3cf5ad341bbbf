"""Benchmarks at a large partnership's scale. Run with `make bench` (or `python -m bench.run`).

Needs PostgreSQL (BENCH_DATABASE_URL, default a database `lscb_bench` on the local server) and
Redis (BENCH_CACHE_URL or --cache-url, for the server's and this process's shared cache). It
migrates and seeds the large partnership if the database is empty, then measures:

- pages: gunicorn serving the site (on 127.0.0.1, --port); for each page, `--runs` times over,
  requests per second and p50/p95 latency at 16 concurrent clients, each against a bare Django
  view on the same middleware measured beside it, the time of one request alone and the number of
  queries it runs; medians with the lowest and highest;
- contention: 200 people trying at once to book a session with 20 places;
- the catalogue read while bookings arrive;
- reports: the annual report built with the worker's code, wall time and peak memory, its time split
  into figures, HTML and WeasyPrint (bench/report_timing.py);
- an import of every booking and attendance line into a new database.

Results are printed, each page's budget met or missed, and saved as JSON under bench/results/.
Budgets are in the README.
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/lscb_bench"
DEFAULT_CACHE = "redis://127.0.0.1:6379/3"
PORT = 8765  # --port changes it


def setup_django(database_url: str, cache_url: str | None = None):
    os.environ["DATABASE_URL"] = database_url
    if cache_url:
        # The same shared cache as the server: sessions, and the generation a write here publishes.
        os.environ["CACHE_URL"] = cache_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ["DEBUG"] = "false"
    os.environ["BENCHMARK_BARE_VIEW"] = "true"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def manage(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        check=True,
        capture_output=True,
        text=True,
    )


def ensure_data(database_url: str, factor: int) -> None:
    db = database_url.rsplit("/", 1)[1]
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", db], capture_output=True)
    manage("migrate", "--no-input")
    manage("collectstatic", "--no-input")  # DEBUG is off, as in production: pages need the manifest
    from accounts.models import Agency

    if not Agency.objects.filter(name="Northshire Ashford Primary School").exists():
        print(f"Seeding the large partnership (factor {factor}) ...", flush=True)
        started = time.monotonic()
        out = manage("seed_demo", "--scale", "large", "--factor", str(factor)).stdout
        print("  " + out.strip().splitlines()[-1] + f" (seed_demo {time.monotonic() - started:.0f} s)", flush=True)
    # A production database is vacuumed and analysed by autovacuum as it fills; a freshly seeded one
    # (or one on a server with autovacuum off) is not, and its index-only scans would read every row.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


def signed_in_cookie(email: str) -> str:
    """A session for this person, made as the sign-in page would."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User

    user = User.objects.get(email=email)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}"


def pages() -> list[tuple[str, str, str]]:
    """(label, path, who opens it): the bare views first, then the pages people use most."""
    from django.db.models import Count

    from accounts.models import Agency
    from courses.models import Course, Session, SessionStatus
    from evaluation.models import Answer
    from tna.models import TnaCycle, TnaReturn, TrainingYear

    course = Course.objects.filter(active=True).order_by("pk").first()
    year = TrainingYear.objects.order_by("-starts_on")[1]
    cycle = TnaCycle.objects.order_by("-deadline").first()
    # The agency with the most people, its return this cycle, last year's most answered course.
    largest = Agency.objects.annotate(n=Count("people")).order_by("-n", "pk").first()
    tna_return = TnaReturn.objects.filter(cycle=cycle, agency=largest).first()
    register = (
        Session.objects.filter(status=SessionStatus.COMPLETED)
        .annotate(n=Count("bookings"))
        .order_by("-starts_at", "-n")
        .first()
    )
    evaluated = (
        Answer.objects.values("response__invitation__booking__session__course")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()["response__invitation__booking__session__course"]
    )
    manager, staff, board = (
        "helen.carter@northshire-scp.example.org",
        "tom.fletcher@riverside-academies.example.org",
        "david.reid@northshire-scp.example.org",
    )
    return [
        ("bare Django view", "/bench/bare", manager),
        ("bare view, signed in", "/bench/bare-signed-in", staff),
        ("catalogue", "/courses", staff),
        ("course page", f"/courses/{course.slug}", staff),
        ("my training", "/my-training", staff),
        ("session list (training manager)", "/manage/sessions", manager),
        ("TNA overview", f"/tna/cycles/{cycle.pk}", manager),
        ("attendance against need", f"/tna/years/{year.pk}/attendance", manager),
        ("Board dashboard", f"/reports/?year={year.pk}", board),
        ("register", f"/manage/sessions/{register.pk}/register", manager),
        ("people list", "/manage/people", manager),
        ("charges list", "/manage/charges", manager),
        ("agency's training summary", f"/agency-training?agency={largest.pk}", manager),
        ("evaluation results", f"/evaluation/courses/{evaluated}/results", manager),
        ("pool members", "/pool/members", manager),
        ("audit trail", "/manage/audit", manager),
        ("TNA return", f"/tna/returns/{tna_return.pk}", manager),
    ]


def query_count(path: str, email: str) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    # The queries to build the page, not to serve it from a cache.
    with override_settings(PAGE_CACHE_SECONDS=0), CaptureQueriesContext(connection) as ctx:
        status = client.get(path, HTTP_HOST="127.0.0.1").status_code
    assert status == 200, f"{path} answered {status}"
    return len(ctx.captured_queries)


def load(path: str, cookie: str, *, clients: int, seconds: float) -> dict:
    latencies, errors = [], [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        mine = []
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
                ok = False
            elapsed = time.perf_counter() - started
            if ok:
                mine.append(elapsed)
            else:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    latencies.sort()
    pick = lambda q: round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 1) if latencies else None  # noqa: E731
    return {
        "requests": len(latencies),
        "errors": errors[0],
        "rps": round(len(latencies) / wall, 1),
        "p50_ms": pick(0.5),
        "p95_ms": pick(0.95),
    }


def alone(path: str, cookie: str, *, requests: int = 7) -> float:
    """The server time for one request with nobody else asking: the median of `requests` in a row."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
        response = conn.getresponse()
        response.read()
        times.append(time.perf_counter() - started)
    conn.close()
    return round(statistics.median(times) * 1000, 1)


def start_server(database_url: str, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "BENCHMARK_BARE_VIEW": "true",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
        "AXES_ENABLED": "false",
        "RATE_LIMITS_ENABLED": "false",
        # As in production: the cache (pages, sessions) shared by the workers in Redis.
        "CACHE_URL": os.environ["CACHE_URL"],
    }
    # As the Procfile and the systemd unit start it (config/gunicorn.py: sync workers, one request at a
    # time each, WEB_CONCURRENCY of them), so the latencies are those of the production server. Like
    # the reverse proxy in front of it, the clients open a connection per request.
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "python:config.gunicorn", "config.wsgi"],
        cwd=ROOT,
        env={
            **env,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "BIND": f"127.0.0.1:{PORT}",
            "WEB_CONCURRENCY": str(workers),
        },
    )
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def new_session(places: int):
    """A new session 45 days ahead (or the first free day after) of a course anyone may book."""
    from datetime import timedelta

    from django.utils import timezone

    from courses.models import Course, Session, SessionDate

    course = (
        Course.objects.filter(active=True, needs_manager_approval=False, prerequisites__isnull=True)
        .order_by("pk")
        .first()
    )
    start = (timezone.now() + timedelta(days=45)).replace(hour=9, minute=30, second=0, microsecond=0)
    while Session.objects.filter(course=course, starts_at__date=start.date()).exists():  # one a day, as imports expect
        start += timedelta(days=1)
    session = Session.objects.create(
        course=course,
        capacity=places,
        starts_at=start,
        ends_at=start + timedelta(hours=7),
        bookings_close_at=start - timedelta(days=2),
    )
    SessionDate.objects.create(session=session, starts_at=session.starts_at, ends_at=session.ends_at)
    return session


def book(session_pk: int, cookie: str) -> int:
    token = "benchmarkcsrftokenbenchmarkcsrft"  # 32 characters: Django accepts the unmasked secret
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    conn.request(
        "POST",
        f"/sessions/{session_pk}/book",
        body="",
        headers={
            "Cookie": f"{cookie}; csrftoken={token}",
            "X-CSRFToken": token,
            "Host": "127.0.0.1",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    return conn.getresponse().status


def morning_rush(*, clients: int, seconds: float, per_second: float) -> dict:
    """Staff read the catalogue while bookings arrive `per_second` (each a write, so every cached
    page is built again on its next view): what the cache is worth on a busy morning."""
    from accounts.models import User

    session = new_session(places=int(seconds * per_second) + 50)
    people = list(
        User.objects.filter(email__endswith="@staff.northshire.example.org")
        .exclude(bookings__session__starts_at__date=session.starts_at.date())
        .order_by("pk")[: int(seconds * per_second) + 5]
    )
    cookies = [signed_in_cookie(p.email) for p in people]  # signed in beforehand: a sign-in is a write too
    reader = signed_in_cookie("tom.fletcher@riverside-academies.example.org")
    booked, stop = [], threading.Event()

    def writer():
        began = time.monotonic()
        for n, cookie in enumerate(cookies, start=1):  # on a timetable, however long each booking takes
            if stop.wait(max(0.0, began + n / per_second - time.monotonic())):
                return
            started = time.perf_counter()
            status = book(session.pk, cookie)
            booked.append((status, time.perf_counter() - started))

    thread = threading.Thread(target=writer)
    thread.start()
    reads = load("/courses", reader, clients=clients, seconds=seconds)
    stop.set()
    thread.join()
    times = sorted(t for _, t in booked)
    return {
        "bookings_per_second": per_second,
        "bookings": len(booked),
        "booking_errors": sum(1 for s, _ in booked if s >= 400),
        "booking_p95_ms": round(times[int(0.95 * (len(times) - 1))] * 1000, 1) if times else None,
        "catalogue": reads,
    }


def contention(attempts: int = 200, places: int = 20) -> dict:
    """`attempts` people at once try to book a session with `places` places, over HTTP."""
    from accounts.models import User
    from courses.models import Booking, BookingStatus

    session = new_session(places)
    people = list(
        User.objects.filter(email__endswith="@staff.northshire.example.org")
        .exclude(bookings__session__starts_at__date=session.starts_at.date())
        .order_by("-pk")[:attempts]
    )
    cookies = [signed_in_cookie(p.email) for p in people]
    statuses, barrier = [], threading.Barrier(len(cookies))

    def attempt(cookie):
        barrier.wait()
        statuses.append(book(session.pk, cookie))

    started = time.monotonic()
    threads = [threading.Thread(target=attempt, args=(c,)) for c in cookies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - started
    confirmed = Booking.objects.filter(session=session, status=BookingStatus.CONFIRMED).count()
    waitlisted = Booking.objects.filter(session=session, status=BookingStatus.WAITLISTED).count()
    return {
        "attempts": len(cookies),
        "places": places,
        "confirmed": confirmed,
        "waitlisted": waitlisted,
        "errors": sum(1 for s in statuses if s >= 400),
        "seconds": round(took, 2),
    }


def report_build(year_name: str, database_url: str) -> dict:
    """The annual report, built by the worker's code (`services.build_run`) in its own process, so
    its wall time and peak memory are its own, with its time split into figures, HTML and
    WeasyPrint's layout (bench/report_timing.py)."""
    timed = subprocess.run(
        [
            "/usr/bin/time",
            "-f",
            "%e %M",
            sys.executable,
            "-m",
            "bench.report_timing",
            "--database-url",
            database_url,
            "--year",
            year_name,
        ],
        cwd=ROOT,
        env={**os.environ, "MEDIA_ROOT": str(ROOT / "var" / "bench-media")},
        capture_output=True,
        text=True,
        check=True,
    )
    seconds, peak_kb = timed.stderr.strip().splitlines()[-1].split()
    split = json.loads(timed.stdout.strip().splitlines()[-1])
    return {**split, "process_seconds": float(seconds), "peak_memory_mb": round(int(peak_kb) / 1024)}


def import_benchmark(database_url: str) -> dict:
    """Export every year's records from the large partnership, then import them into a new
    database (with only the demo partnership in it), timing the bookings and attendance file."""
    from transfer import services

    folder = ROOT / "var" / "bench-import"
    folder.mkdir(parents=True, exist_ok=True)
    for key in ("training-years", "agencies", "people", "courses", "sessions", "attendance"):
        (folder / f"{key}.csv").write_text(services.export_csv(key), encoding="utf-8")
    rows = sum(1 for _ in open(folder / "attendance.csv", encoding="utf-8")) - 1
    name = database_url.rsplit("/", 1)[1] + "_import"
    target = database_url.rsplit("/", 1)[0] + "/" + name
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    env = {"DATABASE_URL": target}
    manage("migrate", "--no-input", env=env)
    manage("seed_demo", env=env)
    for key in ("training-years", "agencies", "people", "courses", "sessions"):
        manage("import_records", key, str(folder / f"{key}.csv"), env=env)
    timed = subprocess.run(
        [
            "/usr/bin/time",
            "-f",
            "%e %M",
            sys.executable,
            "manage.py",
            "import_records",
            "attendance",
            str(folder / "attendance.csv"),
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    seconds, peak_kb = timed.stderr.strip().splitlines()[-1].split()
    return {
        "rows": rows,
        "seconds": float(seconds),
        "peak_memory_mb": round(int(peak_kb) / 1024),
        "output": timed.stdout.strip(),
    }


BARE, BARE_SIGNED_IN = "bare Django view", "bare view, signed in"
# Built afresh, a page must reach this share of the bare view's requests/s; with the page cache,
# this share of the bare signed-in view's. Either way, p95 under P95_BUDGET_MS at 16 clients.
SHARE_AFRESH, SHARE_CACHED, P95_BUDGET_MS = 0.05, 0.5, 150


def _spread(values: list) -> dict:
    values = [v for v in values if v is not None]
    if not values:
        return {"median": None, "min": None, "max": None}
    return {"median": round(statistics.median(values), 3), "min": min(values), "max": max(values)}


def measure_pages(args) -> list[dict]:
    """Every page `args.runs` times over. Each run measures the bare views first, and the bare view
    the budget compares with (`--page-cache-seconds 0`: the bare view; otherwise the bare view
    signed in) again just before each page, for `args.seconds / 2`: on a shared machine the load
    moves within a run, so each page's budget ratio is taken against the bare view measured beside
    it. The figures are the medians over the runs, with their lowest and highest."""
    # The bare views are always measured: every ratio is taken against them.
    listed = [
        page
        for page in pages()
        if not args.only or page[0] in (BARE, BARE_SIGNED_IN) or any(part in page[0] for part in args.only)
    ]
    cookies = {email: signed_in_cookie(email) for _, _, email in listed}
    queries = {label: query_count(path, email) for label, path, email in listed}
    afresh = args.page_cache_seconds == 0
    compared = next((path, email) for label, path, email in listed if label == (BARE if afresh else BARE_SIGNED_IN))
    runs = []
    for n in range(args.runs):
        run = {}
        for label, path, email in listed:
            beside = None
            if label not in (BARE, BARE_SIGNED_IN):
                beside = load(compared[0], cookies[compared[1]], clients=args.clients, seconds=args.seconds / 2)
            load(path, cookies[email], clients=4, seconds=0.5)  # warm up
            row = load(path, cookies[email], clients=args.clients, seconds=args.seconds)
            row["alone_ms"] = alone(path, cookies[email])
            row["bare_beside_rps"] = beside["rps"] if beside else None
            run[label] = row
        for row in run.values():
            bare, signed_in = run[BARE]["rps"], run[BARE_SIGNED_IN]["rps"]
            if row["bare_beside_rps"]:
                if afresh:
                    bare = row["bare_beside_rps"]
                else:
                    signed_in = row["bare_beside_rps"]
            row["share_of_bare"] = round(row["rps"] / bare, 3) if bare else None
            row["share_of_bare_signed_in"] = round(row["rps"] / signed_in, 3) if signed_in else None
        runs.append(run)
        print(f"  run {n + 1} of {args.runs} ({time.strftime('%H:%M:%S')}, load {os.getloadavg()[0]:.2f})", flush=True)
    rows = []
    for label, path, _ in listed:
        measured = [run[label] for run in runs]
        row = {"page": label, "path": path, "queries": queries[label], "runs": measured}
        keys = ("rps", "p50_ms", "p95_ms", "alone_ms", "bare_beside_rps", "share_of_bare", "share_of_bare_signed_in")
        for key in keys:
            row[key] = _spread([m[key] for m in measured])
        row["errors"] = sum(m["errors"] for m in measured)
        if label not in (BARE, BARE_SIGNED_IN):
            share = row["share_of_bare" if afresh else "share_of_bare_signed_in"]["median"]
            row["meets_budget"] = bool(
                share is not None
                and share >= (SHARE_AFRESH if afresh else SHARE_CACHED)
                and row["p95_ms"]["median"] < P95_BUDGET_MS
            )
        rows.append(row)
    print(
        f"  budget ({'built afresh' if afresh else 'with the page cache'}): "
        + (
            f"at least {SHARE_AFRESH} of the bare view's requests/s"
            if afresh
            else f"at least {SHARE_CACHED} of the bare signed-in view's requests/s"
        )
        + f", p95 under {P95_BUDGET_MS} ms. Medians of {args.runs} runs (lowest-highest).",
        flush=True,
    )
    print(
        f"  {'page':34} {'req/s':>22} {'of bare' if afresh else 'of bare signed in':>20} {'p95 ms':>22} "
        f"{'alone ms':>20} queries  budget",
        flush=True,
    )
    share_key = "share_of_bare" if afresh else "share_of_bare_signed_in"  # the budget's ratio
    for row in rows:
        cell = lambda s, f: f"{s['median']:{f}} ({s['min']:{f}}-{s['max']:{f}})"  # noqa: E731
        print(
            f"  {row['page']:34} {cell(row['rps'], '.0f'):>22} {cell(row[share_key], '.3f'):>20} "
            f"{cell(row['p95_ms'], '.0f'):>22} {cell(row['alone_ms'], '.0f'):>20} {row['queries']:7}  "
            + {True: "met", False: "missed", None: ""}[row.get("meets_budget")]
            + (f"  {row['errors']} errors" if row["errors"] else ""),
            flush=True,
        )
    return rows


def main():
    global PORT
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument(
        "--factor", type=int, default=1, help="data size: 2 for twice the large partnership (use a fresh database)"
    )
    parser.add_argument(
        "--cache-url",
        default=os.environ.get("BENCH_CACHE_URL", DEFAULT_CACHE),
        help="the shared cache (Redis) for the server and this process: sessions and the page generation",
    )
    parser.add_argument("--port", type=int, default=PORT, help="the port gunicorn listens on (127.0.0.1 only)")
    parser.add_argument("--seconds", type=float, default=8.0, help="how long to load each page")
    parser.add_argument("--runs", type=int, default=3, help="how many times to measure every page (medians)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn's sync worker processes (WEB_CONCURRENCY)")
    parser.add_argument(
        "--page-cache-seconds",
        type=int,
        default=None,
        help="PAGE_CACHE_SECONDS for the server; 0 measures every page built afresh",
    )
    parser.add_argument("--only", nargs="*", default=[], help="labels (or parts of them) of the pages to measure")
    parser.add_argument("--skip", nargs="*", default=[], choices=["pages", "contention", "rush", "report", "import"])
    args = parser.parse_args()
    PORT = args.port
    setup_django(args.database_url, args.cache_url)
    ensure_data(args.database_url, args.factor)
    from tna.models import TrainingYear

    results = {
        "load_average_before": os.getloadavg(),
        "factor": args.factor,
        "runs": args.runs,
        "clients": args.clients,
        "seconds_per_page": args.seconds,
        "workers": args.workers,
    }
    if args.page_cache_seconds is not None:
        os.environ["PAGE_CACHE_SECONDS"] = str(args.page_cache_seconds)
        results["page_cache_seconds"] = args.page_cache_seconds
    server = start_server(args.database_url, args.workers)
    try:
        if "pages" not in args.skip:
            results["pages"] = measure_pages(args)
        if "contention" not in args.skip:
            results["contention"] = contention()
            print(f"  contention: {results['contention']}", flush=True)
        if "rush" not in args.skip:
            results["morning_rush"] = []
            for per_second in (1, 5):
                rush = morning_rush(clients=args.clients, seconds=args.seconds, per_second=per_second)
                results["morning_rush"].append(rush)
                reads = rush["catalogue"]
                print(
                    f"  catalogue with {per_second} booking(s) a second: {reads['rps']} req/s, "
                    f"p50 {reads['p50_ms']} ms, "
                    f"p95 {reads['p95_ms']} ms; {rush['bookings']} bookings, p95 {rush['booking_p95_ms']} ms, "
                    f"{rush['booking_errors']} errors",
                    flush=True,
                )
    finally:
        server.terminate()
        server.wait(timeout=20)
    if "report" not in args.skip:
        year = TrainingYear.objects.order_by("-starts_on")[1]
        report = results["report"] = report_build(year.name, args.database_url)
        print(
            f"  annual report {year.name}: {report['pages']} pages, {report['seconds']} s to build "
            f"({report['process_seconds']} s for the process), peak {report['peak_memory_mb']} MB; "
            f"figures {report['figures_seconds']} s, HTML {report['html_seconds']} s, "
            f"WeasyPrint layout {report['layout_seconds']} s, writing the PDF {report['pdf_writing_seconds']} s: "
            f"figures and HTML {report['figures_and_html_share']} of the build",
            flush=True,
        )
    if "import" not in args.skip:
        results["import"] = import_benchmark(args.database_url)
        print(
            f"  import of {results['import']['rows']:,} attendance rows: {results['import']['seconds']} s, "
            f"peak {results['import']['peak_memory_mb']} MB",
            flush=True,
        )
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    path = out_dir / f"bench-factor{args.factor}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(results, indent=2, default=str))
    print(f"Saved {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
