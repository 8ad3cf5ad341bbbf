"""Evaluation: questionnaires asked before, straight after and weeks after a course; the answers,
linked to the booking so a delegate's before and after can be compared; focus groups, session
observations and practice issues for the Board's audit and evaluation committee."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from courses.models import AttendanceRecord, Booking, Course, Session


class Stage(models.TextChoices):
    BEFORE = "before", "Before the course"
    IMMEDIATE = "immediate", "Straight after the course"
    FOLLOW_UP = "follow_up", "Follow-up, weeks later"


class Questionnaire(models.Model):
    """A set of questions. Editing one that has answers makes a new version, so old answers
    always keep the questions they answered."""

    name = models.CharField(max_length=150)
    purpose = models.TextField(blank=True, help_text="What it is for, for the training manager.")
    stage = models.CharField(max_length=12, choices=Stage.choices)
    version = models.PositiveSmallIntegerField(default=1)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["stage", "name", "-version"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="one_questionnaire_version_per_name")]

    def __str__(self):
        return f"{self.name} (version {self.version})"

    @property
    def is_current(self) -> bool:
        return not hasattr(self, "next_version")


class ItemKind(models.TextChoices):
    AGREEMENT = "agreement", "Agreement (strongly disagree to strongly agree)"
    CONFIDENCE = "confidence", "Confidence 0 to 10 against each learning outcome"
    SINGLE = "single", "Choose one"
    MULTIPLE = "multiple", "Choose any"
    TEXT = "text", "Free text"


AGREEMENT_SCALE = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]


class Item(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=12, choices=ItemKind.choices)
    text = models.CharField("question", max_length=300)
    hint = models.CharField(max_length=300, blank=True)
    choices = models.JSONField(default=list, blank=True, help_text="For choose one and choose any: the options.")
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.text


class CourseEvaluation(models.Model):
    """What a course asks, and when: the evaluation app's part of a course."""

    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="evaluation")
    before = models.ForeignKey(
        Questionnaire,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"stage": Stage.BEFORE},
    )
    before_days = models.PositiveSmallIntegerField(
        "ask this many days before the course", default=7, help_text="0 sends it as soon as the place is confirmed."
    )
    immediate = models.ForeignKey(
        Questionnaire,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"stage": Stage.IMMEDIATE},
    )
    follow_up = models.ForeignKey(
        Questionnaire,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"stage": Stage.FOLLOW_UP},
    )
    follow_up_weeks = models.PositiveSmallIntegerField(default=12)
    certificate_needs_evaluation = models.BooleanField(
        "release the certificate only once the evaluation is answered", default=False
    )
    max_reminders = models.PositiveSmallIntegerField(default=2)
    reminder_days = models.PositiveSmallIntegerField("days between reminders", default=7)

    def __str__(self):
        return f"Evaluation of {self.course}"

    def questionnaire_for(self, stage: str) -> Questionnaire | None:
        return {Stage.BEFORE: self.before, Stage.IMMEDIATE: self.immediate, Stage.FOLLOW_UP: self.follow_up}[stage]


# How long a questionnaire asked straight after the course, or as a follow-up, takes answers after it
# was sent: the reminders (by default two, a week apart) and two weeks more. The invitation sweep lets
# a missed moment go after the same four weeks.
ANSWER_WINDOW = timedelta(weeks=4)


class Invitation(models.Model):
    """One delegate asked one questionnaire at one stage. Never more than one per booking and stage.

    A delegate is a booking, or, for a walk-in (who came without one), their line of the register:
    walk-ins are asked straight after and at the follow-up like everyone who attended."""

    booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.CASCADE, related_name="evaluation_invitations"
    )
    attendance = models.ForeignKey(
        AttendanceRecord, null=True, blank=True, on_delete=models.CASCADE, related_name="evaluation_invitations"
    )
    stage = models.CharField(max_length=12, choices=Stage.choices)
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="invitations")
    sent_at = models.DateTimeField(default=timezone.now)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["booking", "stage"], name="one_invitation_per_booking_and_stage"),
            models.UniqueConstraint(fields=["attendance", "stage"], name="one_invitation_per_walk_in_and_stage"),
            models.CheckConstraint(
                condition=Q(booking__isnull=False, attendance__isnull=True)
                | Q(booking__isnull=True, attendance__isnull=False),
                name="invitation_for_a_booking_or_a_walk_in",
            ),
        ]

    def __str__(self):
        return f"{self.get_stage_display()}: {self.booking or self.attendance}"

    @property
    def delegate(self):
        """The booking, or the walk-in's register line: both have a person and a session."""
        return self.booking if self.booking_id else self.attendance

    @property
    def person(self):
        return self.delegate.person

    @property
    def session(self):
        return self.delegate.session

    @property
    def closes_at(self):
        """When the stage closes and the emailed link stops taking answers: confidence before the
        course, when the course starts; straight after and the follow-up, four weeks after asking."""
        if self.stage == Stage.BEFORE:
            return self.session.starts_at
        return self.sent_at + ANSWER_WINDOW

    def is_closed(self, now=None) -> bool:
        return (now or timezone.now()) >= self.closes_at


class Response(models.Model):
    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    submitted_at = models.DateTimeField(default=timezone.now)


class TextStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    APPROVED = "approved", "Can appear in reports"
    EXCLUDED = "excluded", "Kept out of reports"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    # For confidence items: which learning outcome (its position in the course's list).
    outcome = models.PositiveSmallIntegerField(null=True, blank=True)
    number = models.SmallIntegerField(null=True, blank=True)  # agreement 1-5, confidence 0-10
    choices = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True)
    text_status = models.CharField(max_length=10, choices=TextStatus.choices, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__gte=0, number__lte=10), name="answer_number_in_range"
            ),
        ]


class FocusGroup(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="focus_groups")
    held_on = models.DateField()
    participants = models.PositiveSmallIntegerField()
    themes = models.TextField()
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-held_on"]

    def __str__(self):
        return f"Focus group on {self.course}, {self.held_on:%-d %b %Y}"


class ObservationValue(models.Model):
    """A value the guidance asks trainers to show, which an observer notes whether they saw."""

    text = models.CharField(max_length=200, unique=True)
    guidance = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "text"]

    def __str__(self):
        return self.text


class Observation(models.Model):
    """A senior practitioner watches a session: recorded against the session and its trainers."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="observations")
    observed_on = models.DateField()
    observer_name = models.CharField("observer", max_length=150)
    trainers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="observations")
    notes = models.TextField(blank=True)
    strengths = models.TextField()
    areas_to_develop = models.TextField(blank=True)
    values_seen = models.ManyToManyField(ObservationValue, blank=True, related_name="observations")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-observed_on"]

    def __str__(self):
        return f"Observation of {self.session} by {self.observer_name}"


class IssueStatus(models.TextChoices):
    RAISED = "raised", "Raised"
    TAKEN = "taken", "Taken to committee"
    AGREED = "agreed", "Action agreed"
    CLOSED = "closed", "Closed"


class PracticeIssue(models.Model):
    """Something learned from training that the Board's audit and evaluation committee should see."""

    title = models.CharField(max_length=200)
    description = models.TextField()
    status = models.CharField(max_length=10, choices=IssueStatus.choices, default=IssueStatus.RAISED)
    raised_at = models.DateTimeField(default=timezone.now)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    answer = models.ForeignKey(Answer, null=True, blank=True, on_delete=models.SET_NULL, related_name="issues")
    focus_group = models.ForeignKey(FocusGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="issues")
    observation = models.ForeignKey(
        Observation, null=True, blank=True, on_delete=models.SET_NULL, related_name="issues"
    )

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self):
        return self.title


class IssueChange(models.Model):
    issue = models.ForeignKey(PracticeIssue, on_delete=models.CASCADE, related_name="history")
    status = models.CharField(max_length=10, choices=IssueStatus.choices)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]
