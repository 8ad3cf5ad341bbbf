"""The training manager's forms for other Boards' figures: one Board's year, and a file of them."""

from crispy_forms_gds.layout import Field, Fixed
from django import forms

from accounts.forms import gds_helper
from common.csvfiles import decode

from .models import PeerFigures
from .peers import PeerError, clean_year

MAX_BYTES = 1_000_000


def _number(label: str, *, whole: bool, hint: str = "") -> forms.Field:
    messages = {
        "invalid": f"Enter the {label.lower()} as a number",
        "min_value": f"Enter the {label.lower()} as 0 or more",
        "max_value": f"Enter the {label.lower()} as a smaller number",
        "max_digits": f"Enter the {label.lower()} as a smaller number",
        "max_decimal_places": f"Enter the {label.lower()} to two decimal places at most",
    }
    widget = forms.TextInput(attrs={"inputmode": "numeric" if whole else "decimal"})
    if whole:
        return forms.IntegerField(
            label=label,
            required=False,
            min_value=0,
            max_value=10_000_000,
            help_text=hint,
            widget=widget,
            error_messages=messages,
        )
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=hint,
        widget=widget,
        error_messages=messages,
    )


class PeerFiguresForm(forms.Form):
    board = forms.CharField(
        label="Board or partnership",
        max_length=200,
        error_messages={
            "required": "Enter the Board's name",
            "max_length": "Enter the name in 200 characters or fewer",
        },
    )
    year = forms.CharField(
        label="Year",
        max_length=9,
        help_text="The year its figures cover, as Boards print it: for example, 2025-26",
        error_messages={"required": "Enter the year, like 2025-26"},
    )
    children_in_need = _number(
        "Children in need", whole=True, hint="In the Board's area. Leave empty if not published."
    )
    events = _number("Courses or events", whole=True, hint="Learning events delivered.")
    training_days = _number("Training days", whole=False, hint="For example, 19.25")
    attendance = _number("Attendance", whole=True, hint="Delegates who attended.")
    total_cost = _number("Total cost (£)", whole=False, hint="For example, 42000")

    def __init__(self, *args, instance: PeerFigures | None = None, **kwargs):
        if instance is not None:
            kwargs.setdefault("initial", {name: getattr(instance, name) for name in self.base_fields})
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.text("board"),
            Field.text("year", field_width=Fixed.TEN),
            *(
                Field.text(name, field_width=Fixed.TEN)
                for name in ("children_in_need", "events", "training_days", "attendance", "total_cost")
            ),
            submit="Save the figures",
        )

    def clean_year(self):
        try:
            return clean_year(self.cleaned_data["year"])
        except PeerError as error:
            raise forms.ValidationError(error.message) from None


class PeerImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Saved from a spreadsheet as CSV, with the columns named in the first line.",
        error_messages={"required": "Choose a CSV file", "empty": "The file is empty"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field("file"), submit="Check the file")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError("The file must be smaller than 1 MB")
        try:
            return decode(upload.read())
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
