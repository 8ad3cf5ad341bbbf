from django import forms
from django_filters import fields as filter_fields

from accounts.models import TargetGroup
from common.listing import govuk_filter_form

RAG_CHOICES = [
    ("", "Any status"),
    ("red", "Red: not done or overdue"),
    ("amber", "Amber: due within 3 months"),
    ("green", "Green: in date"),
]


class AgencyTrainingFilterForm(forms.Form):
    name = forms.CharField(label="Name", required=False)
    status = forms.ChoiceField(label="Status", choices=RAG_CHOICES, required=False)
    # django-filter's field, so the list's drop-down reads its groups as the other management lists' do.
    target_group = filter_fields.ModelChoiceField(
        label="Staff group", queryset=TargetGroup.objects.all(), required=False, empty_label="Any group"
    )


class AgencyTrainingFilter:
    """Filters people whose training status was worked out in Python (it is not a column)."""

    def __init__(self, data=None):
        self.form = AgencyTrainingFilterForm(data)
        govuk_filter_form(self)

    def apply(self, people):
        if not self.form.is_bound or not self.form.is_valid():
            return people
        data = self.form.cleaned_data
        if data["name"]:
            people = [p for p in people if data["name"].lower() in p.full_name.lower()]
        if data["status"]:
            people = [p for p in people if p.rag == data["status"]]
        if data["target_group"]:
            people = [p for p in people if p.target_group_id == data["target_group"].pk]
        return people
