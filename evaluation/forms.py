from crispy_forms.layout import HTML, Div
from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Size
from django import forms
from django.utils.html import escape, format_html

from accounts.forms import gds_helper
from accounts.models import User

from .models import AGREEMENT_SCALE, FocusGroup, IssueStatus, ItemKind, Observation, ObservationValue

CONFIDENCE = [(str(n), str(n)) for n in range(11)]


class AnswerForm(forms.Form):
    """One questionnaire as a form: a field per question (per learning outcome for confidence)."""

    def __init__(self, *args, questionnaire, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = []  # (field name, item, outcome index)
        layout = []
        outcomes = course.outcomes()
        for item in questionnaire.items.all():
            required = {"required": f"Answer: {item.text}"}
            if item.kind == ItemKind.CONFIDENCE:
                layout.append(HTML(format_html('<h2 class="govuk-heading-m">{}</h2>', item.text)))
                for index, outcome in enumerate(outcomes):
                    name = f"item_{item.pk}_{index}"
                    self.fields[name] = forms.ChoiceField(
                        label=escape(outcome),
                        choices=CONFIDENCE,
                        widget=forms.RadioSelect,
                        required=item.required,
                        help_text=escape(item.hint),
                        error_messages={"required": f"Say how confident you feel: {outcome}"},
                    )
                    # One row of 0-10 at any width, phones included (app.css `.app-scale`).
                    scale = Field.radios(name, legend_size=Size.SMALL, inline=True, small=True)
                    layout.append(Div(scale, css_class="app-scale"))
                    self.plan.append((name, item, index))
                continue
            name = f"item_{item.pk}"
            if item.kind == ItemKind.AGREEMENT:
                self.fields[name] = forms.ChoiceField(
                    label=escape(item.text),
                    widget=forms.RadioSelect,
                    required=item.required,
                    help_text=escape(item.hint),
                    choices=[(str(n + 1), label) for n, label in enumerate(AGREEMENT_SCALE)],
                    error_messages=required,
                )
                layout.append(Field.radios(name, legend_size=Size.SMALL, small=True))
            elif item.kind == ItemKind.SINGLE:
                self.fields[name] = forms.ChoiceField(
                    label=escape(item.text),
                    widget=forms.RadioSelect,
                    required=item.required,
                    help_text=escape(item.hint),
                    choices=[(c, c) for c in item.choices],
                    error_messages=required,
                )
                layout.append(Field.radios(name, legend_size=Size.SMALL, small=True))
            elif item.kind == ItemKind.MULTIPLE:
                self.fields[name] = forms.MultipleChoiceField(
                    label=escape(item.text),
                    widget=forms.CheckboxSelectMultiple,
                    required=item.required,
                    help_text=escape(item.hint),
                    choices=[(c, c) for c in item.choices],
                    error_messages=required,
                )
                layout.append(Field.checkboxes(name, legend_size=Size.SMALL, small=True))
            else:
                self.fields[name] = forms.CharField(
                    label=escape(item.text),
                    widget=forms.Textarea(attrs={"rows": 3}),
                    required=item.required,
                    max_length=3000,
                    help_text=escape(item.hint or "Please leave out names of children, families and colleagues."),
                    error_messages={**required, "max_length": "Keep your answer to 3,000 characters or fewer"},
                )
                layout.append(Field.textarea(name, label_size=Size.SMALL))
            self.plan.append((name, item, None))
        self.helper = gds_helper(*layout, submit="Send my answers")

    def answers(self) -> list[dict]:
        result = []
        for name, item, outcome in self.plan:
            value = self.cleaned_data.get(name)
            if value in (None, "", []):
                continue
            if item.kind in (ItemKind.CONFIDENCE, ItemKind.AGREEMENT):
                result.append({"item": item, "outcome": outcome, "number": int(value)})
            elif item.kind == ItemKind.SINGLE:
                result.append({"item": item, "choices": [value]})
            elif item.kind == ItemKind.MULTIPLE:
                result.append({"item": item, "choices": list(value)})
            else:
                result.append({"item": item, "text": value})
        return result


class ItemForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of question",
        choices=ItemKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of question"},
    )
    text = forms.CharField(label="Question", max_length=300, error_messages={"required": "Enter the question"})
    hint = forms.CharField(label="Hint (optional)", max_length=300, required=False)
    choices = forms.CharField(
        label="Options (for choose one and choose any), one per line",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    required = forms.BooleanField(label="People must answer it", required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.radios("kind", small=True),
            Field.text("text"),
            Field.text("hint"),
            Field.textarea("choices"),
            Field.checkbox("required"),
            submit="Add question",
        )


class FocusGroupForm(forms.ModelForm):
    class Meta:
        model = FocusGroup
        fields = ["course", "held_on", "participants", "themes", "notes"]
        labels = {"held_on": "Date held (DD/MM/YYYY)", "participants": "Number of participants"}
        widgets = {
            "held_on": forms.DateInput(format="%d/%m/%Y"),
            "themes": forms.Textarea(attrs={"rows": 4}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "course": {"required": "Choose the course"},
            "held_on": {"required": "Enter the date", "invalid": "Enter the date as DD/MM/YYYY"},
            "participants": {"required": "Enter the number of participants", "invalid": "Enter a whole number"},
            "themes": {"required": "Enter the themes that came up"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_on"].input_formats = ["%d/%m/%Y", "%Y-%m-%d"]
        self.fields["participants"].widget = forms.TextInput(attrs={"inputmode": "numeric"})
        self.helper = gds_helper(
            Field.select("course"),
            Field.text("held_on"),
            Field.text("participants"),
            Field.textarea("themes"),
            Field.textarea("notes"),
            submit="Save focus group",
        )

    def clean_participants(self):
        value = self.cleaned_data["participants"]
        if value < 1 or value > 500:
            raise forms.ValidationError("Enter a number from 1 to 500")
        return value


class ObservationForm(forms.ModelForm):
    trainers = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple, label="Trainers observed"
    )
    values_seen = forms.ModelMultipleChoiceField(
        queryset=ObservationValue.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Values the trainers showed",
        help_text="Tick each one you saw in the session.",
    )

    class Meta:
        model = Observation
        fields = ["observed_on", "observer_name", "trainers", "values_seen", "strengths", "areas_to_develop", "notes"]
        labels = {"observed_on": "Date observed (DD/MM/YYYY)", "observer_name": "Observer (a senior practitioner)"}
        widgets = {
            "observed_on": forms.DateInput(format="%d/%m/%Y"),
            "strengths": forms.Textarea(attrs={"rows": 3}),
            "areas_to_develop": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "observed_on": {"required": "Enter the date", "invalid": "Enter the date as DD/MM/YYYY"},
            "observer_name": {"required": "Enter the observer's name"},
            "strengths": {"required": "Enter the strengths seen"},
        }

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["observed_on"].input_formats = ["%d/%m/%Y", "%Y-%m-%d"]
        self.fields["trainers"].queryset = session.trainers.select_related("agency")
        self.fields["values_seen"].queryset = ObservationValue.objects.filter(active=True)
        self.fields["values_seen"].choices = [
            Choice(v.pk, v.text, hint=v.guidance) for v in self.fields["values_seen"].queryset
        ]
        self.fields["trainers"].label_from_instance = lambda u: (
            f"{u.full_name} ({u.agency.name if u.agency_id else 'no agency'})"
        )
        self.helper = gds_helper(
            Field.text("observed_on"),
            Field.text("observer_name"),
            Field.checkboxes("trainers", small=True),
            Field.checkboxes("values_seen", small=True),
            Field.textarea("strengths"),
            Field.textarea("areas_to_develop"),
            Field.textarea("notes"),
            submit="Save observation",
        )


class IssueForm(forms.Form):
    title = forms.CharField(max_length=200, error_messages={"required": "Enter a short title"})
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), error_messages={"required": "Describe the issue for the committee"}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("title"), Field.textarea("description"), submit="Raise the issue")


class IssueStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=IssueStatus.choices, widget=forms.RadioSelect, error_messages={"required": "Choose a status"}
    )
    note = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what happened"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.radios("status", small=True), Field.textarea("note"), submit="Change status")


class SettingsForm(forms.ModelForm):
    class Meta:
        from .models import CourseEvaluation

        model = CourseEvaluation
        fields = [
            "before",
            "before_days",
            "immediate",
            "follow_up",
            "follow_up_weeks",
            "certificate_needs_evaluation",
            "max_reminders",
            "reminder_days",
        ]
        labels = {"before": "Before the course", "immediate": "Straight after the course", "follow_up": "Follow-up"}
        error_messages = {
            name: {"invalid": "Enter a whole number", "required": "Enter a whole number"}
            for name in ("before_days", "follow_up_weeks", "max_reminders", "reminder_days")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import Questionnaire, Stage

        for name, stage in (("before", Stage.BEFORE), ("immediate", Stage.IMMEDIATE), ("follow_up", Stage.FOLLOW_UP)):
            self.fields[name].queryset = Questionnaire.objects.filter(stage=stage, next_version__isnull=True)
            self.fields[name].empty_label = "Do not ask"
        for name in ("before_days", "follow_up_weeks", "max_reminders", "reminder_days"):
            self.fields[name].widget = forms.TextInput(attrs={"inputmode": "numeric"})
        self.helper = gds_helper(
            Field.select("before"),
            Field.text("before_days"),
            Field.select("immediate"),
            Field.select("follow_up"),
            Field.text("follow_up_weeks"),
            Field.checkbox("certificate_needs_evaluation"),
            Field.text("max_reminders"),
            Field.text("reminder_days"),
            submit="Save",
        )

    def clean(self):
        cleaned = super().clean()
        for name, top in (("before_days", 60), ("follow_up_weeks", 52), ("max_reminders", 5), ("reminder_days", 30)):
            value = cleaned.get(name)
            if value is not None and value > top:
                self.add_error(name, f"Enter {top} or less")
        if cleaned.get("reminder_days") == 0:
            self.add_error("reminder_days", "Enter at least 1 day")
        return cleaned
