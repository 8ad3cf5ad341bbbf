"""Report runs: a request for a PDF, built by a worker, downloaded by the Board."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Agency


class ReportKind(models.TextChoices):
    ANNUAL = "annual", "Annual training report"
    AGENCY = "agency", "Agency training report"
    CHARGES = "charges", "Charges statement"
    COURSE = "course", "Course evaluation report"
    MONITORING = "monitoring", "Quarterly monitoring report"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being built"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class ReportRun(models.Model):
    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    # {"year": <TrainingYear pk>}; an agency's report adds {"agency": <Agency pk>}; a charges
    # statement is {"agency": <pk>, "from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}; a course evaluation
    # report adds {"course": <Course pk>} to the year; a monitoring report is {"from": ..., "to": ...}.
    parameters = models.JSONField(default=dict)
    # Repeats parameters["agency"], so a lead's runs can be found and checked without reading JSON.
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="report_runs")
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="report_runs"
    )
    requested_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # A worker holds the run until this time; another may take it over after (the first one died).
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="reports/%Y/", blank=True)
    pages = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self):
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None


class PeerFigures(models.Model):
    """Another Board's published headline figures for a year, recorded by the training manager so
    the partnership can see where it stands among them (reports/peers.py). A figure a Board did not
    publish is left empty."""

    board = models.CharField(max_length=200)
    # The training year as Boards print it: "2025-26".
    year = models.CharField(max_length=7)
    children_in_need = models.PositiveIntegerField(null=True, blank=True)
    events = models.PositiveIntegerField("courses or events", null=True, blank=True)
    training_days = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    attendance = models.PositiveIntegerField(null=True, blank=True)
    total_cost = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year", "board"]
        verbose_name_plural = "peer figures"
        constraints = [
            models.UniqueConstraint(fields=["board", "year"], name="one_set_of_peer_figures_per_board_per_year"),
            models.CheckConstraint(
                condition=models.Q(training_days__isnull=True) | models.Q(training_days__gte=0),
                name="peer_training_days_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(total_cost__isnull=True) | models.Q(total_cost__gte=0),
                name="peer_total_cost_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.board}, {self.year}"
