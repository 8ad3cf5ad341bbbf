"""Charging rules, as real Boards set them: configuration (BookingPolicy, FeeRate), not code.

Contributing partners' staff usually attend free; others pay a fee per day or
half day by their organisation's category. Late cancellations and no-shows
cost a fixed amount per day of the course. Charges count a course's length
rounded up to the next half day: a two-hour briefing is charged as a half day. Exempt courses (conferences,
briefings) are never charged. Every charge records, in words, the rule that
raised it, and is waived with a reason rather than deleted.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import Agency, User
from common.errors import DomainError
from common.money import format_money

from ..calendar import working_days_before, working_days_between
from ..durations import charged_days, days_in_words
from ..models import AttendanceRecord, Booking, BookingPolicy, Charge, ChargeKind, FeeRate, Session

PENCE = Decimal("0.01")


class ChargeError(DomainError):
    pass


def _days(course) -> str:
    """The length a charge counts, in words: rounded up to the next half day (see courses.durations)."""
    return days_in_words(charged_days(course.duration_days)).lower()


def _exemption(*, agency, course, policy) -> str | None:
    """Why nothing is owed, or None when the agency can be charged."""
    if course.charge_exempt:
        return "exempt course"
    if agency is None:  # no agency confirmed when booked: a claim waiting for its lead charges nobody
        return "no agency"
    if agency.contributing and policy.contributing_partners_free:
        return "contributing partner"
    return None


@dataclass(frozen=True)
class Fee:
    """What attending costs an agency, and why, in words the booking pages show."""

    amount: Decimal
    reason: str

    @property
    def free(self) -> bool:
        return not self.amount


def fee_terms(*, agency, course, policy: BookingPolicy | None = None, rates: dict | None = None) -> Fee:
    """The attendance fee and its reason: per day for each whole day, per half day for what remains,
    the length rounded up to the next half day first (a two-hour briefing costs a half day's fee), at
    the rate of the agency's organisation category. The session and confirmation pages show this and
    closing the register charges it, so the price shown is the price charged. `rates` (category id ->
    FeeRate, `fee_rates()`) saves a query per person when working out a whole register."""
    policy = policy or BookingPolicy.current()
    exemption = _exemption(agency=agency, course=course, policy=policy)
    if exemption == "exempt course":
        return Fee(Decimal("0"), "This course is free for everyone.")
    if exemption == "no agency":
        return Fee(Decimal("0"), "Nothing is charged while you are not confirmed as staff of an agency.")
    if exemption == "contributing partner":
        return Fee(Decimal("0"), f"{agency.name} is a contributing partner, so its staff attend free.")
    if rates is not None:
        rate = rates.get(agency.category_id)
    else:
        rate = FeeRate.objects.filter(category_id=agency.category_id).select_related("category").first()
    days = charged_days(course.duration_days)
    whole_days = int(days)
    half = days - whole_days
    amount = (
        rate.per_day * whole_days + (rate.per_half_day if half else Decimal("0")) if rate else Decimal("0")
    ).quantize(PENCE)
    category = rate.category.name if rate else agency.category.name if agency.category_id else "its category"
    if not amount:
        return Fee(Decimal("0"), f"{agency.name} pays no fee for its category ({category}).")
    return Fee(
        amount,
        f"The fee for {category} organisations for {_days(course)}, charged to {agency.name} after you attend.",
    )


def fee_for(*, agency, course, policy: BookingPolicy | None = None, rates: dict | None = None) -> Decimal:
    """The attendance fee (`fee_terms`)."""
    return fee_terms(agency=agency, course=course, policy=policy, rates=rates).amount


def free_for_everyone(course, *, policy: BookingPolicy | None = None) -> bool:
    """Whether nobody pays to attend `course`: it is exempt, or no category has a fee."""
    return course.charge_exempt or not FeeRate.objects.filter(Q(per_day__gt=0) | Q(per_half_day__gt=0)).exists()


def cost_in_words(*, course, policy: BookingPolicy | None = None) -> str:
    """What the course costs delegates, as its catalogue page says it: by the same exemptions
    and fee rates `fee_for` charges."""
    policy = policy or BookingPolicy.current()
    if free_for_everyone(course, policy=policy):
        return "Free for everyone"
    if policy.contributing_partners_free:
        return "Free for staff of contributing partners; other organisations pay a fee by category"
    return "A fee by the category of the delegate's organisation"


def is_late_cancellation(*, session, when=None, policy: BookingPolicy | None = None) -> bool:
    """Late when fewer working days than the notice period remain before the first date."""
    policy = policy or BookingPolicy.current()
    when = timezone.localtime(when or timezone.now()).date()
    first_day = timezone.localtime(session.starts_at).date()
    return working_days_between(when, first_day) < policy.late_cancellation_working_days


def free_cancellation_until(*, session, policy: BookingPolicy | None = None):
    """The last day cancelling a place on `session` is free (`is_late_cancellation` says late from
    the day after): the pages quote it, so it is worked out by the same count of working days."""
    policy = policy or BookingPolicy.current()
    first_day = timezone.localtime(session.starts_at).date()
    day = working_days_before(first_day, policy.late_cancellation_working_days)
    while day + timedelta(days=1) < first_day and (
        working_days_between(day + timedelta(days=1), first_day) >= policy.late_cancellation_working_days
    ):
        day += timedelta(days=1)
    return day


@dataclass(frozen=True)
class PlannedCharge:
    """A charge a rule says is owed, before it is raised: what the close-register preview lists
    and what closing raises."""

    kind: str
    session: Session
    person: User
    agency: Agency | None
    booking: Booking | None
    amount: Decimal
    rule: str


def _raise(*, planned: PlannedCharge, actor=None) -> Charge | None:
    if planned.amount <= 0:
        return None
    live = Charge.objects.filter(session=planned.session, person=planned.person, kind=planned.kind)
    existing = live.filter(cancelled_at__isnull=True).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            charge = Charge.objects.create(
                agency=planned.agency,
                booking=planned.booking,
                session=planned.session,
                person=planned.person,
                kind=planned.kind,
                amount=planned.amount,
                rule=planned.rule,
            )
    except IntegrityError:  # raised at the same moment by another process
        return live.get(cancelled_at__isnull=True)
    log_action(
        actor=actor,
        action="raised charge",
        obj=charge,
        changes={"kind": planned.kind, "amount": format_money(planned.amount), "rule": planned.rule},
    )
    return charge


def fee_rates() -> dict:
    """Every organisation category's fee rate, by category id: one query."""
    return {rate.category_id: rate for rate in FeeRate.objects.all()}


def no_show_charge(*, agency, course, policy: BookingPolicy | None = None) -> Decimal:
    """What not attending costs the agency: a fixed sum per day of the course (its length rounded up
    to the next half day), or nothing for an exempt course, a contributing partner or no agency. The
    booking pages quote it and closing the register charges it."""
    policy = policy or BookingPolicy.current()
    if _exemption(agency=agency, course=course, policy=policy):
        return Decimal("0")
    return (policy.no_show_charge_per_day * charged_days(course.duration_days)).quantize(PENCE)


def register_charge(
    *, record: AttendanceRecord, policy: BookingPolicy | None = None, rates: dict | None = None
) -> PlannedCharge | None:
    """What a closed register line owes: the attendance fee for someone who attended (or left
    early), the no-show charge for someone who did not come; None when nothing is owed."""
    policy = policy or BookingPolicy.current()
    course = record.session.course
    common = {"session": record.session, "person": record.person, "agency": record.agency, "booking": record.booking}
    if record.counts_as_attended:
        amount = fee_for(agency=record.agency, course=course, policy=policy, rates=rates)
        if not amount:
            return None
        return PlannedCharge(
            kind=ChargeKind.FEE,
            amount=amount,
            rule=(f"Course fee for {record.agency.category.name}: {format_money(amount)} for {_days(course)}"),
            **common,
        )
    amount = no_show_charge(agency=record.agency, course=course, policy=policy)
    if not amount:
        return None
    return PlannedCharge(
        kind=ChargeKind.NO_SHOW,
        amount=amount,
        rule=f"Did not attend: {format_money(policy.no_show_charge_per_day)} a day × {_days(course)}",
        **common,
    )


def raise_register_charge(*, record: AttendanceRecord, actor=None, policy: BookingPolicy | None = None):
    planned = register_charge(record=record, policy=policy)
    return _raise(planned=planned, actor=actor) if planned else None


def raise_planned_charge(*, planned: PlannedCharge, actor=None) -> Charge | None:
    return _raise(planned=planned, actor=actor)


def late_cancellation_charge(*, booking: Booking, policy: BookingPolicy | None = None) -> Decimal:
    """What cancelling `booking` late costs its agency: a fixed sum per day of the course, or
    nothing for an exempt course, a contributing partner or a booking with no agency."""
    policy = policy or BookingPolicy.current()
    course = booking.session.course
    if _exemption(agency=booking.agency, course=course, policy=policy):
        return Decimal("0")
    return (policy.late_cancellation_charge_per_day * charged_days(course.duration_days)).quantize(PENCE)


def raise_late_cancellation_charge(*, booking: Booking, policy: BookingPolicy | None = None) -> Charge | None:
    policy = policy or BookingPolicy.current()
    course = booking.session.course
    amount = late_cancellation_charge(booking=booking, policy=policy)
    if not amount:
        return None
    return _raise(
        planned=PlannedCharge(
            kind=ChargeKind.LATE_CANCELLATION,
            session=booking.session,
            person=booking.person,
            agency=booking.agency,
            booking=booking,
            amount=amount,
            rule=(
                f"Cancelled within {policy.late_cancellation_working_days} working days: "
                f"{format_money(policy.late_cancellation_charge_per_day)} a day × {_days(course)}"
            ),
        )
    )


@transaction.atomic
def waive_charge(*, actor, charge: Charge, reason: str) -> Charge:
    if not actor.is_training_manager:
        raise ChargeError("Only the training manager can waive charges.")
    if not reason.strip():
        raise ChargeError("Enter why the charge is waived", field="reason")
    charge = Charge.objects.select_for_update(of=("self",)).get(pk=charge.pk)
    if charge.cancelled_at:
        raise ChargeError("This charge was cancelled, so there is nothing to waive.")
    if charge.invoice_id:
        raise ChargeError(f"This charge is on invoice {charge.invoice.reference}, so it cannot be waived.")
    if charge.waived_at:
        raise ChargeError("This charge has already been waived.")
    charge.waived_at = timezone.now()
    charge.waived_by = actor
    charge.waiver_reason = reason.strip()
    charge.save(update_fields=["waived_at", "waived_by", "waiver_reason"])
    log_action(
        actor=actor,
        action="waived charge",
        obj=charge,
        changes={"reason": charge.waiver_reason, "amount": format_money(charge.amount)},
    )
    return charge


def invoiced_in_words(charge: Charge) -> str:
    return (
        f"The {format_money(charge.amount)} {charge.get_kind_display().lower()} charge for {charge.person} "
        f"is on invoice {charge.invoice.reference}"
    )


def cancel_charge(*, actor, charge: Charge, reason: str) -> Charge:
    """A charge raised in error (a register corrected after closing) is cancelled with the reason,
    never deleted: it stays on the charges list and in the audit trail, and no longer counts."""
    if not reason.strip():
        raise ChargeError("Enter why the charge is cancelled", field="reason")
    with transaction.atomic():
        charge = Charge.objects.select_for_update(of=("self",)).get(pk=charge.pk)
        if charge.cancelled_at:
            return charge
        if charge.invoice_id:
            raise ChargeError(f"{invoiced_in_words(charge)}, so it cannot be cancelled.")
        charge.cancelled_at = timezone.now()
        charge.cancelled_by = actor
        charge.cancellation_reason = reason.strip()
        charge.save(update_fields=["cancelled_at", "cancelled_by", "cancellation_reason"])
        log_action(
            actor=actor,
            action="cancelled charge",
            obj=charge,
            changes={"reason": charge.cancellation_reason, "amount": format_money(charge.amount)},
        )
    return charge
