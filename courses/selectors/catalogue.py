"""The public catalogue: active courses with their upcoming sessions and places left."""

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone

from ..models import HOLDS_PLACE, BookingStatus, Course, Session, SessionDate, SessionStatus


def upcoming_sessions():
    """Scheduled sessions that have not started, with places taken counted in the query."""
    return (
        Session.objects.filter(status=SessionStatus.SCHEDULED, starts_at__gt=timezone.now())
        .select_related("venue")
        .annotate(
            taken=Count("bookings", filter=Q(bookings__status__in=HOLDS_PLACE)),
            waiting=Count("bookings", filter=Q(bookings__status=BookingStatus.WAITLISTED)),
        )
        .order_by("starts_at")
    )


def with_places_left(sessions):
    for session in sessions:
        session.places_left = max(session.capacity - session.taken, 0)
    return sessions


# The catalogue lists the next few dates of each course and links to the course page for the rest.
DATES_LISTED = 3


def catalogue_courses(*, date_from=None, date_to=None, has_places=False):
    """Active courses, each with `upcoming` (its next DATES_LISTED upcoming sessions in the date
    range) and `upcoming_count` (how many there are in all)."""
    sessions = upcoming_sessions()
    in_range = Q(sessions__status=SessionStatus.SCHEDULED, sessions__starts_at__gt=timezone.now())
    if date_from:
        sessions = sessions.filter(starts_at__date__gte=date_from)
        in_range &= Q(sessions__starts_at__date__gte=date_from)
    if date_to:
        sessions = sessions.filter(starts_at__date__lte=date_to)
        in_range &= Q(sessions__starts_at__date__lte=date_to)
    # Only the dates shown are fetched: a popular course may have dozens.
    first_few = sessions.annotate(
        place=Window(RowNumber(), partition_by=F("course_id"), order_by=(F("starts_at").asc(), F("pk").asc()))
    ).filter(place__lte=DATES_LISTED)
    courses = (
        Course.objects.filter(active=True)
        .select_related("level")
        .prefetch_related("target_groups", Prefetch("sessions", queryset=first_few, to_attr="upcoming"))
        .annotate(upcoming_count=Count("sessions", filter=in_range, distinct=True))
    )
    if date_from or date_to:
        courses = courses.filter(Exists(sessions.filter(course=OuterRef("pk")).values("pk")))
    if has_places:
        open_sessions = (
            Session.objects.filter(
                course=OuterRef("pk"),
                status=SessionStatus.SCHEDULED,
                starts_at__gt=timezone.now(),
                bookings_close_at__gt=timezone.now(),
            )
            .annotate(taken=Count("bookings", filter=Q(bookings__status__in=HOLDS_PLACE)))
            .filter(capacity__gt=F("taken"))
        )
        courses = courses.filter(Exists(open_sessions))
    return courses


def get_course_page(slug: str) -> Course:
    course = (
        Course.objects.filter(slug=slug, active=True)
        .select_related("level")
        .prefetch_related(
            "target_groups",
            "prerequisites",
            Prefetch(
                "sessions",
                queryset=upcoming_sessions().prefetch_related(
                    Prefetch("dates", queryset=SessionDate.objects.order_by("starts_at"))
                ),
                to_attr="upcoming",
            ),
        )
        .first()
    )
    if course is None:
        raise Http404("No such course")
    with_places_left(course.upcoming)
    return course
