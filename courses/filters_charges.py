import django_filters

from accounts.models import Agency
from common.listing import DayFilter, govuk_filter_form

from .models import Charge, ChargeKind, Course


class ChargeFilter(django_filters.FilterSet):
    agency = django_filters.ModelChoiceFilter(
        label="Agency", queryset=Agency.objects.order_by("name").only("name"), empty_label="Any agency"
    )
    kind = django_filters.ChoiceFilter(label="Charge", choices=ChargeKind.choices, empty_label="Any charge")
    course = django_filters.ModelChoiceFilter(
        label="Course",
        field_name="session__course",
        queryset=Course.objects.order_by("title").only("title"),
        empty_label="Any course",
    )
    waived = django_filters.ChoiceFilter(
        label="Status",
        method="by_status",
        choices=[
            ("outstanding", "Outstanding"),
            ("invoiced", "Invoiced, not yet paid"),
            ("paid", "Paid"),
            ("waived", "Waived"),
            ("cancelled", "Cancelled"),
        ],
        empty_label="Any status",
    )
    # By the session's date, as every total counts charges (selectors.charges.charges_of_period).
    session_from = DayFilter(
        label="Sessions from (DD/MM/YYYY)",
        field_name="session__starts_at",
        bound="from",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
    )
    session_to = DayFilter(
        label="Sessions to (DD/MM/YYYY)",
        field_name="session__starts_at",
        bound="to",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
    )

    class Meta:
        model = Charge
        fields = ["agency", "kind", "course", "waived", "session_from", "session_to"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and not user.is_training_manager:
            del self.filters["agency"]
        govuk_filter_form(self)

    def by_status(self, queryset, name, value):
        """The statuses of tables_charges.charge_status."""
        live = queryset.filter(cancelled_at__isnull=True)
        return {
            "cancelled": queryset.filter(cancelled_at__isnull=False),
            "waived": live.filter(waived_at__isnull=False),
            "outstanding": live.filter(waived_at__isnull=True, invoice__isnull=True),
            "invoiced": live.filter(invoice__isnull=False, invoice__paid_at__isnull=True),
            "paid": live.filter(invoice__paid_at__isnull=False),
        }[value]
