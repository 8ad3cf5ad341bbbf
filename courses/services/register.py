"""The register: who attended, who left early, who did not come, and who walked in.

Closing the register is the moment the session's consequences happen: the
session is completed, certificates are issued, charges are raised and the
evaluation app is told (through `register_closed`) to send its invitations.
Closing is confirmed on a page that shows `plan_close`, the same plan
`close_register` carries out. The training manager may reopen a closed
register with a reason; closing it again corrects what the first close did
(certificates withdrawn or given back, charges raised or cancelled, never deleted).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import log_action
from accounts.mail import queue_email
from accounts.models import User, normalise_email
from common.errors import DomainError
from common.money import format_money

from ..models import (
    Attendance,
    AttendanceRecord,
    Booking,
    BookingPolicy,
    BookingStatus,
    Certificate,
    Charge,
    ChargeKind,
    Session,
    SessionStatus,
)
from ..signals import register_closed
from .booking import delivering_refusal
from .charges import PlannedCharge

# The charges a register raises; a late cancellation belongs to the booking, not the register.
REGISTER_CHARGE_KINDS = (ChargeKind.FEE, ChargeKind.NO_SHOW)


class RegisterError(DomainError):
    pass


def register_has_opened(session: Session, *, now=None) -> bool:
    """A session's register opens when the session starts: the register page and every change
    to the register read this."""
    return session.starts_at <= (now or timezone.now())


def _open_register(session: Session) -> Session:
    session = Session.objects.select_for_update(of=("self",)).select_related("course").get(pk=session.pk)
    if session.status == SessionStatus.CANCELLED:
        raise RegisterError("This session was cancelled, so it has no register.")
    if not register_has_opened(session):
        raise RegisterError(
            "The register opens when the session starts, "
            f"on {timezone.localtime(session.starts_at):%-d %B %Y at %H:%M}."
        )
    if session.register_closed_at:
        raise RegisterError("The register for this session is closed.")
    return session


@transaction.atomic
def record_attendance(*, actor: User, session: Session, outcomes: dict[int, str]) -> int:
    """Mark booked delegates: booking id -> attended, partial or no_show. Returns how many changed."""
    session = _open_register(session)
    valid = set(Attendance.values)
    if any(outcome not in valid for outcome in outcomes.values()):
        raise RegisterError("Choose attended, left early or did not attend for each person.")
    bookings = {
        b.pk: b
        for b in Booking.objects.filter(
            session=session, status=BookingStatus.CONFIRMED, pk__in=outcomes
        ).select_related("person")
    }
    if set(outcomes) - set(bookings):
        raise RegisterError("Someone on this register is no longer booked. Reload the page and try again.")
    existing = {r.booking_id: r for r in AttendanceRecord.objects.filter(session=session, booking_id__in=bookings)}
    changed = 0
    for booking_id, outcome in outcomes.items():
        booking = bookings[booking_id]
        record = existing.get(booking_id)
        if record is None:
            AttendanceRecord.objects.create(
                session=session,
                person=booking.person,
                booking=booking,
                agency=booking.agency,
                outcome=outcome,
                recorded_by=actor,
            )
        elif record.outcome != outcome:
            record.outcome, record.recorded_by, record.recorded_at = outcome, actor, timezone.now()
            record.save(update_fields=["outcome", "recorded_by", "recorded_at"])
        else:
            continue
        changed += 1
        log_action(actor=actor, action="marked attendance", obj=booking, changes={"outcome": outcome})
    return changed


@transaction.atomic
def add_walk_in(
    *,
    actor: User,
    session: Session,
    person: User | None = None,
    full_name: str = "",
    email: str = "",
    agency=None,
    job_title: str = "",
) -> AttendanceRecord:
    """Someone came without a booking: an existing person, or a new one recorded
    with an account they can claim later by signing up with the same email."""
    session = _open_register(session)
    if person is None:
        email = normalise_email(email)
        if not email:
            raise RegisterError("Enter the walk-in's email address.", field="email")
        person = User.objects.filter(email__iexact=email).first()
        if person is None:
            if not full_name.strip():
                raise RegisterError("No account has this email: enter the walk-in's full name.", field="full_name")
            if agency is None:
                raise RegisterError("Choose the walk-in's agency.", field="agency")
            person = User(
                email=email, full_name=full_name.strip(), job_title=job_title.strip(), agency=agency, is_active=False
            )
            person.set_unusable_password()
            person.save()
            log_action(actor=actor, action="recorded as a walk-in", obj=person)
    refusal = delivering_refusal(person=person, session=session)
    if refusal:
        raise RegisterError(refusal)
    if AttendanceRecord.objects.filter(session=session, person=person).exists():
        raise RegisterError(f"{person} is already on this register.")
    booking = Booking.objects.filter(session=session, person=person, status=BookingStatus.CONFIRMED).first()
    if booking is not None:
        raise RegisterError(f"{person} is booked on this session: mark them on the register instead.")
    record = AttendanceRecord.objects.create(
        session=session,
        person=person,
        agency=person.agency,
        outcome=Attendance.ATTENDED,
        walk_in=True,
        recorded_by=actor,
    )
    log_action(actor=actor, action="added walk-in", obj=record, changes={"person": str(person)})
    return record


@transaction.atomic
def remove_walk_in(*, actor: User, record: AttendanceRecord) -> None:
    session = _open_register(record.session)
    if not record.walk_in or record.session_id != session.pk:
        raise RegisterError("Only walk-ins can be removed from the register.")
    if Certificate.objects.filter(attendance=record).exists():
        raise RegisterError(
            f"{record.person} was given a certificate when the register was closed, so they cannot be removed."
        )
    log_action(actor=actor, action="removed walk-in", obj=record.session, changes={"person": str(record.person)})
    record.delete()


@dataclass
class ClosePlan:
    """What closing the register will do, worked out before anything is written. The confirmation
    page shows it and `close_register` carries it out, so the two cannot disagree.

    On a first close every line is new. On closing again after a reopening, the plan is the
    difference between what the register now says and what the last close did: certificates issued,
    withdrawn or given back, charges raised or cancelled. People already asked to evaluate are not
    asked again (the evaluation app asks once per booking and stage).
    """

    session: Session
    unmarked: int = 0
    issue: list[AttendanceRecord] = field(default_factory=list)
    reinstate: list[Certificate] = field(default_factory=list)
    withdraw: list[Certificate] = field(default_factory=list)
    raise_charges: list[PlannedCharge] = field(default_factory=list)
    cancel_charges: list[Charge] = field(default_factory=list)
    attended: int = 0
    no_shows: int = 0
    follow_ups: list = field(default_factory=list)
    # Why the register cannot be closed as it stands (a charge to cancel is already invoiced).
    blocked: list[str] = field(default_factory=list)

    @property
    def is_correction(self) -> bool:
        return self.session.register_reopened_at is not None

    @property
    def raise_total(self) -> Decimal:
        return sum((c.amount for c in self.raise_charges), Decimal("0"))

    @property
    def cancel_total(self) -> Decimal:
        return sum((c.amount for c in self.cancel_charges), Decimal("0"))

    @property
    def newly_attended_booking_ids(self) -> list[int]:
        return [r.booking_id for r in self.issue if r.booking_id]

    @property
    def newly_attended_walk_in_ids(self) -> list[int]:
        """Register lines of walk-ins newly recorded as attended (they have no booking)."""
        return [r.pk for r in self.issue if not r.booking_id]

    @property
    def changes_nothing(self) -> bool:
        return not (self.issue or self.reinstate or self.withdraw or self.raise_charges or self.cancel_charges)


def plan_close(session: Session) -> ClosePlan:
    """What closing `session`'s register would do now. Reads only; the same number of queries for
    1 person or 100."""
    from ..gates import close_follow_ups
    from .charges import fee_rates, invoiced_in_words, register_charge

    plan = ClosePlan(session=session)
    plan.unmarked = Booking.objects.filter(
        session=session, status=BookingStatus.CONFIRMED, attendance__isnull=True
    ).count()
    records = list(
        AttendanceRecord.objects.filter(session=session)
        .select_related("person", "agency__category", "booking", "session__course")
        .order_by("person__full_name", "pk")
    )
    certificates = {
        c.attendance_id: c
        for c in Certificate.objects.filter(attendance__session=session).select_related("attendance__person")
    }
    live = {
        (c.person_id, c.kind): c
        for c in Charge.objects.filter(
            session=session, kind__in=REGISTER_CHARGE_KINDS, cancelled_at__isnull=True
        ).select_related("person", "invoice")
    }
    policy, rates = BookingPolicy.current(), fee_rates()
    owed = set()
    for record in records:
        certificate = certificates.get(record.pk)
        if record.counts_as_attended:
            plan.attended += 1
            if certificate is None:
                plan.issue.append(record)
            elif certificate.is_withdrawn:
                plan.reinstate.append(certificate)
        else:
            plan.no_shows += 1
            if certificate is not None and not certificate.is_withdrawn:
                plan.withdraw.append(certificate)
        planned = register_charge(record=record, policy=policy, rates=rates)
        if planned is not None:
            owed.add((record.person_id, planned.kind))
            if (record.person_id, planned.kind) not in live:
                plan.raise_charges.append(planned)
    plan.cancel_charges = [charge for key, charge in live.items() if key not in owed]
    plan.blocked = [
        f"{invoiced_in_words(charge)}: it cannot be cancelled. Put the mark back, or deal with the invoice first."
        for charge in plan.cancel_charges
        if charge.invoice_id
    ]
    plan.follow_ups = close_follow_ups(session, plan.newly_attended_booking_ids, plan.newly_attended_walk_in_ids)
    return plan


@transaction.atomic
def close_register(*, actor: User, session: Session) -> ClosePlan:
    """Complete the session: carry out `plan_close` (certificates issued, reinstated or withdrawn;
    fees and no-show charges raised or cancelled) and tell the apps that follow up."""
    from ..certificates import issue_certificate
    from .charges import cancel_charge, raise_planned_charge

    session = _open_register(session)
    plan = plan_close(session)
    if plan.unmarked:
        raise RegisterError(
            "Mark everyone before closing the register: "
            f"{plan.unmarked} {'person has' if plan.unmarked == 1 else 'people have'} no mark."
        )
    if plan.blocked:
        raise RegisterError(plan.blocked[0])
    reason = f"Register corrected: {session.register_reopen_reason}" if plan.is_correction else ""
    now = timezone.now()
    issued = [issue_certificate(record=record) for record in plan.issue]
    for certificate in issued:
        log_action(
            actor=actor,
            action="issued certificate",
            obj=certificate,
            changes={"person": str(certificate.attendance.person)},
        )
    for certificate in plan.reinstate:
        Certificate.objects.filter(pk=certificate.pk).update(withdrawn_at=None, withdrawal_reason="")
        log_action(actor=actor, action="reinstated certificate", obj=certificate, changes={"reason": reason})
    for certificate in plan.withdraw:
        Certificate.objects.filter(pk=certificate.pk).update(withdrawn_at=now, withdrawal_reason=reason)
        log_action(actor=actor, action="withdrew certificate", obj=certificate, changes={"reason": reason})
    raised = [raise_planned_charge(planned=planned, actor=actor) for planned in plan.raise_charges]
    for charge in plan.cancel_charges:
        cancel_charge(actor=actor, charge=charge, reason=reason or "Register closed without this charge")
    session.status = SessionStatus.COMPLETED
    session.register_closed_at = now
    session.save(update_fields=["status", "register_closed_at"])
    log_action(
        actor=actor,
        action="closed register again" if plan.is_correction else "closed register",
        obj=session,
        changes={
            "attended": plan.attended,
            "no-shows": plan.no_shows,
            "certificates issued": len(issued),
            "certificates reinstated": len(plan.reinstate),
            "certificates withdrawn": len(plan.withdraw),
            "charges raised": f"{len(raised)} ({format_money(plan.raise_total)})",
            "charges cancelled": f"{len(plan.cancel_charges)} ({format_money(plan.cancel_total)})",
        },
    )
    for certificate in [*issued, *plan.reinstate]:
        queue_email(
            to=certificate.attendance.person.email,
            subject=f"Your certificate: {session.course.title}",
            template="certificate_ready",
            context={
                "person": certificate.attendance.person,
                "session": session,
                "certificate": certificate,
                "manage_link": settings.SITE_URL + reverse("courses:my-training"),
            },
        )
    certificate_ids = [c.pk for c in issued]
    attendance_ids = [r.pk for r in plan.issue]
    attended_booking_ids = plan.newly_attended_booking_ids

    def after_commit():
        from ..tasks import build_certificates

        try:
            build_certificates.delay(certificate_ids)
        except Exception:  # the download view builds a missing file itself
            pass
        register_closed.send(
            sender=Session,
            session_id=session.pk,
            attended_booking_ids=attended_booking_ids,
            attendance_ids=attendance_ids,
        )

    transaction.on_commit(after_commit)
    return plan


@transaction.atomic
def reopen_register(*, actor: User, session: Session, reason: str) -> Session:
    """The training manager reopens a closed register to correct it. Nothing that closing did is
    undone yet: the marks can be changed, and closing again corrects certificates and charges to
    match, giving this reason."""
    if not actor.is_training_manager:
        raise RegisterError("Only the training manager can reopen a register.")
    if not reason.strip():
        raise RegisterError("Enter why the register is being reopened", field="reason")
    session = Session.objects.select_for_update(of=("self",)).get(pk=session.pk)
    if not session.register_closed_at:
        raise RegisterError("The register for this session is open already.")
    session.register_closed_at = None
    session.status = SessionStatus.SCHEDULED
    session.register_reopened_at = timezone.now()
    session.register_reopen_reason = reason.strip()
    session.save(update_fields=["register_closed_at", "status", "register_reopened_at", "register_reopen_reason"])
    log_action(actor=actor, action="reopened register", obj=session, changes={"reason": session.register_reopen_reason})
    return session
