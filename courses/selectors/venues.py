"""Venues and their rooms: what a venue holds, when it is taken, and its calendar."""

from itertools import groupby

from django.db.models import Prefetch, Q
from django.utils import timezone

from ..models import Room, Session, SessionDate, SessionStatus, Venue
from .booking import places_taken


def place_capacity(venue: Venue | None, room: Room | None) -> int | None:
    """How many people the place a session uses holds: its room's capacity where the venue books
    rooms separately, else the venue's (None where nobody has entered one yet)."""
    if room is not None:
        return room.capacity
    return venue.capacity if venue is not None else None


def room_clashes(*, venue: Venue, room: Room | None, spans, exclude_pk=None) -> list[SessionDate]:
    """Dates of other scheduled sessions that use the same place at the same time as `spans`
    (objects with `starts_at` and `ends_at`). The same room clashes; a session booked at the
    venue without a room (a venue with one space, or a booking made before its rooms were
    recorded) clashes with every room of it. One query."""
    spans = list(spans)
    if not spans:
        return []
    overlapping = Q()
    for span in spans:
        overlapping |= Q(starts_at__lt=span.ends_at, ends_at__gt=span.starts_at)
    same_place = Q(session__venue=venue)
    if room is not None:
        same_place &= Q(session__room=room) | Q(session__room__isnull=True)
    return list(
        SessionDate.objects.filter(overlapping, same_place, session__status=SessionStatus.SCHEDULED)
        .exclude(session_id=exclude_pk)
        .select_related("session__course", "session__room")
        .order_by("starts_at")
    )


def venue_with_rooms(pk: int) -> Venue | None:
    return (
        Venue.objects.prefetch_related(Prefetch("rooms", queryset=Room.objects.order_by("name"))).filter(pk=pk).first()
    )


def venue_calendar(venue: Venue, *, since=None) -> list[tuple]:
    """The venue's sessions day by day from `since` (today by default): (date, [session date,
    ...]) in time order, each with its session's course, room and places taken. Cancelled
    sessions are left out: their room is free. Two queries whatever the number of sessions."""
    since = since or timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    dates = list(
        SessionDate.objects.filter(session__venue=venue, ends_at__gte=since)
        .exclude(session__status=SessionStatus.CANCELLED)
        .select_related("session__course", "session__room")
        .order_by("starts_at")
    )
    taken = dict(
        Session.objects.filter(pk__in={d.session_id for d in dates})
        .annotate(taken=places_taken())
        .values_list("pk", "taken")
    )
    for d in dates:
        d.session.taken = taken.get(d.session_id, 0)
    return [(day, list(items)) for day, items in groupby(dates, key=lambda d: timezone.localtime(d.starts_at).date())]
