"""Charging rules, as real Boards set them: configuration (BookingPolicy, FeeRate), not code.

Contributing partners' staff usually attend free; others pay a fee per day or
half day by their organisation's category. Late cancellations and no-shows
cost a fixed amount per day of the course. Charges count a course's length
rounded up to the next half day: a two-hour briefing is charged as a half day. Exempt courses (conferences,
briefings) are never charged. Every charge records, in words, the rule that
raised it, and is waived with a reason rather than deleted.
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.audit import log_action
from common.errors import DomainError

from ..calendar import working_days_between
from ..durations import charged_days, days_in_words
from ..models import AttendanceRecord, Booking, BookingPolicy, Charge, ChargeKind, FeeRate

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


def fee_for(*, agency, course, policy: BookingPolicy | None = None) -> Decimal:
    """The attendance fee: per day for each whole day, per half day for what remains, the length
    rounded up to the next half day first (a two-hour briefing costs a half day's fee)."""
    policy = policy or BookingPolicy.current()
    if _exemption(agency=agency, course=course, policy=policy):
        return Decimal("0")
    rate = FeeRate.objects.filter(category_id=agency.category_id).first()
    if rate is None:
        return Decimal("0")
    days = charged_days(course.duration_days)
    whole_days = int(days)
    half = days - whole_days
    return rate.per_day * whole_days + (rate.per_half_day if half else Decimal("0"))


def cost_in_words(*, course, policy: BookingPolicy | None = None) -> str:
    """What the course costs delegates, as its catalogue page says it: by the same exemptions
    and fee rates `fee_for` charges."""
    policy = policy or BookingPolicy.current()
    if course.charge_exempt or not FeeRate.objects.filter(Q(per_day__gt=0) | Q(per_half_day__gt=0)).exists():
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


def _raise(*, kind, session, person, agency, booking, amount, rule) -> Charge | None:
    if amount <= 0:
        return None
    existing = Charge.objects.filter(session=session, person=person, kind=kind).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            charge = Charge.objects.create(
                agency=agency, booking=booking, session=session, person=person, kind=kind, amount=amount, rule=rule
            )
    except IntegrityError:  # raised at the same moment by another process
        return Charge.objects.get(session=session, person=person, kind=kind)
    log_action(
        actor=None, action="raised charge", obj=charge, changes={"kind": kind, "amount": str(amount), "rule": rule}
    )
    return charge


def raise_attendance_fee(*, record: AttendanceRecord, policy: BookingPolicy | None = None) -> Charge | None:
    policy = policy or BookingPolicy.current()
    course = record.session.course
    amount = fee_for(agency=record.agency, course=course, policy=policy)
    if not amount:
        return None
    category = record.agency.category.name
    return _raise(
        kind=ChargeKind.FEE,
        session=record.session,
        person=record.person,
        agency=record.agency,
        booking=record.booking,
        amount=amount,
        rule=f"Course fee for {category}: £{amount} for {_days(course)}",
    )


def raise_no_show_charge(*, record: AttendanceRecord, policy: BookingPolicy | None = None) -> Charge | None:
    policy = policy or BookingPolicy.current()
    course = record.session.course
    if _exemption(agency=record.agency, course=course, policy=policy):
        return None
    amount = policy.no_show_charge_per_day * charged_days(course.duration_days)
    return _raise(
        kind=ChargeKind.NO_SHOW,
        session=record.session,
        person=record.person,
        agency=record.agency,
        booking=record.booking,
        amount=amount,
        rule=f"Did not attend: £{policy.no_show_charge_per_day} a day × {_days(course)}",
    )


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
        kind=ChargeKind.LATE_CANCELLATION,
        session=booking.session,
        person=booking.person,
        agency=booking.agency,
        booking=booking,
        amount=amount,
        rule=(
            f"Cancelled within {policy.late_cancellation_working_days} working days: "
            f"£{policy.late_cancellation_charge_per_day} a day × {_days(course)}"
        ),
    )


@transaction.atomic
def waive_charge(*, actor, charge: Charge, reason: str) -> Charge:
    if not actor.is_training_manager:
        raise ChargeError("Only the training manager can waive charges.")
    if not reason.strip():
        raise ChargeError("Enter why the charge is waived", field="reason")
    charge = Charge.objects.select_for_update(of=("self",)).get(pk=charge.pk)
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
        changes={"reason": charge.waiver_reason, "amount": str(charge.amount)},
    )
    return charge
