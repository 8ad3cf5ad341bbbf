"""The public catalogue: active courses with their upcoming sessions and places left."""

from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Window
from django.http import Http404
from django.utils import timezone

from ..models import Course, Session, SessionDate, SessionStatus
from .booking import people_waiting, places_taken


def _scheduled_ahead():
    return Session.objects.filter(status=SessionStatus.SCHEDULED, starts_at__gt=timezone.now())


def upcoming_sessions():
    """Scheduled sessions that have not started, with places taken counted in the query."""
    return (
        _scheduled_ahead()
        .select_related("venue")
        .annotate(taken=places_taken(), waiting=people_waiting())
        .order_by("starts_at")
    )


def places_left(capacity: int, taken: int) -> int:
    return max(capacity - taken, 0)


def with_places_left(sessions):
    for session in sessions:
        session.places_left = places_left(session.capacity, session.taken)
    return sessions


# The catalogue lists the next few dates of each course and links to the course page for the rest.
DATES_LISTED = 3


def _in_range(date_from=None, date_to=None):
    sessions = _scheduled_ahead()
    if date_from:
        sessions = sessions.filter(starts_at__date__gte=date_from)
    if date_to:
        sessions = sessions.filter(starts_at__date__lte=date_to)
    return sessions


def catalogue_courses(*, date_from=None, date_to=None, has_places=False):
    """Active courses with an upcoming session in the date range (any course without dates), and
    with places on one if `has_places`; `listed` adds the dates shown on a page."""
    courses = Course.objects.filter(active=True).select_related("level")
    if date_from or date_to:
        courses = courses.filter(Exists(_in_range(date_from, date_to).filter(course=OuterRef("pk")).values("pk")))
    if has_places:
        open_sessions = (
            Session.objects.filter(
                course=OuterRef("pk"),
                status=SessionStatus.SCHEDULED,
                starts_at__gt=timezone.now(),
                bookings_close_at__gt=timezone.now(),
            )
            .annotate(taken=places_taken())
            .filter(capacity__gt=F("taken"))
        )
        courses = courses.filter(Exists(open_sessions))
    return courses


def catalogue_page(courses, number, per_page: int):
    """The page `number` of `courses`, as Paginator.get_page gives it. The first page, the one
    nearly everyone sees, counts the courses in the query that reads it (each carries how many
    there are in all): one query rather than two. Other pages, no courses at all, and courses that
    may repeat (a distinct query, whose count would be of the rows before they are made distinct)
    go the usual way."""
    paginator = Paginator(courses, per_page)
    try:
        first = number is None or int(number) == 1
    except (TypeError, ValueError):
        first = True
    if first and not courses.query.distinct:
        rows = list(courses.annotate(in_all=Window(Count("pk")))[:per_page])
        if rows:
            paginator.count = rows[0].in_all
            return paginator._get_page(rows, 1, paginator)
    return paginator.get_page(number)


def listed(courses, *, date_from=None, date_to=None):
    """The courses of one catalogue page, each with `upcoming`: its next DATES_LISTED upcoming
    sessions in the date range, as rows (pk, starts_at, venue_id, venue_name, places_left), and
    `upcoming_count`: how many it has in the range in all. Two queries.

    The upcoming sessions of the page's courses are read as plain rows, the first few of each
    course kept and the rest counted: cheaper than choosing them in the database, whose query
    (a window function) took longer to build than the rows take to read. The places are then
    counted for the dates listed alone."""
    courses = list(courses)
    upcoming = {course.pk: [] for course in courses}
    counts = dict.fromkeys(upcoming, 0)
    sessions = (
        _in_range(date_from, date_to)
        .filter(course__in=list(upcoming))
        .order_by("starts_at", "pk")
        .values_list("pk", "course_id", "starts_at", "venue_id", "venue__name", "capacity")
    )
    for pk, course_id, starts_at, venue_id, venue_name, capacity in sessions:
        counts[course_id] += 1
        if counts[course_id] <= DATES_LISTED:
            upcoming[course_id].append(
                {"pk": pk, "starts_at": starts_at, "venue_id": venue_id, "venue_name": venue_name, "capacity": capacity}
            )
    rows = [row for dates in upcoming.values() for row in dates]
    taken = dict(
        Session.objects.filter(pk__in=[row["pk"] for row in rows])
        .annotate(taken=places_taken())
        .values_list("pk", "taken")
    )
    for row in rows:
        row["places_left"] = places_left(row.pop("capacity"), taken[row["pk"]])
    for course in courses:
        course.upcoming = upcoming[course.pk]
        course.upcoming_count = counts[course.pk]
    return courses


def get_course_page(slug: str) -> Course:
    """An active course with what its page shows: `groups` (who it is for), `do_first` (the courses
    to do first) and `upcoming` (its upcoming sessions, each with the places left and `days`, its
    dates in order). Plain queries rather than prefetches: for one course, the prefetching cost
    more than the queries."""
    course = Course.objects.filter(slug=slug, active=True).select_related("level").first()
    if course is None:
        raise Http404("No such course")
    course.groups = list(course.target_groups.all())
    course.do_first = list(course.prerequisites.all())
    course.upcoming = with_places_left(list(upcoming_sessions().filter(course=course)))
    days = {session.pk: [] for session in course.upcoming}
    for day in SessionDate.objects.filter(session__in=list(days)).order_by("starts_at"):
        days[day.session_id].append(day)
    for session in course.upcoming:
        session.days = days[session.pk]
    return course
