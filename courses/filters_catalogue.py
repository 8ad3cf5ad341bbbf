import django_filters
from django import forms
from django.db.models import Q

from accounts.models import TargetGroup
from common.listing import govuk_filter_form

from .models import Course, DeliveryMode, Level

DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y"]


class CatalogueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search")
    level = django_filters.ModelChoiceFilter(label="Level", queryset=Level.objects.all(), empty_label="Any level")
    target_group = django_filters.ModelChoiceFilter(
        label="Staff group",
        field_name="target_groups",
        queryset=TargetGroup.objects.all(),
        empty_label="Any group",
    )
    delivery_mode = django_filters.ChoiceFilter(
        label="How it is delivered", choices=DeliveryMode.choices, empty_label="Any way"
    )
    date_from = django_filters.DateFilter(
        label="Sessions from (DD/MM/YYYY)", method="no_op", input_formats=DATE_FORMATS
    )
    date_to = django_filters.DateFilter(label="Sessions to (DD/MM/YYYY)", method="no_op", input_formats=DATE_FORMATS)
    has_places = django_filters.BooleanFilter(
        label="Places available",
        method="no_op",
        widget=forms.Select(choices=[("", "Any"), ("true", "Only with places")]),
    )

    class Meta:
        model = Course
        fields = ["q", "level", "target_group", "delivery_mode", "date_from", "date_to", "has_places"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        govuk_filter_form(self)
        self.form.fields["date_from"].error_messages["invalid"] = "Enter the date as DD/MM/YYYY"
        self.form.fields["date_to"].error_messages["invalid"] = "Enter the date as DD/MM/YYYY"

    def search(self, queryset, name, value):
        words = value.split()
        for word in words:
            queryset = queryset.filter(
                Q(title__icontains=word) | Q(summary__icontains=word) | Q(learning_outcomes__icontains=word)
            )
        return queryset

    def no_op(self, queryset, name, value):
        # Dates and places narrow the sessions: the selector applies them.
        return queryset
