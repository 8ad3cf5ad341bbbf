"""Report runs: built by a worker, safe to repeat, failures recorded, downloads checked."""

import subprocess
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgencyFactory, UserFactory, agency_lead, board_member, training_manager
from accounts.models import AuditEntry
from courses.factories import SessionFactory
from reports import services
from reports.models import ReportKind, ReportRun, RunStatus
from reports.tasks import build_report
from tna.models import TrainingYear


def pdf_text(stored) -> str:
    """The text of a stored PDF, read through the media storage as a download reads it."""
    with stored.open("rb") as pdf:
        content = pdf.read()
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


@pytest.mark.django_db
def test_a_run_builds_a_pdf_with_the_figures_and_tells_the_requester(
    delivered, year, settings, tmp_path, immediate_on_commit
):
    settings.MEDIA_ROOT = tmp_path
    david = board_member(full_name="David Reid", email="david.reid@example.org")
    run = services.request_run(actor=david, kind=ReportKind.ANNUAL, year=year)  # the task runs eagerly on commit
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.progress == 100 and run.pages >= 8
    text = pdf_text(run.file)
    assert "Annual training report" in text and "This year" in text
    assert "7 people attended" in text
    assert "Appendix B. What the figures mean" in text
    assert any("Your report is ready" in m.subject for m in mail.outbox)
    # Building again is harmless: a finished run is left alone.
    assert services.build_run(run.pk) is None


@pytest.mark.django_db
def test_a_failing_build_is_recorded_as_failed_with_its_message(year, settings, tmp_path, immediate_on_commit):
    settings.MEDIA_ROOT = tmp_path
    run = ReportRun.objects.create(
        kind=ReportKind.ANNUAL,
        parameters={"year": 999999},
        title="Annual training report 1999-00",
        requested_by=training_manager(email="helen.carter@example.org"),
    )
    with pytest.raises(services.ReportError):
        build_report.apply(args=[run.pk], throw=True)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.error == "The training year for this report no longer exists."
    assert not run.file
    assert any("could not be built" in m.subject for m in mail.outbox)


@pytest.mark.django_db
def test_a_run_held_by_a_live_worker_is_not_built_twice_but_a_dead_workers_is_taken_over(year):
    run = ReportRun.objects.create(
        kind=ReportKind.ANNUAL,
        parameters={"year": year.pk},
        title="Annual training report",
        status=RunStatus.RUNNING,
        claimed_until=timezone.now() + timedelta(minutes=5),
    )
    assert services.claim(run.pk) is None
    ReportRun.objects.filter(pk=run.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    taken = services.claim(run.pk)
    assert taken is not None and taken.attempts == 1


@pytest.mark.django_db
def test_downloads_are_scoped_and_recorded(client, delivered, year, settings, tmp_path, immediate_on_commit):
    settings.MEDIA_ROOT = tmp_path
    lead = agency_lead(agency=delivered)
    run = services.request_run(actor=lead, kind=ReportKind.AGENCY, year=year, agency=delivered)
    client.force_login(lead)
    response = client.get(reverse("reports:download", args=[run.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert AuditEntry.objects.filter(action="downloaded report", object_id=str(run.pk)).exists()
    client.force_login(agency_lead(agency=AgencyFactory(name="Northshire College")))
    assert client.get(reverse("reports:download", args=[run.pk])).status_code == 404
    assert client.get(reverse("reports:run", args=[run.pk])).status_code == 404


@pytest.mark.django_db
def test_a_lead_cannot_ask_for_another_agencys_report_or_the_annual_report(client, delivered, year):
    other = AgencyFactory(name="Northshire College")
    client.force_login(agency_lead(agency=delivered))
    response = client.post(reverse("reports:runs"), {"kind": "agency", "year": year.pk, "agency": other.pk})
    assert "Choose an agency from the list" in response.content.decode()
    response = client.post(reverse("reports:runs"), {"kind": "annual", "year": year.pk})
    assert "Choose a report from the list" in response.content.decode()
    assert not ReportRun.objects.exists()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_over_redis_builds_the_annual_report(worker, delivered, year, settings, tmp_path):
    from conftest import send_to_worker, wait_until_finished

    queue, mail_dir, process = worker
    run = ReportRun.objects.create(
        kind=ReportKind.ANNUAL,
        parameters={"year": year.pk},
        title="Annual training report This year",
        requested_by=board_member(email="david.reid@example.org"),
    )
    send_to_worker(build_report, args=[run.pk], queue=queue)
    wait_until_finished(run, process)
    assert process.poll() is None, process.stdout.read()
    assert run.status == RunStatus.DONE, run.error
    settings.MEDIA_ROOT = mail_dir.parent / "media"  # where the worker wrote it
    text = pdf_text(run.file)
    assert "1 learning event was delivered" in text
    assert "7 people attended" in text


@pytest.mark.django_db
def test_a_charges_statement_lists_the_agencys_charges_in_the_period(
    client, settings, tmp_path, immediate_on_commit, target_groups
):
    from decimal import Decimal

    from courses.models import Charge, ChargeKind

    settings.MEDIA_ROOT = tmp_path
    nursery = AgencyFactory(name="Little Acorns Day Nurseries Ltd")
    session = SessionFactory(course__title="Recognising and Responding to Neglect", days_ahead=-10)
    for name in ("Sam Wilde", "Ruth Evans"):
        Charge.objects.create(
            agency=nursery,
            session=session,
            person=UserFactory(full_name=name, agency=nursery),
            kind=ChargeKind.NO_SHOW,
            amount=Decimal("75.00"),
            rule="Did not attend a one-day course: £75 a day",
        )
    charge = Charge.objects.get(person__full_name="Ruth Evans")
    Charge.objects.filter(pk=charge.pk).update(waived_at=timezone.now(), waiver_reason="Child was ill")
    lead = agency_lead(agency=nursery)
    client.force_login(lead)
    today = timezone.localdate()
    response = client.post(
        reverse("reports:runs"),
        {
            "kind": "charges",
            "year": TrainingYear.objects.create(
                name="Y", starts_on=today - timedelta(days=100), ends_on=today + timedelta(days=100)
            ).pk,
            "agency": nursery.pk,
            "date_from": (today - timedelta(days=30)).strftime("%d/%m/%Y"),
            "date_to": today.strftime("%d/%m/%Y"),
        },
    )
    run = ReportRun.objects.get()
    assert response.url == reverse("reports:run", args=[run.pk])
    run.refresh_from_db()
    text = pdf_text(run.file)
    assert "Charges statement" in text and "Sam Wilde" in text and "Child was ill" in text
    assert "£150" in text and "£75" in text  # raised, waived, and due
    # The Board does not get statements, which name people.
    client.force_login(board_member())
    response = client.post(
        reverse("reports:runs"),
        {
            "kind": "charges",
            "agency": nursery.pk,
            "year": run.parameters.get("year", 1),
            "date_from": "1/1/2026",
            "date_to": "1/2/2026",
        },
    )
    assert ReportRun.objects.count() == 1


@pytest.mark.django_db
def test_a_course_evaluation_report_is_built_for_the_board(
    client, delivered, year, settings, tmp_path, immediate_on_commit
):
    from courses.models import Course

    settings.MEDIA_ROOT = tmp_path
    course = Course.objects.get(title="Working Together to Safeguard Children")
    client.force_login(board_member())
    response = client.post(reverse("reports:runs"), {"kind": "course", "year": year.pk})
    assert "Choose the course the report is for" in response.content.decode()
    client.post(reverse("reports:runs"), {"kind": "course", "year": year.pk, "course": course.pk})
    run = ReportRun.objects.get()
    assert run.status == RunStatus.DONE, run.error
    text = pdf_text(run.file)
    assert "Course evaluation: Working Together to Safeguard Children" in text
    assert "Response rates" in text and "7" in text


@pytest.mark.django_db
def test_the_progress_page_updates_itself_until_asked_to_stop(client, year):
    run = ReportRun.objects.create(
        kind=ReportKind.ANNUAL,
        parameters={"year": year.pk},
        title="Annual training report",
        progress=40,
        status=RunStatus.RUNNING,
    )
    client.force_login(board_member())
    response = client.get(reverse("reports:run", args=[run.pk]))
    assert response["Refresh"] == "3" and "Being built: 40% done" in response.content.decode()
    assert 'http-equiv="refresh"' not in response.content.decode()
    stopped = client.get(reverse("reports:run", args=[run.pk]) + "?stop=1")
    assert "Refresh" not in stopped and "Check again" in stopped.content.decode()


@pytest.mark.django_db
def test_the_request_form_asks_which_report_first_then_only_that_report_s_fields(client, delivered, year):
    client.force_login(training_manager())
    chooser = client.get(reverse("reports:runs")).content.decode()
    assert 'name="kind"' in chooser and 'type="radio"' in chooser
    assert 'name="date_from"' not in chooser and 'name="agency"' not in chooser
    statement = client.get(reverse("reports:runs"), {"kind": "charges"}).content.decode()
    assert 'name="agency"' in statement and 'name="date_from"' in statement and 'name="date_to"' in statement
    assert 'name="year"' not in statement and 'name="course"' not in statement
    assert 'class="govuk-input govuk-input--width-10' in statement  # GOV.UK's date-sized text inputs
    annual = client.get(reverse("reports:runs"), {"kind": "annual"}).content.decode()
    assert 'name="year"' in annual and 'name="agency"' not in annual and 'name="date_from"' not in annual


@pytest.mark.django_db
def test_the_board_cannot_reach_the_charges_statement_form(client, delivered, year):
    client.force_login(board_member())
    page = client.get(reverse("reports:runs"), {"kind": "charges"}).content.decode()
    assert "Choose a report from the list" in page
    assert 'name="date_from"' not in page and 'value="charges"' not in page
