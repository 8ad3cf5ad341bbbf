from collections import defaultdict

import django_tables2 as tables
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html

from common.listing import LINK, RecordLink, ValuesRows, shown_records

from .models import Membership, MembershipStatus
from .selectors import NOTHING_DELIVERED, DeliveredToDate, delivered_to_date, ordered_by_delivery

STATUS_COLOURS = {
    MembershipStatus.APPLIED: "blue",
    MembershipStatus.ENDORSED: "light-blue",
    MembershipStatus.ACCEPTED: "purple",
    MembershipStatus.ACTIVE: "green",
    MembershipStatus.LAPSED: "orange",
    MembershipStatus.LEFT: "grey",
    MembershipStatus.DECLINED: "red",
    MembershipStatus.NOT_ENDORSED: "red",
}


def status_tag(status: str) -> str:
    return format_html(
        '<strong class="govuk-tag govuk-tag--{}">{}</strong>', STATUS_COLOURS[status], MembershipStatus(status).label
    )


# A member's row: what the directory (and the CSV) shows, read as values. A member's account carries much
# the directory never shows, and a model instance for it and its agency cost more than the rest of the row.
# The courses are read for the members shown (`course_titles`).
ROW_FIELDS = ("pk", "person", "status", "trained_on", "person__full_name", "person__email", "person__agency__name")


class PoolTable(tables.Table):
    caption = "Trainer pool members"
    """The pool directory. Every column comes from `selectors.directory()` and, for the rows shown,
    `selectors.delivered_to_date()`: no query per row."""

    name = tables.Column(
        "Name",
        accessor="person__full_name",
        linkify=RecordLink("pool:member"),
        attrs=LINK,
    )
    # In the CSV for mail merges; left off the screen, where the name links to the member.
    email = tables.Column("Email", accessor="person__email", visible=False)
    agency = tables.Column("Agency", accessor="person__agency__name", default="No agency")
    status = tables.Column("Status")
    courses = tables.Column("Courses they deliver", empty_values=(), orderable=False)
    trained_on = tables.Column("Training for trainers", empty_values=(None,))
    # Counted for the rows shown (`delivered`), not joined into the list's query: that read every session
    # each trainer gave, once per session.
    sessions_delivered = tables.Column(
        "Sessions delivered",
        empty_values=(),
        attrs={"td": {"class": "govuk-table__cell--numeric"}, "th": {"class": "govuk-table__header--numeric"}},
    )
    last_delivered = tables.Column("Last delivered", empty_values=())

    class Meta:
        model = Membership
        fields = ()
        sequence = (
            "name",
            "email",
            "agency",
            "status",
            "courses",
            "trained_on",
            "sessions_delivered",
            "last_delivered",
        )
        order_by = "name"
        attrs = {"class": "govuk-table app-table--small"}

    def __init__(self, data, **kwargs):
        super().__init__(ValuesRows(data, ROW_FIELDS), **kwargs)

    def render_status(self, value, record):
        return status_tag(record["status"])

    def value_status(self, record):
        return MembershipStatus(record["status"]).label

    @cached_property
    def course_titles(self) -> dict[int, list[str]]:
        """The titles of the courses each member shown delivers, in the courses' order, in one query: a
        prefetch built a manager and a queryset for every row."""
        titles = defaultdict(list)
        chosen = Membership.courses.through.objects.filter(membership_id__in=[row["pk"] for row in shown_records(self)])
        for member, title in chosen.order_by("course__level__number", "course__title").values_list(
            "membership_id", "course__title"
        ):
            titles[member].append(title)
        return titles

    def render_courses(self, record):
        titles = self.course_titles.get(record["pk"])
        if not titles:
            return "None chosen"
        return format_html('<span class="govuk-body-s">{}</span>', "; ".join(titles))

    def value_courses(self, record):
        return "; ".join(self.course_titles.get(record["pk"], ()))

    def render_trained_on(self, value):
        return f"{value:%-d %b %Y}" if value else "Not yet"

    def value_trained_on(self, value):
        return f"{value:%d/%m/%Y}" if value else ""

    @cached_property
    def delivered(self) -> dict[int, DeliveredToDate]:
        """What the members shown (the page, or every row for the CSV) delivered to date."""
        return delivered_to_date([row["person"] for row in shown_records(self)])

    def _delivered(self, record) -> DeliveredToDate:
        return self.delivered.get(record["person"], NOTHING_DELIVERED)

    def render_sessions_delivered(self, record):
        return self._delivered(record).sessions

    def value_sessions_delivered(self, record):
        return self._delivered(record).sessions

    def order_sessions_delivered(self, queryset, is_descending):
        return ordered_by_delivery(queryset, "sessions", descending=is_descending), True

    def render_last_delivered(self, record, bound_column):
        last = self._delivered(record).last
        return f"{timezone.localtime(last):%-d %b %Y}" if last else bound_column.default

    def value_last_delivered(self, record):
        last = self._delivered(record).last
        return f"{timezone.localtime(last):%d/%m/%Y}" if last else ""

    def order_last_delivered(self, queryset, is_descending):
        return ordered_by_delivery(queryset, "last", descending=is_descending), True
