from operator import attrgetter

import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django_tables2.data import TableListData
from django_tables2.utils import OrderBy

from common.listing import LINK, RecordLink

RAG = {"red": ("Red", "red"), "amber": ("Amber", "yellow"), "green": ("Green", "green")}
# A status's tag, the same for every row with it.
RAG_TAGS = {
    value: format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, label)
    for value, (label, colour) in RAG.items()
}


class _SortedByAttribute(TableListData):
    """Rows sorted as django-tables2 sorts a list (a missing value first, ties kept in the order they came),
    each row's value read once per column sorted by: django-tables2 reads both values through an accessor in
    every comparison, thousands of look-ups to sort an agency's hundreds of people by status."""

    def order_by(self, aliases):
        accessors = []
        for alias in aliases:
            bound_column = self.table.columns[OrderBy(alias).bare]
            flip = alias[0] != bound_column.order_by_alias[0]
            accessors += bound_column.order_by.opposite if flip else bound_column.order_by
        # Each sort keeps ties in the order it found them, so the least significant is sorted by first.
        for accessor in reversed(accessors):
            value = attrgetter(accessor.bare.replace("__", "."))
            self.data.sort(key=lambda row: ((v := value(row)) is not None, v), reverse=accessor.is_descending)


class AgencyTrainingTable(tables.Table):
    caption = "Staff and their training"
    full_name = tables.Column("Name", linkify=RecordLink("courses:person-training"), attrs=LINK)
    job_title = tables.Column("Job title")
    target_group = tables.Column("Staff group", accessor="target_group_number", order_by="target_group_number")
    rag = tables.Column("Status")
    requirements = tables.Column("Requirements", empty_values=(), orderable=False)

    class Meta:
        attrs = {"class": "govuk-table app-table--small app-table--stack"}
        order_by = "full_name"

    def __init__(self, people, **kwargs):
        super().__init__(_SortedByAttribute(list(people)), **kwargs)

    def render_target_group(self, value):
        return f"Group {value}"

    def render_rag(self, value):
        return RAG_TAGS[value]

    def value_rag(self, value):
        return RAG[value][0]

    def render_requirements(self, record):
        if not record.requirements:
            return "None set for this group"
        return format_html_join(
            mark_safe("<br>"),
            "{}: {}{}",
            (
                (r.label, r.status, f" (expires {r.expires_on:%-d %b %Y})" if r.expires_on else "")
                for r in record.requirements
            ),
        )

    def value_requirements(self, record):
        return "; ".join(
            f"{r.label}: {r.status}" + (f" (expires {r.expires_on:%d/%m/%Y})" if r.expires_on else "")
            for r in record.requirements
        )
