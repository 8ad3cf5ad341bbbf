import django_tables2 as tables
from django.utils.html import format_html

from common.listing import DateColumn, RecordLink, ValuesRows
from common.money import format_money

from .models import Charge, ChargeKind, Invoice, invoice_reference

WAIVE = RecordLink("courses:charge-waive")
# A charge's row: what the list (and the CSV) shows, read as values. A charge joins a session, its
# course, a person and an invoice, whose other columns the list never shows; a model instance for each
# of them cost more than the rest of the row.
ROW_FIELDS = (
    "pk",
    "raised_at",
    "agency__name",
    "person__full_name",
    "session__course__title",
    "session__starts_at",
    "kind",
    "amount",
    "cancelled_at",
    "cancellation_reason",
    "waived_at",
    "waiver_reason",
    "invoice",
    "invoice__number",
    "invoice__paid_at",
)
KIND_LABELS = dict(ChargeKind.choices)
NUMERIC = {"td": {"class": "govuk-table__cell--numeric"}, "th": {"class": "govuk-table__header--numeric"}}


class ChargeTable(tables.Table):
    caption = "Charges"
    raised_at = DateColumn("j M Y", verbose_name="Raised")
    agency = tables.Column("Agency", accessor="agency__name")
    person = tables.Column("Person", accessor="person__full_name")
    course = tables.Column(
        "Session", accessor="session__course__title", order_by=("session__course__title", "session__starts_at")
    )
    kind = tables.Column("Charge")
    amount = tables.Column("Amount", attrs=NUMERIC)
    status = tables.Column("Status", empty_values=(), orderable=False)
    action = tables.Column("", empty_values=(), orderable=False, exclude_from_export=True)

    class Meta:
        model = Charge
        fields = ("raised_at", "agency", "person", "course", "kind", "amount", "status")
        order_by = "-raised_at"
        attrs = {"class": "govuk-table app-table--small app-table--stack"}

    def __init__(self, data, *, can_waive=False, **kwargs):
        super().__init__(ValuesRows(data, ROW_FIELDS), **kwargs)
        if not can_waive:
            self.columns.hide("action")
        self.can_waive = can_waive

    def render_course(self, record):
        return f"{record['session__course__title']}, {record['session__starts_at']:%-d %b %Y}"

    def value_course(self, record):
        return self.render_course(record)

    def render_kind(self, value):
        return KIND_LABELS.get(value, value)

    def value_kind(self, value):
        return KIND_LABELS.get(value, value)

    def render_amount(self, value):
        return format_money(value)

    def value_amount(self, value):
        return f"{value:.2f}"

    def render_status(self, record):
        status, detail = charge_status(record)
        colour = {"Outstanding": "yellow", "Invoiced": "blue", "Paid": "green"}.get(status, "grey")
        if detail:
            return format_html(
                '<strong class="govuk-tag govuk-tag--{}">{}</strong><br><span class="govuk-body-s">{}</span>',
                colour,
                status,
                detail,
            )
        return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, status)

    def value_status(self, record):
        status, detail = charge_status(record)
        return f"{status}: {detail}" if detail else status

    def render_action(self, record):
        if charge_status(record)[0] != "Outstanding":
            return ""
        return format_html(
            '<a class="govuk-link" href="{}">Waive<span class="govuk-visually-hidden"> {} charge to {}</span></a>',
            WAIVE(record, self),
            format_money(record["amount"]),
            record["person__full_name"],
        )


def charge_status(row: dict) -> tuple[str, str]:
    """A charge's status as the charges list filters it, with the detail that goes with it (`row`: a
    charge read with ROW_FIELDS)."""
    if row["cancelled_at"] is not None:
        return "Cancelled", row["cancellation_reason"]
    if row["waived_at"] is not None:
        return "Waived", row["waiver_reason"]
    if row["invoice"]:
        return ("Paid" if row["invoice__paid_at"] else "Invoiced"), invoice_reference(row["invoice__number"])
    return "Outstanding", ""


class InvoiceTable(tables.Table):
    caption = "Invoices"
    number = tables.Column(
        "Invoice", linkify=("courses:invoice", {"pk": tables.A("pk")}), attrs={"a": {"class": "govuk-link"}}
    )
    agency = tables.Column("Agency", accessor="agency__name")
    period = tables.Column("Sessions", empty_values=(), order_by=("period_starts_on",))
    raised_at = DateColumn("j M Y", verbose_name="Raised")
    total = tables.Column("Total", attrs=NUMERIC)
    status = tables.Column("Status", empty_values=(), orderable=False)

    class Meta:
        model = Invoice
        fields = ("number", "agency", "period", "raised_at", "total", "status")
        order_by = "-number"
        attrs = {"class": "govuk-table app-table--small"}

    def render_number(self, record):
        return record.reference

    def value_number(self, record):
        return record.reference

    def render_period(self, record):
        return f"{record.period_starts_on:%-d %b %Y} to {record.period_ends_on:%-d %b %Y}"

    def value_period(self, record):
        return self.render_period(record)

    def render_total(self, value):
        return format_money(value)

    def value_total(self, value):
        return f"{value:.2f}"

    def render_status(self, record):
        colour = {"Raised": "yellow", "Sent": "blue", "Paid": "green"}[record.status]
        return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, record.status)

    def value_status(self, record):
        return record.status
