"""Reads for people and agencies, scoped to what the asking user may see."""

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from common.todo import TodoItem

from .models import Agency, AuditEntry, Sector, User, normalise_email
from .roles import Role

# --- Membership of an agency ----------------------------------------------------------------
#
# The one definition of "on an agency's staff": `User.agency`, which is set only for people whose
# membership is confirmed (a sign-up on one of the agency's email domains, its lead or the training
# manager confirming a claim, the training manager moving or importing them, a walk-in added to a
# register). A claim waiting for the lead is `User.claimed_agency` and makes the person nobody's
# staff: not chargeable to the agency, not a substitute for its staff, not in its lead's lists.


def _agency_id(agency) -> int | None:
    return getattr(agency, "pk", agency)


def members_of(agency, people: QuerySet[User] | None = None) -> QuerySet[User]:
    """The agency's confirmed staff (active or not) among `people` (everyone by default):
    `agency` is an Agency or its id."""
    return (User.objects.all() if people is None else people).filter(agency_id=_agency_id(agency))


def is_member_of(person: User | None, agency) -> bool:
    """Whether `person` is confirmed staff of `agency` (an Agency or its id)."""
    agency_id = _agency_id(agency)
    return person is not None and agency_id is not None and person.agency_id == agency_id


def leads_of(agency) -> list[User]:
    """The agency's active leads (a lead always leads the agency they are confirmed staff of)."""
    if _agency_id(agency) is None:
        return []
    return list(members_of(agency).filter(is_active=True, groups__name=str(Role.AGENCY_LEAD)).order_by("pk"))


def training_managers() -> list[User]:
    return list(
        User.objects.filter(Q(groups__name=str(Role.TRAINING_MANAGER)) | Q(is_superuser=True), is_active=True)
        .distinct()
        .order_by("pk")
    )


def claims_visible_to(user: User) -> QuerySet[User]:
    """Agency claims waiting for a decision: every agency's for the training manager, the lead's own
    agency's for a lead. Only confirmed email addresses: an unconfirmed sign-up may be anyone's typing."""
    claims = User.objects.filter(claimed_agency__isnull=False, is_active=True).select_related(
        "claimed_agency", "target_group"
    )
    if user.is_training_manager:
        return claims
    if user.is_agency_lead:
        return claims.filter(claimed_agency_id=user.agency_id)
    return claims.none()


def get_claim_for_user(user: User, pk: int) -> User:
    """The person whose claim the user may decide, or 404 (another agency's claims do not exist for them)."""
    person = claims_visible_to(user).filter(pk=pk).first()
    if person is None:
        raise Http404("No such claim")
    return person


# --- Who may approve a place ------------------------------------------------------------------


def line_manager_problem(*, person: User, email: str, agency: Agency | None) -> str | None:
    """Why `email` cannot be `person`'s line manager in `agency`, or None when it can.

    The rule: someone other than the person, whom the service has reason to trust for that agency:
    an active confirmed member of the agency with an account, or, for someone without an account,
    an address on one of the agency's own email domains. An address with an account elsewhere (another
    agency, or deactivated) does not qualify, whatever its domain.
    """
    email = normalise_email(email)
    if not email:
        return None
    if email == normalise_email(person.email):
        return "Your line manager must be someone else: enter their email address, not your own"
    if agency is None:
        return (
            "You can name a line manager once you are confirmed as staff of a partner agency. "
            "Until then, courses that need approval are approved by the training team"
        )
    return _line_manager_account_problem(email=email, agency=agency, account=_accounts_by_email([email]).get(email))


def _accounts_by_email(emails) -> dict[str, User]:
    """Accounts with these addresses (matched whatever their case), by lower-cased address. One query."""
    emails = {normalise_email(e) for e in emails if e}
    if not emails:
        return {}
    match = Q()
    for email in emails:
        match |= Q(email__iexact=email)
    return {normalise_email(u.email): u for u in User.objects.filter(match)}


def _line_manager_account_problem(*, email: str, agency: Agency, account: User | None) -> str | None:
    """The rest of `line_manager_problem`, given the account with that address (or None)."""
    if account is not None:
        if account.is_active and is_member_of(account, agency):
            return None
    elif agency.owns_address(email):
        return None
    domains = " or ".join(f"@{d}" for d in agency.domains)
    return f"Your line manager must work for {agency.name}: enter the email of a colleague with an account here" + (
        f", or an address ending {domains}" if domains else ""
    )


@dataclass(frozen=True)
class Approvers:
    """Who is asked to approve a person's place: `who` says in words, for emails and pages."""

    who: str
    emails: list[str]


def approvers_for(person: User) -> Approvers:
    """Who approves `person`'s place on a course that needs approval.

    Their line manager, when the address they gave still qualifies (see `line_manager_problem`);
    otherwise their agency's leads; for people with no confirmed agency (or whose only lead is
    themselves), the training managers. Never the person booked.
    """
    return approvers_for_many([person])[person.pk]


def approvers_for_many(people) -> dict[int, Approvers]:
    """`approvers_for` each of `people` (with their agency loaded), by person id, in at most three
    queries whatever their number: the line managers' accounts, the agencies' leads, the training
    managers."""
    people = list(people)
    managers_named = [p.line_manager_email for p in people if p.line_manager_email and p.agency_id]
    accounts = _accounts_by_email(managers_named)
    agency_ids = {p.agency_id for p in people if p.agency_id}
    leads: dict[int, list[User]] = {}
    if agency_ids:
        for lead in User.objects.filter(
            agency_id__in=agency_ids, is_active=True, groups__name=str(Role.AGENCY_LEAD)
        ).order_by("pk"):
            leads.setdefault(lead.agency_id, []).append(lead)
    team = None
    answers = {}
    for person in people:
        email = normalise_email(person.line_manager_email)
        if (
            email
            and email != normalise_email(person.email)
            and person.agency_id
            and not _line_manager_account_problem(email=email, agency=person.agency, account=accounts.get(email))
        ):
            answers[person.pk] = Approvers("the line manager", [email])
            continue
        agency_leads = [lead.email for lead in leads.get(person.agency_id, []) if lead.pk != person.pk]
        if agency_leads:
            answers[person.pk] = Approvers("the agency lead", agency_leads)
            continue
        team = training_managers() if team is None else team
        answers[person.pk] = Approvers("the training team", [m.email for m in team if m.pk != person.pk])
    return answers


def may_approve(person: User, email: str) -> bool:
    """Whether the holder of `email` may approve `person`'s place now (checked when they answer, so
    a line manager who has since left the agency, or a lead who has lost the role, no longer can)."""
    email = normalise_email(email)
    if not email or email == normalise_email(person.email):
        return False
    if email == normalise_email(person.line_manager_email) and not line_manager_problem(
        person=person, email=email, agency=person.agency
    ):
        return True
    if any(lead.email == email for lead in leads_of(person.agency_id) if lead.pk != person.pk):
        return True
    return any(m.email == email for m in training_managers() if m.pk != person.pk)


def people_visible_to(user: User) -> QuerySet[User]:
    """Everyone for the training manager; an agency lead's own agency's confirmed staff; nobody else."""
    people = User.objects.select_related("agency", "claimed_agency", "target_group").prefetch_related(
        Prefetch("groups", queryset=Group.objects.only("id", "name"))
    )
    if user.is_training_manager:
        return people
    if user.is_agency_lead:
        return members_of(user.agency_id, people)
    return people.none()


def get_person_for_user(user: User, pk: int, *, write: bool = False) -> User:
    """One person, or 404 if outside the user's scope; 403 if they may look but not change."""
    person = people_visible_to(user).filter(pk=pk).first()
    if person is None:
        raise Http404("No such person")
    if write and not user.has_perm("accounts.manage_person", person):
        raise PermissionDenied
    return person


def agencies_visible_to(user: User) -> QuerySet[Agency]:
    agencies = Agency.objects.select_related("category").annotate(
        people_count=Count("people", filter=Q(people__is_active=True))
    )
    if user.is_training_manager:
        return agencies
    if user.is_agency_lead:
        return agencies.filter(pk=user.agency_id)
    return agencies.none()


def get_agency_for_user(user: User, pk: int, *, write: bool = False) -> Agency:
    agency = agencies_visible_to(user).filter(pk=pk).first()
    if agency is None:
        raise Http404("No such agency")
    if write and not user.has_perm("accounts.manage_agencies"):
        raise PermissionDenied
    return agency


def history_of(obj, *, limit: int = 50) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).select_related("actor")[
        :limit
    ]


def partnership_overview() -> dict:
    """Aggregates for the home page of managers and Board members: no personal data."""
    by_sector = dict(
        Agency.objects.filter(active=True).values("sector").annotate(n=Count("id")).values_list("sector", "n")
    )
    people = User.objects.aggregate(
        active=Count("id", filter=Q(is_active=True)),
        unverified=Count("id", filter=Q(email_verified_at__isnull=True, deactivated_at__isnull=True)),
        unmapped=Count("id", filter=Q(agency__isnull=True, deactivated_at__isnull=True) & ~Q(unlisted_organisation="")),
    )
    return {
        "agencies_by_sector": [(label, by_sector[value]) for value, label in Sector.choices if value in by_sector],
        "agency_count": sum(by_sector.values()),
        "people_count": people["active"],
        "unverified_count": people["unverified"],
        "unmapped_count": people["unmapped"],
    }


def todo_for(user: User) -> list[TodoItem]:
    """People waiting for the training manager or their agency's lead to confirm they work for the
    agency they named. One query."""
    if not (user.is_training_manager or user.is_agency_lead):
        return []
    return [
        TodoItem(
            count=claims_visible_to(user).count(),
            singular="person waiting to be confirmed as an agency's staff",
            plural="people waiting to be confirmed as an agency's staff",
            url=reverse("manage:agency-claims"),
        )
    ]


def partnership():
    """Who runs the service (accounts.models.Partnership). Read for each page, email and document, so
    an edit shows everywhere at once; until the training manager first saves it, the name is the
    PARTNERSHIP_NAME setting (an unsaved record: reads never write). One query."""
    from django.conf import settings

    from .models import Partnership

    return Partnership.objects.filter(pk=1).first() or Partnership(pk=1, name=settings.PARTNERSHIP_NAME)


def partnership_context() -> dict:
    """What every document (report, paper, invoice, sign-in sheet) prints about who runs the service:
    its name, the name it signs with in the footer, and the record (for the logo). One query."""
    running = partnership()
    return {"partnership_name": running.name, "partnership_signature": running.signature, "partnership": running}


def audit_trail_ends() -> str:
    """The newest and oldest entries of the audit trail: an entry is only ever added (often alone, as
    a download is recorded) or, when the retention period has passed, deleted from the oldest."""
    # Written out: asked on every view, the ORM would take longer to build the statement than the
    # database to answer it from the primary key's index.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id), MIN(id) FROM {AuditEntry._meta.db_table}")
        newest, oldest = cursor.fetchone()
    return f"{newest}-{oldest}"
