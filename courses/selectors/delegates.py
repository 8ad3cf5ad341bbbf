"""Who is coming to a session, for its trainers and the training manager: the delegate list and the
sign-in sheet built from it."""

import hashlib

from django.template.loader import render_to_string

from accounts.selectors import partnership_context

from ..models import HOLDS_PLACE, Booking, BookingStatus, Session, SessionDate

# Lines left empty at the foot of a sign-in sheet for people who come without a booking.
WALK_IN_LINES = 8


def delegate_list(session: Session) -> list[Booking]:
    """The confirmed delegates, by name, with their agency and staff group: one query."""
    return list(
        Booking.objects.filter(session=session, status=BookingStatus.CONFIRMED)
        .select_related("person__target_group", "agency")
        .order_by("person__full_name")
    )


def recipients_of_messages(session: Session) -> list[Booking]:
    """Who a message to a session's delegates reaches: everyone holding a place."""
    return list(
        Booking.objects.filter(session=session, status__in=HOLDS_PLACE)
        .select_related("person")
        .order_by("person__full_name")
    )


def sign_in_sheet_html(session: Session) -> str:
    """The sign-in sheet as the page the PDF is printed from. It carries nothing that changes by
    itself (no "printed at"), so its digest says whether a sheet already built is still right."""
    return render_to_string(
        "courses/booking/sign_in_sheet.html",
        {
            "session": session,
            "dates": list(SessionDate.objects.filter(session=session).order_by("starts_at")),
            "bookings": delegate_list(session),
            "walk_in_lines": range(WALK_IN_LINES),
            **partnership_context(),
        },
    )


def fingerprint(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8")).hexdigest()
