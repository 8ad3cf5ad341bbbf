import django_filters
from django.db.models import Q

from accounts.models import Agency
from common.listing import govuk_filter_form
from courses.models import Course

from .models import Membership, MembershipStatus


class PoolFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Name or email", method="search")
    status = django_filters.ChoiceFilter(label="Status", choices=MembershipStatus.choices, empty_label="Any status")
    agency = django_filters.ModelChoiceFilter(
        label="Agency",
        field_name="person__agency",
        queryset=Agency.objects.order_by("name").only("name"),
        empty_label="Any agency",
    )
    course = django_filters.ModelChoiceFilter(
        label="Delivers",
        field_name="courses",
        queryset=Course.objects.filter(is_training_for_trainers=False).only("title"),
        empty_label="Any course",
    )

    class Meta:
        model = Membership
        fields = ["q", "status", "agency", "course"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        govuk_filter_form(self)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(person__full_name__icontains=value) | Q(person__email__icontains=value))
