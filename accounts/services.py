"""Every change to people, roles and agencies goes through these functions.

Each is atomic, takes keyword arguments, and raises `AccountError` with a
message for the page when a rule is broken.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .audit import log_action
from .errors import AccountError
from .mail import queue_email
from .models import Agency, TargetGroup, User, normalise_email
from .roles import Role

VERIFY_SALT = "accounts.verify-email"


# --- Sign-up and verification -------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    email: str
    password: str
    full_name: str
    job_title: str
    target_group: TargetGroup
    agency: Agency | None = None
    unlisted_organisation: str = ""
    line_manager_name: str = ""
    line_manager_email: str = ""


@transaction.atomic
def register_person(*, registration: Registration, site_url: str = "") -> User:
    """Create an account that cannot sign in until its email address is verified.

    A person belongs to a listed, active agency or names an unlisted
    organisation for the training manager to map later.
    """
    email = normalise_email(registration.email)
    existing = User.objects.filter(email__iexact=email).first()
    # A walk-in recorded on a register has an account with no password: signing
    # up with the same email claims it, keeping the attendance already recorded.
    claimable = existing is not None and not existing.has_usable_password() and not existing.email_verified_at
    if existing is not None and not claimable:
        raise AccountError(
            "An account with this email address already exists. Sign in, or reset your password.",
            field="email",
        )
    agency = registration.agency
    unlisted = registration.unlisted_organisation.strip()
    if agency is None and not unlisted:
        raise AccountError("Select your organisation, or enter its name if it is not listed", field="agency")
    if agency is not None and not agency.active:
        raise AccountError("Select your organisation from the list", field="agency")
    person = existing or User(email=email)
    person.full_name = registration.full_name.strip()
    person.job_title = registration.job_title.strip()
    person.agency = agency
    person.unlisted_organisation = "" if agency else unlisted
    person.target_group = registration.target_group
    person.line_manager_name = registration.line_manager_name.strip()
    person.line_manager_email = normalise_email(registration.line_manager_email)
    person.is_active = False
    try:
        validate_password(registration.password, user=person)
    except ValidationError as exc:
        raise AccountError(" ".join(exc.messages), field="password") from exc
    person.set_password(registration.password)
    person.save()
    person.groups.add(role_group(Role.STAFF))
    log_action(
        actor=None,
        action="claimed walk-in account" if claimable else "signed up",
        obj=person,
        changes={"organisation": person.organisation_name},
    )
    send_verification_email(person=person, site_url=site_url)
    return person


def verification_token(person: User) -> str:
    return signing.dumps({"id": person.pk, "email": person.email}, salt=VERIFY_SALT, compress=True)


def send_verification_email(*, person: User, site_url: str = "") -> None:
    link = (site_url or settings.SITE_URL) + reverse("accounts:verify-email", args=[verification_token(person)])
    queue_email(
        to=person.email,
        subject="Confirm your email address",
        template="verify_email",
        context={"person": person, "link": link, "days": settings.ACCOUNT_VERIFICATION_DAYS},
    )


@transaction.atomic
def verify_email(*, token: str) -> User:
    """Activate the account a verification link was sent for.

    Refuses a link that was altered, has expired, or is for an address the
    account no longer has. A second click on a good link is harmless.
    """
    max_age = settings.ACCOUNT_VERIFICATION_DAYS * 24 * 60 * 60
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise AccountError(
            "This link has expired. Enter your email address to get a new one.", field="expired"
        ) from exc
    except signing.BadSignature as exc:
        raise AccountError("This link is not valid. Check you copied the whole link from the email.") from exc
    person = User.objects.select_for_update().filter(pk=data.get("id"), email=data.get("email")).first()
    if person is None:
        raise AccountError("This link is not valid. Check you copied the whole link from the email.")
    if person.email_verified_at:
        return person
    if person.deactivated_at:
        raise AccountError("This account has been deactivated. Contact the training team.")
    person.email_verified_at = timezone.now()
    person.is_active = True
    person.save(update_fields=["email_verified_at", "is_active"])
    log_action(actor=person, action="verified email", obj=person)
    return person


def resend_verification(*, email: str, site_url: str = "") -> None:
    """Send a new link to an unverified account. Says nothing about whether the
    address has an account, so the form cannot be used to find out."""
    person = User.objects.filter(
        email__iexact=normalise_email(email), email_verified_at__isnull=True, deactivated_at__isnull=True
    ).first()
    if person is not None:
        with transaction.atomic():
            send_verification_email(person=person, site_url=site_url)


# --- Profile ------------------------------------------------------------------------------

PROFILE_FIELDS = ("full_name", "job_title", "target_group", "line_manager_name", "line_manager_email")


@transaction.atomic
def update_profile(*, person: User, **values) -> User:
    """Change a person's own details. Agency and roles are the training manager's to change."""
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not profile fields: {', '.join(sorted(unknown))}")
    changes = {}
    for field, value in values.items():
        if field == "line_manager_email":
            value = normalise_email(value)
        old = getattr(person, field)
        if old != value:
            changes[field] = [str(old or ""), str(value or "")]
            setattr(person, field, value)
    if changes:
        person.full_clean(exclude=["password", "email"])
        person.save(update_fields=list(changes))
        log_action(actor=person, action="updated profile", obj=person, changes=changes)
    return person


# --- Roles, agency moves and deactivation (training manager) ------------------------------


def role_group(role: Role) -> Group:
    group, _ = Group.objects.get_or_create(name=str(role))
    return group


def _require_manager(actor: User) -> None:
    if not actor.is_training_manager:
        raise AccountError("Only the training manager can change people's roles and agencies.")


@transaction.atomic
def set_roles(*, actor: User, person: User, roles: list[Role]) -> User:
    """Give and take roles so the person holds exactly `roles` (staff is always kept).

    An agency lead must belong to an agency; the training manager cannot take
    their own training-manager role away (someone must be left to run things).
    """
    _require_manager(actor)
    wanted = {Role(r) for r in roles} | {Role.STAFF}
    if Role.AGENCY_LEAD in wanted and person.agency_id is None:
        raise AccountError("Move this person to an agency before making them its agency lead.", field="roles")
    if person.pk == actor.pk and Role.TRAINING_MANAGER not in wanted and actor.has_role(Role.TRAINING_MANAGER):
        raise AccountError("You cannot remove your own training manager role.", field="roles")
    current = {Role(name) for name in person.groups.values_list("name", flat=True) if name in Role.values}
    added, removed = wanted - current, current - wanted
    for role in added:
        person.groups.add(role_group(role))
    for role in removed:
        person.groups.remove(role_group(role))
    person.forget_roles()
    if added or removed:
        log_action(
            actor=actor,
            action="changed roles",
            obj=person,
            changes={"added": sorted(added), "removed": sorted(removed)},
        )
    return person


@transaction.atomic
def move_person_to_agency(*, actor: User, person: User, agency: Agency) -> User:
    """Put a person in another agency (or map an unlisted organisation to one).

    A lead's role belongs to the agency they led, so moving them takes it away.
    """
    _require_manager(actor)
    if not agency.active:
        raise AccountError("Choose an active agency.", field="agency")
    if person.agency_id == agency.pk and not person.unlisted_organisation:
        raise AccountError(f"{person} is already in {agency}.", field="agency")
    before = person.organisation_name
    person.agency = agency
    person.unlisted_organisation = ""
    person.save(update_fields=["agency", "unlisted_organisation"])
    changes = {"agency": [before, agency.name]}
    if person.groups.filter(name=str(Role.AGENCY_LEAD)).exists():
        person.groups.remove(role_group(Role.AGENCY_LEAD))
        person.forget_roles()
        changes["removed"] = [str(Role.AGENCY_LEAD)]
    log_action(actor=actor, action="moved agency", obj=person, changes=changes)
    return person


@transaction.atomic
def deactivate_person(*, actor: User, person: User, reason: str) -> User:
    """Stop a person signing in. Their training record is kept."""
    _require_manager(actor)
    if person.pk == actor.pk:
        raise AccountError("You cannot deactivate your own account.")
    if not reason.strip():
        raise AccountError("Enter why you are deactivating this account", field="reason")
    if person.deactivated_at:
        raise AccountError(f"{person} is already deactivated.")
    person.is_active = False
    person.deactivated_at = timezone.now()
    person.save(update_fields=["is_active", "deactivated_at"])
    log_action(actor=actor, action="deactivated", obj=person, changes={"reason": reason.strip()})
    return person


@transaction.atomic
def reactivate_person(*, actor: User, person: User) -> User:
    _require_manager(actor)
    if not person.deactivated_at:
        raise AccountError(f"{person} is not deactivated.")
    person.is_active = person.email_verified_at is not None
    person.deactivated_at = None
    person.save(update_fields=["is_active", "deactivated_at"])
    log_action(actor=actor, action="reactivated", obj=person)
    return person


# --- Agencies ------------------------------------------------------------------------------

AGENCY_FIELDS = ("name", "sector", "category", "contributing", "active")


@transaction.atomic
def save_agency(*, actor: User, agency: Agency | None = None, **values) -> Agency:
    """Create an agency, or change one. Names are unique whatever their case."""
    _require_manager(actor)
    name = values.get("name", agency.name if agency else "").strip()
    clash = Agency.objects.filter(name__iexact=name)
    if agency is not None:
        clash = clash.exclude(pk=agency.pk)
    if clash.exists():
        raise AccountError("An agency with this name already exists", field="name")
    creating = agency is None
    agency = agency or Agency()
    changes = {}
    for field in AGENCY_FIELDS:
        if field in values:
            value = name if field == "name" else values[field]
            old = getattr(agency, field, None) if not creating else None
            if creating or old != value:
                changes[field] = [str(old) if old is not None else "", str(value)]
            setattr(agency, field, value)
    agency.full_clean()
    agency.save()
    log_action(actor=actor, action="created agency" if creating else "changed agency", obj=agency, changes=changes)
    return agency
