"""The catalogue, the training pathway, sessions, bookings, registers, charges and certificates."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Agency, OrganisationCategory, TargetGroup
from common.money import format_money


class Level(models.Model):
    """A level of the training pathway (commonly 1 to 4): data the training manager edits."""

    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"Level {self.number}: {self.name}"


class DeliveryMode(models.TextChoices):
    FACE_TO_FACE = "face_to_face", "Face to face"
    VIRTUAL = "virtual", "Virtual (online, live)"
    E_LEARNING = "e_learning", "E-learning"
    CONFERENCE = "conference", "Conference or briefing"


class Course(models.Model):
    title = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField()
    learning_outcomes = models.TextField(help_text="One learning outcome per line.")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="courses")
    target_groups = models.ManyToManyField(TargetGroup, related_name="courses", blank=True)
    # The course's length in training days: what training days, trainer days and charges count.
    # A course measured in hours keeps its hours too, and `save_course` (or a change to the length
    # of a training day, `save_policy`) works its days out from them, so every figure reads one field.
    duration_days = models.DecimalField(
        "duration in days",
        max_digits=6,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("10"))],
        help_text="In quarter days: 0.25, 0.5, 1, 1.5 ...",
    )
    duration_hours = models.DecimalField(
        "duration in hours",
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("24"))],
        help_text="For a course measured in hours, such as a two-hour briefing.",
    )
    delivery_mode = models.CharField(max_length=20, choices=DeliveryMode.choices)
    inter_agency = models.BooleanField(default=True)
    prerequisites = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="opens")
    needs_manager_approval = models.BooleanField(
        "line manager must approve", default=False, help_text="Places are held until the line manager answers."
    )
    charge_exempt = models.BooleanField(
        "exempt from charges", default=False, help_text="Conferences, briefings, the trainers' forum."
    )
    is_training_for_trainers = models.BooleanField(
        "training for trainers", default=False, help_text="Completing it qualifies a pool member to deliver."
    )
    active = models.BooleanField(default=True, help_text="Inactive courses leave the public catalogue.")

    class Meta:
        ordering = ["level__number", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_days__gt=0) & Q(duration_days__lte=Decimal("10")),
                name="course_duration_days_in_range",
            ),
            models.CheckConstraint(
                condition=Q(duration_hours__isnull=True)
                | (Q(duration_hours__gte=Decimal("0.25")) & Q(duration_hours__lte=Decimal("24"))),
                name="course_duration_hours_in_range",
            ),
        ]

    def __str__(self):
        return self.title

    def outcomes(self) -> list[str]:
        return [line.strip() for line in self.learning_outcomes.splitlines() if line.strip()]

    @property
    def duration_in_words(self) -> str:
        """ "2 hours", "Half a day", "1 day", "1.5 days": how every page and report says its length."""
        from .durations import duration_in_words

        return duration_in_words(self.duration_days, hours=self.duration_hours)


class PathwayRule(models.Model):
    """What a target group needs: a level, or a named course, refreshed every N months.

    "Due for refresher" depends on the rule, not the course: designated
    safeguarding leads refresh every 24 months, most others every 36.
    """

    target_group = models.ForeignKey(TargetGroup, on_delete=models.CASCADE, related_name="pathway_rules")
    level = models.ForeignKey(Level, null=True, blank=True, on_delete=models.CASCADE, related_name="pathway_rules")
    course = models.ForeignKey(Course, null=True, blank=True, on_delete=models.CASCADE, related_name="pathway_rules")
    refresh_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Leave empty if it never needs refreshing."
    )

    class Meta:
        ordering = ["target_group__number", "level__number", "course__title"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(level__isnull=False) & Q(course__isnull=True))
                | (Q(level__isnull=True) & Q(course__isnull=False)),
                name="pathway_rule_level_or_course",
            ),
        ]

    def __str__(self):
        what = self.course.title if self.course_id else str(self.level)
        every = f", every {self.refresh_months} months" if self.refresh_months else ""
        return f"{self.target_group}: {what}{every}"


class Venue(models.Model):
    name = models.CharField(max_length=200, unique=True)
    address = models.TextField()
    postcode = models.CharField(max_length=10)
    access_information = models.TextField(
        blank=True, help_text="Step-free access, hearing loop, parking, public transport."
    )
    # How many people the venue holds for training. A venue with several rooms books each room with
    # its own capacity; this is then the largest group it takes. Empty on venues recorded before
    # capacities were: no limit is checked until the training manager enters one.
    capacity = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(2000)]
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Room(models.Model):
    """A room of a venue that has several: booked on its own, with its own capacity."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=100)
    capacity = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(2000)])
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["venue__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "name"], name="one_room_name_per_venue"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="room_capacity_positive"),
        ]

    def __str__(self):
        return f"{self.venue.name}: {self.name}"


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"
    COMPLETED = "completed", "Completed"


class Session(models.Model):
    """One run of a course: its dates, place, capacity, trainers and costs.

    `starts_at` and `ends_at` repeat the first and last of its dates so lists
    can sort and filter without joining them; the services keep them in step.
    """

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    venue = models.ForeignKey(Venue, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions")
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions")
    online_link = models.URLField("online joining link", blank=True)
    capacity = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(500)])
    bookings_close_at = models.DateTimeField("booking cut-off")
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED)
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="sessions_delivered", through="SessionTrainer"
    )
    venue_cost = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    trainer_fees = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    catering_cost = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    materials_cost = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    notes = models.TextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.TextField(blank=True)
    register_closed_at = models.DateTimeField(null=True, blank=True)
    # Raised each time delegates are told of a change, so their calendars replace the event
    # (RFC 5545 SEQUENCE) instead of adding a second one.
    calendar_sequence = models.PositiveIntegerField(default=0)
    # A closed register reopened by the training manager to correct it; the reason is given to every
    # certificate withdrawn and charge cancelled when it is closed again.
    register_reopened_at = models.DateTimeField(null=True, blank=True)
    register_reopen_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1) & Q(capacity__lte=500), name="session_capacity_in_range"
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"),
            models.CheckConstraint(
                condition=Q(venue_cost__gte=0)
                & Q(trainer_fees__gte=0)
                & Q(catering_cost__gte=0)
                & Q(materials_cost__gte=0),
                name="session_costs_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.course.title}, {timezone.localtime(self.starts_at):%-d %b %Y}"

    @property
    def total_cost(self) -> Decimal:
        return self.venue_cost + self.trainer_fees + self.catering_cost + self.materials_cost

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def has_started(self) -> bool:
        return timezone.now() >= self.starts_at

    @property
    def is_online(self) -> bool:
        return bool(self.online_link) and self.venue_id is None


class SessionTrainer(models.Model):
    """A trainer delivering a session. Most deliver the whole session; one who gave part of it
    (a quarter day of a full-day course) has their share recorded, and trainer days count it."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    share_days = models.DecimalField(
        "share of the session in days",
        max_digits=6,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Empty when they delivered the whole session.",
    )

    class Meta:
        db_table = "courses_session_trainers"
        unique_together = [("session", "user")]
        constraints = [
            models.CheckConstraint(
                condition=Q(share_days__isnull=True) | Q(share_days__gt=0), name="trainer_share_positive"
            ),
        ]

    def __str__(self):
        return f"{self.user} on {self.session}"


class SessionDate(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="dates")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_date_ends_after_start"
            ),
        ]

    def __str__(self):
        start, end = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        return f"{start:%A %-d %B %Y}, {start:%H:%M} to {end:%H:%M}"


class SessionMessage(models.Model):
    """A message the training manager or a trainer wrote to a session's delegates, kept as sent."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="messages")
    subject = models.CharField(max_length=150)
    body = models.TextField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self):
        return f"{self.subject} ({self.session})"


class SignInSheet(models.Model):
    """A session's printable sign-in sheet, built by the worker. `fingerprint` is the digest of the
    page it was built from: when the delegate list or the session's details change, it no longer
    matches and the sheet is prepared again."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="sign_in_sheet")
    file = models.FileField(upload_to="sign-in-sheets/%Y/", blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Sign-in sheet: {self.session}"


class BookingStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", "Waiting for line manager approval"
    CONFIRMED = "confirmed", "Confirmed"
    WAITLISTED = "waitlisted", "On the waiting list"
    OFFERED = "offered", "Place offered"
    CANCELLED = "cancelled", "Cancelled"
    DECLINED = "declined", "Not approved"


# Statuses that hold one of the session's places.
HOLDS_PLACE = (BookingStatus.CONFIRMED, BookingStatus.AWAITING_APPROVAL, BookingStatus.OFFERED)
# Statuses that count as "this person is booked on this session".
ACTIVE = (*HOLDS_PLACE, BookingStatus.WAITLISTED)


class ReasonGiven(models.TextChoices):
    """Why someone cancelled their place, in their words picked from a short list: counted in the
    quarterly monitoring report. Optional: many people give none."""

    WORK_PRESSURES = "work_pressures", "Work pressures or staff shortages"
    ILLNESS = "illness", "Illness"
    PERSONAL = "personal", "Personal or family reasons"
    CLASH = "clash", "Another commitment at the same time"
    TRAVEL = "travel", "Travel or the venue"
    NOT_NEEDED = "not_needed", "The course is no longer needed"
    OTHER = "other", "Another reason"


class Booking(models.Model):
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="bookings")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings")
    # The agency when booked: charges go to it even if the person moves later.
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings")
    status = models.CharField(max_length=20, choices=BookingStatus.choices)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Waiting list order: people whose required training has expired (or expires
    # soonest) first, then first come first served. Lower sorts first.
    waitlist_priority = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    approval_expires_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    # Who approved or declined the place: the address the signed link was sent to, checked again
    # when they answered (see accounts.selectors.approvers_for).
    approval_decided_by = models.EmailField("approved or declined by", blank=True)
    prerequisite_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.CharField(max_length=200, blank=True)
    # The reason the person gave when they cancelled (cancellation_reason says who cancelled and how).
    reason_given = models.CharField("why they cancelled", max_length=20, choices=ReasonGiven.choices, blank=True)
    late_cancellation = models.BooleanField(default=False)
    substitute_for = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="substitutes"
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # Asked on the confirmation page; the trainers see it on the delegate list.
    access_needs = models.TextField("access or dietary needs", blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"],
                condition=Q(status__in=[s.value for s in ACTIVE]),
                name="one_active_booking_per_person_per_session",
            ),
        ]
        indexes = [
            models.Index(fields=["session", "status"]),
            # The figures count a period's bookings by session (status, late or not, agency): read from the
            # index alone, without visiting each booking.
            models.Index(
                fields=["session"],
                include=["status", "late_cancellation", "agency"],
                name="bookings_by_session",
            ),
        ]

    def __str__(self):
        return f"{self.person} on {self.session}"

    @property
    def holds_place(self) -> bool:
        return self.status in HOLDS_PLACE

    @property
    def approvers(self):
        """Who is asked to approve this place, as the rule stands now (accounts.selectors.approvers_for)."""
        from accounts.selectors import approvers_for

        return approvers_for(self.person)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE


class Attendance(models.TextChoices):
    ATTENDED = "attended", "Attended"
    PARTIAL = "partial", "Left early"
    NO_SHOW = "no_show", "Did not attend"


class AttendanceRecord(models.Model):
    """One line of a session's register. Walk-ins have no booking and count as attended."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendance")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attendance")
    booking = models.OneToOneField(Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="attendance")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="attendance")
    outcome = models.CharField(max_length=10, choices=Attendance.choices)
    walk_in = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["person__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="one_register_line_per_person"),
        ]
        indexes = [
            # The figures count a period's register lines by session (outcome, agency, walk-in, booked):
            # read from the index alone, without visiting each line.
            models.Index(
                fields=["session"],
                include=["outcome", "agency", "walk_in", "booking"],
                name="register_lines_by_session",
            ),
        ]

    def __str__(self):
        return f"{self.person}: {self.get_outcome_display()}"

    @property
    def counts_as_attended(self) -> bool:
        return self.outcome in (Attendance.ATTENDED, Attendance.PARTIAL)


# --- Counts kept by the database ----------------------------------------------------------------------
# The Board's headline figures count three years of register lines and bookings on every dashboard and
# report. These tables hold the same counts a few rows per session: how many of a session's lines (or
# bookings) have each combination of the columns the figures ask about. The database keeps them itself,
# with triggers on the lines and bookings (migration 0012), so every write counts, whatever made it: a
# trainer's register, a service, an import's bulk insert, a queryset's update or raw SQL. They hold raw
# counts and no rule: what counts as attended, or as a place booked, is still decided by the reader.


class RegisterTally(models.Model):
    """How many of a session's register lines have this outcome, walk-in or not, with a booking or not."""

    # Found through the unique constraint, which begins with the session.
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+", db_index=False)
    outcome = models.CharField(max_length=10, choices=Attendance.choices)
    walk_in = models.BooleanField()
    booked = models.BooleanField()
    lines = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "outcome", "walk_in", "booked"], name="one_register_tally_per_kind"
            )
        ]

    def __str__(self):
        return f"{self.session_id}: {self.lines} {self.outcome}"


class BookingTally(models.Model):
    """How many of a session's bookings are in this status, cancelled late or not."""

    # Found through the unique constraint, which begins with the session.
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+", db_index=False)
    status = models.CharField(max_length=20, choices=BookingStatus.choices)
    late_cancellation = models.BooleanField()
    bookings = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "status", "late_cancellation"], name="one_booking_tally_per_kind"
            )
        ]

    def __str__(self):
        return f"{self.session_id}: {self.bookings} {self.status}"


class BookingPolicy(models.Model):
    """The Board's booking and charging rules: configuration, not code. One row."""

    late_cancellation_working_days = models.PositiveSmallIntegerField(
        default=10, help_text="Cancelling within this many working days of the start is a late cancellation."
    )
    late_cancellation_charge_per_day = models.DecimalField(max_digits=7, decimal_places=2, default=Decimal("50.00"))
    no_show_charge_per_day = models.DecimalField(max_digits=7, decimal_places=2, default=Decimal("75.00"))
    contributing_partners_free = models.BooleanField(
        default=True, help_text="Staff of contributing partners pay no fee, late-cancellation or no-show charge."
    )
    waitlist_offer_hours = models.PositiveSmallIntegerField(default=48, validators=[MinValueValidator(1)])
    approval_hold_hours = models.PositiveSmallIntegerField(default=72, validators=[MinValueValidator(1)])
    no_shows_before_approval = models.PositiveSmallIntegerField(
        default=2,
        help_text="After this many no-shows in 12 months, the agency lead must approve new bookings. 0 turns it off.",
    )
    reminder_days_before = models.PositiveSmallIntegerField(default=3)
    invoice_address = models.TextField(
        "address on invoices", blank=True, help_text="The partnership's postal address, as invoices show it."
    )
    payment_instructions = models.TextField(
        "how to pay",
        blank=True,
        help_text="Printed on every invoice: payment terms, bank details or the council's payment reference.",
    )
    # Seven hours: a half day is then three and a half, the length of the partnership's morning
    # sessions (09:30 to 13:00); a two-hour briefing counts 2/7 of a training day.
    training_day_hours = models.DecimalField(
        "length of a training day in hours",
        max_digits=4,
        decimal_places=2,
        default=Decimal("7.00"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("12"))],
        help_text="Courses measured in hours count this many hours as one training day.",
    )
    partial_attendance_meets_requirement = models.BooleanField(
        "leaving early still meets a requirement",
        default=False,
        help_text='Off: someone marked "left early" has not met the pathway requirement the course is for.',
    )

    class Meta:
        verbose_name_plural = "booking policy"

    def __str__(self):
        return "Booking and charging policy"

    @classmethod
    def current(cls) -> "BookingPolicy":
        """The policy in force. A migration (and setup) creates its row; reading never writes: with
        no row (a database emptied by hand) these are the defaults, saved by the first change."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class FeeRate(models.Model):
    """What a delegate from an organisation category pays to attend, per day and per half day."""

    policy = models.ForeignKey(BookingPolicy, on_delete=models.CASCADE, related_name="fee_rates")
    category = models.OneToOneField(OrganisationCategory, on_delete=models.CASCADE, related_name="fee_rate")
    per_day = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    per_half_day = models.DecimalField(max_digits=7, decimal_places=2, default=0)

    class Meta:
        ordering = ["category__position"]
        constraints = [
            models.CheckConstraint(condition=Q(per_day__gte=0) & Q(per_half_day__gte=0), name="fee_rate_not_negative"),
        ]

    def __str__(self):
        return f"{self.category}: {format_money(self.per_day)} a day, {format_money(self.per_half_day)} a half day"


class ChargeKind(models.TextChoices):
    FEE = "fee", "Course fee"
    LATE_CANCELLATION = "late_cancellation", "Late cancellation"
    NO_SHOW = "no_show", "Did not attend"


class Invoice(models.Model):
    """What an agency is asked to pay for a period: its outstanding charges for sessions in the
    period (waived and cancelled ones are never invoiced), numbered in one sequence. Raised, then
    sent, then paid; the PDF is built by the worker from the lines as they were when raised."""

    number = models.PositiveIntegerField(unique=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="invoices")
    period_starts_on = models.DateField()
    period_ends_on = models.DateField()
    total = models.DecimalField(max_digits=10, decimal_places=2)
    raised_at = models.DateTimeField(default=timezone.now)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to="invoices/%Y/", blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="invoice_total_positive"),
            models.CheckConstraint(
                condition=Q(period_ends_on__gte=models.F("period_starts_on")), name="invoice_period_in_order"
            ),
            models.CheckConstraint(
                condition=Q(paid_at__isnull=True) | Q(sent_at__isnull=False), name="invoice_paid_only_once_sent"
            ),
        ]

    def __str__(self):
        return f"Invoice {self.reference}"

    @property
    def reference(self) -> str:
        return invoice_reference(self.number)

    @property
    def status(self) -> str:
        if self.paid_at:
            return "Paid"
        return "Sent" if self.sent_at else "Raised"


def invoice_reference(number: int) -> str:
    """An invoice's reference, as the agency sees it, from its number."""
    return f"INV-{number:05d}"


class Charge(models.Model):
    """A sum an agency owes, with the rule that raised it; never deleted.

    Waived: still a charge, forgiven by the training manager with a reason. Cancelled: raised in error
    (a register corrected after closing), with the reason; a cancelled charge no longer counts, and the
    same charge may be raised again as a new row.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="charges")
    booking = models.ForeignKey(Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="charges")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="charges")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="charges")
    kind = models.CharField(max_length=20, choices=ChargeKind.choices)
    amount = models.DecimalField(max_digits=8, decimal_places=2)
    rule = models.CharField(max_length=300, help_text="The policy that raised it, in words.")
    raised_at = models.DateTimeField(default=timezone.now, db_index=True)
    waived_at = models.DateTimeField(null=True, blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    waiver_reason = models.TextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancellation_reason = models.TextField(blank=True)
    # A charge is on one invoice at most; only a live charge (not waived, not cancelled) is invoiced.
    invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="charges")

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="charge_amount_positive"),
            models.CheckConstraint(
                condition=Q(invoice__isnull=True) | (Q(waived_at__isnull=True) & Q(cancelled_at__isnull=True)),
                name="only_live_charges_are_invoiced",
            ),
            models.UniqueConstraint(
                fields=["session", "person", "kind"],
                condition=Q(cancelled_at__isnull=True),
                name="one_live_charge_of_a_kind_per_person_per_session",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {format_money(self.amount)}: {self.person}, {self.session}"

    @property
    def is_waived(self) -> bool:
        return self.waived_at is not None

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class ExternalTrainingStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for the agency lead"
    CONFIRMED = "confirmed", "Confirmed"
    DECLINED = "declined", "Not accepted"


class ExternalTraining(models.Model):
    """Training at a level done elsewhere (a single-agency course, an e-learning module), recorded by
    the person with its evidence. It meets the pathway only once their agency lead (or, for someone
    with no agency, the training manager) confirms it."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_training")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="external_training")
    title = models.CharField("course or module", max_length=200)
    provider = models.CharField(max_length=200)
    completed_on = models.DateField()
    certificate = models.FileField(upload_to="external-training/%Y/", blank=True)
    status = models.CharField(
        max_length=12, choices=ExternalTrainingStatus.choices, default=ExternalTrainingStatus.WAITING
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decline_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-completed_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "level", "provider", "completed_on"], name="one_record_of_external_training"
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.provider}), {self.completed_on:%-d %B %Y}"


class Certificate(models.Model):
    """Proof of attendance. Anyone can check a code on the public verification page."""

    attendance = models.OneToOneField(AttendanceRecord, on_delete=models.PROTECT, related_name="certificate")
    code = models.CharField(max_length=12, unique=True)
    issued_at = models.DateTimeField(default=timezone.now)
    file = models.FileField(upload_to="certificates/%Y/", blank=True)
    # A register corrected after closing: the person is no longer recorded as attending. The code
    # still answers on the public check, saying it was withdrawn; closing again may reinstate it.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)

    def __str__(self):
        return f"Certificate {self.code}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None
