from crispy_forms_gds.layout import Field, Fixed
from django import forms

from accounts.forms import gds_helper
from accounts.models import Agency

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class WaiveChargeForm(forms.Form):
    reason = forms.CharField(
        label="Why are you waiving this charge?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        error_messages={"required": "Enter why the charge is waived"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.textarea("reason"), submit="Waive charge")


class CertificateCheckForm(forms.Form):
    code = forms.CharField(
        label="Certificate code",
        max_length=30,
        help_text="8 letters and numbers, printed at the bottom of the certificate.",
        error_messages={"required": "Enter the certificate code"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(spellcheck="false", autocomplete="off")
        self.helper = gds_helper(Field.text("code", field_width=Fixed.TEN), submit="Check certificate")
        self.helper.form_method = "get"


class RaiseInvoiceForm(forms.Form):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.order_by("name"),
        empty_label="Select an agency",
        error_messages={"required": "Select the agency to invoice", "invalid_choice": "Select an agency from the list"},
    )
    starts_on = forms.DateField(
        label="Sessions from (DD/MM/YYYY)",
        input_formats=DATE_FORMATS,
        widget=forms.TextInput,
        error_messages={"required": "Enter the first date of the period", "invalid": "Enter the date as DD/MM/YYYY"},
    )
    ends_on = forms.DateField(
        label="Sessions to (DD/MM/YYYY)",
        input_formats=DATE_FORMATS,
        widget=forms.TextInput,
        help_text="The invoice lists the agency's outstanding charges for sessions on these dates.",
        error_messages={"required": "Enter the last date of the period", "invalid": "Enter the date as DD/MM/YYYY"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.select("agency"),
            Field.text("starts_on", field_width=Fixed.TEN),
            Field.text("ends_on", field_width=Fixed.TEN),
            submit="Raise invoice",
        )
