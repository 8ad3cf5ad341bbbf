"""Other Boards' figures: the training manager records them (a form or a CSV file) and downloads this
partnership's own in the same format. The comparison itself is on the dashboard and in the annual report."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from common.access import permission_required
from common.csvfiles import csv_download
from common.views import form_error, post_data
from tna.models import TrainingYear
from tna.selectors import current_training_year

from . import peers
from .models import PeerFigures
from .peer_forms import PeerFiguresForm, PeerImportForm
from .peers import PeerError

MANAGE = "reports.manage_peers"


@permission_required(MANAGE)
def peer_list(request):
    years = list(TrainingYear.objects.order_by("-starts_on"))
    return render(
        request,
        "reports/peers/list.html",
        {"figures": PeerFigures.objects.all(), "years": years, "current": current_training_year()},
    )


@permission_required(MANAGE)
def peer_edit(request, pk=None):
    figures = get_object_or_404(PeerFigures, pk=pk) if pk else None
    form = PeerFiguresForm(post_data(request), instance=figures)
    if request.method == "POST" and form.is_valid():
        try:
            saved = peers.save_peer_figures(actor=request.user, figures=figures, **form.cleaned_data)
        except PeerError as error:
            form_error(form, error)
        else:
            messages.success(request, f"Figures saved: {saved}.")
            return redirect("reports:peers")
    return render(request, "reports/peers/form.html", {"form": form, "figures": figures})


@require_POST
@permission_required(MANAGE)
def peer_remove(request, pk):
    figures = get_object_or_404(PeerFigures, pk=pk)
    peers.delete_peer_figures(actor=request.user, figures=figures)
    messages.success(request, f"Figures removed: {figures}.")
    return redirect("reports:peers")


@permission_required(MANAGE)
def peer_import(request):
    """Upload and check (the preview lists every problem by line, or what will be added and changed),
    then confirm: the checked text comes back with the confirmation and is checked again."""
    if request.method == "POST" and "content" in request.POST:
        result = peers.import_peer_figures(actor=request.user, text=request.POST["content"], commit=True)
        if result.ok:
            messages.success(
                request,
                f"Other Boards' figures: {result.created} new, {result.updated} changed, "
                f"{result.unchanged} already up to date.",
            )
            return redirect("reports:peers")
        return render(request, "reports/peers/preview.html", {"result": result, "content": ""})
    form = PeerImportForm(post_data(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        content = form.cleaned_data["file"]
        result = peers.import_peer_figures(actor=request.user, text=content, commit=False)
        return render(request, "reports/peers/preview.html", {"result": result, "content": content})
    return render(request, "reports/peers/import.html", {"form": form, "columns": peers.COLUMNS})


@permission_required(MANAGE)
def peer_export(request, year_pk):
    year = get_object_or_404(TrainingYear, pk=year_pk)
    row = peers.own_figures(year)
    response, writer = csv_download(f"board-figures-{row['Year']}.csv")
    writer.writerow(peers.COLUMNS)
    writer.writerow([row[c] for c in peers.COLUMNS])
    return response
