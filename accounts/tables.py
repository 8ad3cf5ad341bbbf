from collections import defaultdict

import django_tables2 as tables
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from common.listing import LINK, DateTimeColumn, RecordLink, shown_records

from .models import Agency, User
from .roles import Role


class PeopleTable(tables.Table):
    caption = "People, with their organisation, staff group, roles and status"
    full_name = tables.Column("Name", linkify=RecordLink("manage:person"), attrs=LINK)
    email = tables.Column("Email")
    organisation = tables.Column(
        "Organisation", accessor="agency__name", order_by=("agency__name", "unlisted_organisation"), empty_values=()
    )
    target_group = tables.Column("Staff group", accessor="target_group__number", order_by="target_group__number")
    roles = tables.Column("Roles", empty_values=(), orderable=False)
    status = tables.Column("Status", empty_values=(), orderable=False)

    class Meta:
        model = User
        fields = ("full_name", "email", "organisation", "target_group", "roles", "status")
        order_by = "full_name"
        attrs = {"class": "govuk-table app-table--small"}

    def __init__(self, data, **kwargs):
        # What the rows (and the CSV) read, and no more: an account and its agencies carry much the list
        # never shows. The roles are read for the people shown (`group_names`), not prefetched.
        rows = data.prefetch_related(None).only(
            "full_name",
            "email",
            "unlisted_organisation",
            "deactivated_at",
            "email_verified_at",
            "agency__name",
            "claimed_agency__name",
            "target_group__number",
        )
        super().__init__(rows, **kwargs)

    def render_organisation(self, record):
        return record.organisation_name

    def value_organisation(self, record):
        return record.organisation_name

    def render_target_group(self, value):
        return f"Group {value}"

    @cached_property
    def group_names(self) -> dict[int, set[str]]:
        """The names of the groups (roles) of each person shown, in one query: a prefetch built a manager
        and a queryset for every row."""
        names = defaultdict(set)
        memberships = User.groups.through.objects.filter(user_id__in=[person.pk for person in shown_records(self)])
        for person, name in memberships.values_list("user_id", "group__name"):
            names[person].add(name)
        return names

    def _roles(self, record):
        names = self.group_names.get(record.pk, ())
        return [role.label for role in Role if role.value in names and role != Role.STAFF]

    def render_roles(self, record):
        roles = self._roles(record)
        if not roles:
            return "Staff member"
        return format_html_join(", ", "{}", ((r,) for r in roles))

    def value_roles(self, record):
        return "; ".join(self._roles(record)) or "Staff member"

    def render_status(self, record):
        label, colour = person_status(record)
        return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, label)

    def value_status(self, record):
        return person_status(record)[0]


def person_status(person) -> tuple[str, str]:
    if person.deactivated_at:
        return "Deactivated", "grey"
    if not person.email_verified_at:
        return "Email not confirmed", "yellow"
    if person.agency_id is None and person.unlisted_organisation:
        return "Organisation to map", "orange"
    if person.claimed_agency_id:
        return "Waiting for the agency to confirm", "orange"
    return "Active", "green"


class AgencyTable(tables.Table):
    caption = "Partner agencies"
    name = tables.Column("Agency", linkify=RecordLink("manage:agency"), attrs=LINK)
    sector = tables.Column("Sector")
    category = tables.Column("Organisation category", accessor="category__name")
    contributing = tables.BooleanColumn("Contributing partner", yesno="Yes,No")
    people_count = tables.Column(
        "People", attrs={"td": {"class": "govuk-table__cell--numeric"}, "th": {"class": "govuk-table__header--numeric"}}
    )
    active = tables.BooleanColumn("Active", yesno="Yes,No")

    class Meta:
        model = Agency
        fields = ("name", "sector", "category", "contributing", "people_count", "active")
        order_by = "name"
        attrs = {"class": "govuk-table app-table--small"}


class AuditTable(tables.Table):
    caption = "Changes recorded in the audit trail, newest first"
    created_at = DateTimeColumn("j M Y H:i", verbose_name="When")
    actor = tables.Column("Who", accessor="actor__full_name", default="The system or the person themself")
    action = tables.Column("What")
    object_repr = tables.Column("About")
    object_type = tables.Column("Kind")
    changes = tables.Column("Details", empty_values=(), orderable=False)

    class Meta:
        attrs = {"class": "govuk-table app-table--small"}
        order_by = "-created_at"

    def render_object_type(self, value):
        return value.split(".")[-1].replace("tna", "TNA ").capitalize()

    def render_changes(self, record):
        return (
            format_html_join(mark_safe("<br>"), "{}", ((line,) for line in record.change_lines()))
            if record.changes
            else ""
        )

    def value_changes(self, record):
        return "; ".join(record.change_lines())
