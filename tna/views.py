"""Training needs analysis pages: the agency lead's return, and the training manager's overview."""

from itertools import chain
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import conditional_escape, escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

from common.access import permission_required
from common.csvfiles import dict_reader
from common.dates import written
from common.listing import addresses_for, rows_csv_response
from common.pagecache import shared_page
from common.views import form_error, post_data, site_url

from . import services
from .forms import (
    ContributionsForm,
    ImportForm,
    NeedsForm,
    ReasonForm,
    SingleAgencyForm,
    StaffForm,
    SubmitForm,
    YearAndCycleForm,
)
from .models import TnaCycle, TnaReturn, TrainingYear
from .selectors import (
    RETURN_LINE_COLUMNS,
    attendance_against_need,
    current_training_year,
    cycle_stage,
    cycles_by_stage,
    demand_against_supply,
    get_return_for_user,
    overview,
    rag,
    return_lines,
    totals,
)
from .services import TnaError


def _picked_year(request, year: TrainingYear, to: str, *, keep: str = ""):
    """The year picker's answer on a page whose address names its year: ?year=<pk> of another year
    redirects to the same page for that year (keeping the `keep` query parameter), else None."""
    pk = request.GET.get("year", "")
    if not (pk.isascii() and pk.isdigit()) or int(pk) == year.pk:
        return None
    if to == "tna:cycle":
        target = TnaCycle.objects.filter(year_id=int(pk)).values_list("pk", flat=True).first()
    else:
        target = TrainingYear.objects.filter(pk=int(pk)).values_list("pk", flat=True).first()
    if target is None:
        return None
    url = reverse(to, args=[target])
    if keep and request.GET.get(keep):
        url += "?" + urlencode({keep: request.GET[keep]})
    return redirect(url)


SECTIONS = {
    "staff": ("About your agency", StaffForm),
    "needs": ("Inter-agency training needs", NeedsForm),
    "single-agency": ("Single-agency training", SingleAgencyForm),
}


@login_required
def index(request):
    """The lead's way in: their agency's return for the open analysis. Every active agency's return is
    started when the analysis opens; an agency added since starts its own here, with a POST."""
    user = request.user
    if user.is_training_manager:
        # Every analysis open or being prepared, so setting up next year never hides the live one.
        current, past = cycles_by_stage()
        if not current and not past:
            return render(request, "tna/no_cycle.html")
        return render(request, "tna/index.html", {"current": current, "past": past})
    if not user.is_agency_lead or not user.agency_id:
        raise PermissionDenied
    cycle = TnaCycle.objects.filter(opened_at__isnull=False).select_related("year").order_by("-deadline").first()
    if cycle is None:
        return render(request, "tna/no_cycle.html")
    tna_return = TnaReturn.objects.filter(cycle=cycle, agency_id=user.agency_id).only("pk").first()
    if tna_return is not None:
        return redirect("tna:return", pk=tna_return.pk)
    if request.method == "POST":
        try:
            tna_return = services.start_return(agency=user.agency, cycle=cycle, actor=user)
        except TnaError as error:
            messages.error(request, error.message)
            return redirect("tna:index")
        return redirect("tna:return", pk=tna_return.pk)
    return render(request, "tna/start.html", {"cycle": cycle, "agency": user.agency})


def _rows(tna_return, section):
    if section == "staff":
        return [
            (s.target_group_id, str(s.target_group), (s.staff, s.volunteers))
            for s in tna_return.staff_counts.select_related("target_group")
        ]
    if section == "needs":
        return [
            (n.course_id, n.course.title, (n.staff_in_scope, n.trained_in_date, n.places_requested))
            for n in tna_return.needs.select_related("course__level")
        ]
    return [
        (s.level_id, str(s.level), (s.staff_trained, s.percent_in_date))
        for s in tna_return.single_agency.select_related("level")
    ]


@login_required
@shared_page  # for the agency's own lead and the training manager: roles and agency decide who may see it
def return_page(request, pk):
    tna_return = get_return_for_user(request.user, pk)
    done = set(tna_return.sections_done)
    tasks = [(slug, title, slug.replace("-", "_") in done) for slug, (title, _) in SECTIONS.items()]
    return render(
        request,
        "tna/return.html",
        {
            "tna_return": tna_return,
            "tasks": tasks,
            "all_done": len(done) == 3,
            "versions": tna_return.versions.select_related("by"),
        },
    )


@login_required
def section(request, pk, section):
    if section not in SECTIONS:
        raise Http404
    tna_return = get_return_for_user(request.user, pk)
    if tna_return.is_locked:
        messages.error(
            request, "This return has been submitted, so it is locked. Ask the training manager to reopen it."
        )
        return redirect("tna:return", pk=tna_return.pk)
    title, form_class = SECTIONS[section]
    key = section.replace("-", "_")
    initial = {"evaluation": tna_return.single_agency_evaluation} if key == "single_agency" else None
    form = form_class(post_data(request), rows=_rows(tna_return, key), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if key == "staff":
                services.save_staff_counts(actor=request.user, tna_return=tna_return, counts=form.values())
            elif key == "needs":
                result = services.save_needs(actor=request.user, tna_return=tna_return, needs=form.values())
                for warning in result.warnings:
                    messages.warning(request, warning)
            else:
                services.save_single_agency(
                    actor=request.user,
                    tna_return=tna_return,
                    lines=form.values(),
                    evaluation=form.cleaned_data["evaluation"],
                )
        except TnaError as error:
            form_error(form, error)
        else:
            messages.success(request, f"{title}: saved.")
            return redirect("tna:return", pk=tna_return.pk)
    return render(request, "tna/section.html", {"tna_return": tna_return, "form": form, "title": title, "section": key})


@login_required
def check_answers(request, pk):
    tna_return = get_return_for_user(request.user, pk)
    form = SubmitForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_return(
                actor=request.user,
                tna_return=tna_return,
                declaration=form.cleaned_data["declaration"],
                site_url=site_url(request),
            )
        except TnaError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                f"The training needs return for {tna_return.cycle.year} has been submitted. Thank you. "
                "A receipt with a copy of it has been emailed to the agency's lead.",
            )
            return redirect("tna:return", pk=tna_return.pk)
    return render(
        request,
        "tna/check.html",
        {
            "tna_return": tna_return,
            "form": form,
            "staff": tna_return.staff_counts.select_related("target_group"),
            "needs": tna_return.needs.select_related("course__level"),
            "single": tna_return.single_agency.select_related("level"),
        },
    )


@permission_required("tna.manage")
def reopen(request, pk):
    tna_return = get_return_for_user(request.user, pk)
    form = ReasonForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.reopen_return(
                actor=request.user,
                tna_return=tna_return,
                reason=form.cleaned_data["reason"],
                site_url=site_url(request),
            )
        except TnaError as error:
            form_error(form, error)
        else:
            messages.success(request, f"{tna_return.agency}'s return is reopened and its lead has been emailed.")
            return redirect("tna:return", pk=tna_return.pk)
    return render(request, "tna/reopen.html", {"tna_return": tna_return, "form": form})


# The tag colour of each status of an agency's return.
_STATUS_COLOURS = {"Submitted": "green", "Late": "red", "Reopened": "orange", "Draft": "blue"}
_AGENCY_ROW = (
    '<tr class="govuk-table__row">\n'
    '        <td class="govuk-table__cell">{}</td>\n'
    '        <td class="govuk-table__cell"><strong class="govuk-tag govuk-tag--{}">{}</strong></td>\n'
    '        <td class="govuk-table__cell">{}</td>\n'
    '        <td class="govuk-table__cell">{}</td>\n'
    "      </tr>"
)


def agency_status_html(row, return_address) -> str:
    """One agency's row of the overview (its return linked at `return_address(pk)`), written here rather
    than by the template: the overview has a row for each of some sixty agencies."""
    r = row.tna_return
    name = escape(row.agency.name)
    agency = f'<a class="govuk-link" href="{escape(return_address(r.pk))}">{name}</a>' if r else name
    submitted = ""
    if r and r.submitted_at:
        by = escape(getattr(r.submitted_by, "full_name", ""))
        on = written(template_localtime(r.submitted_at), "j M Y")
        submitted = f"{on} imported by {by} from {escape(r.imported_from)}" if r.imported_from else f"{on} by {by}"
    log = row.last_reminder
    reminder = f"{escape(log.get_kind_display())}, {written(template_localtime(log.sent_at), 'j M Y')}" if log else ""
    return mark_safe(
        _AGENCY_ROW.format(agency, _STATUS_COLOURS.get(row.status, "grey"), escape(row.status), submitted, reminder)
    )


@permission_required("tna.manage")
@shared_page
def cycle(request, pk):
    cycle = get_object_or_404(TnaCycle.objects.select_related("year"), pk=pk)
    if request.method == "POST" and "open" in request.POST:
        try:
            told = services.open_cycle(actor=request.user, cycle=cycle, site_url=site_url(request))
        except TnaError as error:
            messages.error(request, error.message)
        else:
            leads = "1 agency's lead has" if told == 1 else f"{told} agencies' leads have"
            messages.success(request, f"The training needs analysis is open: {leads} been emailed.")
        return redirect("tna:cycle", pk=cycle.pk)
    picked = _picked_year(request, cycle.year, "tna:cycle")
    if picked:
        return picked
    rows = overview(cycle)
    counts = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    return_address = addresses_for("tna:return")
    return render(
        request,
        "tna/cycle.html",
        {
            "cycle": cycle,
            "rows": rows,
            "rows_html": [agency_status_html(row, return_address) for row in rows],
            "counts": sorted(counts.items()),
            "demand": demand_against_supply(cycle),
            "reminders": cycle.reminders.select_related("agency")[:100],
            "year": cycle.year,
            "years": TrainingYear.objects.filter(cycle__isnull=False),
            "stage": cycle_stage(cycle),
        },
    )


@permission_required("tna.manage")
def export_returns(request, pk):
    cycle = get_object_or_404(TnaCycle.objects.select_related("year"), pk=pk)
    lines = ([line[column] for column in RETURN_LINE_COLUMNS] for line in return_lines(cycle=cycle))
    return rows_csv_response(chain([RETURN_LINE_COLUMNS], lines), f"tna-{cycle.year}.csv")


@permission_required("tna.manage")
def import_returns(request, pk):
    """Upload, check (the preview says what happens to each return), then confirm: the same
    service as the records import, limited to this analysis's year."""
    cycle = get_object_or_404(TnaCycle.objects.select_related("year"), pk=pk)
    pending_key = f"tna-import-{cycle.pk}"
    if request.method == "POST" and "confirm" in request.POST:
        pending = request.session.get(pending_key) or {}
        try:
            result = services.import_needs(
                actor=request.user,
                text=pending.get("text", ""),
                file_name=pending.get("name", ""),
                commit=True,
                cycle=cycle,
            )
        except TnaError as error:
            messages.error(request, error.message)
            return redirect("tna:import", pk=cycle.pk)
        if not result.ok:
            messages.error(request, "Nothing was imported: the file no longer imports cleanly, so check it again.")
            return redirect("tna:import", pk=cycle.pk)
        request.session.pop(pending_key, None)
        messages.success(request, import_summary(result))
        return redirect("tna:cycle", pk=cycle.pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.import_needs(
                actor=request.user,
                text=form.cleaned_data["file"],
                file_name=form.file_name,
                commit=False,
                cycle=cycle,
            )
        except TnaError as error:
            form_error(form, error)
        else:
            if result.ok:
                request.session[pending_key] = {"text": form.cleaned_data["file"], "name": form.file_name}
    return render(request, "tna/import.html", {"cycle": cycle, "form": form, "result": result})


EXAMPLE_FILE = Path(settings.BASE_DIR) / "docs" / "examples" / "08-tna-returns.csv"


@permission_required("tna.manage")
def import_example(request, pk):
    """The example file of the import guide, without its Training year column, which an import on
    an analysis's own page does not need."""
    cycle = get_object_or_404(TnaCycle.objects.select_related("year"), pk=pk)
    rows = list(dict_reader(EXAMPLE_FILE.read_text(encoding="utf-8")))
    columns = services.IMPORT_COLUMNS[1:]
    return rows_csv_response(
        chain([columns], ([row.get(column, "") for column in columns] for row in rows)),
        f"training-needs-{cycle.year}-example.csv",
    )


def import_summary(result: services.NeedsImport) -> str:
    """What an import did, in one sentence: the statuses it left the returns in."""
    submitted = sum(1 for r in result.returns if r.version)
    left = len(result.returns) - submitted
    lines = len(result.lines)
    text = (
        f"Imported {lines} line{'s' if lines != 1 else ''} from {result.file_name or 'the file'}. "
        f"{submitted} return{'s are' if submitted != 1 else ' is'} now submitted, recorded as imported by you, "
        "and count in attendance against need"
    )
    if left:
        left_as = "were left as they were" if left != 1 else "was left as it was"
        text += f"; {left} already submitted with these figures {left_as}"
    return text + "."


# Each status's tag colour (GOV.UK's "yellow" is amber) and its word ("None" for no need stated).
_TAGS = {"green": ("green", "Green"), "amber": ("yellow", "Amber"), "red": ("red", "Red"), "grey": ("grey", "None")}
_NUMBER = '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>\n'
_NEED_ROW = (
    '<tr class="govuk-table__row">\n'
    '  <th scope="row" class="govuk-table__header">{}</th>\n'
    + ("  " + _NUMBER)
    * 6
    + '  <td class="govuk-table__cell"><strong class="govuk-tag govuk-tag--{}">{}</strong></td>\n'
    "</tr>\n"
)


def need_row_html(row, *, label: str | None = None) -> str:
    """One row of the attendance against need table (`label` in place of the row's own: "Total"),
    written here rather than by a template per row: a year has a row for each of some sixty agencies."""
    met = row.met  # worked out once for the figure and its status
    colour, word = _TAGS[rag(met)]
    # Only the label is text from the records: the figures are whole numbers and the rest is fixed.
    return mark_safe(
        _NEED_ROW.format(
            conditional_escape(row.label if label is None else label),
            int(row.requested),
            int(row.booked),
            int(row.attended),
            int(row.attended_unrequested),
            int(row.no_shows),
            "No need stated" if met is None else f"{met}%",
            colour,
            word,
        )
    )


@permission_required("tna.view_figures")
@shared_page
def attendance(request, pk):
    # Every training year read once: the year picker's and the year shown.
    years = list(TrainingYear.objects.all())
    year = next((y for y in years if y.pk == pk), None)
    if year is None:
        raise Http404("No such training year")
    picked = _picked_year(request, year, "tna:attendance", keep="by")
    if picked:
        return picked
    by = request.GET.get("by", "agency")
    if by not in ("agency", "course", "level"):
        by = "agency"
    rows = attendance_against_need(year, by=by)
    return render(
        request,
        "tna/attendance.html",
        {
            "year": year,
            "years": years,
            "keep": [("by", by)],
            "rows": rows,
            "rows_html": [need_row_html(row) for row in rows],
            "total_html": need_row_html(totals(rows), label="Total"),
            "by": by,
            "groupings": [("agency", "agency"), ("course", "course"), ("level", "level")],
            "green": settings.TNA_RAG_GREEN,
            "amber": settings.TNA_RAG_AMBER,
        },
    )


@permission_required("tna.manage")
def new_year(request):
    form = YearAndCycleForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.create_year_and_cycle(actor=request.user, **form.cleaned_data)
        except TnaError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                f"Training year {cycle.year} is set up. "
                "Open the analysis when you are ready to email the agency leads.",
            )
            return redirect("tna:cycle", pk=cycle.pk)
    return render(request, "tna/new_year.html", {"form": form})


@permission_required("tna.view_figures")
def latest_attendance(request):
    """The current training year's figures, for the menu's link."""
    year = current_training_year()
    if year is None:
        return render(request, "tna/no_cycle.html")
    return redirect("tna:attendance", pk=year.pk)


@permission_required("tna.manage")
def contributions(request, pk):
    year = get_object_or_404(TrainingYear, pk=pk)
    picked = _picked_year(request, year, "tna:contributions")
    if picked:
        return picked
    form = ContributionsForm(post_data(request), year=year)
    if request.method == "POST" and form.is_valid():
        services.save_contributions(actor=request.user, year=year, amounts=form.amounts())
        messages.success(request, f"Agencies' contributions for {year} saved.")
        return redirect("tna:contributions", pk=year.pk)
    return render(request, "tna/contributions.html", {"year": year, "form": form, "years": TrainingYear.objects.all()})
