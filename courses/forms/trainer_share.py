from crispy_forms_gds.layout import Field, Fixed
from django import forms

from accounts.forms import gds_helper

from ..durations import is_quarter_days


class TrainerShareForm(forms.Form):
    share_days = forms.DecimalField(
        label="Days of this session they delivered",
        required=False,
        max_digits=6,
        decimal_places=2,
        help_text="In quarter days, like 0.25 for a quarter of a day. Leave empty if they delivered the whole session.",
        error_messages={
            "invalid": "Enter the share in quarter days, like 0.25, 0.5 or 0.75",
            "max_decimal_places": "Enter the share in quarter days, like 0.25, 0.5 or 0.75",
            "max_digits": "Enter a share no longer than the course",
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input govuk-input--width-5"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("share_days", field_width=Fixed.FIVE), submit="Save their share")

    def clean_share_days(self):
        value = self.cleaned_data["share_days"]
        if value is not None and (value <= 0 or not is_quarter_days(value)):
            raise forms.ValidationError("Enter the share in quarter days, like 0.25, 0.5 or 0.75")
        return value
