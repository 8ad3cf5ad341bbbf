"""The inter-agency trainer pool: membership from application to active delivery, the
criteria the sub-committee sets, agencies' trainer-day commitments and assignments to sessions.

Who delivered what is not stored here: it is read from the sessions' trainers
(`courses.Session.trainers`) of delivered sessions, so imported history and
sessions staffed before the pool existed count the same way.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Agency
from courses.models import Course, Session
from tna.models import TrainingYear


class MembershipStatus(models.TextChoices):
    APPLIED = "applied", "Applied"
    ENDORSED = "endorsed", "Endorsed by agency"
    NOT_ENDORSED = "not_endorsed", "Not endorsed"
    ACCEPTED = "accepted", "Accepted, needs training for trainers"
    DECLINED = "declined", "Declined"
    ACTIVE = "active", "Active"
    LAPSED = "lapsed", "Lapsed"
    LEFT = "left", "Left the pool"


# Statuses from which the person may apply again.
CLOSED = (MembershipStatus.NOT_ENDORSED, MembershipStatus.DECLINED, MembershipStatus.LEFT)
# Members who can deliver or could again after training: the pool directory's default.
IN_POOL = (MembershipStatus.ACCEPTED, MembershipStatus.ACTIVE, MembershipStatus.LAPSED)


class MembershipCriterion(models.Model):
    """One line of the checklist the sub-committee sets for joining the pool."""

    text = models.CharField(max_length=200, unique=True)
    guidance = models.TextField(blank=True, help_text="What the reviewer looks for.")
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(
        default=True, help_text="Inactive criteria are kept on past reviews but not asked again."
    )

    class Meta:
        ordering = ["position", "text"]
        verbose_name_plural = "membership criteria"

    def __str__(self):
        return self.text


class PoolPolicy(models.Model):
    """The training manager's rules for the pool. One row; `PoolPolicy.current()` reads it."""

    months_without_delivery = models.PositiveSmallIntegerField(
        "lapse after months without delivery",
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="An active member who has delivered nothing for this long lapses.",
    )
    training_valid_months = models.PositiveSmallIntegerField(
        "training for trainers valid for (months)",
        null=True,
        blank=True,
        default=36,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text="After this a refresher is needed, or the member lapses. Leave empty if it never expires.",
    )
    free_places_per_day = models.DecimalField(
        "free delegate places per full trainer day",
        max_digits=4,
        decimal_places=1,
        default=Decimal("10"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="A half day earns half. The total is rounded down to whole places.",
    )

    class Meta:
        verbose_name_plural = "pool policy"

    def __str__(self):
        return "Trainer pool rules"

    @classmethod
    def current(cls) -> "PoolPolicy":
        """The rules in force. A migration (and setup) creates their row; reading never writes:
        with no row these are the defaults, saved by the first change (`save_policy`)."""
        return cls.objects.order_by("pk").first() or cls()


class Membership(models.Model):
    """A person's application to the pool and, if accepted, their membership.

    One per person: someone who left or was declined applies again on the same
    record, and the status history keeps the earlier round.
    """

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pool_membership")
    status = models.CharField(max_length=20, choices=MembershipStatus.choices, default=MembershipStatus.APPLIED)
    # The application
    experience = models.TextField("safeguarding experience")
    specialisms = models.TextField(help_text="Areas of practice you know well, such as neglect or domestic abuse.")
    facilitation_experience = models.TextField("experience of training or facilitating groups")
    courses = models.ManyToManyField(
        Course, blank=True, related_name="pool_members", help_text="Courses this person could co-deliver."
    )
    applied_at = models.DateTimeField(default=timezone.now)
    # The agency lead's endorsement
    endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    endorsed_at = models.DateTimeField(null=True, blank=True)
    endorsement_note = models.TextField(blank=True)
    # The training manager's review
    criteria_met = models.ManyToManyField(MembershipCriterion, blank=True, related_name="+")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(blank=True)
    # Training for trainers: the last time the person attended it (from its register).
    trained_on = models.DateField("completed training for trainers", null=True, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["person__full_name"]

    def __str__(self):
        return f"{self.person}: {self.get_status_display()}"

    @property
    def is_active(self) -> bool:
        return self.status == MembershipStatus.ACTIVE

    @property
    def can_reapply(self) -> bool:
        return self.status in CLOSED


class StatusChange(models.Model):
    """The membership's history: every status it has had, who changed it and why."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="history")
    status = models.CharField(max_length=20, choices=MembershipStatus.choices)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"{self.get_status_display()} on {timezone.localtime(self.changed_at):%-d %b %Y}"


class TrainerCommitment(models.Model):
    """The trainer days an agency agreed to give in a training year."""

    year = models.ForeignKey(TrainingYear, on_delete=models.CASCADE, related_name="trainer_commitments")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="trainer_commitments")
    agreed_days = models.DecimalField(
        max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("365"))]
    )

    class Meta:
        ordering = ["agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["year", "agency"], name="one_trainer_commitment_per_agency_per_year"),
            models.CheckConstraint(condition=Q(agreed_days__gte=0), name="trainer_commitment_not_negative"),
        ]

    def __str__(self):
        days = self.agreed_days.normalize()
        return f"{self.agency}: {days:f} day{'' if days == 1 else 's'} in {self.year}"


class AssignmentStatus(models.TextChoices):
    INVITED = "invited", "Waiting for the trainer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


# A request made once the session had started is the training manager recording who delivered it:
# the trainer has this long from the request to confirm it.
RECORDING_ANSWER_DAYS = 14


class Assignment(models.Model):
    """The training manager asks a trainer to deliver a session; the trainer answers.

    An accepted assignment puts the trainer on the session's trainers, which is
    what opens the register to them and what the delivery log counts.
    """

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="assignments")
    trainer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    status = models.CharField(max_length=12, choices=AssignmentStatus.choices, default=AssignmentStatus.INVITED)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    # The warnings the training manager saw and overrode, kept with the decision.
    warnings = models.JSONField(default=list, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["session__starts_at", "trainer__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["session", "trainer"], name="one_assignment_per_trainer_per_session"),
        ]

    def __str__(self):
        return f"{self.trainer} for {self.session}"

    @property
    def answer_closes_at(self):
        """Asked before the session: until it starts (after that an answer changes nothing the
        training manager can plan with). Asked once it had started, to record who delivered it:
        RECORDING_ANSWER_DAYS from the request."""
        starts_at = self.session.starts_at
        if self.assigned_at < starts_at:
            return starts_at
        return self.assigned_at + timedelta(days=RECORDING_ANSWER_DAYS)

    @property
    def can_still_be_answered(self) -> bool:
        return timezone.now() < self.answer_closes_at

    @property
    def is_open(self) -> bool:
        return self.status == AssignmentStatus.INVITED
