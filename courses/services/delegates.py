"""Writing to a session's delegates, and preparing its sign-in sheet."""

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import log_action
from accounts.mail import queue_email
from common.errors import DomainError

from ..models import Session, SessionMessage, SessionStatus, SignInSheet
from ..selectors.delegates import fingerprint, recipients_of_messages, sign_in_sheet_html


class DelegatesError(DomainError):
    pass


def _may_prepare(actor, session: Session) -> None:
    if not actor.has_perm("courses.take_register", session):
        raise DelegatesError("Only the training manager and the session's trainers can do this.")


@transaction.atomic
def message_delegates(*, actor, session: Session, subject: str, body: str) -> SessionMessage:
    """Email everyone holding a place on the session (joining instructions, pre-reading) and keep
    the message on the session. Not for a cancelled session, nor one nobody has a place on."""
    _may_prepare(actor, session)
    subject, body = subject.strip(), body.strip()
    if not subject:
        raise DelegatesError("Enter a subject", field="subject")
    if not body:
        raise DelegatesError("Enter the message", field="body")
    session = (
        Session.objects.select_for_update(of=("self",)).select_related("course", "venue", "room").get(pk=session.pk)
    )
    if session.status == SessionStatus.CANCELLED:
        raise DelegatesError("This session was cancelled: its delegates have been told.")
    bookings = recipients_of_messages(session)
    if not bookings:
        raise DelegatesError("Nobody has a place on this session yet, so there is nobody to write to.")
    message = SessionMessage.objects.create(
        session=session, subject=subject, body=body, sent_by=actor, recipients=len(bookings)
    )
    dates = list(session.dates.all())
    for booking in bookings:
        queue_email(
            to=booking.person.email,
            subject=f"{subject} ({session.course.title})",
            template="session_message",
            context={
                "person": booking.person,
                "session": session,
                "dates": dates,
                "sender": actor,
                "body": body,
                "manage_link": settings.SITE_URL + reverse("courses:booking", args=[booking.pk]),
            },
        )
    log_action(
        actor=actor,
        action="wrote to delegates",
        obj=session,
        changes={"subject": subject, "recipients": len(bookings)},
    )
    return message


@transaction.atomic
def request_sign_in_sheet(*, actor, session: Session) -> SignInSheet:
    """Ask the worker to prepare the session's sign-in sheet from the delegate list as it is now."""
    _may_prepare(actor, session)
    if session.status == SessionStatus.CANCELLED:
        raise DelegatesError("This session was cancelled, so it has no sign-in sheet.")
    sheet, _ = SignInSheet.objects.select_for_update().get_or_create(session=session)
    sheet.requested_at = timezone.now()
    sheet.save(update_fields=["requested_at"])
    from ..tasks import build_sign_in_sheet

    transaction.on_commit(lambda: build_sign_in_sheet.delay(session.pk))
    return sheet


def build_sign_in_sheet(session_id: int) -> SignInSheet:
    """The worker's part: render the sheet and store it with the digest of what it was built from,
    replacing any earlier file. Safe to run twice."""
    from common.pdf import html_to_pdf  # WeasyPrint is slow to import: only the worker needs it

    session = Session.objects.select_related("course", "venue", "room").get(pk=session_id)
    html = sign_in_sheet_html(session)
    pdf = html_to_pdf(html)
    sheet, _ = SignInSheet.objects.get_or_create(session=session)
    if sheet.file:
        sheet.file.delete(save=False)
    sheet.file.save(f"sign-in-sheet-{session.pk}.pdf", ContentFile(pdf), save=False)
    sheet.fingerprint = fingerprint(html)
    sheet.built_at = timezone.now()
    SignInSheet.objects.filter(pk=sheet.pk).update(
        file=sheet.file.name, fingerprint=sheet.fingerprint, built_at=sheet.built_at
    )
    return sheet
