import django_tables2 as tables
from django.utils.html import format_html

from common.listing import DateColumn, RecordLink
from common.money import format_money

from .models import Charge, Invoice

WAIVE = RecordLink("courses:charge-waive")
ROW_FIELDS = (
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
    "invoice__number",
    "invoice__paid_at",
)
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
        # What the rows (and the CSV) read, and no more: each charge joins a session, its course, a person
        # and an invoice, whose other columns the list never shows.
        rows = data.select_related(None).select_related("agency", "person", "session__course", "invoice")
        super().__init__(rows.only(*ROW_FIELDS), **kwargs)
        if not can_waive:
            self.columns.hide("action")
        self.can_waive = can_waive

    def render_course(self, record):
        return f"{record.session.course.title}, {record.session.starts_at:%-d %b %Y}"

    def value_course(self, record):
        return self.render_course(record)

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
        if record.is_waived or record.is_cancelled or record.invoice_id:
            return ""
        return format_html(
            '<a class="govuk-link" href="{}">Waive<span class="govuk-visually-hidden"> {} charge to {}</span></a>',
            WAIVE(record, self),
            format_money(record.amount),
            record.person.full_name,
        )


def charge_status(charge: Charge) -> tuple[str, str]:
    """A charge's status as the charges list filters it, with the detail that goes with it."""
    if charge.is_cancelled:
        return "Cancelled", charge.cancellation_reason
    if charge.is_waived:
        return "Waived", charge.waiver_reason
    if charge.invoice_id:
        return ("Paid" if charge.invoice.paid_at else "Invoiced"), charge.invoice.reference
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
