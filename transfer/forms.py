from crispy_forms_gds.layout import Field, Size
from django import forms

from accounts.forms import gds_helper
from common.csvfiles import decode
from tna.models import TrainingYear
from tna.selectors import current_training_year

from .formats import FORMATS
from .services import MAX_BYTES


class UploadForm(forms.Form):
    format = forms.ChoiceField(
        label="What is in the file?",
        widget=forms.RadioSelect,
        choices=[(f.key, f.title) for f in FORMATS],
        error_messages={"required": "Choose what the file holds"},
    )
    file = forms.FileField(
        label="CSV file",
        help_text="Saved from a spreadsheet as CSV, with the columns named in the first line.",
        error_messages={"required": "Choose a CSV file", "empty": "The file is empty"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.radios("format", legend_size=Size.SMALL, small=True), Field("file"), submit="Check the file"
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError("The file must be smaller than 30 MB: split it into years")
        try:
            return decode(upload.read())
        except ValueError as error:
            raise forms.ValidationError(str(error))


class ExportForm(forms.Form):
    year = forms.ModelChoiceField(
        label="Training year",
        queryset=TrainingYear.objects.all(),
        empty_label=None,
        error_messages={"required": "Choose a training year"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.attrs["class"] = "govuk-select"
        current = current_training_year()
        self.fields["year"].initial = current.pk if current else None
