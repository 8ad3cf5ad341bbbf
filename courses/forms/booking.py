from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout, Size
from django import forms
from django.utils.html import format_html

from accounts.forms import gds_helper
from accounts.models import Agency, User, normalise_email

from ..models import Attendance, ReasonGiven


class PersonByEmailField(forms.EmailField):
    """An email address that must belong to an active account; returns the person."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "error_messages",
            {
                "required": "Enter their email address",
                "invalid": "Enter an email address in the correct format, like name@example.org",
            },
        )
        super().__init__(**kwargs)

    def clean(self, value):
        email = super().clean(value)
        if not email:
            return None
        person = (
            User.objects.filter(email__iexact=normalise_email(email), is_active=True).select_related("agency").first()
        )
        if person is None:
            raise forms.ValidationError("No active account has this email address")
        return person


class BookForColleagueForm(forms.Form):
    person = PersonByEmailField(label="Their email address", help_text="They must have an account in this service.")
    override_prerequisites = forms.BooleanField(
        label="Book them even if they have not done the prerequisite course",
        required=False,
        help_text="Only if their experience covers what the prerequisite teaches.",
    )
    accept_warnings = forms.BooleanField(
        label="Book them even if they are already in date or booked on another date",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.text("person"),
            Field.checkbox("override_prerequisites", small=True),
            Field.checkbox("accept_warnings", small=True),
            submit="Book a place for them",
        )
        self.helper.form_tag = False  # the page's own form posts to the booking URL


class ConfirmBookingForm(forms.Form):
    """The booking confirmation page: access or dietary needs, and (when the booking service has
    warnings) the booker's confirmation that they still want the place."""

    access_needs = forms.CharField(
        label="Access or dietary needs (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example step-free access, a hearing loop, large-print handouts, or a vegetarian lunch. "
        "Only the training team and the session's trainers see this.",
    )
    accept_warnings = forms.BooleanField(
        label="I still want this place",
        required=False,
        help_text="Tick to book even so.",
    )

    def __init__(self, *args, warnings=(), waitlisted=False, **kwargs):
        super().__init__(*args, **kwargs)
        fields = [Field.textarea("access_needs")]
        if warnings:
            self.fields["accept_warnings"].required = True
            self.fields["accept_warnings"].error_messages["required"] = "Tick the box to confirm you still want it"
            fields.insert(0, Field.checkbox("accept_warnings"))
        else:
            del self.fields["accept_warnings"]
        self.helper = gds_helper(
            *fields, submit="Confirm and join the waiting list" if waitlisted else "Confirm and book the place"
        )


CANCEL = "cancel"
SUBSTITUTE = "substitute"


class CancelBookingForm(forms.Form):
    choice = forms.ChoiceField(
        label="What do you want to do?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to cancel or pass your place to a colleague"},
    )
    substitute = PersonByEmailField(
        label="Your colleague's email address",
        required=False,
        help_text="They must work for the same agency and have an account.",
    )
    reason = forms.ChoiceField(
        label="Why are you cancelling? (optional)",
        help_text="The training team counts the reasons people give, to plan courses people can attend.",
        choices=ReasonGiven.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Choose a reason from the list, or none"},
    )

    def __init__(self, *args, can_substitute=True, cancel_label="Cancel the place", avoids_charge=False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [Choice(CANCEL, cancel_label)]
        if can_substitute:
            choices.append(
                Choice(
                    SUBSTITUTE,
                    "Pass the place to a colleague from the same agency",
                    **({"hint": "This avoids the late-cancellation charge."} if avoids_charge else {}),
                )
            )
        else:
            self.fields["choice"].error_messages["required"] = f"Choose '{cancel_label}' to confirm"
        self.fields["choice"].choices = choices
        fields = [Field.radios("choice", legend_size=Size.MEDIUM)]
        if can_substitute:
            fields.append(Field.text("substitute"))
        fields.append(Field.radios("reason", small=True))
        self.helper = gds_helper(*fields, submit="Confirm")
        self.helper.layout[-1] = Button.warning("submit", "Confirm")

    def clean(self):
        data = super().clean()
        if data.get("choice") == SUBSTITUTE and not data.get("substitute") and "substitute" not in self.errors:
            self.add_error("substitute", "Enter your colleague's email address")
        return data


class ApprovalForm(forms.Form):
    decision = forms.ChoiceField(
        label="Do you approve this place?",
        widget=forms.RadioSelect,
        choices=[Choice("approve", "Yes, approve the place"), Choice("decline", "No, decline it")],
        error_messages={"required": "Choose whether you approve the place"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.radios("decision", legend_size=Size.MEDIUM), submit="Send your answer")


class RegisterForm(forms.Form):
    """One radio group per confirmed delegate, named by booking id."""

    def __init__(self, *args, bookings=(), marks=None, **kwargs):
        super().__init__(*args, **kwargs)
        marks = marks or {}
        self.bookings = list(bookings)
        for booking in self.bookings:
            self.fields[f"b{booking.pk}"] = forms.ChoiceField(
                # Names are data: crispy-forms-gds prints labels as they are, so escape them here.
                label=format_html(
                    "{}, {}",
                    booking.person.full_name,
                    booking.agency.name if booking.agency else booking.person.organisation_name,
                ),
                choices=Attendance.choices,
                widget=forms.RadioSelect,
                required=False,
                initial=marks.get(booking.pk),
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(*[Field.radios(name, inline=True, small=True) for name in self.fields])

    def outcomes(self) -> dict[int, str]:
        return {int(name[1:]): value for name, value in self.cleaned_data.items() if value}


class WalkInForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        error_messages={
            "required": "Enter the walk-in's email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    full_name = forms.CharField(label="Full name (if they have no account)", required=False, max_length=150)
    agency = forms.ModelChoiceField(
        label="Agency (if they have no account)",
        required=False,
        queryset=Agency.objects.filter(active=True),
        empty_label="Select their agency",
        error_messages={"invalid_choice": "Select an agency from the list"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.text("email"), Field.text("full_name"), Field.select("agency"), submit="Add walk-in"
        )
        self.helper.layout[-1] = Button.secondary("add_walk_in", "Add walk-in")


class SessionMessageForm(forms.Form):
    subject = forms.CharField(
        max_length=150,
        error_messages={"required": "Enter a subject", "max_length": "Enter a subject of 150 characters or fewer"},
    )
    body = forms.CharField(
        label="Message",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=5000,
        help_text="Joining instructions, pre-reading, anything delegates should know before the day.",
        error_messages={"required": "Enter the message", "max_length": "Enter a message of 5,000 characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("subject"), Field.textarea("body"), submit="Send to delegates")


class ReopenRegisterForm(forms.Form):
    reason = forms.CharField(
        label="Why are you reopening the register?",
        help_text="For example: Priya Shah was marked as did not attend but signed the sign-in sheet.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        error_messages={"required": "Enter why the register is being reopened"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.textarea("reason"), submit="Reopen the register")
