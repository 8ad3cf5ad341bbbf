"""Asking for a report and building it. The worker task and `manage.py build_report` both call
`build_run`, so the command line builds exactly what the worker would."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.audit import log_action
from accounts.mail import queue_email
from accounts.models import Agency
from accounts.selectors import partnership_context
from common import pagecache
from common.errors import DomainError
from tna.models import TrainingYear

from . import charts, metrics, monitoring
from .models import ReportKind, ReportRun, RunStatus
from .selectors import may_read_report

logger = logging.getLogger(__name__)


class ReportError(DomainError):
    pass


def can_request(user, *, kind: str, agency: Agency | None) -> bool:
    """A person may ask for exactly the reports they may read (`selectors.may_read_report`)."""
    return may_read_report(user, kind=kind, agency_id=agency.pk if agency is not None else None)


@transaction.atomic
def request_run(
    *,
    actor,
    kind: str,
    year: TrainingYear | None = None,
    agency: Agency | None = None,
    date_from=None,
    date_to=None,
    course=None,
) -> ReportRun:
    """Record the request and hand it to a worker once the transaction commits."""
    if kind in (ReportKind.AGENCY, ReportKind.CHARGES) and agency is None:
        raise ReportError("Choose the agency the report is for.", field="agency")
    if not can_request(actor, kind=kind, agency=agency):
        raise ReportError("You cannot ask for this report.")
    if kind == ReportKind.CHARGES:
        if not (date_from and date_to) or date_to < date_from:
            raise ReportError(
                "Enter the period the statement covers, with the end on or after the start.", field="date_to"
            )
        title = f"Charges statement: {agency.name}, {date_from:%-d %b %Y} to {date_to:%-d %b %Y}"
        parameters = {"agency": agency.pk, "from": date_from.isoformat(), "to": date_to.isoformat()}
    elif kind == ReportKind.MONITORING:
        if not (date_from and date_to) or date_to < date_from:
            raise ReportError(
                "Enter the quarter or period the report covers, with the end on or after the start.", field="date_to"
            )
        title = f"Monitoring report: {monitoring.period_label(date_from, date_to)}"
        parameters = {"from": date_from.isoformat(), "to": date_to.isoformat()}
    elif kind == ReportKind.COURSE:
        if course is None or year is None:
            raise ReportError("Choose the course and the training year.", field="course")
        title = f"Course evaluation report {year.name}: {course.title}"
        parameters = {"year": year.pk, "course": course.pk}
    else:
        if year is None:
            raise ReportError("Choose a training year.", field="year")
        title = f"{ReportKind(kind).label} {year.name}" + (f": {agency.name}" if kind == ReportKind.AGENCY else "")
        parameters = {"year": year.pk, **({"agency": agency.pk} if kind == ReportKind.AGENCY else {})}
    run = ReportRun.objects.create(
        kind=kind,
        parameters=parameters,
        agency=agency if kind in (ReportKind.AGENCY, ReportKind.CHARGES) else None,
        title=title,
        requested_by=actor,
    )
    log_action(actor=actor, action="requested report", obj=run, changes={"report": title})
    transaction.on_commit(lambda: enqueue(run.pk))
    return run


def enqueue(run_id: int) -> bool:
    """Send the run to a worker. If the broker is down the run stays queued, the page says
    so, and the beat sweep sends it when the broker is back."""
    from .tasks import build_report

    try:
        build_report.delay(run_id)
        return True
    except Exception:  # the transport's errors vary; none may fail the request
        logger.warning("Could not queue report run %s; the sweep will retry", run_id, exc_info=True)
        return False


def claim(run_id: int) -> ReportRun | None:
    """Take the run for this worker, or None if it is finished or another live worker holds it."""
    now = timezone.now()
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status in (RunStatus.DONE, RunStatus.FAILED):
            return None
        if run.status == RunStatus.RUNNING and run.claimed_until and run.claimed_until > now:
            return None
        run.status, run.started_at, run.claimed_until = (
            RunStatus.RUNNING,
            now,
            now + timedelta(seconds=settings.REPORT_CLAIM_SECONDS),
        )
        run.progress, run.error, run.attempts = 5, "", run.attempts + 1
        run.save(update_fields=["status", "started_at", "claimed_until", "progress", "error", "attempts"])
        return run


def _progress(run: ReportRun):
    def report(percent: int):
        ReportRun.objects.filter(pk=run.pk).update(progress=percent)

    return report


def render_html(run: ReportRun, *, progress=None) -> str:
    if run.kind == ReportKind.CHARGES:
        return _render_charges(run)
    if run.kind == ReportKind.MONITORING:
        return monitoring.render_html(run)
    year = TrainingYear.objects.filter(pk=run.parameters.get("year")).first()
    if year is None:
        raise ReportError("The training year for this report no longer exists.")
    context = {
        "run": run,
        **partnership_context(),
        "service_name": settings.SERVICE_NAME,
        # Read before the figures: they include every change committed by then.
        "as_at": pagecache.as_at(),
        "green": settings.TNA_RAG_GREEN,
        "amber": settings.TNA_RAG_AMBER,
        "min_group": settings.EVALUATION_MIN_GROUP,
    }
    if run.kind == ReportKind.COURSE:
        from courses.models import Course
        from evaluation import selectors as evaluation_selectors

        course = Course.objects.filter(pk=run.parameters.get("course")).first()
        if course is None:
            raise ReportError("The course for this report no longer exists.")
        period = metrics.Period.of_year(year)
        sessions = evaluation_selectors.sessions_in(course=course, starts_on=period.starts_on, ends_on=period.ends_on)
        context.update(
            {
                "course": course,
                "year": year,
                "period": period,
                "quality": evaluation_selectors.results(sessions),
                "courses": metrics.course_runs(period, course),
            }
        )
        return render_to_string("reports/course.html", context)
    if run.kind == ReportKind.ANNUAL:
        report = metrics.annual_report(year, progress=progress)
        context.update(
            {
                "report": report,
                "sections": annual_sections(report),
                "trend_chart": charts.trend_chart(report.headlines),
                "need_chart": charts.need_chart(report.need_by_agency),
            }
        )
        return render_to_string("reports/annual.html", context)
    agency = Agency.objects.filter(pk=run.parameters.get("agency")).first()
    if agency is None:
        raise ReportError("The agency for this report no longer exists.")
    context.update({"report": metrics.agency_report(year, agency, progress=progress), "agency": agency})
    return render_to_string("reports/agency.html", context)


def annual_sections(report: metrics.AnnualReport) -> dict[str, str]:
    """The numbered sections the annual report prints, numbered in the order they are printed: a
    section with nothing to show is left out and the next takes its number. Anchor -> "3"."""
    printed = [
        ("headlines", True),
        ("need", True),
        ("partners", bool(report.partners.rows or report.trainer_days_by_agency)),
        ("costs", True),
        ("quality", bool(report.quality_by_course)),
        ("issues", bool(report.practice_issues)),
        ("committee", bool(report.sub_committee and report.sub_committee.has_records)),
        ("single", bool(report.single_agency)),
    ]
    return {anchor: str(number) for number, anchor in enumerate((a for a, shown in printed if shown), start=1)}


def _render_charges(run: ReportRun) -> str:
    from datetime import date

    agency = Agency.objects.filter(pk=run.parameters.get("agency")).first()
    if agency is None:
        raise ReportError("The agency for this statement no longer exists.")
    statement = metrics.charges_statement(
        agency, date.fromisoformat(run.parameters["from"]), date.fromisoformat(run.parameters["to"])
    )
    return render_to_string(
        "reports/charges.html",
        {
            "run": run,
            "statement": statement,
            "agency": agency,
            **partnership_context(),
            "support_email": settings.SUPPORT_EMAIL,
            "as_at": pagecache.as_at(),
            "period_open": statement.period.ends_on > timezone.localdate(),
        },
    )


def render_pdf(html: str) -> tuple[bytes, int]:
    from common.pdf import render  # WeasyPrint is slow to import: only the worker needs it

    document = render(html)
    return document.write_pdf(), len(document.pages)


def build_run(run_id: int) -> ReportRun | None:
    """Build the run's PDF if nobody else is. Safe to call twice: a finished run is left alone,
    and a second build overwrites the first's file."""
    run = claim(run_id)
    if run is None:
        return None
    pdf, pages = render_pdf(render_html(run, progress=_progress(run)))
    ReportRun.objects.filter(pk=run.pk).update(progress=90)
    name = f"{run.title.lower().replace(':', '').replace(' ', '-')}-{run.pk}.pdf"
    if run.file:
        run.file.delete(save=False)
    run.file.save(name, ContentFile(pdf), save=False)
    run.status, run.progress, run.pages, run.finished_at, run.claimed_until = (
        RunStatus.DONE,
        100,
        pages,
        timezone.now(),
        None,
    )
    run.save(update_fields=["file", "status", "progress", "pages", "finished_at", "claimed_until"])
    if run.requested_by and run.requested_by.email:
        queue_email(
            to=run.requested_by.email,
            subject=f"Your report is ready: {run.title}",
            template="report_ready",
            context={
                "run": run,
                "person": run.requested_by,
                "link": settings.SITE_URL + reverse("reports:run", args=[run.pk]),
            },
        )
    return run


def release(run_id: int) -> None:
    """Give the run back (a transient failure): the retry may claim it at once."""
    ReportRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(status=RunStatus.QUEUED, claimed_until=None)


def record_failure(run_id: int, error: Exception) -> None:
    """Say what went wrong in words a Board member can pass on, and keep the detail in the log."""
    message = (
        error.message
        if isinstance(error, DomainError)
        else f"The report could not be built ({type(error).__name__}: {error})."
    )
    ReportRun.objects.filter(pk=run_id).update(
        status=RunStatus.FAILED, error=message[:2000], finished_at=timezone.now(), claimed_until=None
    )
    run = ReportRun.objects.select_related("requested_by").filter(pk=run_id).first()
    if run and run.requested_by and run.requested_by.email:
        queue_email(
            to=run.requested_by.email,
            subject=f"Your report could not be built: {run.title}",
            template="report_failed",
            context={
                "run": run,
                "person": run.requested_by,
                "link": settings.SITE_URL + reverse("reports:run", args=[run.pk]),
            },
        )


def requeue_stale_runs() -> int:
    """Beat: send queued runs that never reached a worker (the broker was down), and runs whose
    worker died (their claim ran out). Building is safe to repeat, so sending twice is harmless."""
    now = timezone.now()
    stale = ReportRun.objects.filter(
        status=RunStatus.QUEUED, requested_at__lt=now - timedelta(minutes=2)
    ) | ReportRun.objects.filter(status=RunStatus.RUNNING, claimed_until__lt=now)
    sent = 0
    for run_id in stale.values_list("pk", flat=True)[:50]:
        sent += enqueue(run_id)
    return sent


class ReportFileMissing(ReportError):
    pass


def open_for_download(*, actor, run: ReportRun) -> File:
    """The run's PDF, opened from the media storage for `actor`, and the download written to the
    audit trail. Only a file that can be handed out is recorded as downloaded: a file that is not
    there (storage not shared by the worker that built it, or removed) raises ReportFileMissing and
    records nothing."""
    try:
        pdf = run.file.open("rb")
    except FileNotFoundError:
        # Most likely the worker that built it wrote to storage this web server does not share.
        logger.warning("Report run %s: its file %r is not in the media storage", run.pk, run.file.name)
        raise ReportFileMissing(
            f"The file of {run.title} cannot be found, so nothing was downloaded. Ask for the report again."
        ) from None
    log_action(actor=actor, action="downloaded report", obj=run, changes={"report": run.title})
    return pdf
