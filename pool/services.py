"""Every change to the trainer pool: applying, endorsing, reviewing, training, lapsing,
leaving, commitments and assignments. Each is atomic, audited, and raises `PoolError`
with a message fit for the page."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import log_action
from accounts.mail import queue_email
from accounts.models import User
from accounts.roles import Role
from accounts.selectors import training_managers
from accounts.services import role_group
from common.errors import DomainError, LinkExpired
from courses.models import Session, SessionDate, SessionStatus
from courses.selectors.training_record import _add_months

from .models import (
    CLOSED,
    Assignment,
    AssignmentStatus,
    Membership,
    MembershipCriterion,
    MembershipStatus,
    PoolPolicy,
    StatusChange,
    TrainerCommitment,
)
from .selectors import (
    MANUAL_STATUS_CHANGES,
    agency_leads,
    awaits_review,
    delivered_to_date,
    is_endorser,
    status_changes_open_to,
)

ASSIGNMENT_SALT = "pool.assignment"


class PoolError(DomainError):
    pass


class NeedsConfirmation(PoolError):
    """The assignment has warnings the training manager has not yet seen and accepted."""

    def __init__(self, warnings: list[str]):
        super().__init__("Check the warnings before assigning this trainer.")
        self.warnings = warnings


def _link(name, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _managers() -> list[User]:
    return training_managers()


def _set_status(membership: Membership, status: str, *, actor, reason: str = "") -> Membership:
    """Move a membership to `status`, keep the history, and give or take the trainer role."""
    previous = membership.status
    membership.status = status
    membership.status_changed_at = timezone.now()
    membership.save()
    StatusChange.objects.create(
        membership=membership, status=status, changed_by=actor if actor and actor.pk else None, reason=reason
    )
    person = membership.person
    if status == MembershipStatus.ACTIVE:
        person.groups.add(role_group(Role.TRAINER))
    elif status in (MembershipStatus.LEFT, MembershipStatus.DECLINED, MembershipStatus.NOT_ENDORSED):
        person.groups.remove(role_group(Role.TRAINER))
    person.forget_roles()
    log_action(
        actor=actor,
        action="changed pool status",
        obj=membership,
        changes={"status": [MembershipStatus(previous).label, MembershipStatus(status).label], "reason": reason},
    )
    return membership


# --- Joining ----------------------------------------------------------------------------------


@transaction.atomic
def apply(*, person: User, experience: str, specialisms: str, facilitation_experience: str, courses) -> Membership:
    """A member of staff applies to join the pool; their agency lead is asked to endorse it."""
    if not person.is_active:
        raise PoolError("This account is not active.")
    membership = Membership.objects.select_for_update().filter(person=person).first()
    if membership is not None and not membership.can_reapply:
        raise PoolError(f"You already have a pool membership ({membership.get_status_display().lower()}).")
    values = {
        "experience": experience.strip(),
        "specialisms": specialisms.strip(),
        "facilitation_experience": facilitation_experience.strip(),
    }
    for label, value in (
        ("experience", values["experience"]),
        ("specialisms", values["specialisms"]),
        ("facilitation_experience", values["facilitation_experience"]),
    ):
        if not value:
            raise PoolError("Answer every question about your experience.", field=label)
    if not courses:
        raise PoolError("Choose at least one course you could help deliver.", field="courses")
    if membership is None:
        membership = Membership(person=person, **values)
    else:
        for name, value in values.items():
            setattr(membership, name, value)
        membership.endorsed_by = membership.reviewed_by = None
        membership.endorsed_at = membership.reviewed_at = None
        membership.endorsement_note = membership.review_reason = ""
        membership.criteria_met.clear()
    membership.applied_at = timezone.now()
    membership.save()
    membership.courses.set(courses)
    _set_status(membership, MembershipStatus.APPLIED, actor=person)
    leads = agency_leads(person.agency_id)
    if leads:
        queue_email(
            to=[lead.email for lead in leads],
            subject=f"Trainer pool application from {person.full_name}",
            template="pool_endorse_request",
            context={"applicant": person, "link": _link("pool:endorse", membership.pk)},
        )
    else:
        managers = _managers()
        if managers:
            queue_email(
                to=[m.email for m in managers],
                subject=f"Trainer pool application from {person.full_name}",
                template="pool_review_request",
                context={"applicant": person, "link": _link("pool:review", membership.pk), "no_lead": True},
            )
    return membership


@transaction.atomic
def endorse(*, actor: User, membership: Membership, endorsed: bool, note: str) -> Membership:
    """The applicant's agency lead supports the application, or does not (with a reason)."""
    membership = Membership.objects.select_for_update().select_related("person").get(pk=membership.pk)
    person = membership.person
    if not is_endorser(actor, membership):
        raise PoolError("Only the lead of the applicant's agency can endorse this application.")
    if membership.status != MembershipStatus.APPLIED:
        raise PoolError(
            f"This application is no longer waiting for endorsement ({membership.get_status_display().lower()})."
        )
    note = note.strip()
    if not endorsed and not note:
        raise PoolError(
            "Say why you do not endorse this application: the applicant will see your reason.", field="note"
        )
    membership.endorsed_by, membership.endorsed_at, membership.endorsement_note = actor, timezone.now(), note
    membership.save()
    if endorsed:
        _set_status(membership, MembershipStatus.ENDORSED, actor=actor, reason=note)
        managers = _managers()
        if managers:
            queue_email(
                to=[m.email for m in managers],
                subject=f"Trainer pool application to review: {person.full_name}",
                template="pool_review_request",
                context={"applicant": person, "link": _link("pool:review", membership.pk), "no_lead": False},
            )
    else:
        _set_status(membership, MembershipStatus.NOT_ENDORSED, actor=actor, reason=note)
        queue_email(
            to=person.email,
            subject="Your trainer pool application",
            template="pool_not_endorsed",
            context={"person": person, "reason": note, "lead": actor},
        )
    return membership


def training_is_current(membership: Membership, policy: PoolPolicy, today: date) -> bool:
    if membership.trained_on is None:
        return False
    if policy.training_valid_months is None:
        return True
    return _add_months(membership.trained_on, policy.training_valid_months) >= today


@transaction.atomic
def review(*, actor: User, membership: Membership, accepted: bool, criteria, reason: str) -> Membership:
    """The training manager checks the application against the criteria and decides.

    Someone accepted who already holds current training for trainers (a former
    member coming back) is active at once; everyone else must complete it first.
    """
    if not actor.is_training_manager:
        raise PoolError("Only the training manager can accept or decline applications.")
    membership = Membership.objects.select_for_update().select_related("person").get(pk=membership.pk)
    if not awaits_review(membership):
        raise PoolError(f"This application is not waiting for a decision ({membership.get_status_display().lower()}).")
    reason = reason.strip()
    if not accepted and not reason:
        raise PoolError("Give a reason for declining: the applicant will see it.", field="reason")
    membership.reviewed_by, membership.reviewed_at, membership.review_reason = actor, timezone.now(), reason
    membership.save()
    membership.criteria_met.set(criteria)
    person = membership.person
    if not accepted:
        _set_status(membership, MembershipStatus.DECLINED, actor=actor, reason=reason)
        queue_email(
            to=person.email,
            subject="Your trainer pool application",
            template="pool_declined",
            context={"person": person, "reason": reason},
        )
        return membership
    _set_status(membership, MembershipStatus.ACCEPTED, actor=actor, reason=reason)
    if training_is_current(membership, PoolPolicy.current(), timezone.localdate()):
        _set_status(
            membership,
            MembershipStatus.ACTIVE,
            actor=actor,
            reason=f"Training for trainers already completed on {membership.trained_on:%-d %B %Y}.",
        )
    queue_email(
        to=person.email,
        subject="Welcome to the trainer pool",
        template="pool_accepted",
        context={
            "person": person,
            "membership": membership,
            "catalogue": _link("courses:catalogue"),
            "pool_page": _link("pool:mine"),
        },
    )
    return membership


@transaction.atomic
def record_training_for_trainers(*, person_id: int, completed_on: date) -> Membership | None:
    """Attending the Board's training for trainers makes an accepted (or lapsed) member active,
    and renews an active member's training. Called when that course's register closes."""
    membership = Membership.objects.select_for_update().select_related("person").filter(person_id=person_id).first()
    if membership is None or membership.status not in (
        MembershipStatus.ACCEPTED,
        MembershipStatus.ACTIVE,
        MembershipStatus.LAPSED,
    ):
        return None
    if membership.trained_on is None or completed_on > membership.trained_on:
        membership.trained_on = completed_on
        membership.save(update_fields=["trained_on"])
    if membership.status != MembershipStatus.ACTIVE:
        _set_status(
            membership,
            MembershipStatus.ACTIVE,
            actor=None,
            reason=f"Completed training for trainers on {completed_on:%-d %B %Y}.",
        )
    return membership


@transaction.atomic
def change_status(*, actor: User, membership: Membership, status: str, reason: str) -> Membership:
    """The training manager lapses, reactivates or removes a member by hand, with a reason."""
    if not actor.is_training_manager:
        raise PoolError("Only the training manager can change a member's status.")
    membership = Membership.objects.select_for_update().select_related("person").get(pk=membership.pk)
    if status not in MANUAL_STATUS_CHANGES:
        raise PoolError("Choose lapsed, active or left.", field="status")
    if status not in status_changes_open_to(membership):
        raise PoolError(
            f"A member who is {membership.get_status_display().lower()} "
            f"cannot be made {MembershipStatus(status).label.lower()}.",
            field="status",
        )
    reason = reason.strip()
    if not reason:
        raise PoolError("Give a reason: it is kept in the member's history.", field="reason")
    if status == MembershipStatus.ACTIVE and not training_is_current(
        membership, PoolPolicy.current(), timezone.localdate()
    ):
        raise PoolError(
            "This member's training for trainers is not current: "
            "they need to complete it again before they are active.",
            field="status",
        )
    return _set_status(membership, status, actor=actor, reason=reason)


@transaction.atomic
def leave_pool(*, person: User, reason: str) -> Membership:
    membership = Membership.objects.select_for_update().filter(person=person).first()
    if membership is None or membership.status in CLOSED:
        raise PoolError("You are not a member of the trainer pool.")
    open_assignments = Assignment.objects.filter(
        trainer=person,
        status__in=(AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED),
        session__starts_at__gt=timezone.now(),
        session__status=SessionStatus.SCHEDULED,
    )
    if open_assignments.exists():
        raise PoolError(
            "You are assigned to sessions that have not happened yet. Decline them, or ask the training manager, first."
        )
    return _set_status(
        membership, MembershipStatus.LEFT, actor=person, reason=reason.strip() or "Left at their own request."
    )


def last_delivery_dates(person_ids) -> dict[int, date]:
    """The day the last session each person delivered ended (`delivered_to_date`): one query."""
    return {pk: timezone.localtime(done.last).date() for pk, done in delivered_to_date(person_ids).items()}


@dataclass(frozen=True)
class Lapse:
    membership_id: int
    person: str
    reason: str


def lapse_members(*, today: date | None = None, dry_run: bool = False) -> list[Lapse]:
    """Lapse active members by the training manager's rules. Safe to run twice: a lapsed
    member is not active, so the second run finds nobody."""
    today = today or timezone.localdate()
    policy = PoolPolicy.current()
    active = list(Membership.objects.filter(status=MembershipStatus.ACTIVE).select_related("person"))
    last = last_delivery_dates([m.person_id for m in active])
    lapses = []
    for membership in active:
        if not training_is_current(membership, policy, today):
            when = f"completed {membership.trained_on:%-d %B %Y}" if membership.trained_on else "no completion recorded"
            lapses.append(
                Lapse(
                    membership.pk,
                    membership.person.full_name,
                    "Training for trainers needs a refresher "
                    f"({when}; valid for {policy.training_valid_months} months).",
                )
            )
            continue
        since = last.get(membership.person_id) or timezone.localtime(membership.status_changed_at).date()
        if _add_months(since, policy.months_without_delivery) < today:
            what = "delivered" if membership.person_id in last else "active"
            lapses.append(
                Lapse(
                    membership.pk,
                    membership.person.full_name,
                    f"No delivery in {policy.months_without_delivery} months (last {what} {since:%-d %B %Y}).",
                )
            )
    if not dry_run:
        for lapse in lapses:
            with transaction.atomic():
                membership = Membership.objects.select_for_update().select_related("person").get(pk=lapse.membership_id)
                if membership.status == MembershipStatus.ACTIVE:
                    _set_status(membership, MembershipStatus.LAPSED, actor=None, reason=lapse.reason)
    return lapses


@transaction.atomic
def save_policy(*, actor: User, months_without_delivery: int, training_valid_months, free_places_per_day) -> PoolPolicy:
    if not actor.is_training_manager:
        raise PoolError("Only the training manager can change the pool's rules.")
    policy = PoolPolicy.current()
    before = (policy.months_without_delivery, policy.training_valid_months, policy.free_places_per_day)
    policy.months_without_delivery = months_without_delivery
    policy.training_valid_months = training_valid_months
    policy.free_places_per_day = free_places_per_day
    policy.save()
    log_action(
        actor=actor,
        action="changed pool rules",
        obj=policy,
        changes={
            "before": [str(v) for v in before],
            "after": [str(months_without_delivery), str(training_valid_months), str(free_places_per_day)],
        },
    )
    return policy


@transaction.atomic
def save_criterion(*, actor: User, criterion: MembershipCriterion | None = None, **values) -> MembershipCriterion:
    """Add a criterion to the checklist reviews use, or change one, with an audit entry of what changed."""
    if not actor.is_training_manager:
        raise PoolError("Only the training manager can change the pool's criteria.")
    before = {}
    if criterion is not None and criterion.pk:
        stored = MembershipCriterion.objects.select_for_update().get(pk=criterion.pk)
        before = {name: getattr(stored, name) for name in values}
    criterion = criterion or MembershipCriterion()
    creating = criterion.pk is None
    for name, value in values.items():
        setattr(criterion, name, value)
    try:
        criterion.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise PoolError(messages[0], field=field if field != "__all__" else None) from exc
    criterion.save()
    log_action(
        actor=actor,
        action="added pool criterion" if creating else "changed pool criterion",
        obj=criterion,
        changes={
            name: [str(before.get(name, "")), str(value)]
            for name, value in values.items()
            if creating or before.get(name) != value
        },
    )
    return criterion


@transaction.atomic
def save_commitments(*, actor: User, year, days_by_agency: dict) -> int:
    """Set each agency's agreed trainer days for the year; empty removes the commitment."""
    if not actor.is_training_manager:
        raise PoolError("Only the training manager can set agencies' commitments.")
    changed = 0
    existing = {c.agency_id: c for c in TrainerCommitment.objects.filter(year=year)}
    for agency_id, days in days_by_agency.items():
        current = existing.get(agency_id)
        if days is None:
            if current is not None:
                current.delete()
                changed += 1
            continue
        if days < 0:
            raise PoolError("Trainer days cannot be negative.")
        if days * 2 != int(days * 2):
            raise PoolError("Trainer days are counted in half days: use 0.5, 1, 1.5 and so on.")
        if current is None:
            TrainerCommitment.objects.create(year=year, agency_id=agency_id, agreed_days=days)
            changed += 1
        elif current.agreed_days != days:
            current.agreed_days = days
            current.save(update_fields=["agreed_days"])
            changed += 1
    if changed:
        log_action(actor=actor, action="set trainer commitments", obj=year, changes={"agencies changed": changed})
    return changed


# --- Assignments ------------------------------------------------------------------------------


def _overlaps(session: Session, other_ids) -> list[Session]:
    """Sessions among `other_ids` with a date overlapping one of `session`'s dates."""
    mine = list(session.dates.all()) or [SessionDate(starts_at=session.starts_at, ends_at=session.ends_at)]
    clashes = set()
    for d in (
        SessionDate.objects.filter(session_id__in=other_ids)
        .exclude(session_id=session.pk)
        .select_related("session__course")
    ):
        if any(d.starts_at < m.ends_at and m.starts_at < d.ends_at for m in mine):
            clashes.add(d.session)
    return sorted(clashes, key=lambda s: s.starts_at)


def assignment_warnings(*, session: Session, trainer: User) -> list[str]:
    """What the training manager should know before asking this trainer. None of these
    stops the assignment: the training manager may have good reasons."""
    warnings = []
    membership = Membership.objects.filter(person=trainer).first()
    if membership is None:
        warnings.append(f"{trainer.full_name} is not a member of the trainer pool.")
    elif not membership.is_active:
        warnings.append(
            f"{trainer.full_name} is not an active pool member ({membership.get_status_display().lower()})."
        )
    if membership is not None and not membership.courses.filter(pk=session.course_id).exists():
        warnings.append(f"{session.course.title} is not one of the courses {trainer.full_name} offered to deliver.")
    co_trainers = set(session.trainers.exclude(pk=trainer.pk))
    co_trainers |= {
        a.trainer
        for a in session.assignments.filter(status=AssignmentStatus.INVITED)
        .exclude(trainer=trainer)
        .select_related("trainer")
    }
    same = sorted(t.full_name for t in co_trainers if trainer.agency_id and t.agency_id == trainer.agency_id)
    if same:
        warnings.append(
            f"{trainer.full_name} and {', '.join(same)} are both from {trainer.agency}: "
            "inter-agency courses should be delivered by trainers from different agencies."
        )
    busy = set(trainer.sessions_delivered.exclude(status=SessionStatus.CANCELLED).values_list("pk", flat=True))
    busy |= set(
        Assignment.objects.filter(trainer=trainer, status=AssignmentStatus.INVITED).values_list("session_id", flat=True)
    )
    busy |= set(
        trainer.bookings.filter(status__in=("confirmed", "awaiting_approval", "offered")).values_list(
            "session_id", flat=True
        )
    )
    for clash in _overlaps(session, busy):
        warnings.append(f"{trainer.full_name} is already committed to {clash} at the same time.")
    if session.has_started:
        warnings.append("This session has already started.")
    return warnings


def assignment_token(assignment: Assignment) -> str:
    return signing.dumps({"a": assignment.pk, "t": assignment.trainer_id}, salt=ASSIGNMENT_SALT)


def assignment_from_token(token: str) -> Assignment:
    """The assignment an emailed link is for. Tampered links are refused; the link stays
    usable until the session starts (then `LinkExpired`), and answers once (the status is
    checked on use)."""
    try:
        data = signing.loads(token, salt=ASSIGNMENT_SALT)
    except signing.BadSignature:
        raise PoolError(
            "This link is not valid. Use the link in your most recent email, or answer from your trainer pool page."
        )
    assignment = (
        Assignment.objects.select_related("session__course", "session__venue", "trainer")
        .filter(pk=data.get("a"), trainer_id=data.get("t"))
        .first()
    )
    if assignment is None:
        raise PoolError("This assignment no longer exists. The training manager may have withdrawn it.")
    session = assignment.session
    if not assignment.can_still_be_answered:
        raise LinkExpired(
            f"This link asked whether you could deliver {session.course.title}. The time to answer ended on "
            f"{timezone.localtime(assignment.answer_closes_at):%-d %B %Y at %H:%M}.",
            what_to_do="Your trainer pool page shows the sessions you are down to deliver and any requests still "
            "waiting for your answer. If you delivered this session, or should have, tell the training team.",
            next_url=reverse("pool:mine"),
            next_label="Go to your trainer pool page",
        )
    return assignment


@transaction.atomic
def assign_trainer(*, actor: User, session: Session, trainer: User, confirmed: bool = False) -> Assignment:
    if not actor.is_training_manager:
        raise PoolError("Only the training manager can assign trainers.")
    session = Session.objects.select_for_update().select_related("course").get(pk=session.pk)
    if session.is_cancelled:
        raise PoolError("This session is cancelled.")
    existing = Assignment.objects.select_for_update().filter(session=session, trainer=trainer).first()
    if existing is not None and existing.status in (AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED):
        raise PoolError(
            f"{trainer.full_name} is already assigned to this session ({existing.get_status_display().lower()}).",
            field="trainer",
        )
    warnings = assignment_warnings(session=session, trainer=trainer)
    if warnings and not confirmed:
        raise NeedsConfirmation(warnings)
    assignment = existing or Assignment(session=session, trainer=trainer)
    assignment.status = AssignmentStatus.INVITED
    assignment.assigned_by, assignment.assigned_at, assignment.warnings = actor, timezone.now(), warnings
    assignment.responded_at, assignment.decline_reason = None, ""
    assignment.save()
    log_action(
        actor=actor,
        action="assigned trainer",
        obj=session,
        changes={"trainer": trainer.full_name, "warnings overridden": warnings},
    )
    queue_email(
        to=trainer.email,
        subject=f"Can you deliver {session.course.title}?",
        template="pool_assignment",
        context={
            "trainer": trainer,
            "session": session,
            "link": _link("pool:respond-link", assignment_token(assignment)),
        },
    )
    return assignment


@transaction.atomic
def respond(*, trainer: User, assignment: Assignment, accepted: bool, reason: str = "") -> Assignment:
    """The trainer accepts (and joins the session's trainers) or declines."""
    assignment = Assignment.objects.select_for_update().select_related("session__course").get(pk=assignment.pk)
    if assignment.trainer_id != trainer.pk:
        raise PoolError("This assignment is for someone else.")
    if assignment.status != AssignmentStatus.INVITED:
        raise PoolError(f"You have already answered: {assignment.get_status_display().lower()}.")
    session = assignment.session
    if session.is_cancelled:
        raise PoolError("This session has been cancelled, so there is nothing to answer.")
    if not assignment.can_still_be_answered:
        raise PoolError(
            "The time to answer this request has passed "
            f"({timezone.localtime(assignment.answer_closes_at):%-d %B %Y at %H:%M}). Contact the training team."
        )
    assignment.status = AssignmentStatus.ACCEPTED if accepted else AssignmentStatus.DECLINED
    assignment.responded_at = timezone.now()
    assignment.decline_reason = "" if accepted else reason.strip()
    assignment.save()
    if accepted:
        session.trainers.add(trainer)
    else:
        session.trainers.remove(trainer)
        managers = _managers()
        if managers:
            queue_email(
                to=[m.email for m in managers],
                subject=f"{trainer.full_name} cannot deliver {session}",
                template="pool_assignment_declined",
                context={
                    "trainer": trainer,
                    "session": session,
                    "reason": assignment.decline_reason,
                    "link": _link("pool:session-trainers", session.pk),
                },
            )
    log_action(
        actor=trainer,
        action="accepted assignment" if accepted else "declined assignment",
        obj=session,
        changes={"trainer": trainer.full_name, "reason": assignment.decline_reason},
    )
    return assignment


@transaction.atomic
def withdraw(*, actor: User, assignment: Assignment) -> Assignment:
    if not actor.is_training_manager:
        raise PoolError("Only the training manager can withdraw an assignment.")
    assignment = Assignment.objects.select_for_update().select_related("session", "trainer").get(pk=assignment.pk)
    if assignment.status not in (AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED):
        raise PoolError("This assignment is not open.")
    assignment.status = AssignmentStatus.WITHDRAWN
    assignment.responded_at = timezone.now()
    assignment.save()
    assignment.session.trainers.remove(assignment.trainer)
    log_action(
        actor=actor,
        action="withdrew assignment",
        obj=assignment.session,
        changes={"trainer": assignment.trainer.full_name},
    )
    return assignment
