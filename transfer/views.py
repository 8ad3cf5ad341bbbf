"""The training manager's imports (upload, preview, confirm) and exports."""

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.shortcuts import redirect, render

from common import markdown
from common.access import permission_required
from common.views import post_data

from . import services
from .formats import BY_KEY
from .forms import ExportForm, UploadForm

PENDING = "transfer_pending"


def _stashed(token: str) -> str:
    """Where a checked file waits to be confirmed: in the media storage, which every web server
    shares, because the confirmation may reach another server than the upload did."""
    return f"imports/{token}.csv"


@permission_required("accounts.manage_person")
def imports(request):
    form = UploadForm(post_data(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        key, content = form.cleaned_data["format"], form.cleaned_data["file"]
        name = request.FILES["file"].name
        result = services.import_records(
            format_key=key, content=content, commit=False, actor=request.user, file_name=name
        )
        if result.ok:
            # Keep the checked file on the server until it is confirmed; the session holds only its name.
            token = uuid.uuid4().hex
            default_storage.save(_stashed(token), ContentFile(content.encode("utf-8")))
            request.session[PENDING] = {"token": token, "format": key, "name": name}
        columns, rows = services.preview_rows(format_key=key, content=content) if result.ok else ([], [])
        return render(
            request,
            "transfer/preview.html",
            {"result": result, "format": BY_KEY[key], "columns": columns, "rows": rows},
        )
    return render(
        request, "transfer/imports.html", {"form": form, "export_form": ExportForm(), "formats": BY_KEY.values()}
    )


@permission_required("accounts.manage_person")
def confirm(request):
    pending = request.session.get(PENDING)
    if request.method != "POST" or not pending:
        return redirect("transfer:imports")
    stashed = _stashed(pending["token"])
    try:
        with default_storage.open(stashed, "rb") as waiting:
            content = waiting.read().decode("utf-8")
    except FileNotFoundError:
        messages.error(request, "That file is no longer waiting: check it again.")
        return redirect("transfer:imports")
    result = services.import_records(
        format_key=pending["format"],
        content=content,
        commit=True,
        actor=request.user,
        file_name=pending.get("name", ""),
    )
    default_storage.delete(stashed)
    del request.session[PENDING]
    if not result.ok:
        messages.error(
            request, "The records changed since the file was checked, and it no longer imports cleanly: check it again."
        )
        return redirect("transfer:imports")
    messages.success(
        request,
        f"{result.format}: {result.created} new, {result.updated} changed, {result.unchanged} already up to date."
        + (" " + "; ".join(result.outcomes) + "." if result.outcomes else ""),
    )
    return redirect("transfer:imports")


@permission_required("accounts.manage_person")
def export(request):
    form = ExportForm(request.GET or None)
    if form.is_valid():
        year = form.cleaned_data["year"]
        response = HttpResponse(services.export_year(year), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="training-year-{year.name}.zip"'
        return response
    return redirect("transfer:imports")


@permission_required("accounts.manage_person")
def guide(request):
    """The import guide, rendered from the same text as docs/imports.md in the repository."""
    text = (Path(settings.BASE_DIR) / "docs" / "imports.md").read_text(encoding="utf-8")
    return render(request, "transfer/guide.html", {"guide": markdown.render(text)})


@permission_required("accounts.manage_person")
def example(request, key):
    if key not in BY_KEY:
        return redirect("transfer:imports")
    response = HttpResponse(
        services.export_csv(key) if request.GET.get("current") else _example(key),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{key}.csv"'
    return response


def _example(key: str) -> str:
    folder = Path(settings.BASE_DIR) / "docs" / "examples"
    match = next(iter(folder.glob(f"*-{key}.csv")), None)
    return match.read_text(encoding="utf-8") if match else ""
