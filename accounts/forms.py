from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fieldset, Fixed, Layout, Size
from django import forms
from django.contrib.auth import forms as auth_forms

from common.forms import RecordForm, model_field

from .mail import queue_email
from .models import Agency, OrganisationCategory, Partnership, Sector, TargetGroup, User, normalise_email
from .roles import ROLE_DESCRIPTIONS, Role
from .services import Registration

NOT_LISTED = "not-listed"


def gds_helper(*fields, submit: str) -> FormHelper:
    """A GOV.UK form: fields in order, one primary button. The page template
    shows the error summary above the heading, as the Design System asks."""
    helper = FormHelper()
    helper.layout = Layout(*fields, Button("submit", submit))
    # The service checks every answer itself and says what is wrong in GOV.UK's words; the browser's
    # own bubbles (for an email field, a required field) would stop the form before that.
    helper.attrs = {"novalidate": ""}
    return helper


def target_group_choices() -> list[Choice]:
    return [
        Choice(group.pk, f"Group {group.number}: {group.name}", hint=group.description)
        for group in TargetGroup.objects.all()
    ]


class TargetGroupField(forms.TypedChoiceField):
    """Radios with each group's plain explanation, returning the TargetGroup."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Which staff group are you in?")
        kwargs.setdefault("help_text", "This decides which training you need. If you are not sure, ask your manager.")
        kwargs.setdefault(
            "error_messages", {"required": "Select your staff group", "invalid_choice": "Select your staff group"}
        )
        super().__init__(coerce=int, widget=forms.RadioSelect, **kwargs)

    def clean(self, value):
        pk = super().clean(value)
        return TargetGroup.objects.filter(pk=pk).first() if pk not in (None, "") else None


class SignUpForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150, error_messages={"required": "Enter your full name"})
    email = forms.EmailField(
        label="Email address",
        help_text="Use your work email. If you volunteer and have no work email, use your personal email.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    job_title = forms.CharField(
        label="Job title or role", max_length=150, error_messages={"required": "Enter your job title or role"}
    )
    agency = forms.ChoiceField(
        label="Which organisation do you work or volunteer for?",
        error_messages={
            "required": "Select your organisation",
            "invalid_choice": "Select your organisation from the list",
        },
    )
    unlisted_organisation = forms.CharField(
        label="Name of your organisation, if it is not listed",
        required=False,
        max_length=200,
        help_text="The training team will add it and link your account to it.",
    )
    target_group = TargetGroupField()
    line_manager_name = forms.CharField(label="Line manager's name (optional)", required=False, max_length=150)
    line_manager_email = forms.EmailField(
        label="Line manager's email (optional)",
        required=False,
        help_text=(
            "Some courses need your line manager to approve your place. Use their work email address: "
            "they must work for the organisation you chose, and cannot be you."
        ),
        error_messages={"invalid": "Enter your line manager's email in the correct format, like name@example.org"},
    )
    password1 = forms.CharField(
        label="Create a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters. Avoid common words and passwords you use elsewhere.",
        error_messages={"required": "Create a password"},
    )
    password2 = forms.CharField(
        label="Confirm your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Confirm your password"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.agencies = {str(a.pk): a for a in Agency.objects.filter(active=True).order_by("name")}
        self.fields["agency"].choices = (
            [("", "Select your organisation")]
            + [(pk, agency.name) for pk, agency in self.agencies.items()]
            + [(NOT_LISTED, "My organisation is not listed")]
        )
        self.fields["target_group"].choices = target_group_choices()
        self.fields["email"].widget.attrs.update(autocomplete="email", spellcheck="false")
        self.fields["full_name"].widget.attrs.update(autocomplete="name")
        self.helper = gds_helper(
            Field.text("full_name"),
            Field.text("email"),
            Field.text("job_title"),
            Fieldset(
                Field.select("agency"),
                Field.text("unlisted_organisation"),
                legend="Your organisation",
                legend_size=Size.MEDIUM,
            ),
            Field.radios("target_group", legend_size=Size.MEDIUM),
            Fieldset(
                Field.text("line_manager_name"),
                Field.text("line_manager_email"),
                legend="Your line manager",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.text("password1", field_width=Fixed.TWENTY),
                Field.text("password2", field_width=Fixed.TWENTY),
                legend="Your password",
                legend_size=Size.MEDIUM,
            ),
            submit="Create account",
        )

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])

    def clean(self):
        data = super().clean()
        choice = data.get("agency")
        if choice == NOT_LISTED:
            data["agency_obj"] = None
            if not data.get("unlisted_organisation", "").strip():
                self.add_error("unlisted_organisation", "Enter the name of your organisation")
        elif choice:
            data["agency_obj"] = self.agencies[choice]
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The passwords do not match")
        return data

    def registration(self) -> Registration:
        data = self.cleaned_data
        return Registration(
            email=data["email"],
            password=data["password1"],
            full_name=data["full_name"],
            job_title=data["job_title"],
            target_group=data["target_group"],
            agency=data["agency_obj"],
            unlisted_organisation="" if data["agency_obj"] else data.get("unlisted_organisation", ""),
            line_manager_name=data.get("line_manager_name", ""),
            line_manager_email=data.get("line_manager_email", ""),
        )


class SignInForm(auth_forms.AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct email address and password. The password is case-sensitive.",
        "inactive": "This account cannot sign in.",
        "unverified": "Confirm your email address before you sign in. We can send you a new link.",
        "deactivated": "This account has been deactivated. Contact the training team if you need it back.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Email address"
        self.fields["username"].error_messages = {"required": "Enter your email address"}
        self.fields["password"].error_messages = {"required": "Enter your password"}
        self.fields["username"].widget.attrs.update(autocomplete="email", spellcheck="false")
        self.helper = gds_helper(
            Field.text("username"), Field.text("password", field_width=Fixed.TWENTY), submit="Sign in"
        )

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError as error:
            # Say why a correct password was refused; a wrong one learns nothing.
            person = User.objects.filter(email__iexact=normalise_email(self.cleaned_data.get("username"))).first()
            password = self.cleaned_data.get("password") or ""
            if person is not None and person.check_password(password):
                if person.deactivated_at:
                    raise forms.ValidationError(self.error_messages["deactivated"], code="deactivated") from error
                if not person.email_verified_at:
                    raise forms.ValidationError(self.error_messages["unverified"], code="unverified") from error
            raise


class ResendVerificationForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("email"), submit="Send a new link")


class ProfileForm(RecordForm):
    full_name = model_field(User, "full_name", error_messages={"required": "Enter your full name"})
    job_title = model_field(User, "job_title", label="Job title or role")
    target_group = TargetGroupField(label="Staff group")
    line_manager_name = model_field(User, "line_manager_name")
    line_manager_email = model_field(
        User,
        "line_manager_email",
        help_text=(
            "They approve your place on courses that need it. Use their work email address: they must "
            "work for your agency, and cannot be you. Your agency lead is told when you change it."
        ),
        error_messages={"invalid": "Enter your line manager's email in the correct format, like name@example.org"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_group"].choices = target_group_choices()
        self.initial["target_group"] = self.instance.target_group_id
        self.helper = gds_helper(
            Field.text("full_name"),
            Field.text("job_title"),
            Field.radios("target_group", legend_size=Size.MEDIUM),
            Field.text("line_manager_name"),
            Field.text("line_manager_email"),
            submit="Save changes",
        )


class GdsPasswordResetForm(auth_forms.PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["email"].error_messages = {
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        }
        self.helper = gds_helper(Field.text("email"), submit="Send reset link")

    def get_users(self, email):
        return User.objects.filter(email__iexact=normalise_email(email), is_active=True)

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        # Through the outbox and the worker, like every other email.
        queue_email(to=to_email, subject="Reset your password", template="password_reset", context=context)


class GdsSetPasswordForm(auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "new_password1"
        ].help_text = "At least 10 characters. Avoid common words and passwords you use elsewhere."
        self.fields["new_password1"].error_messages = {"required": "Enter a new password"}
        self.fields["new_password2"].error_messages = {"required": "Confirm your new password"}
        self.error_messages["password_mismatch"] = "The passwords do not match"
        self.helper = gds_helper(
            Field.text("new_password1", field_width=Fixed.TWENTY),
            Field.text("new_password2", field_width=Fixed.TWENTY),
            submit="Set password",
        )


class GdsPasswordChangeForm(auth_forms.PasswordChangeForm, GdsSetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].error_messages = {"required": "Enter your current password"}
        self.error_messages["password_incorrect"] = "Your current password is not correct"
        self.helper = gds_helper(
            Field.text("old_password", field_width=Fixed.TWENTY),
            Field.text("new_password1", field_width=Fixed.TWENTY),
            Field.text("new_password2", field_width=Fixed.TWENTY),
            submit="Change password",
        )


# --- Training manager's forms ------------------------------------------------------------


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label="Roles",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Everyone is a staff member. An agency lead leads the agency the person is in.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = [
            Choice(role.value, role.label, hint=ROLE_DESCRIPTIONS[role]) for role in Role if role != Role.STAFF
        ]
        self.helper = gds_helper(Field.checkboxes("roles", legend_size=Size.MEDIUM), submit="Save roles")

    def chosen_roles(self) -> list[Role]:
        return [Role(value) for value in self.cleaned_data["roles"]]


class MoveAgencyForm(forms.Form):
    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.filter(active=True).order_by("name"),
        empty_label="Select an agency",
        error_messages={"required": "Select an agency", "invalid_choice": "Select an agency from the list"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.select("agency"), submit="Move person")


class DeactivateForm(forms.Form):
    reason = forms.CharField(
        label="Why are you deactivating this account?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        help_text="For example: left the organisation. Their training record is kept.",
        error_messages={"required": "Enter why you are deactivating this account"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.textarea("reason"), submit="Deactivate account")
        self.helper.layout[-1] = Button.warning("submit", "Deactivate account")


class AgencyForm(RecordForm):
    name = model_field(Agency, "name", error_messages={"required": "Enter the agency's name"})
    sector = model_field(Agency, "sector", error_messages={"required": "Select the agency's sector"})
    category = model_field(Agency, "category", error_messages={"required": "Select the organisation category"})
    contributing = model_field(Agency, "contributing")
    active = model_field(Agency, "active")
    email_domains = model_field(
        Agency,
        "email_domains",
        label="Email domains",
        help_text=(
            "The part after the @ in its staff's work email addresses, like northshire-police.example.org. "
            "Separate several with spaces. People who sign up with one of these are its staff at once; "
            "anyone else who says they work here waits for the agency lead to confirm them."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = [("", "Select a sector")] + list(Sector.choices)
        self.fields["category"].empty_label = None
        self.fields["category"].widget = forms.RadioSelect()
        self.fields["category"].choices = [
            Choice(c.pk, c.name, hint=c.description) for c in OrganisationCategory.objects.all()
        ]
        self.helper = gds_helper(
            Field.text("name"),
            Field.select("sector"),
            Field.radios("category", legend_size=Size.SMALL),
            Field.text("email_domains"),
            Field.checkbox("contributing"),
            Field.checkbox("active"),
            submit="Save agency",
        )


class ClaimDecisionForm(forms.Form):
    """The agency lead's (or training manager's) answer to someone who says they work for the agency."""

    decision = forms.ChoiceField(
        label="Do they work or volunteer for this agency?",
        widget=forms.RadioSelect,
        choices=[
            Choice(
                "confirm", "Yes, confirm them", hint="Their bookings are charged to the agency and they join its lists."
            ),
            Choice("refuse", "No, refuse", hint="They keep their account but are not treated as the agency's staff."),
        ],
        error_messages={"required": "Select whether they work or volunteer for this agency"},
    )
    reason = forms.CharField(
        label="If you refuse, why? (they will see this)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: nobody of this name works here; they work for another agency.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.radios("decision", legend_size=Size.MEDIUM), Field.textarea("reason"), submit="Save decision"
        )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not data.get("reason", "").strip():
            self.add_error("reason", "Enter why you are refusing, so the person knows what to do")
        return data


class PartnershipForm(RecordForm):
    """The partnership's name, the name in the footer and emails, and its logo."""

    name = model_field(Partnership, "name", error_messages={"required": "Enter the partnership's name"})
    short_name = model_field(Partnership, "short_name")
    logo = forms.ImageField(
        label="Logo (optional)",
        required=False,
        help_text="A PNG or JPEG image smaller than 1 MB, printed on the cover of reports and on certificates.",
        error_messages={"invalid_image": "The logo must be a PNG or JPEG image"},
    )
    remove_logo = forms.BooleanField(label="Remove the logo", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["logo"].widget = forms.FileInput(attrs={"accept": "image/png,image/jpeg"})
        fields = [Field.text("name"), Field.text("short_name"), Field("logo")]
        if self.instance is not None and self.instance.logo:
            fields.append(Field.checkbox("remove_logo"))
        else:
            del self.fields["remove_logo"]
        self.helper = gds_helper(*fields, submit="Save")
