import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q

from common.listing import DayFilter, govuk_filter_form

from .models import Agency, AuditEntry, Sector, TargetGroup, User
from .roles import Role

STATUS_CHOICES = [
    ("active", "Active"),
    ("unverified", "Email not confirmed"),
    ("unmapped", "Organisation to map"),
    ("deactivated", "Deactivated"),
]


class PeopleFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Name or email", method="search")
    agency = django_filters.ModelChoiceFilter(
        label="Agency", queryset=Agency.objects.order_by("name").only("name"), empty_label="Any agency"
    )
    role = django_filters.ChoiceFilter(label="Role", choices=Role.choices, method="with_role", empty_label="Any role")
    target_group = django_filters.ModelChoiceFilter(
        label="Staff group", queryset=TargetGroup.objects.all(), empty_label="Any group"
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=STATUS_CHOICES, method="with_status", empty_label="Any status"
    )

    class Meta:
        model = User
        fields = ["q", "agency", "role", "target_group", "status"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and not user.is_training_manager:
            # An agency lead sees only their agency: the choice would be noise.
            del self.filters["agency"]
        govuk_filter_form(self)

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(full_name__icontains=value) | Q(email__icontains=value)) if value else queryset

    def with_role(self, queryset, name, value):
        # Asked per person rather than joined, so that each person is listed once without DISTINCT, which
        # read and sorted every one of 25,000 people for any page of the filtered list.
        return queryset.filter(Exists(User.groups.through.objects.filter(user=OuterRef("pk"), group__name=value)))

    def with_status(self, queryset, name, value):
        return {
            "active": queryset.filter(is_active=True),
            "unverified": queryset.filter(email_verified_at__isnull=True, deactivated_at__isnull=True),
            "unmapped": queryset.filter(agency__isnull=True).exclude(unlisted_organisation=""),
            "deactivated": queryset.filter(deactivated_at__isnull=False),
        }[value]


class AgencyFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(label="Name", lookup_expr="icontains")
    sector = django_filters.ChoiceFilter(label="Sector", choices=Sector.choices, empty_label="Any sector")
    active = django_filters.BooleanFilter(
        label="Active", widget=forms.Select(choices=[("", "Any"), ("true", "Active"), ("false", "Inactive")])
    )

    class Meta:
        model = Agency
        fields = ["name", "sector", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        govuk_filter_form(self)


class AuditFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search")
    actor = django_filters.CharFilter(label="Who (name or email)", method="by_actor")
    kind = django_filters.ChoiceFilter(label="Kind", field_name="object_type", empty_label="Any kind", choices=[])
    date_from = DayFilter(
        label="From (DD/MM/YYYY)",
        field_name="created_at",
        bound="from",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
    )
    date_to = DayFilter(
        label="To (DD/MM/YYYY)",
        field_name="created_at",
        bound="to",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
    )

    class Meta:
        model = AuditEntry
        fields = ["q", "actor", "kind", "date_from", "date_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = AuditEntry.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
        self.filters["kind"].extra["choices"] = [(k, k.split(".")[-1].capitalize()) for k in kinds]
        govuk_filter_form(self)

    def search(self, queryset, name, value):
        return queryset.filter(Q(object_repr__icontains=value) | Q(action__icontains=value))

    def by_actor(self, queryset, name, value):
        return queryset.filter(Q(actor__full_name__icontains=value) | Q(actor__email__icontains=value))
