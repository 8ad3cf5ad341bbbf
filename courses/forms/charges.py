from crispy_forms_gds.layout import Field, Fixed
from django import forms

from accounts.forms import gds_helper


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
