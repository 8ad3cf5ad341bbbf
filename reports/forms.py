from crispy_forms_gds.layout import Field, Fixed
from django import forms

from accounts.forms import gds_helper
from accounts.models import Agency
from courses.models import Course
from tna.models import TrainingYear

from .models import ReportKind
from .selectors import report_kinds_for


class RunForm(forms.Form):
    kind = forms.ChoiceField(
        label="Report",
        choices=ReportKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which report you want"},
    )
    year = forms.ModelChoiceField(
        label="Training year",
        queryset=TrainingYear.objects.all(),
        empty_label=None,
        error_messages={"required": "Choose a training year", "invalid_choice": "Choose a training year from the list"},
    )
    course = forms.ModelChoiceField(
        label="Course (for a course evaluation report)",
        queryset=Course.objects.none(),
        required=False,
        empty_label="Choose a course",
        error_messages={"invalid_choice": "Choose a course from the list"},
    )
    agency = forms.ModelChoiceField(
        label="Agency (for an agency's report or statement)",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="Choose an agency",
        error_messages={"invalid_choice": "Choose an agency from the list"},
    )
    date_from = forms.DateField(
        label="From (for a charges statement or a monitoring report)",
        required=False,
        widget=forms.TextInput(),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        help_text="For example, 1/4/2026",
        error_messages={"invalid": "Enter the start date as day/month/year, for example 1/4/2026"},
    )
    date_to = forms.DateField(
        label="To (for a charges statement or a monitoring report)",
        required=False,
        widget=forms.TextInput(),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        help_text="For example, 31/3/2027",
        error_messages={"invalid": "Enter the end date as day/month/year, for example 31/3/2027"},
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.filter(active=True).order_by("title")
        if user is not None:
            # Offer exactly the kinds the person may read (reports/selectors.py): a charges statement
            # names people, so the Board is never offered one.
            kinds = report_kinds_for(user)
            self.fields["kind"].choices = [(kind, ReportKind(kind).label) for kind in kinds]
            self.fields["kind"].initial = ReportKind.ANNUAL if ReportKind.ANNUAL in kinds else ReportKind.AGENCY
            if user.is_training_manager or user.is_board_member:
                self.fields["agency"].queryset = Agency.objects.filter(active=True).order_by("name")
            else:
                # An agency lead asks for their own agency's reports only.
                self.fields["agency"].queryset = Agency.objects.filter(pk=user.agency_id)
                self.fields["agency"].initial = user.agency_id
            if ReportKind.CHARGES not in kinds:
                self.fields["agency"].label = "Agency (for an agency's report)"
                self.fields["date_from"].label = "From (for a monitoring report)"
                self.fields["date_to"].label = "To (for a monitoring report)"
            if ReportKind.CHARGES not in kinds and ReportKind.MONITORING not in kinds:
                # Only a charges statement and a monitoring report cover a period of dates; nobody is
                # asked for what they cannot use.
                del self.fields["date_from"], self.fields["date_to"]
        layout = [
            Field.radios("kind", small=True),
            Field.select("year"),
            Field.select("course"),
            Field.select("agency"),
        ]
        if "date_from" in self.fields:
            layout += [Field.text("date_from", field_width=Fixed.TEN), Field.text("date_to", field_width=Fixed.TEN)]
        self.helper = gds_helper(*layout, submit="Build the report")

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if (
            kind in (ReportKind.AGENCY, ReportKind.CHARGES)
            and not cleaned.get("agency")
            and "agency" not in self.errors
        ):
            self.add_error("agency", "Choose the agency the report is for")
        if kind == ReportKind.COURSE and not cleaned.get("course") and "course" not in self.errors:
            self.add_error("course", "Choose the course the report is for")
        if (
            kind in (ReportKind.CHARGES, ReportKind.MONITORING)
            and not self.errors.get("date_from")
            and not self.errors.get("date_to")
        ):
            start, end = cleaned.get("date_from"), cleaned.get("date_to")
            what = "statement" if kind == ReportKind.CHARGES else "report"
            if not start:
                self.add_error("date_from", f"Enter the start of the period the {what} covers")
            if not end:
                self.add_error("date_to", f"Enter the end of the period the {what} covers")
            if start and end and end < start:
                self.add_error("date_to", "The end date must be on or after the start date")
        return cleaned
