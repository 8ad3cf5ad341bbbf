from crispy_forms_gds.layout import Field, Fixed
from django import forms
from django.utils.html import escape, format_html

from accounts.forms import gds_helper
from common.forms import WholeNumberField

NUMBER_ERRORS = {
    "invalid": "Enter a whole number",
    "min_value": "Numbers cannot be negative",
    "required": "Enter a number (0 if none)",
    "max_value": "Enter a number up to 9,999,999",
}


def number(label, **kwargs):
    return WholeNumberField(
        label=label,
        min_value=0,
        max_value=9_999_999,
        error_messages=NUMBER_ERRORS,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input govuk-input--width-4"}),
        **kwargs,
    )


class LinesForm(forms.Form):
    """A grid of whole numbers, one row per line of a section; field names carry the line's key."""

    columns: list[tuple[str, str]] = []

    def __init__(self, *args, rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for key, label, values in rows:
            names = []
            for (column, heading), value in zip(self.columns, values):
                name = f"{column}_{key}"
                what = f"{label}, {heading.lower()}"
                self.fields[name] = number(format_html("{}: {}", label, heading.lower()), initial=value)
                # Say which cell is wrong: the error summary lists them all.
                self.fields[name].error_messages.update(
                    {
                        "invalid": f"{what}: enter a whole number",
                        "min_value": f"{what}: cannot be negative",
                        "max_value": f"{what}: enter a number up to 9,999,999",
                        "required": f"{what}: enter a number (0 if none)",
                    }
                )
                names.append(self[name])
            self.rows.append((key, label, names))

    def values(self) -> dict:
        return {
            key: tuple(self.cleaned_data[f"{column}_{key}"] for column, _ in self.columns) for key, _, _ in self.rows
        }


class StaffForm(LinesForm):
    columns = [("staff", "Staff"), ("volunteers", "Volunteers")]


class NeedsForm(LinesForm):
    columns = [
        ("scope", "Staff in scope"),
        ("trained", "Already trained and in date"),
        ("requested", "Places requested"),
    ]

    def clean(self):
        data = super().clean()
        for key, label, _ in self.rows:
            scope, trained = data.get(f"scope_{key}"), data.get(f"trained_{key}")
            if scope is not None and trained is not None and trained > scope:
                self.add_error(
                    f"trained_{key}", f"{label}: already trained and in date cannot be more than staff in scope"
                )
        return data


class SingleAgencyForm(LinesForm):
    columns = [("trained", "Staff trained"), ("percent", "Percentage of staff in date")]

    evaluation = forms.CharField(
        label="How does your agency evaluate its own training?",
        widget=forms.Textarea(attrs={"rows": 4, "class": "govuk-textarea"}),
        error_messages={"required": "Describe how your agency evaluates its own training"},
    )

    def clean(self):
        data = super().clean()
        for key, label, _ in self.rows:
            if (data.get(f"percent_{key}") or 0) > 100:
                self.add_error(f"percent_{key}", f"{label}: the percentage cannot be more than 100")
        return data


class SubmitForm(forms.Form):
    declaration = forms.BooleanField(
        label=(
            "I confirm that these figures are accurate to the best of my knowledge "
            "and that I am authorised to submit them for my agency"
        ),
        error_messages={"required": "Confirm the declaration to submit the return"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.checkbox("declaration"), submit="Submit return")


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Why are you reopening this return?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        help_text="The agency lead is emailed this reason.",
        error_messages={"required": "Enter why the return is reopened"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.textarea("reason"), submit="Reopen return")


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file of training needs",
        help_text=(
            "Columns: Agency, Course, Staff in scope, Trained and in date, Places requested "
            "(and Training year, if the file has it)."
        ),
        error_messages={"required": "Choose a CSV file", "empty": "The file is empty"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field("file"), submit="Check the file")
        self.file_name = ""

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2_000_000:
            raise forms.ValidationError("The file must be smaller than 2 MB")
        # Each imported return records the file it came from.
        self.file_name = upload.name
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file must be a CSV saved as UTF-8")


DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]


def date_field(label, **kwargs):
    return forms.DateField(
        label=f"{label} (DD/MM/YYYY)",
        input_formats=DATE_FORMATS,
        widget=forms.TextInput,
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"Enter the {label.lower()} as DD/MM/YYYY",
        },
        **kwargs,
    )


class YearAndCycleForm(forms.Form):
    name = forms.CharField(
        label="Training year",
        max_length=20,
        help_text="For example 2027-28.",
        error_messages={"required": "Enter the training year's name"},
    )
    starts_on = date_field("Start date")
    ends_on = date_field("End date")
    children_in_need = number("Children in need in the area", required=False)
    central_costs = forms.DecimalField(
        label="Central costs (£)",
        min_value=0,
        decimal_places=2,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={"min_value": "Costs cannot be negative", "invalid": "Enter the central costs in pounds"},
    )
    opens_on = date_field("Date the analysis opens")
    deadline = date_field("Deadline for returns")
    instructions = forms.CharField(
        label="Instructions for agency leads", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reminder_offsets = forms.CharField(
        label="Send reminders this many days from the deadline",
        required=False,
        initial="-14, -3, 1, 7",
        help_text="Negative numbers are days before the deadline, positive after. Separate them with commas.",
    )
    escalate_after_days = number("Days after the deadline to tell you who has not returned", initial=14)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.text("name", field_width=Fixed.TEN),
            Field.text("starts_on", field_width=Fixed.TEN),
            Field.text("ends_on", field_width=Fixed.TEN),
            Field.text("children_in_need"),
            Field.text("central_costs", field_width=Fixed.TEN),
            Field.text("opens_on", field_width=Fixed.TEN),
            Field.text("deadline", field_width=Fixed.TEN),
            Field.textarea("instructions"),
            Field.text("reminder_offsets", field_width=Fixed.TWENTY),
            Field.text("escalate_after_days"),
            submit="Save training year",
        )

    def clean_reminder_offsets(self):
        raw = self.cleaned_data["reminder_offsets"]
        try:
            return sorted({int(part) for part in raw.replace(";", ",").split(",") if part.strip()})
        except ValueError:
            raise forms.ValidationError("Enter whole numbers of days separated by commas, like -14, -3, 1, 7")

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] <= data["starts_on"]:
            self.add_error("ends_on", "The end date must be after the start date")
        if data.get("opens_on") and data.get("deadline") and data["deadline"] <= data["opens_on"]:
            self.add_error("deadline", "The deadline must be after the date the analysis opens")
        return data


class ContributionsForm(forms.Form):
    """Each active agency's financial contribution for the year, in pounds."""

    def __init__(self, *args, year, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import Agency

        current = {c.agency_id: c.amount for c in year.contributions.all()}
        self.agencies = list(Agency.objects.filter(active=True).order_by("name"))
        for agency in self.agencies:
            self.fields[f"agency_{agency.pk}"] = forms.DecimalField(
                label=escape(agency.name),
                min_value=0,
                decimal_places=2,
                required=False,
                initial=current.get(agency.pk),
                widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input govuk-input--width-10"}),
                error_messages={
                    "min_value": f"{agency.name}: a contribution cannot be negative",
                    "invalid": f"{agency.name}: enter the amount in pounds, like 2500",
                },
            )

    def amounts(self) -> dict:
        return {agency: self.cleaned_data[f"agency_{agency.pk}"] for agency in self.agencies}
