"""Preparing a session, for the training manager and the session's trainers: writing to its
delegates and printing its sign-in sheet."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render

from common.views import form_error, post_data

from ..forms.booking import SessionMessageForm
from ..models import SignInSheet
from ..selectors.booking import get_session_for_register
from ..selectors.delegates import fingerprint, recipients_of_messages, sign_in_sheet_html
from ..services import delegates
from ..services.delegates import DelegatesError


@login_required
def session_messages(request, pk):
    """Write to everyone with a place; the messages sent are listed below, newest first."""
    session = get_session_for_register(request.user, pk)
    form = SessionMessageForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            sent = delegates.message_delegates(actor=request.user, session=session, **form.cleaned_data)
        except DelegatesError as error:
            form_error(form, error)
        else:
            messages.success(
                request, f"Message sent to {sent.recipients} {'person' if sent.recipients == 1 else 'people'}."
            )
            return redirect("courses:session-messages", pk=session.pk)
    return render(
        request,
        "courses/booking/session_messages.html",
        {
            "session": session,
            "form": form,
            "sent": session.messages.select_related("sent_by"),
            "recipients": len(recipients_of_messages(session)),
        },
    )


def _sheet_state(session):
    """The session's sheet and whether it is current (built from the delegate list as it is now)
    or being prepared."""
    sheet = SignInSheet.objects.filter(session=session).first()
    current = bool(sheet and sheet.file and sheet.fingerprint == fingerprint(sign_in_sheet_html(session)))
    preparing = bool(
        sheet and not current and sheet.requested_at and (sheet.built_at is None or sheet.built_at < sheet.requested_at)
    )
    return sheet, current, preparing


@login_required
def sign_in_sheet(request, pk):
    session = get_session_for_register(request.user, pk)
    if request.method == "POST":
        try:
            delegates.request_sign_in_sheet(actor=request.user, session=session)
        except DelegatesError as error:
            messages.error(request, error.message)
        return redirect("courses:sign-in-sheet", pk=session.pk)
    sheet, current, preparing = _sheet_state(session)
    updating = preparing and request.GET.get("stop") != "1"
    response = render(
        request,
        "courses/booking/sign_in_sheet_page.html",
        {"session": session, "sheet": sheet, "current": current, "preparing": preparing, "updating": updating},
    )
    if updating:
        # A Refresh header, not a <meta> refresh (WCAG 2.2.1): the page offers a way to stop it.
        response["Refresh"] = "3"
    return response


@login_required
def sign_in_sheet_pdf(request, pk):
    session = get_session_for_register(request.user, pk)
    sheet, current, _preparing = _sheet_state(session)
    if not current:
        messages.info(request, "The delegate list has changed since the sheet was prepared: prepare it again.")
        return redirect("courses:sign-in-sheet", pk=session.pk)
    return FileResponse(
        sheet.file.open("rb"),
        as_attachment=True,
        filename=f"sign-in-sheet-{session.course.slug}-{session.starts_at:%Y-%m-%d}.pdf",
        content_type="application/pdf",
    )
