import django_filters
from django import forms
from django.db.models import F

from common.listing import DayFilter, govuk_filter_form

from .models import Course, DeliveryMode, Level, Session, SessionStatus, Venue
from .selectors.todo import NEEDS, sessions_needing

DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]


class SessionFilter(django_filters.FilterSet):
    course = django_filters.ModelChoiceFilter(
        label="Course", queryset=Course.objects.order_by("title").only("title"), empty_label="Any course"
    )
    level = django_filters.ModelChoiceFilter(
        label="Level", field_name="course__level", queryset=Level.objects.all(), empty_label="Any level"
    )
    status = django_filters.ChoiceFilter(label="Status", choices=SessionStatus.choices, empty_label="Any status")
    venue = django_filters.ModelChoiceFilter(
        label="Venue", queryset=Venue.objects.only("name"), empty_label="Any venue"
    )
    date_from = DayFilter(label="From (DD/MM/YYYY)", field_name="starts_at", bound="from", input_formats=DATE_FORMATS)
    date_to = DayFilter(label="To (DD/MM/YYYY)", field_name="starts_at", bound="to", input_formats=DATE_FORMATS)
    needs = django_filters.ChoiceFilter(
        label="Needs attention", choices=list(NEEDS.items()), empty_label="Any session", method="needing"
    )
    has_places = django_filters.BooleanFilter(
        label="Places",
        method="with_places",
        widget=forms.Select(choices=[("", "Any"), ("true", "Has places"), ("false", "Full")]),
    )

    class Meta:
        model = Session
        fields = ["course", "level", "status", "venue", "date_from", "date_to", "needs", "has_places"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        govuk_filter_form(self)

    def needing(self, queryset, name, value):
        # The same rule as the home page's to-do entry that links here (selectors/todo.py).
        return sessions_needing(value, queryset)

    def with_places(self, queryset, name, value):
        return queryset.filter(capacity__gt=F("taken")) if value else queryset.filter(capacity__lte=F("taken"))


class CourseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Title", field_name="title", lookup_expr="icontains")
    level = django_filters.ModelChoiceFilter(label="Level", queryset=Level.objects.all(), empty_label="Any level")
    delivery_mode = django_filters.ChoiceFilter(label="Delivery", choices=DeliveryMode.choices, empty_label="Any")
    active = django_filters.BooleanFilter(
        label="Active", widget=forms.Select(choices=[("", "Any"), ("true", "Active"), ("false", "Inactive")])
    )

    class Meta:
        model = Course
        fields = ["q", "level", "delivery_mode", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        govuk_filter_form(self)
