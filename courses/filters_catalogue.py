import django_filters
from django import forms
from django.db.models import Q
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from accounts.models import TargetGroup

from .models import Course, DeliveryMode, Level

DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y"]


def _attributes(attrs: dict) -> str:
    """A widget's attributes as django/forms/widgets/attrs.html writes them."""
    return "".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items()
        if value is not False
    )


class DrawnSelect(forms.Select):
    """A list drawn here, character for character as Django's select.html and select_option.html
    draw it: they include a template for every option, and the catalogue's four lists (twenty
    options) took as long to draw as all its courses."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"', widget["name"]), _attributes(widget["attrs"]), ">"]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            parts.extend(
                format_html(
                    '\n  <option value="{}"{}>{}</option>\n',
                    option["value"],
                    _attributes(option["attrs"]),
                    option["label"],
                )
                for option in options
            )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308  (every value above is escaped by format_html)


class CatalogueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search")
    level = django_filters.ModelChoiceFilter(
        label="Level", queryset=Level.objects.all(), empty_label="Any level", widget=DrawnSelect
    )
    target_group = django_filters.ModelChoiceFilter(
        label="Staff group",
        field_name="target_groups",
        queryset=TargetGroup.objects.all(),
        empty_label="Any group",
        widget=DrawnSelect,
    )
    delivery_mode = django_filters.ChoiceFilter(
        label="How it is delivered", choices=DeliveryMode.choices, empty_label="Any way", widget=DrawnSelect
    )
    date_from = django_filters.DateFilter(
        label="Sessions from (DD/MM/YYYY)", method="no_op", input_formats=DATE_FORMATS
    )
    date_to = django_filters.DateFilter(label="Sessions to (DD/MM/YYYY)", method="no_op", input_formats=DATE_FORMATS)
    has_places = django_filters.BooleanFilter(
        label="Places available",
        method="no_op",
        widget=DrawnSelect(choices=[("", "Any"), ("true", "Only with places")]),
    )

    class Meta:
        model = Course
        fields = ["q", "level", "target_group", "delivery_mode", "date_from", "date_to", "has_places"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            field.widget.attrs["class"] = "govuk-select" if isinstance(field.widget, forms.Select) else "govuk-input"
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
