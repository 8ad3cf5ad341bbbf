from datetime import date
from decimal import Decimal

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Fixed, Size
from django import forms
from django.utils.html import escape

from accounts.forms import gds_helper
from accounts.models import User
from courses.models import Course

from .models import MembershipCriterion, MembershipStatus, PoolPolicy


def text(label, help_text="", required_message="", rows=4, max_length=2000, required=True):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": required_message, "max_length": f"Keep this to {max_length:,} characters or fewer"},
    )


class ApplicationForm(forms.Form):
    experience = text(
        "Your safeguarding experience",
        "Your role, how long you have worked with children and families, and the safeguarding work you do.",
        "Describe your safeguarding experience",
    )
    specialisms = text(
        "Your specialisms",
        "Areas of practice you know well, for example neglect, domestic abuse or child exploitation.",
        "Describe your specialisms",
        rows=3,
        max_length=500,
    )
    facilitation_experience = text(
        "Your experience of training or facilitating groups",
        "Courses you have delivered, supervision or team briefings you lead.",
        "Describe your experience of training or facilitating groups",
    )
    courses = forms.ModelMultipleChoiceField(
        label="Which courses could you help deliver?",
        queryset=Course.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply. You will always deliver with a trainer from another agency.",
        error_messages={"required": "Select at least one course you could help deliver"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["courses"].queryset = Course.objects.filter(
            active=True, is_training_for_trainers=False
        ).select_related("level")
        self.helper = gds_helper(
            Field.textarea("experience"),
            Field.textarea("specialisms"),
            Field.textarea("facilitation_experience"),
            Field.checkboxes("courses", small=True),
            submit="Send application",
        )


class EndorseForm(forms.Form):
    decision = forms.TypedChoiceField(
        label="Do you endorse this application?",
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        choices=[("yes", "Yes, I endorse it"), ("no", "No, I do not endorse it")],
        error_messages={"required": "Select whether you endorse this application"},
    )
    note = text(
        "Your comments",
        "Needed if you do not endorse the application: the applicant will see it.",
        required=False,
        rows=3,
        max_length=1000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.radios("decision", legend_size=Size.MEDIUM), Field.textarea("note"), submit="Save decision"
        )


class ReviewForm(forms.Form):
    criteria = forms.ModelMultipleChoiceField(
        label="Criteria the application meets",
        queryset=MembershipCriterion.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick each criterion the application shows.",
    )
    decision = forms.TypedChoiceField(
        label="Decision",
        coerce=lambda v: v == "accept",
        widget=forms.RadioSelect,
        choices=[("accept", "Accept into the pool"), ("decline", "Decline")],
        error_messages={"required": "Select whether you accept or decline the application"},
    )
    reason = text(
        "Reason", "Needed if you decline: the applicant will see it.", required=False, rows=3, max_length=1000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criteria"].queryset = MembershipCriterion.objects.filter(active=True)
        self.fields["criteria"].choices = [
            Choice(c.pk, c.text, hint=c.guidance) for c in self.fields["criteria"].queryset
        ]
        self.helper = gds_helper(
            Field.checkboxes("criteria", legend_size=Size.MEDIUM, small=True),
            Field.radios("decision", legend_size=Size.MEDIUM),
            Field.textarea("reason"),
            submit="Save decision",
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") is True:
            wanted = set(self.fields["criteria"].queryset.values_list("pk", flat=True))
            ticked = {c.pk for c in cleaned.get("criteria") or []}
            if wanted - ticked:
                self.add_error(
                    "criteria",
                    "To accept an application, it must meet every criterion. Tick them all, or decline with a reason",
                )
        return cleaned


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label="New status",
        widget=forms.RadioSelect,
        choices=[
            (MembershipStatus.LAPSED, "Lapsed"),
            (MembershipStatus.ACTIVE, "Active"),
            (MembershipStatus.LEFT, "Left the pool"),
        ],
        error_messages={"required": "Select the new status"},
    )
    reason = text("Reason", "Kept in the member's history.", "Enter a reason", rows=3, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.radios("status", legend_size=Size.MEDIUM), Field.textarea("reason"), submit="Change status"
        )


class LeaveForm(forms.Form):
    reason = text("Why are you leaving? (optional)", required=False, rows=3, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.textarea("reason"), submit="Leave the trainer pool")


class CriterionForm(forms.ModelForm):
    class Meta:
        model = MembershipCriterion
        fields = ["text", "guidance", "position", "active"]
        labels = {
            "text": "Criterion",
            "position": "Order in the checklist",
            "active": "Ask this criterion in new reviews",
        }
        error_messages = {
            "text": {"required": "Enter the criterion", "unique": "That criterion is already in the checklist"},
            "position": {"invalid": "Enter a whole number", "required": "Enter a whole number"},
        }
        widgets = {
            "guidance": forms.Textarea(attrs={"rows": 3}),
            "position": forms.TextInput(attrs={"inputmode": "numeric"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.text("text"),
            Field.textarea("guidance"),
            Field.text("position", field_width=Fixed.TWO),
            Field.checkbox("active"),
            submit="Save criterion",
        )


class PolicyForm(forms.ModelForm):
    class Meta:
        model = PoolPolicy
        fields = ["months_without_delivery", "training_valid_months", "free_places_per_day"]
        error_messages = {
            "months_without_delivery": {
                "required": "Enter a number of months",
                "invalid": "Enter a whole number of months",
                "min_value": "Enter at least 1 month",
                "max_value": "Enter 120 months or fewer",
            },
            "training_valid_months": {
                "invalid": "Enter a whole number of months",
                "min_value": "Enter at least 1 month",
                "max_value": "Enter 240 months or fewer",
            },
            "free_places_per_day": {
                "required": "Enter a number of places",
                "invalid": "Enter a number, such as 10",
                "min_value": "Places cannot be negative",
                "max_value": "Enter 100 places or fewer",
                "max_decimal_places": "Use at most one decimal place",
            },
        }
        widgets = {name: forms.TextInput(attrs={"inputmode": "decimal"}) for name in fields}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            *(Field.text(name, field_width=Fixed.FOUR) for name in self.Meta.fields), submit="Save rules"
        )


class CommitmentsForm(forms.Form):
    """One box per agency: agreed trainer days for the year, in half days; empty for none."""

    def __init__(self, *args, agencies=(), initial_days=None, **kwargs):
        super().__init__(*args, **kwargs)
        initial_days = initial_days or {}
        self.agency_names = {}
        for agency in agencies:
            self.agency_names[f"agency_{agency.pk}"] = agency.name
            self.fields[f"agency_{agency.pk}"] = forms.DecimalField(
                label=escape(agency.name),
                required=False,
                min_value=Decimal("0"),
                max_value=Decimal("365"),
                decimal_places=1,
                initial=initial_days.get(agency.pk),
                widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input govuk-input--width-4"}),
                error_messages={
                    "invalid": f"{agency.name}: enter a number of days, such as 2.5",
                    "min_value": f"{agency.name}: days cannot be negative",
                    "max_value": f"{agency.name}: enter 365 days or fewer",
                    "max_decimal_places": f"{agency.name}: use half days, such as 2.5",
                },
            )

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if value is not None and value * 2 != int(value * 2):
                self.add_error(name, f"{self.agency_names[name]}: use whole or half days, such as 2 or 2.5")
        return cleaned

    def days_by_agency(self) -> dict[int, Decimal | None]:
        return {int(name.split("_")[1]): value for name, value in self.cleaned_data.items()}


class AssignForm(forms.Form):
    trainer = forms.ModelChoiceField(
        label="Trainer",
        queryset=User.objects.none(),
        empty_label="Choose a trainer",
        error_messages={"required": "Choose a trainer", "invalid_choice": "Choose a trainer from the list"},
        help_text="Active pool members first. You will see any warnings before the trainer is asked.",
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, trainers=None, candidates=(), confirming=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainer"].queryset = trainers if trainers is not None else User.objects.none()
        # Active members first, each labelled with their agency and, if not active, their status.
        self.fields["trainer"].choices = [("", "Choose a trainer")] + [
            (p.pk, self.trainer_label(p)) for p in candidates
        ]
        self.helper = gds_helper(
            Field.select("trainer"), "confirmed", submit="Ask this trainer anyway" if confirming else "Ask this trainer"
        )

    @staticmethod
    def trainer_label(person):
        status = getattr(person, "pool_status_label", "")
        agency = person.agency.name if person.agency_id else "no agency"
        return f"{person.full_name} ({agency}){f', {status}' if status else ''}"


class RespondForm(forms.Form):
    decision = forms.TypedChoiceField(
        label="Can you deliver this session?",
        coerce=lambda v: v == "accept",
        widget=forms.RadioSelect,
        choices=[("accept", "Yes, I can deliver it"), ("decline", "No, I cannot")],
        error_messages={"required": "Select whether you can deliver this session"},
    )
    reason = text("If you cannot, tell the training manager why (optional)", required=False, rows=3, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.radios("decision", legend_size=Size.MEDIUM), Field.textarea("reason"), submit="Send answer"
        )


class PeriodForm(forms.Form):
    """A period for the delivery log, in UK dates."""

    date_from = forms.DateField(
        label="From",
        input_formats=["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"],
        help_text="For example, 1/4/2026",
        error_messages={
            "required": "Enter a start date",
            "invalid": "Enter the start date as day/month/year, for example 1/4/2026",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10"}),
    )
    date_to = forms.DateField(
        label="To",
        input_formats=["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"],
        help_text="For example, 31/3/2027",
        error_messages={
            "required": "Enter an end date",
            "invalid": "Enter the end date as day/month/year, for example 31/3/2027",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10"}),
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be on or after the start date")
        if start and end and (end - start).days > 366 * 10:
            self.add_error("date_to", "Choose a period of ten years or less")
        if start and start < date(2000, 1, 1):
            self.add_error("date_from", "Enter a date from 2000 onwards")
        return cleaned
