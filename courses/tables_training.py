import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from common.listing import LINK, RecordLink

RAG = {"red": ("Red", "red"), "amber": ("Amber", "yellow"), "green": ("Green", "green")}
# A status's tag, the same for every row with it.
RAG_TAGS = {
    value: format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, label)
    for value, (label, colour) in RAG.items()
}


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
