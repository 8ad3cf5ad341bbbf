from crispy_forms_gds.layout import Field, Fixed, Size
from django import forms

from accounts.forms import gds_helper
from accounts.models import Agency
from courses.models import Course
from tna.models import TrainingYear

from .models import ReportKind
from .selectors import report_kinds_for

# The fields each kind of report asks for, in order: nobody is asked for what their report does not use.
FIELDS_BY_KIND = {
    ReportKind.ANNUAL: ("year",),
    ReportKind.AGENCY: ("year", "agency"),
    ReportKind.CHARGES: ("agency", "date_from", "date_to"),
    ReportKind.COURSE: ("year", "course"),
    # Any quarter or period, compared with the one before and the same dates a year earlier.
    ReportKind.MONITORING: ("date_from", "date_to"),
}


class ReportKindForm(forms.Form):
    """The first step of asking for a report: which kind. A GET form, so the next page is the form for
    that kind alone, with or without JavaScript. Offers exactly the kinds the person may read."""

    kind = forms.ChoiceField(
        label="Which report do you want?",
        choices=ReportKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which report you want", "invalid_choice": "Choose a report from the list"},
    )
    year = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = report_kinds_for(user)
        self.fields["kind"].choices = [(kind, ReportKind(kind).label) for kind in kinds]
        self.fields["kind"].initial = ReportKind.ANNUAL if ReportKind.ANNUAL in kinds else ReportKind.AGENCY
        self.helper = gds_helper(Field.radios("kind", legend_size=Size.SMALL, small=True), "year", submit="Continue")
        self.helper.form_method = "get"


class RunForm(forms.Form):
    """The second step: the fields of one kind of report (FIELDS_BY_KIND), for a kind the person may
    ask for. The kind travels in a hidden field."""

    kind = forms.ChoiceField(choices=ReportKind.choices, widget=forms.HiddenInput)
    year = forms.ModelChoiceField(
        label="Training year",
        queryset=TrainingYear.objects.all(),
        empty_label=None,
        error_messages={"required": "Choose a training year", "invalid_choice": "Choose a training year from the list"},
    )
    course = forms.ModelChoiceField(
        label="Course",
        queryset=Course.objects.none(),
        empty_label="Choose a course",
        error_messages={
            "required": "Choose the course the report is for",
            "invalid_choice": "Choose a course from the list",
        },
    )
    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.none(),
        empty_label="Choose an agency",
        error_messages={
            "required": "Choose the agency the report is for",
            "invalid_choice": "Choose an agency from the list",
        },
    )
    date_from = forms.DateField(
        label="From",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        input_formats=["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"],
        help_text="The first day the report covers, for example 1/4/2026",
        error_messages={
            "required": "Enter the start of the period the report covers",
            "invalid": "Enter the start date as day/month/year, for example 1/4/2026",
        },
    )
    date_to = forms.DateField(
        label="To",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        input_formats=["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"],
        help_text="The last day it covers, for example 30/6/2026",
        error_messages={
            "required": "Enter the end of the period the report covers",
            "invalid": "Enter the end date as day/month/year, for example 31/3/2027",
        },
    )

    def __init__(self, *args, user, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        if kind not in report_kinds_for(user):
            raise ValueError(f"{user} may not ask for a {kind} report")
        self.kind = ReportKind(kind)
        self.fields["kind"].initial = kind
        self.fields["course"].queryset = Course.objects.filter(active=True).order_by("title")
        if user.is_training_manager or user.is_board_member:
            self.fields["agency"].queryset = Agency.objects.filter(active=True).order_by("name")
        else:
            # An agency lead asks for their own agency's reports only.
            self.fields["agency"].queryset = Agency.objects.filter(pk=user.agency_id)
            self.fields["agency"].initial = user.agency_id
            self.fields["agency"].empty_label = None
        wanted = FIELDS_BY_KIND[self.kind]
        for name in [name for name in self.fields if name != "kind" and name not in wanted]:
            del self.fields[name]
        layout = ["kind"]
        for name in wanted:
            if name.startswith("date_"):
                layout.append(Field.text(name, field_width=Fixed.TEN))
            else:
                layout.append(Field.select(name))
        self.helper = gds_helper(*layout, submit="Build the report")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be on or after the start date")
        return cleaned
