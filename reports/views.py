"""The Board's dashboard, report runs and their downloads, and every table as CSV."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from common import pagecache
from common.access import permission_required
from common.listing import addresses_for, rows_csv_response
from common.pagecache import PER_PERSON, remembered, shared_page
from common.views import form_error, post_data
from courses.models import Course
from tna.models import TrainingYear
from tna.selectors import current_training_year

from . import charts, metrics, services
from .forms import ReportKindForm, RunForm
from .models import ReportKind
from .selectors import get_report_run_for_user, report_kinds_for, report_runs_visible_to
from .services import ReportError
from .tables import TABLES
from .templatetags.report_tags import figure

# The dashboard's headline table: each measure's row heading, the Headline attribute and how it is written.
HEADLINE_ROWS = [
    ("Learning events delivered", "events_delivered", "num"),
    ("Events cancelled", "events_cancelled", "num"),
    ("Training days delivered", "training_days", "num"),
    ("Total attendance", "attendance", "num"),
    ("of whom walk-ins", "walk_ins", "num"),
    ("Average delegates per event (attendance ÷ events)", "average_delegates", "num"),
    ("Fill rate (attendance ÷ places offered)", "fill_rate", "pct"),
    ("Attendance rate (booked delegates who came ÷ places booked)", "attendance_rate", "pct"),
    (
        "Attendance rate of registrations (attendance ÷ registrations, cancellations included)",
        "attendance_rate_of_registrations",
        "pct",
    ),
    ("Did not attend (booked delegates marked absent)", "no_shows", "num"),
    ("Cancellations by delegates on delivered events", "cancellations", "num"),
    ("Late cancellations (of those, inside the notice period)", "late_cancellations", "num"),
    ("Cancellation rate (cancellations ÷ registrations)", "cancellation_rate", "pct"),
    ("Cost per delegate (total cost ÷ attendance)", "cost_per_delegate", "money"),
]


def headline_rows(heads) -> str:
    """The headline table's rows, one per measure with a cell per period, written here rather than
    by a template tag per cell; each figure written by the reports' own `figure`."""
    cell = '<td class="govuk-table__cell govuk-table__cell--numeric">'
    return mark_safe(
        "".join(
            f'    <tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{conditional_escape(label)}'
            "</th>" + "".join(f"{cell}{conditional_escape(figure(h, attribute, kind))}</td>" for h in heads) + "</tr>\n"
            for label, attribute, kind in HEADLINE_ROWS
        )
    )


def _year(request, years: list[TrainingYear] | None = None) -> TrainingYear | None:
    """The year asked for, else this year. `years`: every training year, when the page has read them."""
    pk = request.GET.get("year", "")
    if pk.isascii() and pk.isdigit():
        if years is not None:
            year = next((y for y in years if y.pk == int(pk)), None)
        else:
            year = TrainingYear.objects.filter(pk=int(pk)).first()
        if year:
            return year
    return current_training_year()


@permission_required("reports.view")
@shared_page(per=PER_PERSON)  # it lists the person's own report requests
def dashboard(request):
    """The same headline figures and charts as the annual report, from the same metrics."""
    # Every training year read once: the year picker, the year asked for and the years beside it.
    years = list(TrainingYear.objects.all())
    year = _year(request, years)
    if year is None:
        return render(request, "reports/no_year.html")

    # Worked out once per generation (common/pagecache.py) for everyone who opens the dashboard:
    # the same figures until the next write, and the "as at" time of that write, as a report built
    # now would print.
    heads, need, partners = remembered(
        f"reports:dashboard:{year.pk}",
        lambda: (
            metrics.headlines(year, years=years),
            metrics.need_against_attendance(year, by="agency"),
            # The dashboard prints the partnership's trainer days only, not each agency's row.
            metrics.partner_days(metrics.Period.of_year(year), years=years),
        ),
    )
    as_at = pagecache.as_at()
    # Each course's address from one reverse(), not one per link.
    results = addresses_for("evaluation:course-results")
    form = ReportKindForm(initial={"year": year.pk}, user=request.user)
    form.helper.form_action = reverse("reports:runs")
    return render(
        request,
        "reports/dashboard.html",
        {
            "year": year,
            "years": years,
            "headlines": heads,
            "headline_rows": headline_rows(heads),
            "as_at": as_at,
            "this_year": heads[-1],
            "need": need,
            "partners": partners,
            "trend_chart": charts.trend_chart(heads),
            "need_chart": charts.need_chart(need),
            "form": form,
            "runs": report_runs_visible_to(request.user)[:10],
            "tables": [
                (reverse("reports:table-csv", args=[year.pk, slug]), title) for slug, (title, _) in TABLES.items()
            ],
            "courses": [
                (results(pk), title)
                for pk, title in Course.objects.filter(active=True).order_by("title").values_list("pk", "title")
            ],
        },
    )


@permission_required("reports.request")
def runs(request):
    """Reports asked for, and the way to ask for another: first which kind, then the form for that
    kind alone (each step a page of its own, so it works without JavaScript)."""
    kinds = report_kinds_for(request.user)
    kind = request.POST.get("kind") if request.method == "POST" else request.GET.get("kind")
    if kind not in kinds:
        asked = request.POST if request.method == "POST" else request.GET
        chooser = ReportKindForm(
            {"kind": kind, "year": asked.get("year", "")} if kind is not None else None,
            user=request.user,
            initial={"year": getattr(_year(request), "pk", None)},
        )
        chooser.helper.form_action = reverse("reports:runs")
        return render(
            request, "reports/runs.html", {"form": chooser, "runs": report_runs_visible_to(request.user)[:50]}
        )
    form = RunForm(
        post_data(request), user=request.user, kind=kind, initial={"year": getattr(_year(request), "pk", None)}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = services.request_run(
                actor=request.user,
                kind=kind,
                year=data.get("year"),
                agency=data.get("agency"),
                date_from=data.get("date_from"),
                date_to=data.get("date_to"),
                course=data.get("course"),
            )
        except ReportError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                f"{run.title} is being built. This page updates itself, and we will email you when it is ready.",
            )
            return redirect("reports:run", pk=run.pk)
    return render(
        request,
        "reports/request.html",
        {"form": form, "kind": ReportKind(kind), "kinds": kinds},
    )


@login_required
def run(request, pk):
    report_run = get_report_run_for_user(request.user, pk)
    updating = not report_run.is_finished and request.GET.get("stop") != "1"
    response = render(request, "reports/run.html", {"run": report_run, "updating": updating})
    if updating:
        # A Refresh header, not a <meta> refresh (WCAG 2.2.1): the page offers a way to stop it.
        response["Refresh"] = "3"
    return response


@login_required
def download(request, pk):
    report_run = get_report_run_for_user(request.user, pk)
    if not report_run.file:
        raise Http404("This report has no file yet")
    try:
        pdf = services.open_for_download(actor=request.user, run=report_run)
    except services.ReportFileMissing as missing:
        return render(request, "reports/file_missing.html", {"run": report_run, "message": missing.message}, status=404)
    return FileResponse(
        pdf,
        as_attachment=True,
        filename=report_run.file.name.rsplit("/", 1)[-1],
        content_type="application/pdf",
    )


@permission_required("reports.view")
def table_csv(request, year_pk, table):
    if table not in TABLES:
        raise Http404("No such table")
    year = get_object_or_404(TrainingYear, pk=year_pk)
    title, rows = TABLES[table]
    return rows_csv_response(rows(year), f"{table}-{year.name}.csv")
