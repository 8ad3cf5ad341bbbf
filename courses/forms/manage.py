from datetime import datetime
from decimal import Decimal

from crispy_forms_gds.layout import Field, Fieldset, Fixed, Size
from django import forms
from django.utils import timezone
from django.utils.html import format_html

from accounts.forms import gds_helper
from accounts.models import OrganisationCategory, TargetGroup, User
from accounts.roles import Role
from common.forms import RecordForm, model_field

from ..durations import is_quarter_days
from ..models import BookingPolicy, Course, Level, Room, Venue
from ..services.programme import DEFAULT_CUT_OFF_TIME, default_cut_off_in_words

DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y"]
TIME_FORMATS = ["%H:%M", "%H.%M", "%H%M"]


def _govuk_widgets(form):
    """crispy-forms-gds styles text, email and password inputs; give the rest
    (numbers, dates, times, links, selects) the GOV.UK classes too. Numbers are
    text inputs with a numeric keyboard, as the Design System advises."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.CheckboxInput)):
            continue
        if isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "govuk-select")
        elif isinstance(widget, forms.NumberInput):
            field.widget = forms.TextInput(
                attrs={**widget.attrs, "inputmode": "decimal", "class": "govuk-input govuk-input--width-5"}
            )
        elif isinstance(widget, (forms.DateInput, forms.TimeInput)):
            widget.attrs.setdefault("class", "govuk-input govuk-input--width-10")
        elif isinstance(widget, forms.URLInput):
            widget.attrs.setdefault("class", "govuk-input")


DURATION_RANGE = "Enter the length in quarter days, from 0.25 to 10, like 0.25, 0.5, 1 or 1.5"


class CourseForm(RecordForm):
    title = model_field(Course, "title", error_messages={"required": "Enter the course title"})
    summary = model_field(
        Course,
        "summary",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter a short summary"},
    )
    learning_outcomes = model_field(
        Course,
        "learning_outcomes",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter at least one learning outcome"},
    )
    level = model_field(Course, "level", error_messages={"required": "Select the level"})
    target_groups = model_field(
        Course, "target_groups", label="Staff groups it is for", widget=forms.CheckboxSelectMultiple
    )
    duration_days = model_field(
        Course,
        "duration_days",
        label="Length in days",
        required=False,
        help_text="In quarter days, like 0.25, 0.5, 1 or 1.5. Leave empty for a course measured in hours.",
        error_messages={
            "invalid": "Enter the length in quarter days, like 0.25, 0.5, 1 or 1.5",
            # The column's size and the validators speak of digits; say what a course's length may be.
            **dict.fromkeys(
                ("max_digits", "max_whole_digits", "max_decimal_places", "min_value", "max_value"),
                DURATION_RANGE,
            ),
        },
    )
    duration_hours = model_field(
        Course,
        "duration_hours",
        label="Or length in hours",
        required=False,
        help_text="For a short course such as a two-hour briefing. Hours count as training days by the length "
        "of a training day in the booking and charging policy.",
        error_messages={"invalid": "Enter the length in hours, like 2 or 1.5"},
    )
    delivery_mode = model_field(
        Course, "delivery_mode", error_messages={"required": "Select how the course is delivered"}
    )
    inter_agency = model_field(Course, "inter_agency", label="Inter-agency course")
    prerequisites = model_field(Course, "prerequisites", widget=forms.CheckboxSelectMultiple)
    needs_manager_approval = model_field(Course, "needs_manager_approval")
    charge_exempt = model_field(Course, "charge_exempt")
    is_training_for_trainers = model_field(Course, "is_training_for_trainers")
    active = model_field(Course, "active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not self.is_bound:
            # A course measured in hours shows its hours only; days show as typed (1.5, not 1.5000).
            days = None if self.instance.duration_hours else self.instance.duration_days.normalize()
            self.initial["duration_days"] = days
            if self.instance.duration_hours:
                self.initial["duration_hours"] = self.instance.duration_hours.normalize()
        others = Course.objects.exclude(pk=self.instance.pk) if self.instance else Course.objects.all()
        self.fields["prerequisites"].queryset = others.order_by("title")
        self.fields["prerequisites"].required = False
        self.fields["target_groups"].required = False
        self.fields["level"].empty_label = "Select a level"
        _govuk_widgets(self)
        self.helper = gds_helper(
            Field.text("title"),
            Field.textarea("summary"),
            Field.textarea("learning_outcomes"),
            Field.select("level"),
            Field.checkboxes("target_groups", small=True),
            Field.text("duration_days", field_width=Fixed.FIVE),
            Field.text("duration_hours", field_width=Fixed.FIVE),
            Field.select("delivery_mode"),
            Field.checkbox("inter_agency"),
            Field.checkboxes("prerequisites", small=True),
            Field.checkbox("needs_manager_approval"),
            Field.checkbox("charge_exempt"),
            Field.checkbox("is_training_for_trainers"),
            Field.checkbox("active"),
            submit="Save course",
        )

    def clean_duration_days(self):
        value = self.cleaned_data["duration_days"]
        if value is not None and (value < Decimal("0.25") or value > 10 or not is_quarter_days(value)):
            raise forms.ValidationError(DURATION_RANGE)
        return value

    def clean_duration_hours(self):
        value = self.cleaned_data["duration_hours"]
        if value is not None and (value < Decimal("0.25") or value > 24 or not is_quarter_days(value)):
            raise forms.ValidationError("Enter the length in hours and quarter hours, like 2 or 1.5 (at most 24)")
        return value

    def clean(self):
        cleaned = super().clean()
        days, hours = cleaned.get("duration_days"), cleaned.get("duration_hours")
        if "duration_days" in cleaned and "duration_hours" in cleaned:
            if days is None and hours is None:
                self.add_error("duration_days", "Enter the length in days, or in hours")
            elif days is not None and hours is not None:
                self.add_error("duration_hours", "Enter the length in days or in hours, not both")
        return cleaned

    def clean_learning_outcomes(self):
        value = self.cleaned_data["learning_outcomes"]
        if not [line for line in value.splitlines() if line.strip()]:
            raise forms.ValidationError("Enter at least one learning outcome")
        return value


class VenueForm(RecordForm):
    name = model_field(Venue, "name", error_messages={"required": "Enter the venue's name"})
    address = model_field(
        Venue, "address", widget=forms.Textarea(attrs={"rows": 3}), error_messages={"required": "Enter the address"}
    )
    postcode = model_field(Venue, "postcode", error_messages={"required": "Enter the postcode"})
    access_information = model_field(Venue, "access_information", widget=forms.Textarea(attrs={"rows": 3}))
    capacity = model_field(
        Venue,
        "capacity",
        label="How many people it holds for training",
        required=True,
        help_text="Where the venue has several rooms, the largest group it takes; add each room on the venue's page.",
        error_messages={
            "required": "Enter how many people the venue holds",
            "invalid": "Enter the number of people as a whole number, like 30",
            "min_value": "The venue must hold at least 1 person",
            "max_value": "Enter a number of 2000 or fewer",
        },
    )
    active = model_field(Venue, "active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _govuk_widgets(self)
        self.helper = gds_helper(
            Field.text("name"),
            Field.textarea("address"),
            Field.text("postcode", field_width=Fixed.TEN),
            Field.text("capacity", field_width=Fixed.FIVE),
            Field.textarea("access_information"),
            Field.checkbox("active"),
            submit="Save venue",
        )

    def clean_postcode(self):
        import re

        value = " ".join(self.cleaned_data["postcode"].upper().split())
        if not re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}", value):
            raise forms.ValidationError("Enter a real postcode, like NT1 2AB")
        return value


class RoomForm(RecordForm):
    name = model_field(Room, "name", label="Room name", error_messages={"required": "Enter the room's name"})
    capacity = model_field(
        Room,
        "capacity",
        label="How many people it holds for training",
        error_messages={
            "required": "Enter how many people the room holds",
            "invalid": "Enter the number of people as a whole number, like 20",
            "min_value": "The room must hold at least 1 person",
            "max_value": "Enter a number of 2000 or fewer",
        },
    )
    active = model_field(Room, "active", label="In use", help_text="Rooms no longer in use are not offered.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _govuk_widgets(self)
        self.helper = gds_helper(
            Field.text("name"),
            Field.text("capacity", field_width=Fixed.FIVE),
            Field.checkbox("active"),
            submit="Save room",
        )


def cost_field(label: str, *, invalid: str) -> forms.DecimalField:
    """A session's cost in pounds and pence, from nothing up to £99,999.99."""
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_value=Decimal("99999.99"),
        decimal_places=2,
        initial=0,
        error_messages={
            "max_value": "Enter a cost under £100,000",
            "max_decimal_places": "Enter pounds and pence, like 150.50",
            "max_digits": "Enter a cost under £100,000",
            "min_value": "Costs cannot be negative",
            "invalid": invalid,
        },
    )


class SessionForm(forms.Form):
    course = forms.ModelChoiceField(
        queryset=Course.objects.filter(active=True).order_by("title"),
        empty_label="Select a course",
        error_messages={"required": "Select the course", "invalid_choice": "Select a course from the list"},
    )
    venue = forms.ModelChoiceField(
        queryset=Venue.objects.filter(active=True),
        required=False,
        empty_label="No venue: online",
        error_messages={"invalid_choice": "Select a venue from the list"},
    )
    room = forms.ModelChoiceField(
        queryset=Room.objects.none(),
        required=False,
        empty_label="No room: the venue has one space",
        help_text="For a venue with several rooms, the room of that venue the session uses.",
        error_messages={"invalid_choice": "Select a room from the list"},
    )
    online_link = forms.URLField(
        label="Online joining link",
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Enter the joining link as a web address, like https://meet.example.org/abc"},
    )
    capacity = forms.IntegerField(
        label="Places",
        min_value=1,
        max_value=500,
        error_messages={
            "required": "Enter how many places there are",
            "invalid": "Enter the number of places as a whole number",
            "min_value": "There must be at least 1 place",
            "max_value": "A session can have at most 500 places",
        },
    )
    close_date = forms.DateField(
        label="Booking cut-off date (DD/MM/YYYY)",
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.TextInput,
        help_text=f"Leave empty for {default_cut_off_in_words()}.",
        error_messages={"invalid": "Enter the cut-off date as DD/MM/YYYY"},
    )
    close_time = forms.TimeField(
        label="Booking cut-off time (HH:MM)",
        required=False,
        input_formats=TIME_FORMATS,
        widget=forms.TextInput,
        help_text=f"Leave empty for {DEFAULT_CUT_OFF_TIME:%H:%M}.",
        error_messages={"invalid": "Enter the cut-off time as HH:MM, like 17:00"},
    )
    trainers = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    venue_cost = cost_field("Venue (£)", invalid="Enter the venue cost in pounds, like 150 or 150.00")
    trainer_fees = cost_field("Trainer fees (£)", invalid="Enter the trainer fees in pounds")
    catering_cost = cost_field("Catering (£)", invalid="Enter the catering cost in pounds")
    materials_cost = cost_field("Materials (£)", invalid="Enter the materials cost in pounds")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    # The warnings the training manager was shown (the room already taken at that time, a trainer
    # check), one a line: saving again confirms these, and only these.
    confirmed = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = Room.objects.filter(active=True, venue__active=True).select_related("venue")
        self.fields["room"].label_from_instance = lambda r: f"{r.venue.name}: {r.name} (holds {r.capacity})"
        self.fields["trainers"].queryset = (
            User.objects.filter(groups__name=str(Role.TRAINER), is_active=True)
            .select_related("agency")
            .order_by("full_name")
        )
        self.fields["trainers"].label_from_instance = lambda u: (
            f"{u.full_name} ({u.agency.name if u.agency else 'no agency'})"
        )
        _govuk_widgets(self)
        self.helper = gds_helper(
            Field.select("course"),
            Field.select("venue"),
            Field.select("room"),
            Field.text("online_link"),
            Field.text("capacity", field_width=Fixed.FIVE),
            Field.text("close_date", field_width=Fixed.TEN),
            Field.text("close_time", field_width=Fixed.FIVE),
            Field.checkboxes("trainers", small=True),
            Fieldset(
                Field.text("venue_cost", field_width=Fixed.TEN),
                Field.text("trainer_fees", field_width=Fixed.TEN),
                Field.text("catering_cost", field_width=Fixed.TEN),
                Field.text("materials_cost", field_width=Fixed.TEN),
                legend="Costs",
                legend_size=Size.SMALL,
            ),
            Field.textarea("notes"),
            "confirmed",
            submit="Save session",
        )
        self.helper.form_tag = False
        self.helper.layout.pop()  # the page puts one button after the dates

    def confirmed_warnings(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("confirmed", "").splitlines() if line.strip()]


class SessionDateForm(forms.Form):
    date = forms.DateField(
        label="Date (DD/MM/YYYY)",
        required=False,
        input_formats=DATE_FORMATS,
        error_messages={"invalid": "Enter the date as DD/MM/YYYY"},
    )
    start = forms.TimeField(
        label="Starts (HH:MM)",
        required=False,
        input_formats=TIME_FORMATS,
        error_messages={"invalid": "Enter the start time as HH:MM, like 09:30"},
    )
    end = forms.TimeField(
        label="Ends (HH:MM)",
        required=False,
        input_formats=TIME_FORMATS,
        error_messages={"invalid": "Enter the end time as HH:MM, like 16:30"},
    )

    def clean(self):
        data = super().clean()
        filled = [data.get(k) for k in ("date", "start", "end")]
        if any(filled) and not all(filled) and not self.errors:
            raise forms.ValidationError("Enter the date, the start time and the end time")
        if all(filled) and data["end"] <= data["start"]:
            self.add_error("end", "The end time must be after the start time")
        return data

    def span(self):
        from ..services.programme import DateSpan

        data = self.cleaned_data
        if not data.get("date"):
            return None
        tz = timezone.get_current_timezone()
        return DateSpan(
            starts_at=timezone.make_aware(datetime.combine(data["date"], data["start"]), tz),
            ends_at=timezone.make_aware(datetime.combine(data["date"], data["end"]), tz),
        )


SessionDateFormSet = forms.formset_factory(SessionDateForm, extra=0)


def date_formset(data=None, *, dates=(), blank=2):
    initial = [
        {
            "date": timezone.localtime(d.starts_at).date(),
            "start": timezone.localtime(d.starts_at).time(),
            "end": timezone.localtime(d.ends_at).time(),
        }
        for d in dates
    ]
    initial += [{} for _ in range(blank if not initial else 1)]
    # Every row is validated, even one the browser sent back unchanged: an unchanged
    # row is still a date the session keeps.
    return SessionDateFormSet(data, initial=initial, prefix="dates", form_kwargs={"empty_permitted": False})


class CancelSessionForm(forms.Form):
    reason = forms.CharField(
        label="Why is the session cancelled?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        help_text="Everyone booked or waiting is emailed this reason.",
        error_messages={"required": "Enter why the session is cancelled"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from crispy_forms_gds.layout import Button

        self.helper = gds_helper(Field.textarea("reason"), submit="Cancel the session")
        self.helper.layout[-1] = Button.warning("submit", "Cancel the session")


class PathwayRuleForm(forms.Form):
    target_group = forms.ModelChoiceField(
        label="Staff group",
        queryset=TargetGroup.objects.all(),
        empty_label="Select a staff group",
        error_messages={"required": "Select the staff group"},
    )
    level = forms.ModelChoiceField(queryset=Level.objects.all(), required=False, empty_label="No level: a named course")
    course = forms.ModelChoiceField(
        label="Or a named course",
        queryset=Course.objects.order_by("title"),
        required=False,
        empty_label="No named course",
    )
    refresh_months = forms.IntegerField(
        label="Refresh every (months)",
        required=False,
        min_value=1,
        max_value=120,
        help_text="Leave empty if it never needs refreshing.",
        error_messages={
            "invalid": "Enter the months as a whole number",
            "min_value": "Enter at least 1 month",
            "max_value": "Enter at most 120 months",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _govuk_widgets(self)
        self.helper = gds_helper(
            Field.select("target_group"),
            Field.select("level"),
            Field.select("course"),
            Field.text("refresh_months", field_width=Fixed.FIVE),
            submit="Add requirement",
        )


# The policy's own settings, in the order the page asks them; fees by category follow.
POLICY_FIELDS = [
    "late_cancellation_working_days",
    "late_cancellation_charge_per_day",
    "no_show_charge_per_day",
    "contributing_partners_free",
    "waitlist_offer_hours",
    "approval_hold_hours",
    "no_shows_before_approval",
    "reminder_days_before",
    "training_day_hours",
    "partial_attendance_meets_requirement",
]
# Yes/no settings: checkboxes rather than number boxes.
POLICY_CHECKBOXES = ("contributing_partners_free", "partial_attendance_meets_requirement")
# What every invoice prints about the partnership (courses.services.invoices).
INVOICE_FIELDS = ["invoice_address", "payment_instructions"]


class PolicyForm(RecordForm):
    late_cancellation_working_days = model_field(
        BookingPolicy, "late_cancellation_working_days", label="Late-cancellation notice (working days)"
    )
    late_cancellation_charge_per_day = model_field(
        BookingPolicy,
        "late_cancellation_charge_per_day",
        label="Late-cancellation charge per day of the course (£)",
    )
    no_show_charge_per_day = model_field(
        BookingPolicy, "no_show_charge_per_day", label="Non-attendance charge per day of the course (£)"
    )
    contributing_partners_free = model_field(
        BookingPolicy, "contributing_partners_free", label="Staff of contributing partners train free"
    )
    waitlist_offer_hours = model_field(
        BookingPolicy, "waitlist_offer_hours", label="Hours to accept a place offered from the waiting list"
    )
    approval_hold_hours = model_field(
        BookingPolicy, "approval_hold_hours", label="Hours a place is held for a line manager to approve"
    )
    no_shows_before_approval = model_field(
        BookingPolicy,
        "no_shows_before_approval",
        label="No-shows in 12 months before the agency lead must book for someone",
    )
    reminder_days_before = model_field(
        BookingPolicy, "reminder_days_before", label="Days before a session to send reminders"
    )
    invoice_address = model_field(BookingPolicy, "invoice_address", label="The partnership's address on invoices")
    payment_instructions = model_field(BookingPolicy, "payment_instructions", label="How to pay, printed on invoices")
    training_day_hours = model_field(
        BookingPolicy,
        "training_day_hours",
        label="Length of a training day (hours)",
        help_text="Courses measured in hours count this many hours as one training day (7 makes a two-hour "
        "briefing 0.29 of a day).",
    )
    partial_attendance_meets_requirement = model_field(
        BookingPolicy,
        "partial_attendance_meets_requirement",
        label="Someone who left early has still met the requirement the course is for",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = list(OrganisationCategory.objects.all())
        rates = {r.category_id: r for r in self.instance.fee_rates.all()}
        layout = [Field.text(name, field_width=Fixed.FIVE) for name in POLICY_FIELDS if name not in POLICY_CHECKBOXES]
        layout.insert(3, Field.checkbox("contributing_partners_free"))
        layout.append(Field.checkbox("partial_attendance_meets_requirement"))
        for category in self.categories:
            rate = rates.get(category.pk)
            for kind, label in (("day", "a day"), ("half", "a half day")):
                name = f"fee_{kind}_{category.pk}"
                self.fields[name] = forms.DecimalField(
                    label=format_html("{}: fee for {} (£)", category.name, label),
                    min_value=0,
                    max_value=Decimal("9999.99"),
                    decimal_places=2,
                    required=True,
                    initial=(rate.per_day if kind == "day" else rate.per_half_day) if rate else 0,
                    error_messages={
                        "required": "Enter a fee (0 for free)",
                        "min_value": "Fees cannot be negative",
                        "invalid": "Enter the fee in pounds, like 85 or 85.00",
                        "max_value": "Enter a fee under £10,000",
                        "max_decimal_places": "Enter pounds and pence, like 85.50",
                        "max_digits": "Enter a fee under £10,000",
                    },
                )
                layout.append(Field.text(name, field_width=Fixed.FIVE))
        for name in POLICY_FIELDS:
            self.fields[name].error_messages.update(
                {
                    "invalid": "Enter a number",
                    "min_value": "Enter a number that is not negative",
                    "required": "Enter a value",
                    "max_digits": "Enter a smaller amount",
                    "max_whole_digits": "Enter a smaller amount",
                    "max_decimal_places": "Enter pounds and pence, like 50.00",
                }
            )
        for name in INVOICE_FIELDS:
            self.fields[name].widget = forms.Textarea(attrs={"rows": 4})
            layout.append(Field.textarea(name))
        self.fields["training_day_hours"].error_messages.update(
            {
                "max_decimal_places": "Enter hours to two decimal places, like 6.5",
                "min_value": "Enter at least 1 hour",
                "max_value": "Enter at most 12 hours",
            }
        )
        _govuk_widgets(self)
        self.helper = gds_helper(*layout, submit="Save policy")

    def fee_rates(self) -> dict:
        return {
            c: (self.cleaned_data[f"fee_day_{c.pk}"], self.cleaned_data[f"fee_half_{c.pk}"]) for c in self.categories
        }


class LevelForm(RecordForm):
    number = model_field(
        Level,
        "number",
        error_messages={
            "required": "Enter the level's number",
            "invalid": "Enter the level's number as a whole number",
        },
    )
    name = model_field(Level, "name", error_messages={"required": "Enter the level's name"})
    description = model_field(Level, "description", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _govuk_widgets(self)
        self.helper = gds_helper(
            Field.text("number", field_width=Fixed.TWO),
            Field.text("name"),
            Field.textarea("description"),
            submit="Save level",
        )


class TargetGroupForm(RecordForm):
    number = model_field(
        TargetGroup,
        "number",
        error_messages={
            "required": "Enter the group's number",
            "invalid": "Enter the group's number as a whole number",
        },
    )
    name = model_field(TargetGroup, "name", error_messages={"required": "Enter the group's name"})
    description = model_field(
        TargetGroup,
        "description",
        label="Plain explanation shown at sign-up",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Explain who belongs in this group"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _govuk_widgets(self)
        self.helper = gds_helper(
            Field.text("number", field_width=Fixed.TWO),
            Field.text("name"),
            Field.textarea("description"),
            submit="Save staff group",
        )
