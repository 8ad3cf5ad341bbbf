"""Errors and logs as the IT team meets them: one JSON line per record (tracebacks inside it), a request
id on every line of a request and of the tasks it queued, the request line with the real client
address and the account's id (never an email), a reference on the 500 page that finds the error's
line, errors emailed to ADMINS, and a probe with a stranger's Host header on one line."""

import io
import json
import logging
import logging.config
import re
import uuid

import pytest
from celery import shared_task
from django.conf import settings as django_settings
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import path

from accounts.factories import UserFactory
from common import logcontext
from common.errormail import ErrorEmailHandler
from common.logformat import JsonLines, logging_config
from config.observability import parse_admins, without_personal_data
from config.urls import urlpatterns as service_urlpatterns

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(r"give them this reference: <strong>([2-9A-Z]{4}-[2-9A-Z]{4})</strong>")


def fails(request):
    raise ValueError("the catalogue could not be read")


# The service's own URLs and one page that fails, with the service's own 500 handler.
urlpatterns = [path("fails", fails), *service_urlpatterns]
handler500 = "config.views.server_error"


@pytest.fixture
def json_log():
    """The production logging (JSON lines) for one test; returns a function giving the lines so far."""
    logging.config.dictConfig(logging_config(log_format="json", level="INFO"))
    stream = io.StringIO()
    for handler in logging.getLogger().handlers:
        if isinstance(handler.formatter, JsonLines):
            handler.setStream(stream)
        if isinstance(handler, ErrorEmailHandler):
            handler._sent.clear()  # an error emailed by an earlier test may be emailed again

    def lines():
        raw = stream.getvalue().splitlines()
        return [json.loads(line) for line in raw]  # each line is one whole JSON object

    yield lines
    logging.config.dictConfig(django_settings.LOGGING)


def by_logger(lines, name):
    return [line for line in lines if line["logger"] == name]


@pytest.mark.urls(__name__)
def test_a_failing_page_shows_a_reference_that_its_log_line_and_request_line_carry(json_log):
    response = Client(raise_request_exception=False).get("/fails")
    assert response.status_code == 500
    reference = REFERENCE.search(response.content.decode())[1]
    (error,) = by_logger(json_log(), "django.request")
    assert error["level"] == "ERROR" and error["message"] == "Internal Server Error: /fails"
    assert error["error_reference"] == reference
    assert "ValueError: the catalogue could not be read" in error["traceback"]
    (request,) = by_logger(json_log(), "request")
    assert request["status"] == 500 and request["error_reference"] == reference
    assert request["request_id"] == error["request_id"] == response["X-Request-ID"]


@pytest.mark.urls(__name__)
def test_each_failure_gets_its_own_reference():
    client = Client(raise_request_exception=False)
    first, second = (REFERENCE.search(client.get("/fails").content.decode())[1] for _ in range(2))
    assert first != second


def test_every_request_is_one_line_with_its_id_status_time_account_and_real_address(json_log, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    person = UserFactory(full_name="Aisha Khan", email="aisha.khan@northshire-police.example.org")
    client = Client()
    client.force_login(person)
    response = client.get("/courses?q=Aisha", HTTP_X_FORWARDED_FOR="203.0.113.7", HTTP_X_REQUEST_ID="edge-7f3a9c2e41d0")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "edge-7f3a9c2e41d0"
    (line,) = by_logger(json_log(), "request")
    assert line["request_id"] == "edge-7f3a9c2e41d0"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/courses", 200)
    assert line["user_id"] == person.pk and line["client"] == "203.0.113.7"
    assert line["duration_ms"] > 0 and line["level"] == "INFO"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])
    everything = json.dumps(json_log())
    assert "aisha.khan@" not in everything and "Aisha" not in everything  # no email, no query string


@pytest.mark.parametrize(
    "proxies, sent, kept",
    [
        (1, "edge-7f3a9c2e41d0", True),
        (1, "short", False),
        (1, "x" * 200, False),
        (1, "id with spaces\r\nSet-Cookie: a=b", False),
        (0, "edge-7f3a9c2e41d0", False),  # no proxy in front: the client wrote it
    ],
)
def test_a_request_id_from_the_proxy_is_kept_only_when_it_looks_safe(settings, proxies, sent, kept):
    settings.TRUSTED_PROXY_COUNT = proxies
    answer = Client().get("/accessibility", HTTP_X_REQUEST_ID=sent)["X-Request-ID"]
    assert (answer == sent) is kept
    assert re.fullmatch(r"[A-Za-z0-9._:-]{8,128}", answer)


def test_lines_written_during_a_request_carry_its_id(json_log):
    token = logcontext.bind(logcontext.LogContext(request_id="outside-any-request"))  # must not leak in
    try:
        response = Client().get("/accessibility")
        logging.getLogger("courses").warning("after the request")
    finally:
        logcontext.unbind(token)
    (request,) = by_logger(json_log(), "request")
    assert request["request_id"] == response["X-Request-ID"] != "outside-any-request"
    (after,) = by_logger(json_log(), "courses")
    assert after["request_id"] == "outside-any-request"


@shared_task
def note_progress():
    logging.getLogger("reports.tasks").info("building the annual report")


def test_a_task_carries_the_request_id_it_was_queued_with(json_log):
    from config.celery import carry_the_request_id

    headers = {}
    token = logcontext.bind(logcontext.LogContext(request_id="req-5d1c2b7a9e"))
    carry_the_request_id(headers=headers)
    logcontext.unbind(token)
    assert headers == {"request_id": "req-5d1c2b7a9e"}

    note_progress.apply(headers=headers)
    (line,) = by_logger(json_log(), "reports.tasks")
    assert line["request_id"] == "req-5d1c2b7a9e"
    assert line["task"].endswith("note_progress") and line["task_id"]
    assert logcontext.current() is None  # unbound when the task ended


def test_celery_leaves_the_services_logging_in_place():
    from celery import signals

    from config.celery import use_the_services_logging

    # A receiver for setup_logging: Celery then configures nothing (its hijack of the root logger included).
    assert any(receiver() is use_the_services_logging for _, receiver in signals.setup_logging.receivers)
    use_the_services_logging()
    assert any(isinstance(h, ErrorEmailHandler) for h in logging.getLogger().handlers)


@pytest.mark.urls(__name__)
def test_admins_are_emailed_each_error_with_its_reference_and_no_personal_data(json_log, settings):
    settings.ADMINS = [("IT service desk", "itsd@northshire.example.gov.uk")]
    person = UserFactory(full_name="Grace Okafor", email="grace.okafor@riverside.example.org")
    client = Client(raise_request_exception=False)
    client.force_login(person)
    response = client.post("/fails", {"note": "Grace's referral"})
    reference = REFERENCE.search(response.content.decode())[1]
    (email,) = mail.outbox
    assert email.to == ["itsd@northshire.example.gov.uk"]
    assert reference in email.subject and email.subject.startswith(f"[{settings.SERVICE_NAME}] ")
    assert "ValueError: the catalogue could not be read" in email.body
    assert f"Request id: {response['X-Request-ID']}" in email.body and "POST /fails" in email.body
    for personal in ("Grace", "grace.okafor", "referral"):
        assert personal not in email.body


@pytest.mark.urls(__name__)
def test_no_error_email_without_admins(settings):
    settings.ADMINS = []
    Client(raise_request_exception=False).get("/fails")
    assert mail.outbox == []


def test_a_probe_with_another_host_header_is_one_warning_line_and_emails_nobody(json_log, settings):
    settings.ADMINS = [("IT service desk", "itsd@northshire.example.gov.uk")]
    assert Client().get("/", HTTP_HOST="scanner.example.net").status_code == 400
    (line,) = by_logger(json_log(), "django.security.DisallowedHost")
    assert line["level"] == "WARNING"
    assert line["message"].startswith("Invalid HTTP_HOST header: 'scanner.example.net'.")
    assert "traceback" not in line
    assert mail.outbox == []


def test_the_text_format_is_one_line_per_record_too_with_the_request_id():
    from common.logformat import TextLines

    record = logging.LogRecord("request", logging.INFO, __file__, 1, "GET /courses 200 5.0ms", (), None)
    record.request_id = "req-5d1c2b7a9e"
    assert TextLines().format(record).endswith("INFO request GET /courses 200 5.0ms [req-5d1c2b7a9e]")


@pytest.mark.parametrize(
    "raw, admins",
    [
        ("", []),
        ("IT service desk <itsd@northshire.example.gov.uk>", [("IT service desk", "itsd@northshire.example.gov.uk")]),
        (
            "IT service desk <itsd@northshire.example.gov.uk>, sam.patel@northshire.example.gov.uk",
            [
                ("IT service desk", "itsd@northshire.example.gov.uk"),
                ("sam.patel@northshire.example.gov.uk", "sam.patel@northshire.example.gov.uk"),
            ],
        ),
    ],
)
def test_admins_are_read_from_the_environment(raw, admins):
    assert parse_admins(raw) == admins


@pytest.mark.parametrize(
    "raw",
    ["IT service desk", "Patel, Sam <sam@northshire.example.gov.uk>", "Sam <sam@>", "Sam <sam@x.org", "<>"],
)
def test_admins_that_cannot_be_read_stop_the_site_starting(raw):
    with pytest.raises(ImproperlyConfigured, match="ADMINS"):
        parse_admins(raw)


def test_what_goes_to_sentry_has_no_personal_data_and_the_reference(settings):
    token = logcontext.bind(logcontext.LogContext(request_id="req-5d1c2b7a9e"))
    try:
        event = without_personal_data(
            {
                "request": {
                    "method": "POST",
                    "url": "https://training.example.org/fails",
                    "query_string": "q=Aisha",
                    "data": {"note": "Grace's referral"},
                    "cookies": {"sessionid": "abc"},
                    "headers": {"User-Agent": "x"},
                },
                "user": {"id": 7, "email": "grace.okafor@riverside.example.org"},
            },
            {},
        )
        assert event["tags"] == {"request_id": "req-5d1c2b7a9e", "reference": logcontext.error_reference()}
    finally:
        logcontext.unbind(token)
    assert event["request"] == {"method": "POST", "url": "https://training.example.org/fails"}
    assert "user" not in event


def test_sentry_is_off_unless_a_dsn_is_set():
    import sentry_sdk

    assert django_settings.SENTRY_DSN == "" and not sentry_sdk.get_client().is_active()


@pytest.fixture
def sentry_events():
    """Sentry switched on for one test, its events kept here instead of sent."""
    import sentry_sdk
    from sentry_sdk.transport import Transport

    from config.observability import init_sentry

    events = []

    class Keep(Transport):
        def capture_envelope(self, envelope):
            events.extend(item.payload.json for item in envelope.items if item.type == "event")

    init_sentry(dsn="https://key@sentry.example.invalid/1", environment="test", release="", traces_sample_rate=0)
    sentry_sdk.get_client().transport = Keep()
    yield events
    sentry_sdk.get_client().close()
    sentry_sdk.init(dsn=None)


@pytest.mark.urls(__name__)
def test_an_error_reaches_sentry_tagged_with_the_reference_on_the_page(sentry_events):
    person = UserFactory(email="grace.okafor@riverside.example.org")
    client = Client(raise_request_exception=False)
    client.force_login(person)
    response = client.post("/fails?q=Grace", {"note": "Grace's referral"})
    reference = REFERENCE.search(response.content.decode())[1]
    import sentry_sdk

    sentry_sdk.flush()
    (event,) = [e for e in sentry_events if e.get("exception")]
    assert event["tags"]["reference"] == reference
    assert event["tags"]["request_id"] == response["X-Request-ID"]
    assert "grace" not in json.dumps(event).lower()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_writes_json_lines_with_the_request_id_of_the_request_that_queued_the_task(tmp_path):
    from accounts.models import OutgoingEmail
    from accounts.tasks import send_outgoing_email
    from conftest import send_to_worker, start_worker, stop_worker

    # In the outbox, not yet queued (queue_email would send it here: tests run tasks eagerly).
    email = OutgoingEmail.objects.create(
        to=["aisha.khan@example.org"], subject="Your place is confirmed", body_text="See you on Tuesday."
    )
    queue = f"test-{uuid.uuid4().hex[:8]}"
    process = start_worker(tmp_path, queue, LOG_FORMAT="json")
    try:
        token = logcontext.bind(logcontext.LogContext(request_id="req-worker-31f9a0"))
        send_to_worker(send_outgoing_email, args=[email.pk], queue=queue)
        logcontext.unbind(token)
        import time

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            email.refresh_from_db()
            if email.sent_at:
                break
            time.sleep(0.5)
    finally:
        stop_worker(process)
    output = process.stdout.read()
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    mine = [line for line in lines if line.get("task_id") and "send_outgoing_email" in line.get("task", "")]
    assert email.sent_at, output[-3000:]
    assert mine, output[-3000:]
    assert all(line["request_id"] == "req-worker-31f9a0" for line in mine)


def test_a_refusal_is_still_one_line_in_the_json_format_with_the_request_id(json_log):
    teacher = UserFactory(full_name="Jo Baker")
    client = Client()
    client.force_login(teacher)
    response = client.get("/manage/people")
    assert response.status_code == 403
    (refusal,) = [line for line in json_log() if line["message"].startswith("Refused (403)")]
    assert refusal["message"] == f"Refused (403): user {teacher.pk}, GET /manage/people: Permission denied"
    assert refusal["status"] == 403 and "traceback" not in refusal
    assert refusal["request_id"] == response["X-Request-ID"]


def settings_of(module, **env):
    """A setting's value as a fresh process reads it from the environment (for production, one set up
    as a council's deployment sets it: config/tests/test_settings.py)."""
    import os
    import sys

    from config.tests.test_settings import production, run

    given = production() if module == "config.settings.production" else {}
    env = {**given, "DJANGO_SETTINGS_MODULE": module, "ENV_FILE": os.devnull, **env}
    code = "from django.conf import settings; print(settings.LOG_FORMAT, settings.ADMINS)"
    return run([sys.executable, "-c", code], env)


def test_production_writes_json_lines_unless_told_otherwise_and_development_text():
    assert settings_of("config.settings.production").stdout.split()[0] == "json"
    assert settings_of("config.settings.production", LOG_FORMAT="text").stdout.split()[0] == "text"
    assert settings_of("config.settings.base").stdout.split()[0] == "text"


@pytest.mark.parametrize("env", [{"LOG_FORMAT": "xml"}, {"ADMINS": "IT service desk"}])
def test_a_log_format_or_admins_that_cannot_be_read_stops_the_site_starting(env):
    result = settings_of("config.settings.production", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and next(iter(env)) in result.stderr


def test_sentry_starts_without_deprecation_warnings():
    """What Sentry may collect is said with data_collection; the deprecated send_default_pii is not used."""
    import warnings

    import sentry_sdk

    from config.observability import init_sentry

    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        init_sentry(dsn="https://key@sentry.example.invalid/1", environment="test", release="", traces_sample_rate=0)
    try:
        collected = sentry_sdk.get_client().options["data_collection"]
        assert collected["user_info"] is False and collected["stack_frame_variables"] is False
        assert collected["cookies"] == {"mode": "off"} and collected["http_bodies"] == []
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.init(dsn=None)
