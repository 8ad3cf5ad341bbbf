"""Training done elsewhere: the person's record of it and their lead's decision."""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Size
from django import forms
from django.utils.html import escape

from accounts.forms import gds_helper

from ..models import Level
from .manage import DATE_FORMATS

CERTIFICATE_TYPES = {".pdf", ".png", ".jpg", ".jpeg"}
CERTIFICATE_MAX_BYTES = 5 * 1024 * 1024


class ExternalTrainingForm(forms.Form):
    level = forms.ModelChoiceField(
        label="Which level was it?",
        queryset=Level.objects.all(),
        widget=forms.RadioSelect,
        empty_label=None,
        help_text="Level 1 is basic awareness, often e-learning. The provider's certificate usually says the level.",
        error_messages={"required": "Choose the level of the training", "invalid_choice": "Choose a level"},
    )
    title = forms.CharField(
        label="Name of the course or module",
        max_length=200,
        error_messages={"required": "Enter the name of the course or module"},
    )
    provider = forms.CharField(
        label="Who provided it",
        max_length=200,
        help_text="For example your agency's e-learning, or the name of the training company.",
        error_messages={"required": "Enter who provided the training"},
    )
    completed_on = forms.DateField(
        label="Date you completed it (DD/MM/YYYY)",
        input_formats=DATE_FORMATS,
        error_messages={"required": "Enter the date you completed it", "invalid": "Enter the date as DD/MM/YYYY"},
    )
    certificate = forms.FileField(
        label="Certificate (optional)",
        required=False,
        help_text="A PDF or a photo (JPG or PNG), up to 5 MB. It helps your agency lead confirm the training.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Radios print labels as they are (crispy-forms-gds): a level's name is data, so escape it.
        self.fields["level"].choices = [Choice(level.pk, escape(str(level))) for level in Level.objects.all()]
        self.helper = gds_helper(
            Field.radios("level", legend_size=Size.SMALL, small=True),
            Field.text("title"),
            Field.text("provider"),
            Field.text("completed_on", field_width=10),
            Field("certificate"),
            submit="Send for confirmation",
        )

    def clean_certificate(self):
        upload = self.cleaned_data.get("certificate")
        if not upload:
            return None
        name = upload.name.lower()
        if not any(name.endswith(ext) for ext in CERTIFICATE_TYPES):
            raise forms.ValidationError("The certificate must be a PDF, JPG or PNG file")
        if upload.size > CERTIFICATE_MAX_BYTES:
            raise forms.ValidationError("The certificate must be smaller than 5 MB")
        return upload


class ExternalTrainingDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Does this training count?",
        widget=forms.RadioSelect,
        choices=[
            Choice("confirm", "Yes, confirm it", hint="It counts towards their pathway from the date completed."),
            Choice("decline", "No, do not accept it"),
        ],
        error_messages={"required": "Choose whether to confirm the training"},
    )
    reason = forms.CharField(
        label="Why not (if you do not accept it)",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="They see this.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.radios("decision", legend_size=Size.MEDIUM), Field.textarea("reason"), submit="Save decision"
        )
