"""The production entry points on "two machines": two gunicorn processes, a worker and beat, started as
the README says with the production settings, sharing only PostgreSQL, Redis and an S3-compatible
bucket. A Board member signs in on one web server, asks for the annual report, a worker builds it, and
the other web server hands it out; /healthz/background on either shows beat and the worker alive."""

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from datetime import date
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.utils import timezone

from accounts.factories import AgencyFactory, UserFactory, board_member
from accounts.models import AuditEntry
from accounts.totp import code_at, current_step, new_secret
from conftest import S3_BUCKET, database_url_for_test_database, stored_objects
from courses.factories import AttendanceRecordFactory, SessionFactory
from courses.models import SessionStatus
from reports.models import ReportRun, RunStatus
from tna.models import TrainingYear

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
HOST = "training.example.org"
PASSWORD = "Northshire-board-2026"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """One person's browser reaching gunicorn through the TLS proxy (deploy/nginx/lscb.conf): the
    proxy's Host, X-Forwarded-Proto and X-Forwarded-For on every request, and the browser's cookies
    (secure ones included: the proxy served them over HTTPS)."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, port: int, path: str, form: dict | None = None):
        headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "198.51.100.23",
            "Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items()),
        }
        body = None
        if form is not None:
            body = urlencode(form)
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"https://{HOST}",
                "Referer": f"https://{HOST}{path}",
            }
        connection = HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request("POST" if form is not None else "GET", path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response, content

    def form_token(self, port: int, path: str) -> str:
        response, content = self.request(port, path)
        assert response.status == 200, (path, response.status)
        return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1).decode()


def production_settings(tmp_path: Path, smtp_port: int) -> dict:
    """What /etc/lscb/lscb.env holds for a partnership, as the README's "Deploying" lists it. The media
    bucket's settings are in os.environ already (the s3_media fixture)."""
    return {
        "ENVIRONMENT": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": HOST,
        "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        "SITE_URL": f"https://{HOST}",
        "TRUSTED_PROXY_COUNT": "1",
        "DATABASE_URL": database_url_for_test_database(),
        "CELERY_BROKER_URL": os.environ["REDIS_URL"],
        "CACHE_URL": os.environ["REDIS_URL"],
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "DEFAULT_FROM_EMAIL": "Westshire safeguarding training <no-reply@westshire-scp.example.org>",
        "PARTNERSHIP_NAME": "Westshire Safeguarding Children Partnership",
        "SUPPORT_EMAIL": "training@westshire-scp.example.org",
        "VAR_DIR": str(tmp_path / "var"),
        "MEDIA_ROOT": str(tmp_path / "var" / "media"),
        # A heartbeat every 2 seconds, so the test need not wait a minute for beat's first.
        "HEARTBEAT_SECONDS": "2",
        "HEARTBEAT_STALE_SECONDS": "30",
    }


def production_environment(tmp_path: Path, smtp_port: int) -> dict:
    """Every process's environment: the machine's own (less anything that chooses settings) and
    ENV_FILE naming the settings file, written as a deployer writes it."""
    env_file = tmp_path / "lscb.env"
    env_file.write_text(
        "".join(f"{name}='{value}'\n" for name, value in production_settings(tmp_path, smtp_port).items())
    )
    env_file.chmod(0o600)
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "CELERY_", "EMAIL_"))
        and name not in ("DEBUG", "PYTEST_XDIST_WORKER", "ENVIRONMENT", "DATABASE_URL", "CACHE_URL")
    }
    return {**inherited, "ENV_FILE": str(env_file)}


def start(command: list[str], environment: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_for(check, *, seconds: float, what: str, logs: list[Path]):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answer = check()
        if answer:
            return answer
        time.sleep(0.5)
    pytest.fail(
        f"{what} within {seconds} s\n" + "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in logs)
    )


def answers(browser: Browser, port: int, path: str):
    try:
        response, content = browser.request(port, path)
    except OSError:
        return None
    return response.status, content


@pytest.fixture
def partnership(target_groups):
    today = timezone.localdate()
    start_of_year = date(today.year - (today.month < 4), 4, 1)
    year = TrainingYear.objects.create(
        name="This year", starts_on=start_of_year, ends_on=date(start_of_year.year + 1, 3, 31), children_in_need=3400
    )
    police = AgencyFactory(name="Northshire Police")
    session = SessionFactory(
        course__title="Working Together to Safeguard Children", days_ahead=-2, status=SessionStatus.COMPLETED
    )
    for _ in range(7):
        AttendanceRecordFactory(session=session, person=UserFactory(agency=police), agency=police, booking=None)
    david = board_member(full_name="David Reid", email="david.reid@northshire-scp.example.org")
    # Hashed as production hashes (the tests' own hasher is not among production's).
    david.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    david.totp_secret, david.totp_enabled_at = new_secret(), timezone.now()
    david.save(update_fields=["password", "totp_secret", "totp_enabled_at"])
    return year, david


def test_a_report_asked_for_on_one_web_server_is_built_by_a_worker_and_downloaded_from_another(
    s3_media, partnership, tmp_path
):
    year, david = partnership
    smtp_port = free_port()
    environment = production_environment(tmp_path, smtp_port)
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collected.returncode == 0, collected.stderr

    first, second = free_port(), free_port()
    logs = {name: tmp_path / f"{name}.log" for name in ("web-1", "web-2", "worker", "beat", "smtp")}
    # The council's mail server: one that prints what it receives.
    processes = [
        start(
            [sys.executable, "-W", "ignore", "-m", "smtpd", "-n", "-c", "DebuggingServer", f"127.0.0.1:{smtp_port}"],
            environment,
            logs["smtp"],
        )
    ]
    # As the Procfile and the systemd unit start it: gunicorn with the project's config, bound by BIND.
    processes += [
        start(
            [sys.executable, "-m", "gunicorn", "--config", "python:config.gunicorn", "config.wsgi"],
            {**environment, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1"},
            logs[name],
        )
        for name, port in (("web-1", first), ("web-2", second))
    ]
    processes.append(
        start(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "--loglevel=INFO"],
            environment,
            logs["worker"],
        )
    )
    processes.append(
        start(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "beat",
                "--loglevel=INFO",
                "--scheduler",
                "django_celery_beat.schedulers:DatabaseScheduler",
            ],
            environment,
            logs["beat"],
        )
    )
    browser = Browser()
    try:
        for port in (first, second):
            wait_for(
                lambda port=port: (answers(browser, port, "/healthz") or (0,))[0] == 200,
                seconds=60,
                what=f"gunicorn on {port} answered /healthz",
                logs=list(logs.values()),
            )
        # Beat's heartbeat, answered by the worker, seen by both web servers through the shared cache.
        for port in (first, second):
            status, content = wait_for(
                lambda port=port: (
                    (answer := answers(browser, port, "/healthz/background")) and answer[0] == 200 and answer
                ),
                seconds=60,
                what="beat and the worker showed alive on /healthz/background",
                logs=list(logs.values()),
            )
            health = json.loads(content)
            assert health["beat"] == health["worker"] == "ok" and health["worker_seconds_ago"] <= 30

        # Sign in on the first web server.
        token = browser.form_token(first, "/account/sign-in")
        response, _ = browser.request(
            first,
            "/account/sign-in",
            {"csrfmiddlewaretoken": token, "username": david.email, "password": PASSWORD},
        )
        assert response.status == 302, "the sign-in was refused"
        # Two-step sign-in is compulsory in production: the code from David's authenticator app.
        assert response.getheader("Location").startswith("/account/sign-in/code")
        token = browser.form_token(first, "/account/sign-in/code")
        response, _ = browser.request(
            first,
            "/account/sign-in/code",
            {"csrfmiddlewaretoken": token, "code": code_at(david.totp_secret, current_step())},
        )
        assert response.status == 302 and not response.getheader("Location").startswith("/account/sign-in"), (
            "the two-step code was refused"
        )
        # Ask for the annual report there.
        token = browser.form_token(first, "/reports/runs")
        response, _ = browser.request(
            first, "/reports/runs", {"csrfmiddlewaretoken": token, "kind": "annual", "year": str(year.pk)}
        )
        assert response.status == 302, "the report request was refused"
        run = ReportRun.objects.get()
        assert response.getheader("Location") == f"/reports/runs/{run.pk}"

        def built():
            run.refresh_from_db()
            return run.is_finished

        wait_for(built, seconds=120, what="the worker built the report", logs=[logs["worker"]])
        assert run.status == RunStatus.DONE, run.error

        # The second web server, which shares only the database, Redis and the bucket, hands it out.
        response, content = browser.request(second, f"/reports/runs/{run.pk}/download")
        assert response.status == 200, content[:500]
        assert response.getheader("Content-Type") == "application/pdf"
        assert content == s3_media.get_object(Bucket=S3_BUCKET, Key=run.file.name)["Body"].read()
        text = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()
        assert "Annual training report" in text and "This year" in text
        # The worker emailed David through the mail server that the settings name.
        wait_for(
            lambda: david.email in logs["smtp"].read_text(),
            seconds=60,
            what="the report's email reached the mail server",
            logs=[logs["worker"], logs["smtp"]],
        )
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
    download = AuditEntry.objects.get(action="downloaded report", object_id=str(run.pk))
    assert download.actor == david
    assert stored_objects(s3_media) == [run.file.name]
    assert not (tmp_path / "var" / "media").exists()  # nothing on either "machine's" own disk
