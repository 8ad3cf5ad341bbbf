"""The training sub-committee's own records: the standard questions of its single-agency training
audits, its ratings and findings, the papers the worker builds for it, and agencies' requests for
advice. An audit round itself and the agencies' answers are returns of the needs analysis's engine
(`tna.TnaCycle` of kind audit, `tna.ReturnAnswer`)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Agency
from tna.models import ReturnAnswer, TnaCycle


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


class PaperStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being built"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class CommitteePaper(models.Model):
    """A PDF for the Board or a committee, asked for on a page and built by the worker."""

    kind = models.CharField(max_length=10, choices=PaperKind.choices)
    cycle = models.ForeignKey(TnaCycle, null=True, blank=True, on_delete=models.CASCADE, related_name="papers")
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
