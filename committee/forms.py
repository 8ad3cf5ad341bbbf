from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Fixed, Size
from django import forms
from django.utils.html import escape, format_html

from accounts.forms import gds_helper
from accounts.models import Agency, User
from courses.models import Course
from tna.forms import date_field

from .models import (
    AttendanceStatus,
    AuditQuestion,
    Decision,
    DeliveredBy,
    IncomeSource,
    Meeting,
    MemberRole,
    Rating,
)


def text(label, *, help_text="", required=True, rows=4, max_length=5000, required_message=""):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": required_message or f"Enter {label.lower()}",
            "max_length": f"Keep it to {max_length:,} characters",
        },
    )


class OpenRoundForm(forms.Form):
    title = forms.CharField(
        label="Title of the round",
        max_length=200,
        initial="Single-agency training audit",
        help_text="Agency leads see it in their email and on their return.",
        error_messages={"required": "Enter a title"},
    )
    deadline = date_field("Deadline for answers")
    questions = forms.ModelMultipleChoiceField(
        label="Questions to ask",
        queryset=AuditQuestion.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The sub-committee's standard questions. Every agency answers the ones you tick.",
    )
    extra_question = forms.CharField(
        label="A question of the sub-committee's own for this round (optional)",
        max_length=300,
        required=False,
        help_text="Asked after the standard questions.",
    )
    extra_hint = forms.CharField(label="Hint for that question (optional)", max_length=500, required=False)
    instructions = text("Instructions for agency leads", required=False, rows=3, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["questions"]
        field.queryset = AuditQuestion.objects.filter(active=True)
        field.choices = [Choice(q.pk, q.text, hint=q.hint) for q in field.queryset]
        if not self.is_bound:
            self.initial.setdefault("questions", [q.pk for q in field.queryset])
        self.helper = gds_helper(
            Field.text("title"),
            Field.text("deadline", field_width=Fixed.TEN),
            Field.checkboxes("questions", legend_size=Size.MEDIUM, small=True),
            Field.text("extra_question"),
            Field.text("extra_hint"),
            Field.textarea("instructions"),
            submit="Open the round and email the agency leads",
        )

    def clean(self):
        data = super().clean()
        if not data.get("questions") and not (data.get("extra_question") or "").strip():
            self.add_error("questions", "Choose at least one question")
        return data


class AnswersForm(forms.Form):
    """One box per question of the round; any may be left blank while the return is a draft."""

    def __init__(self, *args, answers, **kwargs):
        super().__init__(*args, **kwargs)
        self.keys = []
        layout = []
        for answer in answers:
            name = f"answer_{answer.question_id}"
            self.fields[name] = forms.CharField(
                label=format_html("{}. {}", answer.question.number, answer.question.text),
                help_text=escape(answer.question.hint),
                required=False,
                max_length=5000,
                initial=answer.text,
                widget=forms.Textarea(attrs={"rows": 5}),
                error_messages={"max_length": f"Question {answer.question.number}: keep it to 5,000 characters"},
            )
            self.keys.append(answer.question_id)
            layout.append(Field.textarea(name, label_size=Size.SMALL))
        self.helper = gds_helper(*layout, submit="Save as draft")

    def answers(self) -> dict[int, str]:
        return {key: self.cleaned_data[f"answer_{key}"] for key in self.keys}


class RatingForm(forms.Form):
    """The sub-committee's rating and comment for each answer of a submitted return."""

    def __init__(self, *args, answers, **kwargs):
        super().__init__(*args, **kwargs)
        self.keys = []
        layout = []
        for answer in answers:
            current = getattr(answer, "rating", None)
            rating, comment = f"rating_{answer.pk}", f"comment_{answer.pk}"
            self.fields[rating] = forms.ChoiceField(
                label=format_html("Question {}: {}", answer.question.number, answer.question.text),
                help_text=format_html("Their answer: {}", answer.text or "not answered"),
                choices=Rating.choices,
                widget=forms.RadioSelect,
                required=False,
                initial=current.rating if current else None,
                error_messages={"invalid_choice": f"Question {answer.question.number}: choose red, amber or green"},
            )
            self.fields[comment] = forms.CharField(
                label=format_html("Comment on question {}", answer.question.number),
                required=False,
                max_length=2000,
                initial=current.comment if current else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.keys.append(answer.pk)
            layout += [Field.radios(rating, legend_size=Size.SMALL, small=True, inline=True), Field.textarea(comment)]
        self.helper = gds_helper(*layout, submit="Save ratings")

    def clean(self):
        data = super().clean()
        for key in self.keys:
            if data.get(f"comment_{key}") and not data.get(f"rating_{key}"):
                self.add_error(f"rating_{key}", "Choose a rating for the answer you commented on")
        return data

    def ratings(self) -> dict[int, tuple[str, str]]:
        return {key: (self.cleaned_data[f"rating_{key}"], self.cleaned_data[f"comment_{key}"]) for key in self.keys}


class FindingsForm(forms.Form):
    text = text(
        "The sub-committee's findings",
        help_text="What the round showed, and what the sub-committee recommends. The audit report begins with it.",
        rows=6,
        max_length=10000,
        required_message="Enter the sub-committee's findings",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.textarea("text"), submit="Save findings")


class AdviceForm(forms.Form):
    question = text(
        "Your question",
        help_text="About your agency's own (single-agency) training. The training sub-committee will answer by email.",
        max_length=3000,
        required_message="Enter your question",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.textarea("question"), submit="Ask the sub-committee")


class AdviceAnswerForm(forms.Form):
    answer = text("The sub-committee's answer", max_length=5000, required_message="Enter the answer")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.textarea("answer"), submit="Send the answer")


# --- Members, meetings, decisions and actions ------------------------------------------------------


class MemberForm(forms.Form):
    email = forms.EmailField(
        label="Email address of the person",
        help_text="They must have an account on the service.",
        error_messages={"required": "Enter the person's email address", "invalid": "Enter an email address"},
    )
    role = forms.ChoiceField(
        label="Role", choices=MemberRole.choices, widget=forms.RadioSelect, error_messages={"required": "Choose a role"}
    )
    agency = forms.ModelChoiceField(
        label="Agency they sit for",
        queryset=Agency.objects.none(),
        required=False,
        help_text="Leave empty for the person's own agency.",
    )
    joined_on = date_field("Date they joined")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(active=True).order_by("name")
        self.helper = gds_helper(
            Field.text("email"),
            Field.radios("role", legend_size=Size.SMALL, small=True),
            Field.select("agency"),
            Field.text("joined_on", field_width=Fixed.TEN),
            submit="Add member",
        )

    def clean_email(self):
        person = User.objects.filter(email__iexact=self.cleaned_data["email"], is_active=True).first()
        if person is None:
            raise forms.ValidationError("There is no account with this email address")
        return person


class MemberLeftForm(forms.Form):
    left_on = date_field("Date they left")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("left_on", field_width=Fixed.TEN), submit="Record that they left")


class MeetingForm(forms.Form):
    held_on = date_field("Date of the meeting")
    agenda = text("Agenda", help_text="One item a line.", required=False, rows=6, max_length=5000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.text("held_on", field_width=Fixed.TEN), Field.textarea("agenda"), submit="Save meeting"
        )


class PaperLinkForm(forms.Form):
    title = forms.CharField(label="Title of the paper", max_length=200, error_messages={"required": "Enter the title"})
    path = forms.CharField(
        label="Address of the page on this service",
        max_length=300,
        help_text="Copy it from the address bar, for example /tna/years/3/attendance or /reports/runs/12.",
        error_messages={"required": "Enter the page's address"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("title"), Field.text("path"), submit="Add paper")


class AttendanceForm(forms.Form):
    """For each agency with a seat on the day: attended, apologies or did not attend, and by whom."""

    def __init__(self, *args, agencies, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = current or {}
        self.agencies = list(agencies)
        layout = []
        for agency in self.agencies:
            status, who = current.get(agency.pk, ("", ""))
            self.fields[f"status_{agency.pk}"] = forms.ChoiceField(
                label=escape(agency.name),
                choices=AttendanceStatus.choices,
                widget=forms.RadioSelect,
                initial=status or None,
                error_messages={"required": f"{agency.name}: choose attended, apologies or did not attend"},
            )
            self.fields[f"who_{agency.pk}"] = forms.CharField(
                label=format_html("{}: who attended or sent apologies", agency.name),
                required=False,
                max_length=200,
                initial=who,
            )
            layout += [
                Field.radios(f"status_{agency.pk}", legend_size=Size.SMALL, small=True, inline=True),
                Field.text(f"who_{agency.pk}"),
            ]
        self.helper = gds_helper(*layout, submit="Save attendance")

    def attendance(self) -> dict:
        return {a: (self.cleaned_data[f"status_{a.pk}"], self.cleaned_data[f"who_{a.pk}"]) for a in self.agencies}


class DecisionForm(forms.Form):
    text = forms.CharField(
        label="Decision",
        max_length=500,
        help_text="As the minutes record it, for example: Programme 2027-28 approved.",
        error_messages={"required": "Enter the decision"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("text"), submit="Add decision")


class ActionForm(forms.Form):
    text = forms.CharField(label="Action", max_length=500, error_messages={"required": "Enter the action"})
    owner = forms.ModelChoiceField(
        label="Owner",
        queryset=User.objects.none(),
        help_text="A member of the sub-committee or the training manager.",
        error_messages={"required": "Choose who owns the action"},
    )
    agency = forms.ModelChoiceField(
        label="Agency", queryset=Agency.objects.none(), required=False, help_text="Leave empty for the owner's agency."
    )
    due_on = date_field("Due date")

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda person: person.full_name or person.email
        self.fields["agency"].queryset = Agency.objects.filter(active=True).order_by("name")
        self.helper = gds_helper(
            Field.text("text"),
            Field.select("owner"),
            Field.select("agency"),
            Field.text("due_on", field_width=Fixed.TEN),
            submit="Add action",
        )


class CloseActionForm(forms.Form):
    outcome = text("What was done", required=False, rows=3, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.textarea("outcome"), submit="Close the action")


# --- Practice issues at the audit and evaluation committee ----------------------------------------


class IssueMeetingForm(forms.Form):
    meeting = forms.ModelChoiceField(
        label="Meeting it goes to",
        queryset=Meeting.objects.none(),
        empty_label="Select a meeting",
        error_messages={"required": "Choose the meeting", "invalid_choice": "Choose a meeting from the list"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = Meeting.objects.order_by("-held_on")
        self.helper = gds_helper(Field.select("meeting"), submit="Take it to the meeting")


class IssueActionForm(forms.Form):
    action = text("Action agreed", rows=3, max_length=2000, required_message="Enter the action agreed")
    owner_agency = forms.ModelChoiceField(
        label="Agency that owns the action",
        queryset=Agency.objects.none(),
        empty_label="Select an agency",
        error_messages={"required": "Choose the agency that owns the action"},
    )
    due_on = date_field("Due date")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_agency"].queryset = Agency.objects.filter(active=True).order_by("name")
        self.helper = gds_helper(
            Field.textarea("action"),
            Field.select("owner_agency"),
            Field.text("due_on", field_width=Fixed.TEN),
            submit="Record the action agreed",
        )


class IssueOutcomeForm(forms.Form):
    outcome = text("Outcome", rows=3, max_length=2000, required_message="Enter the outcome")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.textarea("outcome"), submit="Close the issue")


class IssuesPaperForm(forms.Form):
    since = date_field("New and closed since")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("since", field_width=Fixed.TEN), submit="Build the paper (PDF)")


# --- The programme plan ---------------------------------------------------------------------------


class PlanChangeForm(forms.Form):
    course = forms.ModelChoiceField(
        label="Course",
        queryset=Course.objects.none(),
        empty_label="Select a course",
        error_messages={"required": "Choose the course", "invalid_choice": "Choose a course from the list"},
    )
    finding = text("What evaluation found", rows=3, max_length=2000, required_message="Enter what evaluation found")
    change = text(
        "What was changed because of it",
        rows=3,
        max_length=2000,
        required_message="Enter what was changed because of it",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.filter(active=True).order_by("title")
        self.helper = gds_helper(
            Field.select("course"), Field.textarea("finding"), Field.textarea("change"), submit="Record the change"
        )


class PlanApprovalForm(forms.Form):
    decision = forms.ModelChoiceField(
        label="The decision that approved the programme",
        queryset=Decision.objects.none(),
        empty_label="Select a decision",
        error_messages={"required": "Choose the decision", "invalid_choice": "Choose a decision from the list"},
    )

    def __init__(self, *args, decisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = decisions
        self.fields["decision"].label_from_instance = lambda d: f"{d.text} ({d.decided_on:%-d %B %Y})"
        self.helper = gds_helper(Field.select("decision"), submit="Save")


# --- Money ----------------------------------------------------------------------------------------


def pounds(label, *, required=True, help_text=""):
    return forms.DecimalField(
        label=label,
        min_value=0,
        decimal_places=2,
        max_digits=10,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input govuk-input--width-10"}),
        error_messages={
            "required": f"Enter the {label.lower()} in pounds",
            "invalid": f"Enter the {label.lower()} in pounds, like 250 or 250.50",
            "min_value": f"The {label.lower()} cannot be negative",
            "max_decimal_places": "Enter pounds and pence only, like 250.50",
            "max_digits": "Enter an amount under £100,000,000",
        },
    )


class DayRateForm(forms.Form):
    trainer_day_rate = pounds(
        "Value of a trainer day", help_text="What the sub-committee counts a day given in kind by a pool trainer as."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("trainer_day_rate"), submit="Save")


class ReceiptForm(forms.Form):
    source = forms.ChoiceField(
        label="Where the money came from",
        choices=IncomeSource.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the money came from"},
    )
    agency = forms.ModelChoiceField(
        label="Agency", queryset=Agency.objects.none(), required=False, help_text="For an agency's contribution."
    )
    description = forms.CharField(
        label="What it is", max_length=200, required=False, help_text="For a grant or other income."
    )
    amount = pounds("Amount received")
    received_on = date_field("Date received")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(active=True).order_by("name")
        self.helper = gds_helper(
            Field.radios("source", legend_size=Size.SMALL, small=True),
            Field.select("agency"),
            Field.text("description"),
            Field.text("amount"),
            Field.text("received_on", field_width=Fixed.TEN),
            submit="Record money received",
        )


class DeliveryForm(forms.Form):
    delivered_by = forms.ChoiceField(
        label="Who delivered it",
        choices=DeliveredBy.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who delivered the session"},
    )
    provider = forms.CharField(label="Commissioned provider", max_length=200, required=False)
    cost = pounds("Cost of the commissioned provider", required=False)
    speakers = text(
        "Speakers", help_text="For a conference or briefing: who spoke, one a line.", required=False, rows=3
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.radios("delivered_by", legend_size=Size.SMALL, small=True),
            Field.text("provider"),
            Field.text("cost"),
            Field.textarea("speakers"),
            submit="Save",
        )
