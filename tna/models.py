"""The annual training needs analysis: training years, TNA cycles, agencies' returns and reminders."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Agency, TargetGroup
from courses.models import Course, Level


class TrainingYear(models.Model):
    """A training year, usually 1 April to 31 March, with the figures the Board's report needs."""

    name = models.CharField(max_length=20, unique=True, help_text="For example 2026-27.")
    starts_on = models.DateField()
    ends_on = models.DateField()
    children_in_need = models.PositiveIntegerField(
        default=0, help_text="Children in need in the area, for courses per 1,000 children in need."
    )
    central_costs = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        help_text="Co-ordinator, administration and other central costs.",
    )

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="training_year_ends_after_start"
            )
        ]

    def __str__(self):
        return self.name


class AgencyContribution(models.Model):
    year = models.ForeignKey(TrainingYear, on_delete=models.CASCADE, related_name="contributions")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="contributions")
    amount = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "agency"], name="one_contribution_per_agency_per_year")]


class ReturnKind(models.TextChoices):
    """What a round of returns asks agencies for. One engine (opening, drafts, submission with a
    declaration, reminders, escalation, reopening, versions) serves every kind; only what a return
    holds and the words of its emails differ."""

    NEEDS = "needs", "Training needs analysis"
    AUDIT = "audit", "Single-agency training audit"


class NeedsAnalysisOnly(models.Manager):
    """`TnaCycle.objects` and `TnaReturn.objects` are the training needs analysis, as every TNA page,
    import, export and figure has always read them; `rounds` / `every_kind` see returns of every kind."""

    def get_queryset(self):
        return super().get_queryset().filter(kind=ReturnKind.NEEDS)


class TnaCycle(models.Model):
    """A call for returns: the year's training needs analysis, or a single-agency training audit
    round; when it opens, its deadline, and how agencies are chased."""

    kind = models.CharField(max_length=10, choices=ReturnKind.choices, default=ReturnKind.NEEDS)
    # The needs analysis is the year's; an audit round has a title of its own instead.
    year = models.OneToOneField(TrainingYear, null=True, blank=True, on_delete=models.CASCADE, related_name="cycle")
    title = models.CharField(max_length=200, blank=True)
    opens_on = models.DateField()
    deadline = models.DateField()
    instructions = models.TextField(blank=True)
    opened_at = models.DateTimeField(null=True, blank=True, help_text="When the leads were emailed.")
    # Days relative to the deadline on which leads without a submitted return are reminded (negative: before).
    reminder_offsets = models.JSONField(default=list, blank=True)
    escalate_after_days = models.PositiveSmallIntegerField(
        default=14, help_text="Days after the deadline when the training manager is told who has not returned."
    )

    rounds = models.Manager()
    objects = NeedsAnalysisOnly()

    class Meta:
        ordering = ["-deadline"]
        # Related lookups (a return's cycle, a year's cycle) and the admin see every kind.
        default_manager_name = "rounds"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="needs", year__isnull=False) | ~Q(kind="needs"), name="needs_analysis_has_a_year"
            )
        ]

    def __str__(self):
        if self.kind == ReturnKind.NEEDS:
            return f"Training needs analysis {self.year}"
        return self.title or self.get_kind_display()

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    REOPENED = "reopened", "Reopened"


class TnaReturn(models.Model):
    cycle = models.ForeignKey(TnaCycle, on_delete=models.CASCADE, related_name="returns")
    # The cycle's kind, kept on the return so the needs analysis's pages find theirs without a join.
    kind = models.CharField(max_length=10, choices=ReturnKind.choices, default=ReturnKind.NEEDS, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="tna_returns")
    status = models.CharField(max_length=10, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT)
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when an import submitted it: the file's name (submitted_by is then who imported it).
    imported_from = models.CharField(max_length=255, blank=True)
    single_agency_evaluation = models.TextField("how the agency evaluates its own training", blank=True)
    sections_done = models.JSONField(default=list, blank=True)

    every_kind = models.Manager()
    objects = NeedsAnalysisOnly()

    class Meta:
        default_manager_name = "every_kind"
        constraints = [models.UniqueConstraint(fields=["cycle", "agency"], name="one_return_per_agency_per_cycle")]

    def __str__(self):
        return f"{self.agency}: {self.cycle}"

    @property
    def is_locked(self) -> bool:
        return self.status == ReturnStatus.SUBMITTED

    @property
    def progress(self) -> str:
        """Where the return stands, in the words the overview and imports use."""
        if self.status == ReturnStatus.DRAFT and not self.sections_done:
            return "Not started"
        return self.get_status_display()


class StaffCount(models.Model):
    """Section 1: staff and volunteers by target group."""

    tna_return = models.ForeignKey(TnaReturn, on_delete=models.CASCADE, related_name="staff_counts")
    target_group = models.ForeignKey(TargetGroup, on_delete=models.PROTECT)
    staff = models.PositiveIntegerField(default=0)
    volunteers = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["target_group__number"]
        constraints = [models.UniqueConstraint(fields=["tna_return", "target_group"], name="one_staff_count_per_group")]


class TrainingNeed(models.Model):
    """Section 2: for each inter-agency course, staff in scope, already in date, places requested."""

    tna_return = models.ForeignKey(TnaReturn, on_delete=models.CASCADE, related_name="needs")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="tna_needs")
    staff_in_scope = models.PositiveIntegerField(default=0)
    trained_in_date = models.PositiveIntegerField(default=0)
    places_requested = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["course__level__number", "course__title"]
        constraints = [
            models.UniqueConstraint(fields=["tna_return", "course"], name="one_need_per_course"),
            models.CheckConstraint(
                condition=Q(trained_in_date__lte=models.F("staff_in_scope")), name="trained_not_above_in_scope"
            ),
        ]


class SingleAgencyTraining(models.Model):
    """Section 3: what the agency trained itself last year, by level."""

    tna_return = models.ForeignKey(TnaReturn, on_delete=models.CASCADE, related_name="single_agency")
    level = models.ForeignKey(Level, on_delete=models.PROTECT)
    staff_trained = models.PositiveIntegerField(default=0)
    percent_in_date = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["level__number"]
        constraints = [
            models.UniqueConstraint(fields=["tna_return", "level"], name="one_single_agency_line_per_level"),
            models.CheckConstraint(condition=Q(percent_in_date__lte=100), name="percent_in_date_at_most_100"),
        ]


class ReturnQuestion(models.Model):
    """A question a round asks every agency (an audit's standards): copied into the round when it is
    set up, so changing the standard questions later never rewrites what was asked."""

    cycle = models.ForeignKey(TnaCycle, on_delete=models.CASCADE, related_name="questions")
    number = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    hint = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["cycle", "number"], name="one_question_per_number")]

    def __str__(self):
        return f"{self.number}. {self.text}"


class ReturnAnswer(models.Model):
    """An agency's answer to one of the round's questions."""

    tna_return = models.ForeignKey(TnaReturn, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(ReturnQuestion, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["question__number"]
        constraints = [
            models.UniqueConstraint(fields=["tna_return", "question"], name="one_answer_per_question_per_return")
        ]


class ReturnVersion(models.Model):
    """Every submission, reopening and import, with a snapshot of the answers and what changed."""

    tna_return = models.ForeignKey(TnaReturn, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    action = models.CharField(max_length=20)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)
    imported_from = models.CharField(max_length=255, blank=True, help_text="The file an import read.")
    snapshot = models.JSONField(default=dict)
    changes = models.JSONField(default=list)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["tna_return", "number"], name="return_version_numbers_unique")]


class ReminderKind(models.TextChoices):
    INVITATION = "invitation", "Invitation"
    REMINDER = "reminder", "Reminder"
    ESCALATION = "escalation", "Escalation to the training manager"


class ReminderLog(models.Model):
    """Every invitation, reminder and escalation sent: one per agency, kind and offset,
    so the task is safe to run twice."""

    cycle = models.ForeignKey(TnaCycle, on_delete=models.CASCADE, related_name="reminders")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="tna_reminders")
    kind = models.CharField(max_length=12, choices=ReminderKind.choices)
    offset_days = models.SmallIntegerField(default=0)
    sent_to = models.JSONField(default=list)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "agency", "kind", "offset_days"], name="one_reminder_per_offset")
        ]
