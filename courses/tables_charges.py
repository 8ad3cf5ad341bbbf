import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .models import Charge

NUMERIC = {"td": {"class": "govuk-table__cell--numeric"}, "th": {"class": "govuk-table__header--numeric"}}


class ChargeTable(tables.Table):
    caption = "Charges"
    raised_at = tables.DateColumn("j M Y", verbose_name="Raised")
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
        attrs = {"class": "govuk-table app-table--small"}

    def __init__(self, *args, can_waive=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_waive:
            self.columns.hide("action")
        self.can_waive = can_waive

    def render_course(self, record):
        return f"{record.session.course.title}, {record.session.starts_at:%-d %b %Y}"

    def value_course(self, record):
        return self.render_course(record)

    def render_amount(self, value):
        return f"£{value:,.2f}"

    def value_amount(self, value):
        return f"{value:.2f}"

    def render_status(self, record):
        if record.is_cancelled:
            return format_html(
                '<strong class="govuk-tag govuk-tag--grey">Cancelled</strong><br><span class="govuk-body-s">{}</span>',
                record.cancellation_reason,
            )
        if record.is_waived:
            return format_html(
                '<strong class="govuk-tag govuk-tag--grey">Waived</strong><br><span class="govuk-body-s">{}</span>',
                record.waiver_reason,
            )
        return mark_safe('<strong class="govuk-tag govuk-tag--yellow">Outstanding</strong>')

    def value_status(self, record):
        if record.is_cancelled:
            return f"Cancelled: {record.cancellation_reason}"
        return f"Waived: {record.waiver_reason}" if record.is_waived else "Outstanding"

    def render_action(self, record):
        if record.is_waived or record.is_cancelled:
            return ""
        return format_html(
            '<a class="govuk-link" href="{}">Waive<span class="govuk-visually-hidden"> £{} charge to {}</span></a>',
            reverse("courses:charge-waive", args=[record.pk]),
            record.amount,
            record.person.full_name,
        )
