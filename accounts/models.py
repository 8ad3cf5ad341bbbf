import re
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from .roles import Role


class Sector(models.TextChoices):
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    PROBATION = "probation", "Probation and youth justice"
    VOLUNTARY = "voluntary", "Voluntary and community"
    FAITH = "faith", "Faith group"
    SPORT = "sport", "Sport and leisure"
    INDEPENDENT = "independent", "Independent or private provider"
    OTHER = "other", "Other"


class OrganisationCategory(models.Model):
    """A charging band: what an agency's staff pay depends on its category.

    Data, not code: each Board names its own bands (schools, GPs, private
    providers, out of area...).
    """

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in lists.")

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "organisation categories"

    def __str__(self):
        return self.name


class Agency(models.Model):
    """A partner organisation whose staff train together."""

    name = models.CharField(max_length=200)
    sector = models.CharField(max_length=30, choices=Sector.choices)
    category = models.ForeignKey(
        OrganisationCategory,
        on_delete=models.PROTECT,
        related_name="agencies",
        verbose_name="organisation category",
        help_text="The charging band its staff fall in.",
    )
    contributing = models.BooleanField(
        "contributing partner",
        default=False,
        help_text="Contributes money or trainer time to the partnership; its staff usually train free.",
    )
    active = models.BooleanField(default=True)
    # The agency's own email domains ("northshire-police.example.org"), separated by spaces. A sign-up
    # on one of them is on the agency's staff at once; anyone else waits for the agency lead to confirm.
    email_domains = models.CharField(
        max_length=500,
        blank=True,
        help_text="The part after the @ in its staff's work email addresses. Separate several with spaces.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.UniqueConstraint(Lower("name"), name="agency_name_unique_ci"),
        ]

    def __str__(self):
        return self.name

    @property
    def domains(self) -> list[str]:
        return self.email_domains.split()

    def owns_address(self, email: str) -> bool:
        """Whether `email` is on one of the agency's own domains (exactly: a subdomain is another domain)."""
        _, _, domain = normalise_email(email).rpartition("@")
        return bool(domain) and domain in self.domains


def parse_domains(value: str) -> list[str]:
    """Email domains as people type them: separated by spaces, commas or semicolons, any case,
    perhaps with an @ in front. Lower-cased, de-duplicated, in the order given."""
    domains = []
    for part in re.split(r"[\s,;]+", value or ""):
        domain = part.strip().lstrip("@").lower().rstrip(".")
        if domain and domain not in domains:
            domains.append(domain)
    return domains


DOMAIN_PATTERN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class TargetGroup(models.Model):
    """A staff group of the training pathway (Working Together describes eight).

    It lives beside the people, not the courses, because every person belongs to
    one: the pathway in `courses` says what each group needs.
    """

    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(help_text="A plain explanation shown to people choosing their group.")

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"Group {self.number}: {self.name}"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=normalise_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("email_verified_at", timezone.now())
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=normalise_email(email))


def normalise_email(email: str) -> str:
    """Email addresses are matched case-insensitively: store them lower-cased."""
    return (email or "").strip().lower()


def organisation_name(agency: str | None, claimed_agency: str | None, unlisted_organisation: str) -> str:
    """A person's organisation as the service names it, from the names of their agency and of the agency
    they say they work for (None when they have none)."""
    if agency is not None:
        return agency
    if claimed_agency is not None:
        return f"{claimed_agency} (not confirmed yet)"
    return unlisted_organisation


class User(AbstractBaseUser, PermissionsMixin):
    """A person: staff member, volunteer, trainer, agency lead, manager or Board member."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    # The agency the person is confirmed staff of: only this makes them its staff (bookable as a
    # substitute, charged to it, in its lead's lists). A claim that is not yet confirmed is `claimed_agency`.
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="people")
    # An agency the person said at sign-up they work for, with an email address not on its domains:
    # it waits for the agency lead (or the training manager) to confirm or refuse it.
    claimed_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="claims", verbose_name="agency claimed"
    )
    # Why the last claim was refused, shown to the person on their details page.
    agency_claim_refusal = models.CharField(max_length=600, blank=True)
    # Filled when the person's organisation was not in the list at sign-up; the
    # training manager maps them to an agency later and this is cleared.
    unlisted_organisation = models.CharField(max_length=200, blank=True)
    target_group = models.ForeignKey(
        TargetGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    line_manager_name = models.CharField("line manager's name", max_length=150, blank=True)
    line_manager_email = models.EmailField("line manager's email", blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "can use the admin site", default=False, help_text="Django admin access, for support staff only."
    )
    email_verified_at = models.DateTimeField(null=True, blank=True)
    date_joined = models.DateTimeField(default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    # Contact details removed (erasure request or retention rule); the name stays on attendance evidence.
    anonymised_at = models.DateTimeField(null=True, blank=True)
    # Two-step sign-in (optional, for training managers and Board members): the authenticator
    # app's shared secret, when it was turned on, and the last code's time step (a code works once).
    totp_secret = models.CharField(max_length=64, blank=True)
    totp_enabled_at = models.DateTimeField(null=True, blank=True)
    totp_last_step = models.BigIntegerField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]
        # Lists of people are read in name order, a page at a time: without it, every page of
        # the people list sorted all 25,000 people to show 50.
        indexes = [models.Index(fields=["full_name", "email"], name="user_name_order")]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def organisation_name(self) -> str:
        return organisation_name(
            self.agency.name if self.agency_id else None,
            self.claimed_agency.name if self.claimed_agency_id else None,
            self.unlisted_organisation,
        )

    @cached_property
    def role_names(self) -> frozenset[str]:
        """Names of the roles this person holds: one query, then cached for the request."""
        if not self.pk:
            return frozenset()
        return frozenset(self.groups.values_list("name", flat=True))

    def forget_roles(self) -> None:
        """After giving or taking a role: the next check reads the roles again."""
        try:
            del self.role_names  # how functools.cached_property is cleared
        except AttributeError:  # not read yet
            pass

    def has_role(self, role: Role) -> bool:
        return self.is_active and str(role) in self.role_names

    @property
    def is_training_manager(self) -> bool:
        return self.has_role(Role.TRAINING_MANAGER) or (self.is_active and self.is_superuser)

    @property
    def is_agency_lead(self) -> bool:
        return self.has_role(Role.AGENCY_LEAD) and self.agency_id is not None

    @property
    def is_trainer(self) -> bool:
        return self.has_role(Role.TRAINER)

    @property
    def is_board_member(self) -> bool:
        return self.has_role(Role.BOARD_MEMBER)

    @property
    def may_use_two_step(self) -> bool:
        """Offered to those who see the most: the training manager, Board members and admin users."""
        return self.is_training_manager or self.is_board_member or (self.is_active and self.is_staff)

    @property
    def must_use_two_step(self) -> bool:
        """Compulsory for those it is offered to when the site says so (TWO_STEP_REQUIRED)."""
        return settings.TWO_STEP_REQUIRED and self.may_use_two_step

    @property
    def uses_two_step(self) -> bool:
        return self.totp_enabled_at is not None


class AuditEntry(models.Model):
    """Who changed what, and when: written by services, never by views."""

    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries_made")
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    object_repr = models.CharField(max_length=200)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.action} {self.object_repr}"

    def change_lines(self) -> list[str]:
        """The recorded changes as short sentences for the history tables."""
        lines = []
        for key, value in self.changes.items():
            label = key.replace("_", " ").capitalize()
            if key in ("added", "removed"):
                if value:
                    lines.append(f"{label}: {', '.join(value)}")
            elif isinstance(value, list) and len(value) == 2:
                lines.append(f"{label}: {value[0] or 'none'} → {value[1] or 'none'}")
            else:
                lines.append(f"{label}: {value}")
        return lines


class OutgoingEmail(models.Model):
    """The outbox: written in the same transaction as the change that causes it.

    The worker sends it; a beat task sends anything the broker never delivered,
    so no email is lost when Redis is down.
    """

    to = models.JSONField(help_text="List of recipient addresses.")
    subject = models.CharField(max_length=250)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # Text attachments such as calendar (.ics) files: [{"filename", "content", "mimetype"}].
    attachments = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.subject} to {', '.join(self.to)}"


class RetentionSetting(models.Model):
    """How long one kind of data is kept, set by the training manager (see accounts/retention.py)."""

    key = models.SlugField(max_length=60, unique=True)
    period = models.PositiveSmallIntegerField()
    updated_by = models.ForeignKey("User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.key}: {self.period}"


class Partnership(models.Model):
    """Who runs the service: the partnership's name on every page, certificate and report, the shorter
    name its footer and emails sign with, and its logo on the reports' and certificates' covers. One
    row, edited by the training manager (accounts.services.update_partnership) and read through
    accounts.selectors.partnership; before it is first saved, the name is the PARTNERSHIP_NAME setting."""

    name = models.CharField(
        "Partnership name",
        max_length=150,
        help_text="As it is printed on reports and certificates, like Northshire Safeguarding Children Partnership.",
    )
    short_name = models.CharField(
        "Name in the footer and emails",
        max_length=150,
        blank=True,
        help_text="The name emails are signed with and the footer shows, like Northshire SCP. Leave it empty "
        "to use the partnership name.",
    )
    logo = models.ImageField("Logo", upload_to="partnership/", blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="one_partnership")]

    def __str__(self):
        return self.name

    @property
    def signature(self) -> str:
        """The name the footer and emails use."""
        return self.short_name or self.name

    @property
    def logo_document_url(self) -> str:
        """The logo's address inside a PDF (common/pdf.py reads it from the media storage)."""
        return f"{settings.MEDIA_URL}{self.logo.name}" if self.logo else ""
