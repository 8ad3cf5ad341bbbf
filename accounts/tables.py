from collections import defaultdict

import django_tables2 as tables
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from common.listing import LINK, DateTimeColumn, RecordLink, ValuesRows, shown_records

from .models import Agency, User, organisation_name
from .roles import Role

# A person's row: what the list (and the CSV) shows, read as values. An account and its agencies carry
# much the list never shows, and a model instance for each cost more than the rest of the row.
ROW_FIELDS = (
    "pk",
    "full_name",
    "email",
    "unlisted_organisation",
    "deactivated_at",
    "email_verified_at",
    "agency",
    "agency__name",
    "claimed_agency",
    "claimed_agency__name",
    "target_group__number",
)


class PeopleTable(tables.Table):
    caption = "People, with their organisation, staff group, roles and status"
    # Namesakes by their email (the index's order), so each keeps its page.
    full_name = tables.Column("Name", linkify=RecordLink("manage:person"), attrs=LINK, order_by=("full_name", "email"))
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
        super().__init__(ValuesRows(data, ROW_FIELDS), **kwargs)

    def render_organisation(self, record):
        return _organisation(record)

    def value_organisation(self, record):
        return _organisation(record)

    def render_target_group(self, value):
        return f"Group {value}"

    @cached_property
    def group_names(self) -> dict[int, set[str]]:
        """The names of the groups (roles) of each person shown, in one query: a prefetch built a manager
        and a queryset for every row."""
        names = defaultdict(set)
        memberships = User.groups.through.objects.filter(user_id__in=[row["pk"] for row in shown_records(self)])
        for person, name in memberships.values_list("user_id", "group__name"):
            names[person].add(name)
        return names

    def _roles(self, record):
        names = self.group_names.get(record["pk"], ())
        return [role.label for role in Role if role.value in names and role != Role.STAFF]

    def render_roles(self, record):
        roles = self._roles(record)
        if not roles:
            return "Staff member"
        return format_html_join(", ", "{}", ((r,) for r in roles))

    def value_roles(self, record):
        return "; ".join(self._roles(record)) or "Staff member"

    def render_status(self, record):
        label, colour = account_status(**{name: record[name] for name in STATUS_FIELDS})
        return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, label)

    def value_status(self, record):
        return account_status(**{name: record[name] for name in STATUS_FIELDS})[0]


def _organisation(row) -> str:
    return organisation_name(row["agency__name"], row["claimed_agency__name"], row["unlisted_organisation"])


# What a person's status is worked out from (account_status), as a row of the list names it.
STATUS_FIELDS = ("deactivated_at", "email_verified_at", "agency", "unlisted_organisation", "claimed_agency")


def person_status(person) -> tuple[str, str]:
    return account_status(
        deactivated_at=person.deactivated_at,
        email_verified_at=person.email_verified_at,
        agency=person.agency_id,
        unlisted_organisation=person.unlisted_organisation,
        claimed_agency=person.claimed_agency_id,
    )


def account_status(
    *, deactivated_at, email_verified_at, agency, unlisted_organisation, claimed_agency
) -> tuple[str, str]:
    """A person's status and its tag's colour, from their account's dates and their agency's ids."""
    if deactivated_at:
        return "Deactivated", "grey"
    if not email_verified_at:
        return "Email not confirmed", "yellow"
    if agency is None and unlisted_organisation:
        return "Organisation to map", "orange"
    if claimed_agency:
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
