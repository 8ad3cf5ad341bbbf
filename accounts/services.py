"""Every change to people, roles and agencies goes through these functions.

Each is atomic, takes keyword arguments, and raises `AccountError` with a
message for the page when a rule is broken.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .audit import log_action
from .errors import AccountError
from .mail import queue_email
from .models import DOMAIN_PATTERN, Agency, TargetGroup, User, normalise_email, parse_domains
from .roles import Role
from .selectors import is_member_of, leads_of, line_manager_problem, training_managers

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
def register_person(*, registration: Registration, site_url: str = "") -> User | None:
    """Create an account that cannot sign in until its email address is verified.

    A person belongs to a listed, active agency or names an unlisted organisation for the
    training manager to map later. Choosing an agency with an address on one of its email
    domains makes them its staff at once; any other address is a claim the agency lead (or the
    training manager) confirms or refuses, and until then they are nobody's staff.

    Whether an address already has an account is never shown to the visitor: the answer is the
    same "check your email" either way. The existing account is left as it is and its owner is
    emailed that someone tried to sign up with their address (None is returned).
    """
    email = normalise_email(registration.email)
    agency = registration.agency
    unlisted = registration.unlisted_organisation.strip()
    if agency is None and not unlisted:
        raise AccountError("Select your organisation, or enter its name if it is not listed", field="agency")
    if agency is not None and not agency.active:
        raise AccountError("Select your organisation from the list", field="agency")
    candidate = User(email=email, full_name=registration.full_name.strip(), job_title=registration.job_title.strip())
    # Every check that can refuse the form runs before the address is looked up, so a refusal
    # never differs between a taken address and a free one.
    try:
        validate_password(registration.password, user=candidate)
    except ValidationError as exc:
        raise AccountError(" ".join(exc.messages), field="password") from exc
    problem = line_manager_problem(person=candidate, email=registration.line_manager_email, agency=agency)
    if problem:
        raise AccountError(problem, field="line_manager_email")
    existing = User.objects.select_for_update().filter(email__iexact=email).first()
    # A walk-in recorded on a register has an account with no password: signing up with the
    # same email claims it, keeping the attendance already recorded.
    claimable = existing is not None and not existing.has_usable_password() and not existing.email_verified_at
    if existing is not None and not claimable:
        candidate.set_password(registration.password)  # the same work as a new account: no timing difference
        _tell_owner_of_sign_up_attempt(person=existing, site_url=site_url)
        return None
    person = existing or candidate
    person.full_name = candidate.full_name
    person.job_title = candidate.job_title
    # A walk-in's agency was given by whoever recorded the register: keeping it is no new claim.
    confirmed = agency is not None and (agency.owns_address(email) or (claimable and existing.agency_id == agency.pk))
    person.agency = agency if confirmed else None
    person.claimed_agency = agency if agency is not None and not confirmed else None
    person.agency_claim_refusal = ""
    person.unlisted_organisation = "" if agency else unlisted
    person.target_group = registration.target_group
    person.line_manager_name = registration.line_manager_name.strip()
    person.line_manager_email = normalise_email(registration.line_manager_email)
    person.is_active = False
    person.set_password(registration.password)
    person.save()
    person.groups.add(role_group(Role.STAFF))
    changes = {"organisation": person.organisation_name}
    if person.claimed_agency_id:
        changes["claim"] = f"waits for {agency.name} to confirm: {email} is not on its email domains"
    log_action(actor=None, action="claimed walk-in account" if claimable else "signed up", obj=person, changes=changes)
    send_verification_email(person=person, site_url=site_url)
    return person


def _tell_owner_of_sign_up_attempt(*, person: User, site_url: str) -> None:
    """Someone signed up with an address that has an account: tell its owner, and only them."""
    base = site_url or settings.SITE_URL
    log_action(actor=None, action="sign-up attempted with this address", obj=person)
    queue_email(
        to=person.email,
        subject="Someone tried to create an account with your email address",
        template="sign_up_attempt",
        context={
            "person": person,
            "deactivated": person.deactivated_at is not None,
            "unconfirmed": person.email_verified_at is None,
            "verify_link": base + reverse("accounts:verify-email", args=[verification_token(person)]),
            "sign_in_link": base + reverse("accounts:sign-in"),
            "reset_link": base + reverse("accounts:password-reset"),
            "days": settings.ACCOUNT_VERIFICATION_DAYS,
        },
    )


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
    if person.claimed_agency_id:
        # Only now: an address nobody has confirmed is not worth a lead's time.
        _ask_to_confirm_claim(person=person)
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
def update_profile(*, person: User, site_url: str = "", **values) -> User:
    """Change a person's own details. Agency and roles are the training manager's to change.

    A new line manager must qualify (see `accounts.selectors.line_manager_problem`: never the
    person themselves, always someone the service can tie to their agency), and the agency's
    leads are told of the change, since that person may now approve places.
    """
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
    if "line_manager_email" in changes:
        problem = line_manager_problem(person=person, email=person.line_manager_email, agency=person.agency)
        if problem:
            raise AccountError(problem, field="line_manager_email")
    if changes:
        person.full_clean(exclude=["password", "email"])
        person.save(update_fields=list(changes))
        log_action(actor=person, action="updated profile", obj=person, changes=changes)
    if {"line_manager_name", "line_manager_email"} & set(changes):
        _tell_leads_about_line_manager(person=person, changes=changes, site_url=site_url)
    return person


def _tell_leads_about_line_manager(*, person: User, changes: dict, site_url: str) -> None:
    leads = [lead.email for lead in leads_of(person.agency_id) if lead.pk != person.pk]
    if not leads:
        return

    def described(name: str, email: str) -> str:
        return " ".join(filter(None, [name, f"<{email}>" if email else ""])) or "nobody"

    before = {f: changes.get(f, [getattr(person, f)])[0] for f in ("line_manager_name", "line_manager_email")}
    queue_email(
        to=leads,
        subject=f"{person} has changed their line manager",
        template="line_manager_changed",
        context={
            "person": person,
            "before": described(before["line_manager_name"], before["line_manager_email"]),
            "after": described(person.line_manager_name, person.line_manager_email),
            "link": (site_url or settings.SITE_URL) + reverse("manage:person", args=[person.pk]),
        },
    )


# --- Agency claims (the agency lead, or the training manager) --------------------------------


def _ask_to_confirm_claim(*, person: User) -> None:
    leads = leads_of(person.claimed_agency_id)
    deciders = leads or training_managers()
    if not deciders:
        return
    queue_email(
        to=[d.email for d in deciders],
        subject=f"Please confirm {person} works for {person.claimed_agency}",
        template="agency_claim",
        context={
            "person": person,
            "agency": person.claimed_agency,
            "to_lead": bool(leads),
            "link": settings.SITE_URL + reverse("manage:agency-claim", args=[person.pk]),
        },
    )


def _may_decide_claim(actor: User, person: User) -> bool:
    return actor.is_training_manager or (actor.is_agency_lead and actor.agency_id == person.claimed_agency_id)


def _lock_claim(*, actor: User, person: User) -> User:
    person = User.objects.select_for_update(of=("self",)).select_related("claimed_agency").get(pk=person.pk)
    if person.claimed_agency_id is None:
        raise AccountError(f"{person}'s claim has already been dealt with.")
    if not _may_decide_claim(actor, person):
        raise AccountError("Only the agency's lead or the training manager can decide this claim.")
    return person


@transaction.atomic
def confirm_agency_claim(*, actor: User, person: User, site_url: str = "") -> User:
    """The agency lead (or the training manager) confirms the person is on the agency's staff:
    from now on they are its staff for every purpose (bookings charged to it, its lists)."""
    person = _lock_claim(actor=actor, person=person)
    agency = person.claimed_agency
    person.agency, person.claimed_agency, person.agency_claim_refusal = agency, None, ""
    person.save(update_fields=["agency", "claimed_agency", "agency_claim_refusal"])
    log_action(actor=actor, action="confirmed agency claim", obj=person, changes={"agency": ["", agency.name]})
    queue_email(
        to=person.email,
        subject=f"{agency} has confirmed you are on its staff",
        template="agency_claim_decided",
        context={"person": person, "agency": agency, "confirmed": True, "link": _profile_link(site_url)},
    )
    return person


@transaction.atomic
def refuse_agency_claim(*, actor: User, person: User, reason: str, site_url: str = "") -> User:
    """The agency lead (or the training manager) says the person is not on the agency's staff.
    The person sees why on their details page; they stay without an agency until the training
    manager links them to one."""
    reason = (reason or "").strip()
    if not reason:
        raise AccountError("Enter why you are refusing, so the person knows what to do", field="reason")
    person = _lock_claim(actor=actor, person=person)
    agency = person.claimed_agency
    person.claimed_agency = None
    person.agency_claim_refusal = f"{agency.name} did not confirm that you are on its staff: {reason}"[:600]
    person.save(update_fields=["claimed_agency", "agency_claim_refusal"])
    log_action(
        actor=actor, action="refused agency claim", obj=person, changes={"agency": agency.name, "reason": reason}
    )
    queue_email(
        to=person.email,
        subject=f"{agency} has not confirmed you are on its staff",
        template="agency_claim_decided",
        context={
            "person": person,
            "agency": agency,
            "confirmed": False,
            "reason": reason,
            "link": _profile_link(site_url),
        },
    )
    return person


def _profile_link(site_url: str) -> str:
    return (site_url or settings.SITE_URL) + reverse("accounts:profile")


# --- The first training manager ------------------------------------------------------------


@transaction.atomic
def create_training_manager(*, email: str, full_name: str, password: str | None = None) -> User:
    """The first training manager of a new site, created by the deployer (`create_training_manager`).

    They hold the training manager role, so the emails for the training team reach them; their email
    address counts as confirmed (the deployer vouches for it). Without a password they are emailed a
    link to choose one. Two-step sign-in is set up at their first sign-in where the site requires it.
    """
    email = normalise_email(email)
    full_name = " ".join((full_name or "").split())
    try:
        EmailValidator()(email)
    except ValidationError as exc:
        raise AccountError("Enter an email address in the correct format, like name@example.org") from exc
    if not full_name:
        raise AccountError("Enter the training manager's full name")
    if User.objects.filter(email__iexact=email).exists():
        raise AccountError(
            f"{email} already has an account. Sign in as a training manager and give them the role on their page."
        )
    person = User(email=email, full_name=full_name, email_verified_at=timezone.now())
    if password is None:
        person.set_unusable_password()
    else:
        try:
            validate_password(password, person)
        except ValidationError as exc:
            raise AccountError(" ".join(exc.messages)) from exc
        person.set_password(password)
    person.save()
    for role in (Role.STAFF, Role.TRAINING_MANAGER):
        person.groups.add(role_group(role))
    person.forget_roles()
    log_action(actor=None, action="created the first training manager", obj=person)
    if password is None:
        link = settings.SITE_URL + reverse(
            "accounts:password_reset_confirm",
            args=[urlsafe_base64_encode(force_bytes(person.pk)), default_token_generator.make_token(person)],
        )
        queue_email(
            to=person.email,
            subject=f"Your {settings.SERVICE_NAME} account: choose a password",
            template="first_training_manager",
            context={
                "person": person,
                "link": link,
                "sign_in": settings.SITE_URL + reverse("accounts:sign-in"),
                "two_step_required": person.must_use_two_step,
            },
        )
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
    if is_member_of(person, agency) and not person.unlisted_organisation:
        raise AccountError(f"{person} is already in {agency}.", field="agency")
    before = person.organisation_name
    # The training manager's move is a confirmed membership: any claim waiting is settled by it.
    person.agency = agency
    person.claimed_agency = None
    person.agency_claim_refusal = ""
    person.unlisted_organisation = ""
    person.save(update_fields=["agency", "claimed_agency", "agency_claim_refusal", "unlisted_organisation"])
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

AGENCY_FIELDS = ("name", "sector", "category", "contributing", "active", "email_domains")


def clean_domains(value: str) -> str:
    """The agency's email domains as stored (lower case, separated by spaces), or AccountError."""
    domains = parse_domains(value)
    bad = [d for d in domains if not DOMAIN_PATTERN.match(d)]
    if bad:
        raise AccountError(
            f"'{bad[0]}' is not an email domain: enter the part after the @, like northshire-police.example.org",
            field="email_domains",
        )
    joined = " ".join(domains)
    if len(joined) > Agency._meta.get_field("email_domains").max_length:
        raise AccountError("Enter fewer email domains", field="email_domains")
    return joined


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
    if "email_domains" in values:
        values = {**values, "email_domains": clean_domains(values["email_domains"])}
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


# --- Two-step sign-in ---------------------------------------------------------------------


def _spend_code(person: User, code: str, *, secret: str | None = None) -> User | None:
    """Check a code from the person's authenticator app and spend it, so a code that worked once
    is refused after. Returns the locked, reloaded person, or None when the code is wrong or spent.
    Call inside a transaction."""
    from . import totp

    person = User.objects.select_for_update().get(pk=person.pk)
    step = totp.matching_step(secret or person.totp_secret, code, after=person.totp_last_step)
    if step is None:
        return None
    person.totp_last_step = step
    person.save(update_fields=["totp_last_step"])
    return person


def _clear_two_step(person: User) -> None:
    person.totp_secret, person.totp_enabled_at, person.totp_last_step = "", None, None
    person.save(update_fields=["totp_secret", "totp_enabled_at", "totp_last_step"])


@transaction.atomic
def check_sign_in_code(*, person: User, code: str) -> User:
    """The second step of signing in: the code the person's app shows now, once only."""
    if _spend_code(person, code) is None:
        raise AccountError(
            "That code is not right, or has been used. Wait for the app to show a new one and try again", field="code"
        )
    return person


@transaction.atomic
def turn_on_two_step(*, person: User, secret: str, code: str) -> User:
    """Turn two-step sign-in on with the key the person added to their app, proved by a code from it."""
    if not person.may_use_two_step:
        raise AccountError("Two-step sign-in is for the training manager and Board members.")
    locked = _spend_code(person, code, secret=secret)
    if locked is None:
        raise AccountError(
            "That code is not right. Check the key you typed, and enter the code your app shows now", field="code"
        )
    locked.totp_secret, locked.totp_enabled_at = secret, timezone.now()
    locked.save(update_fields=["totp_secret", "totp_enabled_at"])
    log_action(actor=locked, action="turned on two-step sign-in", obj=locked)
    return locked


@transaction.atomic
def turn_off_two_step(*, person: User, code: str) -> User:
    """The person turns two-step sign-in off, proving it is them with a code from their app; not where
    the site makes it compulsory for their role (TWO_STEP_REQUIRED)."""
    if person.must_use_two_step:
        raise AccountError("Two-step sign-in is required for your role, so it cannot be turned off.")
    locked = _spend_code(person, code)
    if locked is None:
        raise AccountError("That code is not right. Enter the code your app shows now", field="code")
    _clear_two_step(locked)
    log_action(actor=locked, action="turned off two-step sign-in", obj=locked)
    return locked


@transaction.atomic
def reset_two_step(*, actor: User, person: User) -> bool:
    """The training manager turns two-step sign-in off for someone who lost their phone.
    Returns whether it was on."""
    if not actor.is_training_manager:
        raise AccountError("Only the training manager can turn off someone else's two-step sign-in.")
    person = User.objects.select_for_update().get(pk=person.pk)
    if not person.uses_two_step:
        return False
    _clear_two_step(person)
    log_action(actor=actor, action="turned off two-step sign-in", obj=person)
    return True


# --- The partnership ------------------------------------------------------------------------


LOGO_MAX_BYTES = 1_000_000
LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg"}


@transaction.atomic
def update_partnership(*, actor: User | None, name: str, short_name: str = "", logo=None, remove_logo: bool = False):
    """Change who the service says runs it: the name, the name in the footer and emails, and the
    logo (a PNG or JPEG under 1 MB; a new one replaces the old). `actor` is the training manager, or
    None for `setup_partnership`, run by whoever installs the service."""
    from .models import Partnership
    from .selectors import partnership

    if actor is not None and not actor.is_training_manager:
        raise AccountError("Only the training manager can change the partnership's details.")
    name, short_name = " ".join((name or "").split()), " ".join((short_name or "").split())
    if not name:
        raise AccountError("Enter the partnership's name", field="name")
    current = partnership()
    record = Partnership.objects.select_for_update().filter(pk=1).first() or Partnership(pk=1)
    changes = {}
    for field, value in (("name", name), ("short_name", short_name)):
        if getattr(current, field) != value:
            changes[field] = [getattr(current, field), value]
        setattr(record, field, value)
    old_logo = record.logo.name if record.logo else ""
    if logo is not None:
        image_format = _logo_format(logo)
        record.logo.save(f"logo.{LOGO_FORMATS[image_format]}", logo, save=False)
        changes["logo"] = [old_logo, record.logo.name]
    elif remove_logo and old_logo:
        record.logo = ""
        changes["logo"] = [old_logo, ""]
    record.updated_at = timezone.now()
    record.full_clean()
    record.save()
    if old_logo and "logo" in changes:
        stale = old_logo
        transaction.on_commit(lambda: record.logo.storage.delete(stale))
    log_action(actor=actor, action="changed the partnership's details", obj=record, changes=changes)
    return record


def _logo_format(logo) -> str:
    from PIL import Image, UnidentifiedImageError

    if logo.size > LOGO_MAX_BYTES:
        raise AccountError("The logo must be smaller than 1 MB", field="logo")
    try:
        logo.seek(0)
        with Image.open(logo) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        image_format = None
    logo.seek(0)
    if image_format not in LOGO_FORMATS:
        raise AccountError("The logo must be a PNG or JPEG image", field="logo")
    return image_format
