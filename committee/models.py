"""The training sub-committee's own records: the standard questions of its single-agency training
audits, its ratings and findings, the papers the worker builds for it, and agencies' requests for
advice. An audit round itself and the agencies' answers are returns of the needs analysis's engine
(`tna.TnaCycle` of kind audit, `tna.ReturnAnswer`)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Agency
from courses.models import Course, Session
from evaluation.models import PracticeIssue
from tna.models import ReturnAnswer, TnaCycle, TrainingYear


class AuditQuestion(models.Model):
    """One of the sub-committee's standard audit questions, offered when a round is opened."""

    number = models.PositiveSmallIntegerField(unique=True)
    text = models.CharField(max_length=300)
    hint = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return self.text


class Rating(models.TextChoices):
    GREEN = "green", "Green: meets the standard"
    AMBER = "amber", "Amber: partly meets the standard"
    RED = "red", "Red: does not meet the standard"


class AnswerRating(models.Model):
    """The sub-committee's red/amber/green rating of one answer, with its comment."""

    answer = models.OneToOneField(ReturnAnswer, on_delete=models.CASCADE, related_name="rating")
    rating = models.CharField(max_length=5, choices=Rating.choices)
    comment = models.TextField(blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    rated_at = models.DateTimeField(default=timezone.now)


class AuditFindings(models.Model):
    """What the sub-committee concluded from a round, for the Board."""

    cycle = models.OneToOneField(TnaCycle, on_delete=models.CASCADE, related_name="findings")
    text = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)


class PaperKind(models.TextChoices):
    AUDIT_REPORT = "audit", "Single-agency training audit report"
    ISSUES = "issues", "Practice issues paper for the audit and evaluation committee"


class PaperStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being built"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class CommitteePaper(models.Model):
    """A PDF for the Board or a committee, asked for on a page and built by the worker."""

    kind = models.CharField(max_length=10, choices=PaperKind.choices)
    cycle = models.ForeignKey(TnaCycle, null=True, blank=True, on_delete=models.CASCADE, related_name="papers")
    # A practice issues paper covers what changed from this day until it was asked for.
    since = models.DateField(null=True, blank=True)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=PaperStatus.choices, default=PaperStatus.QUEUED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to="committee/%Y/", blank=True)
    pages = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self):
        return self.title


class AdviceRequest(models.Model):
    """An agency lead's question to the sub-committee about their single-agency training, and its answer."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="advice_requests")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    question = models.TextField()
    asked_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-asked_at"]

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


# --- Members, meetings, decisions and actions ---------------------------------------------------


class MemberRole(models.TextChoices):
    CHAIR = "chair", "Chair"
    MEMBER = "member", "Member for an agency"
    DEPUTY = "deputy", "Deputy for an agency"
    TRAINING_MANAGER = "manager", "Training manager"


class Member(models.Model):
    """A seat on the sub-committee: who, for which agency, in what role, from when until when."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="committee_seats")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="committee_seats")
    role = models.CharField(max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER)
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["agency__name", "role", "person__full_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True) | models.Q(left_on__gte=models.F("joined_on")),
                name="member_leaves_after_joining",
            ),
            models.CheckConstraint(
                condition=~models.Q(role__in=["member", "deputy"]) | models.Q(agency__isnull=False),
                name="agency_member_has_an_agency",
            ),
        ]

    def __str__(self):
        return f"{self.person} ({self.get_role_display()}{f', {self.agency}' if self.agency_id else ''})"


class Meeting(models.Model):
    held_on = models.DateField()
    agenda = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-held_on"]
        constraints = [models.UniqueConstraint(fields=["held_on"], name="one_committee_meeting_a_day")]

    def __str__(self):
        return f"Sub-committee meeting, {self.held_on:%-d %B %Y}"


class MeetingPaper(models.Model):
    """A paper for a meeting: a link to one of the service's own pages or reports, never a copy."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="papers")
    title = models.CharField(max_length=200)
    path = models.CharField(max_length=300, help_text="The page's address on this service, starting with /")

    class Meta:
        ordering = ["pk"]


class AttendanceStatus(models.TextChoices):
    ATTENDED = "attended", "Attended"
    APOLOGIES = "apologies", "Sent apologies"
    ABSENT = "absent", "Did not attend"


class MeetingAttendance(models.Model):
    """Whether an agency was represented at a meeting, and by whom."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="committee_attendance")
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    represented_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["agency__name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "agency"], name="one_attendance_per_agency")]


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.CharField(max_length=500)
    decided_on = models.DateField()

    class Meta:
        ordering = ["decided_on", "pk"]

    def __str__(self):
        return self.text


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class Action(models.Model):
    """An action from the minutes: what, who owns it and for which agency, by when."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    text = models.CharField(max_length=500)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="committee_actions")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    status = models.CharField(max_length=5, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.text

    def is_overdue(self, today) -> bool:
        return self.status == ActionStatus.OPEN and self.due_on < today


# --- Practice issues at the audit and evaluation committee ----------------------------------------


class IssueHearing(models.Model):
    """What became of a practice issue at the committee: the meeting it went to, the action agreed
    (with the agency that owns it and its due date) and the outcome. The issue's status is
    evaluation's, changed through its service with each step."""

    issue = models.OneToOneField(PracticeIssue, on_delete=models.CASCADE, related_name="hearing")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="issues")
    action = models.TextField(blank=True)
    owner_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True)


# --- The programme plan ---------------------------------------------------------------------------


class PlanChange(models.Model):
    """A change to a course in a year's programme because of what evaluation found."""

    year = models.ForeignKey(TrainingYear, on_delete=models.CASCADE, related_name="plan_changes")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="plan_changes")
    finding = models.TextField(help_text="What evaluation found.")
    change = models.TextField(help_text="What was changed because of it.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["course__title", "pk"]


class ProgrammePlan(models.Model):
    """The decision of the sub-committee that approved a year's programme."""

    year = models.OneToOneField(TrainingYear, on_delete=models.CASCADE, related_name="plan")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)


# --- Money ----------------------------------------------------------------------------------------


class YearFinance(models.Model):
    """What the sub-committee sets for a year's accounts: the value of a trainer day given in kind."""

    year = models.OneToOneField(TrainingYear, on_delete=models.CASCADE, related_name="finance")
    trainer_day_rate = models.DecimalField(max_digits=8, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(trainer_day_rate__gte=0), name="day_rate_not_negative")
        ]


class IncomeSource(models.TextChoices):
    CONTRIBUTION = "contribution", "Agency contribution"
    GRANT = "grant", "Grant"
    OTHER = "other", "Other income"


class Receipt(models.Model):
    """Money received: an agency's contribution (against what it agreed), a grant, or other income."""

    year = models.ForeignKey(TrainingYear, on_delete=models.CASCADE, related_name="receipts")
    source = models.CharField(max_length=12, choices=IncomeSource.choices)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    received_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["received_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="receipt_amount_positive"),
            models.CheckConstraint(
                condition=~models.Q(source="contribution") | models.Q(agency__isnull=False),
                name="contribution_names_its_agency",
            ),
        ]


class DeliveredBy(models.TextChoices):
    POOL = "pool", "Trainers from the pool"
    MANAGER = "manager", "The training manager"
    COMMISSIONED = "commissioned", "A commissioned provider"


class SessionDelivery(models.Model):
    """Who delivered a session: the pool, the training manager, or a commissioned provider and its cost."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="delivery")
    delivered_by = models.CharField(max_length=12, choices=DeliveredBy.choices)
    provider = models.CharField(max_length=200, blank=True)
    cost = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    # A conference or briefing records who spoke.
    speakers = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(cost__gte=0), name="delivery_cost_not_negative"),
            models.CheckConstraint(
                condition=~models.Q(delivered_by="commissioned") | ~models.Q(provider=""),
                name="commissioned_names_its_provider",
            ),
        ]
