"""Training needs analysis pages: the agency lead's return, and the training manager's overview."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from common.access import permission_required
from common.csvfiles import csv_download
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
from .models import TnaCycle, TrainingYear
from .selectors import attendance_against_need, demand_against_supply, get_return_for_user, overview, totals
from .services import TnaError

SECTIONS = {
    "staff": ("About your agency", StaffForm),
    "needs": ("Inter-agency training needs", NeedsForm),
    "single-agency": ("Single-agency training", SingleAgencyForm),
}


@login_required
def index(request):
    user = request.user
    cycle = TnaCycle.objects.filter(opened_at__isnull=False).select_related("year").order_by("-deadline").first()
    if user.is_training_manager:
        latest = TnaCycle.objects.order_by("-deadline").first()
        return redirect("tna:cycle", pk=latest.pk) if latest else render(request, "tna/no_cycle.html")
    if not user.is_agency_lead:
        raise PermissionDenied
    if cycle is None:
        return render(request, "tna/no_cycle.html")
    return redirect("tna:return", pk=services.return_for(agency=user.agency, cycle=cycle).pk)


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
                actor=request.user, tna_return=tna_return, declaration=form.cleaned_data["declaration"]
            )
        except TnaError as error:
            form_error(form, error)
        else:
            messages.success(
                request, f"Your training needs return for {tna_return.cycle.year} has been submitted. Thank you."
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
            messages.success(request, f"The training needs analysis is open: {told} agencies' leads have been emailed.")
        return redirect("tna:cycle", pk=cycle.pk)
    rows = overview(cycle)
    counts = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    return render(
        request,
        "tna/cycle.html",
        {
            "cycle": cycle,
            "rows": rows,
            "counts": sorted(counts.items()),
            "demand": demand_against_supply(cycle),
            "reminders": cycle.reminders.select_related("agency")[:100],
        },
    )


@permission_required("tna.manage")
def export_returns(request, pk):
    cycle = get_object_or_404(TnaCycle.objects.select_related("year"), pk=pk)
    response, writer = csv_download(f"tna-{cycle.year}.csv")
    writer.writerow(
        ["Agency", "Status", "Submitted", "Course", "Staff in scope", "Trained and in date", "Places requested"]
    )
    from .models import TrainingNeed

    for need in (
        TrainingNeed.objects.filter(tna_return__cycle=cycle)
        .select_related("tna_return__agency", "course")
        .order_by("tna_return__agency__name", "course__title")
    ):
        r = need.tna_return
        writer.writerow(
            [
                r.agency.name,
                r.get_status_display(),
                f"{r.submitted_at:%d/%m/%Y}" if r.submitted_at else "",
                need.course.title,
                need.staff_in_scope,
                need.trained_in_date,
                need.places_requested,
            ]
        )
    return response


@permission_required("tna.manage")
def import_returns(request, pk):
    cycle = get_object_or_404(TnaCycle.objects.select_related("year"), pk=pk)
    if request.method == "POST" and "confirm" in request.POST:
        text = request.session.get(f"tna-import-{cycle.pk}", "")
        try:
            result = services.import_returns(actor=request.user, cycle=cycle, text=text, commit=True)
        except TnaError as error:
            messages.error(request, error.message)
            return redirect("tna:import", pk=cycle.pk)
        if result.errors or not result.saved:
            messages.error(request, "Nothing was imported: check the file again.")
            return redirect("tna:import", pk=cycle.pk)
        request.session.pop(f"tna-import-{cycle.pk}", None)
        messages.success(request, f"Imported {result.saved} lines of training needs.")
        return redirect("tna:cycle", pk=cycle.pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = services.import_returns(actor=request.user, cycle=cycle, text=form.cleaned_data["file"], commit=False)
        if not result.errors:
            request.session[f"tna-import-{cycle.pk}"] = form.cleaned_data["file"]
    return render(request, "tna/import.html", {"cycle": cycle, "form": form, "result": result})


@permission_required("tna.view_figures")
@shared_page
def attendance(request, pk):
    year = get_object_or_404(TrainingYear, pk=pk)
    by = request.GET.get("by", "agency")
    if by not in ("agency", "course", "level"):
        by = "agency"
    rows = attendance_against_need(year, by=by)
    return render(
        request,
        "tna/attendance.html",
        {
            "year": year,
            "rows": rows,
            "total": totals(rows),
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
    """The training year in progress (or the latest one) for the menu's link."""
    from django.utils import timezone

    today = timezone.localdate()
    year = (
        TrainingYear.objects.filter(starts_on__lte=today).order_by("-starts_on").first()
        or TrainingYear.objects.order_by("starts_on").first()
    )
    if year is None:
        return render(request, "tna/no_cycle.html")
    return redirect("tna:attendance", pk=year.pk)


@permission_required("tna.manage")
def contributions(request, pk):
    year = get_object_or_404(TrainingYear, pk=pk)
    form = ContributionsForm(post_data(request), year=year)
    if request.method == "POST" and form.is_valid():
        services.save_contributions(actor=request.user, year=year, amounts=form.amounts())
        messages.success(request, f"Agencies' contributions for {year} saved.")
        return redirect("tna:contributions", pk=year.pk)
    return render(request, "tna/contributions.html", {"year": year, "form": form})
