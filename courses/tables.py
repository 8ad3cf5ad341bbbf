import django_tables2 as tables
from django.utils.html import format_html

from common.listing import LINK, DateTimeColumn, RecordLink

from .models import Course, Session, Venue

NUMERIC = {"td": {"class": "govuk-table__cell--numeric"}, "th": {"class": "govuk-table__header--numeric"}}
STATUS_COLOURS = {"scheduled": "blue", "cancelled": "grey", "completed": "green"}


class SessionTable(tables.Table):
    caption = "Sessions"
    course = tables.Column(
        "Course",
        accessor="course__title",
        linkify=RecordLink("courses:manage-session"),
        attrs=LINK,
    )
    # Sessions that start at the same moment keep one order from page to page (the id breaks the tie).
    starts_at = DateTimeColumn("j M Y, H:i", verbose_name="Starts", order_by=("starts_at", "pk"))
    where = tables.Column("Where", accessor="venue__name", empty_values=(), order_by="venue__name")
    capacity = tables.Column("Places", attrs=NUMERIC)
    taken = tables.Column("Booked", attrs=NUMERIC)
    waiting = tables.Column("Waiting", attrs=NUMERIC)
    status = tables.Column("Status")

    class Meta:
        model = Session
        fields = ("course", "starts_at", "where", "capacity", "taken", "waiting", "status")
        order_by = "starts_at"
        attrs = {"class": "govuk-table app-table--small"}

    def __init__(self, data, **kwargs):
        # What the rows (and the CSV) read, and no more: a session's course, venue and room carry much
        # the list never shows.
        rows = (
            data.select_related(None)
            .select_related("course", "venue")
            .only("course__title", "starts_at", "venue__name", "capacity", "status")
        )
        super().__init__(rows, **kwargs)

    def render_where(self, record):
        return record.venue.name if record.venue_id else "Online"

    def value_where(self, record):
        return self.render_where(record)

    def render_status(self, value, record):
        # `value` is already the status's label (the table reads a choice field's label).
        return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', STATUS_COLOURS[record.status], value)

    def value_status(self, record):
        return record.get_status_display()


class CourseTable(tables.Table):
    caption = "Courses"
    title = tables.Column("Course", linkify=RecordLink("courses:manage-course-edit"), attrs=LINK)
    level = tables.Column("Level", accessor="level__number", order_by="level__number")
    duration_days = tables.Column("Length")
    delivery_mode = tables.Column("Delivery")
    upcoming = tables.Column("Upcoming sessions", attrs=NUMERIC)
    active = tables.BooleanColumn("Active", yesno="Yes,No")

    class Meta:
        model = Course
        fields = ("title", "level", "duration_days", "delivery_mode", "upcoming", "active")
        order_by = "title"
        attrs = {"class": "govuk-table app-table--small"}

    def render_duration_days(self, record):
        return record.duration_in_words


class VenueTable(tables.Table):
    caption = "Venues"
    name = tables.Column("Venue", linkify=RecordLink("courses:manage-venue"), attrs=LINK)
    postcode = tables.Column("Postcode")
    capacity = tables.Column("Holds", attrs=NUMERIC, default="Not recorded")
    rooms_count = tables.Column("Rooms", attrs=NUMERIC)
    sessions_count = tables.Column("Sessions", attrs=NUMERIC)
    active = tables.BooleanColumn("Active", yesno="Yes,No")

    class Meta:
        model = Venue
        fields = ("name", "postcode", "capacity", "rooms_count", "sessions_count", "active")
        attrs = {"class": "govuk-table app-table--small"}
