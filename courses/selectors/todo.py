"""What waits for people in the programme: registers to close, waiting lists nobody has been
offered a place from, sessions under-booked as their cut-off nears, and an agency's staff whose
required training is not in date.

Each rule is a queryset filter defined once here: the to-do counts and the sessions list's
"Needs attention" filter both use it, so the number on the home page is the number of rows the link
shows.
"""

from datetime import timedelta

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import normalise_email
from accounts.selectors import approvers_for_many
from common.todo import TodoItem

from ..models import Booking, BookingStatus, SessionStatus
from .booking import sessions_with_places
from .external_training import training_elsewhere_todo
from .training_record import agency_training_summary

# A session is "under-booked" when fewer than half its places are taken and its booking cut-off
# falls within this many days: late enough that it needs a decision
# (advertise it again, merge it with another run, or cancel it), early enough to act on.
NEAR_CUT_OFF_DAYS = 14

NEEDS = {
    "register": "Register to close",
    "waiting": "Waiting list, nobody offered a place",
    "under-booked": "Under-booked near its cut-off",
}


def registers_to_close(sessions: QuerySet, *, now=None) -> QuerySet:
    """Sessions that have ended, were not cancelled, and whose register is still open."""
    return sessions.filter(status=SessionStatus.SCHEDULED, ends_at__lte=now or timezone.now())


def waiting_without_offers(sessions: QuerySet, *, now=None) -> QuerySet:
    """Sessions still to come with people on the waiting list and no place on offer to any of them:
    either the session is full (demand for another run) or a place is free that nobody was offered."""
    offered = Booking.objects.filter(session=OuterRef("pk"), status=BookingStatus.OFFERED)
    return sessions.filter(status=SessionStatus.SCHEDULED, starts_at__gt=now or timezone.now(), waiting__gt=0).exclude(
        Exists(offered)
    )


def under_booked_near_cut_off(sessions: QuerySet, *, now=None) -> QuerySet:
    """Sessions whose booking cut-off is within NEAR_CUT_OFF_DAYS and fewer than half of whose places
    are taken. `sessions` carries the `taken` count (sessions_with_places)."""
    now = now or timezone.now()
    return sessions.filter(
        status=SessionStatus.SCHEDULED,
        bookings_close_at__gt=now,
        bookings_close_at__lte=now + timedelta(days=NEAR_CUT_OFF_DAYS),
        capacity__gt=F("taken") * 2,
    )


def sessions_needing(need: str, sessions: QuerySet | None = None, *, now=None) -> QuerySet:
    """The sessions behind one "Needs attention" choice (a key of NEEDS)."""
    sessions = sessions_with_places() if sessions is None else sessions
    return {
        "register": registers_to_close,
        "waiting": waiting_without_offers,
        "under-booked": under_booked_near_cut_off,
    }[need](sessions, now=now)


def places_waiting_for_approval_by(user, *, now=None) -> list[Booking]:
    """Places held until `user` approves or declines them, by the approval rule
    (accounts.selectors.approvers_for): as someone's line manager, as their agency's lead, or as the
    training team. Soonest released first. At most four queries."""
    email = normalise_email(user.email)
    if not email:
        return []
    scope = Q(person__line_manager_email__iexact=email)
    if user.is_agency_lead and user.agency_id:
        scope |= Q(person__agency_id=user.agency_id)
    if user.is_training_manager:
        scope = Q()
    held = list(
        Booking.objects.filter(
            scope, status=BookingStatus.AWAITING_APPROVAL, approval_expires_at__gt=now or timezone.now()
        )
        .exclude(person=user)
        .select_related("person__agency", "session__course", "session__venue")
        .order_by("approval_expires_at", "pk")
    )
    approvers = approvers_for_many([booking.person for booking in held])
    return [booking for booking in held if email in approvers[booking.person_id].emails]


def todo_for(user, *, now=None) -> list[TodoItem]:
    """Places waiting for the person's approval; the training manager's programme work, a
    trainer's registers to close, and how many of an agency lead's staff are red. A fixed number
    of queries."""
    items = [
        TodoItem(
            count=len(places_waiting_for_approval_by(user, now=now)),
            singular="training place waiting for your approval",
            plural="training places waiting for your approval",
            url=reverse("courses:approvals"),
        ),
        # A place offered from the waiting list, or passed on by a colleague, lapses if not accepted.
        TodoItem(
            count=Booking.objects.filter(
                person=user, status=BookingStatus.OFFERED, session__starts_at__gt=now or timezone.now()
            ).count(),
            singular="place offered to you: accept or decline it before it lapses",
            plural="places offered to you: accept or decline them before they lapse",
            url=reverse("courses:my-training"),
            overdue=True,
        ),
        *training_elsewhere_todo(user),
    ]
    if user.is_agency_lead and user.agency_id:
        red = agency_training_summary(user.agency_id).counts["red"]
        items.append(
            TodoItem(
                count=red,
                singular="of your staff is not in date for required training",
                plural="of your staff are not in date for required training",
                url=reverse("courses:agency-training") + "?status=red",
            )
        )
    if user.is_training_manager:
        sessions = reverse("courses:manage-sessions")
        items += [
            TodoItem(
                count=sessions_needing("register", now=now).count(),
                singular="register to close",
                plural="registers to close",
                url=f"{sessions}?needs=register",
            ),
            TodoItem(
                count=sessions_needing("waiting", now=now).count(),
                singular="session with a waiting list and nobody offered a place",
                plural="sessions with a waiting list and nobody offered a place",
                url=f"{sessions}?needs=waiting",
            ),
            TodoItem(
                count=sessions_needing("under-booked", now=now).count(),
                singular=f"session under half full with its booking cut-off within {NEAR_CUT_OFF_DAYS} days",
                plural=f"sessions under half full with their booking cut-off within {NEAR_CUT_OFF_DAYS} days",
                url=f"{sessions}?needs=under-booked",
            ),
        ]
    elif user.is_trainer:
        # "My training" lists the sessions a trainer delivers, each with its register.
        items.append(
            TodoItem(
                count=registers_to_close(sessions_with_places().filter(trainers=user), now=now).count(),
                singular="register to close for a session you delivered",
                plural="registers to close for sessions you delivered",
                url=reverse("courses:my-training") + "#delivering",
            )
        )
    return items


def next_sessions_delivering(user, *, now=None, limit: int = 3) -> list:
    """A trainer's next sessions (not cancelled, not yet ended), soonest first, with how many are
    booked: the home page links each to its register and delegate list. One query."""
    if not user.is_trainer:
        return []
    return list(
        sessions_with_places()
        .filter(trainers=user, ends_at__gt=now or timezone.now())
        .exclude(status=SessionStatus.CANCELLED)
        .order_by("starts_at")[:limit]
    )
