"""Reads for the booking pages, scoped to what the asking person may see."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from ..models import (
    ACTIVE,
    HOLDS_PLACE,
    AttendanceRecord,
    Booking,
    BookingStatus,
    Session,
    SessionDate,
    SessionStatus,
)
from .delegates import delegate_list

# "Sessions you deliver" reaches back about three months, so a trainer can still reach the
# register of a session that ended a while ago.
DELIVERING_LOOKBACK_DAYS = 92


def _bookings_counted(**status):
    """How many of a session's bookings have the status: counted in a subquery for each session the
    query returns, so a list counts the places of the page it shows, not of every session it filters."""
    bookings = Booking.objects.filter(session=OuterRef("pk"), **status).order_by().values("session")
    return Coalesce(Subquery(bookings.annotate(n=Count("*")).values("n")), 0)


def places_taken():
    """A session's places held by its bookings (HOLDS_PLACE), for `.annotate(taken=places_taken())`."""
    return _bookings_counted(status__in=HOLDS_PLACE)


def people_waiting():
    """How many wait for a place at a session, for `.annotate(waiting=people_waiting())`."""
    return _bookings_counted(status=BookingStatus.WAITLISTED)


def sessions_with_places():
    """Sessions with how many places are taken (`taken`) and how many people wait for one (`waiting`)."""
    return Session.objects.select_related("course__level", "venue", "room").annotate(
        taken=places_taken(), waiting=people_waiting()
    )


def sessions_a_trainer_delivers(person, *, now=None) -> list[Session]:
    """The sessions `person` is a trainer of that are still to come or ended within the last
    `DELIVERING_LOOKBACK_DAYS`, cancelled ones left out, soonest first, with how many are
    booked. The one definition for "My training" and the trainer pool page."""
    since = (now or timezone.now()) - timedelta(days=DELIVERING_LOOKBACK_DAYS)
    return list(
        sessions_with_places()
        .filter(trainers=person, ends_at__gte=since)
        .exclude(status=SessionStatus.CANCELLED)
        .order_by("starts_at")
    )


def get_public_session(pk: int) -> Session:
    """Any session of an active course: cancelled and past ones still show, saying so."""
    session = (
        sessions_with_places()
        .filter(pk=pk, course__active=True)
        .prefetch_related(Prefetch("dates", queryset=SessionDate.objects.order_by("starts_at")), "trainers")
        .first()
    )
    if session is None:
        raise Http404("No such session")
    session.places_left = max(session.capacity - session.taken, 0)
    return session


def active_booking_of(person, session) -> Booking | None:
    if not person.is_authenticated:
        return None
    return Booking.objects.filter(person=person, session=session, status__in=ACTIVE).first()


def get_booking_for_user(user, pk: int, *, write: bool = False) -> Booking:
    """A booking its person, their agency's lead or the training manager may see; 404 for anyone else."""
    booking = (
        Booking.objects.select_related("session__course__level", "session__venue", "person", "agency")
        .prefetch_related(Prefetch("session__dates", queryset=SessionDate.objects.order_by("starts_at")))
        .filter(pk=pk)
        .first()
    )
    if booking is None or not user.has_perm("courses.view_booking", booking):
        raise Http404("No such booking")
    if write and not user.has_perm("courses.change_booking", booking):
        raise PermissionDenied
    return booking


def get_session_for_register(user, pk: int) -> Session:
    """The register is for the training manager and the session's own trainers; 404 for anyone else."""
    session = Session.objects.select_related("course", "venue").filter(pk=pk).first()
    if session is None or not user.has_perm("courses.take_register", session):
        raise Http404("No such session")
    return session


def register_lines(session: Session, *, delegates: bool = True):
    """Confirmed delegates with their marks, and the walk-ins: three queries whatever the size (two
    without the `delegates`, which a closed register's page does not list)."""
    bookings = delegate_list(session) if delegates else []
    records = list(AttendanceRecord.objects.filter(session=session).select_related("person", "agency", "certificate"))
    marks = {r.booking_id: r.outcome for r in records if r.booking_id}
    walk_ins = [r for r in records if r.walk_in]
    return bookings, marks, walk_ins, records
