"""Booking places: the rules staff meet every week.

Capacity is protected the way ticketing systems do it: the session row is
locked (`select_for_update`) inside the transaction and the places are counted
again only once the lock is held, so no concurrency can overbook.

Waiting list order (documented rule): people whose required training has
expired, or expires soonest, come first; people with equal urgency are served
first come, first served. A freed place is offered to the first person for
`BookingPolicy.waitlist_offer_hours`; an offer that expires passes to the next.
No offer is made after the booking cut-off or once the session has started.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.audit import log_action
from accounts.mail import queue_email
from accounts.models import User
from accounts.selectors import approvers_for, is_member_of, may_approve
from common.errors import DomainError, LinkExpired
from common.money import format_money

from ..models import (
    ACTIVE,
    HOLDS_PLACE,
    Attendance,
    AttendanceRecord,
    Booking,
    BookingPolicy,
    BookingStatus,
    ReasonGiven,
    Session,
    SessionDate,
    SessionStatus,
)
from ..selectors.training_record import DUE_SOON_DAYS, in_date_for_course
from ..signals import booking_confirmed, session_cancelled
from .charges import free_for_everyone

APPROVAL_SALT = "courses.booking-approval"
# Someone whose required training was never done waits ahead of everyone.
NEVER_DONE = datetime(1900, 1, 1, tzinfo=UTC)
# Someone with no required training waits behind everyone who has some.
NOTHING_REQUIRED = datetime(9999, 1, 1, tzinfo=UTC)


class BookingError(DomainError):
    pass


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%-d %B %Y at %H:%M}"


def _link(site_url: str, name: str, *args) -> str:
    return (site_url or settings.SITE_URL) + reverse(name, args=args)


def _lock_session(session: Session) -> Session:
    """Lock the session row for the rest of the transaction and reload it."""
    return Session.objects.select_for_update(of=("self",)).select_related("course").get(pk=session.pk)


def places_taken(session: Session) -> int:
    return Booking.objects.filter(session=session, status__in=HOLDS_PLACE).count()


# --- Booking ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BookingTerms:
    """Whether a place can be booked now, and on what terms. The session page shows these and
    `book_place` applies the same ones, so the page never offers a place the service would refuse."""

    refusal: str = ""
    # The booker (an agency lead or the training manager) is overriding a missing prerequisite.
    prerequisite_override: bool = False
    # The session is full, or others are already waiting: the booking joins the waiting list.
    waitlisted: bool = False
    # Reasons to think twice that the booker confirms before booking: already in date for the
    # course, or booked on another date of it.
    warnings: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        return not self.refusal


def session_refusal(session: Session, *, now=None) -> str:
    """Why nobody can book `session` now ("" when it is open for booking)."""
    now = now or timezone.now()
    if session.status == SessionStatus.CANCELLED:
        return "This session has been cancelled. Choose another date."
    if session.status == SessionStatus.COMPLETED or session.starts_at <= now:
        return "This session has already started. Choose another date."
    if session.bookings_close_at <= now:
        return f"Booking for this session closed on {_when(session.bookings_close_at)}."
    return ""


def delivering_refusal(*, person: User, session: Session, on_behalf: bool = True) -> str:
    """A session's own trainer is never one of its delegates: a place or a register line for them
    would count them twice, in attendance and in their agency's places used. Why not ("" if they
    do not deliver it). Booking and the register both ask this."""
    if person.pk is None or not session.trainers.filter(pk=person.pk).exists():
        return ""
    who = f"{person} delivers" if on_behalf else "You deliver"
    return f"{who} this session as its trainer, so cannot also be a delegate at it."


def booking_terms(
    *,
    person: User,
    session: Session,
    booked_by: User | None = None,
    override_prerequisites: bool = False,
    now=None,
    policy: BookingPolicy | None = None,
) -> BookingTerms:
    """May `booked_by` book `person` on `session` now? Refused with a reason: cancelled,
    completed or started session; booking closed; already booked; the person is the session's
    own trainer; clashes with another
    booking; prerequisite not met (an agency lead or the training manager may override); or
    the person's recent no-shows mean their agency lead must book for them. Reads only."""
    booked_by = booked_by or person
    on_behalf = booked_by.pk != person.pk
    lead_or_manager = booked_by.is_training_manager or (
        booked_by.is_agency_lead and is_member_of(person, booked_by.agency_id)
    )
    if on_behalf and not lead_or_manager:
        return BookingTerms(refusal="You can only book places for staff of your own agency.")
    now = now or timezone.now()
    refusal = session_refusal(session, now=now)
    if refusal:
        return BookingTerms(refusal=refusal)
    course = session.course
    policy = policy or BookingPolicy.current()
    whose = "They are" if on_behalf else "You are"
    existing = Booking.objects.filter(session=session, person=person, status__in=ACTIVE).first()
    if existing:
        where = "on the waiting list for" if existing.status == BookingStatus.WAITLISTED else "already booked on"
        return BookingTerms(refusal=f"{whose} {where} this session.")
    refusal = delivering_refusal(person=person, session=session, on_behalf=on_behalf)
    if refusal:
        return BookingTerms(refusal=refusal)
    clash = _clashing_booking(person=person, session=session)
    if clash:
        return BookingTerms(
            refusal=f"{whose} booked on {clash.session.course.title} at the same time "
            f"({_when(clash.session.starts_at)}). Cancel that booking first, or choose another date."
        )
    missing = _missing_prerequisites(person=person, session=session)
    if missing and not (override_prerequisites and lead_or_manager):
        names = ", ".join(c.title for c in missing)
        return BookingTerms(
            refusal=f"This course needs {names} first. "
            "Your agency lead can book you a place if your experience covers it."
            if not on_behalf
            else f"{person} has not done {names}. Tick the box to override the prerequisite."
        )
    if not on_behalf and _needs_lead_approval(person=person, policy=policy, now=now):
        return BookingTerms(
            refusal=f"You did not attend {policy.no_shows_before_approval} or more sessions you booked in the last "
            "12 months, so your agency lead needs to book this place for you. Contact them."
        )
    if person.agency_id is None and person.unlisted_organisation and not free_for_everyone(course, policy=policy):
        return BookingTerms(refusal=unlisted_refusal(person, on_behalf=on_behalf))
    if course.needs_manager_approval and not approvers_for(person).emails:
        # Someone the service trusts must approve: the line manager, else the agency's leads, else
        # the training team (accounts.selectors.approvers_for); only a partnership with none of them
        # is refused.
        return BookingTerms(refusal="Nobody can approve a place on this course yet. Contact the training team.")
    someone_waiting = Booking.objects.filter(session=session, status=BookingStatus.WAITLISTED).exists()
    waitlisted = someone_waiting or places_taken(session) >= session.capacity
    warnings = []
    for other in _other_dates_booked(person=person, session=session, now=now):
        when = f"{timezone.localtime(other.session.starts_at):%A %-d %B %Y}"
        if other.status in HOLDS_PLACE and not waitlisted:
            # Two places on one course keep a place from someone else: change date by cancelling first.
            return BookingTerms(
                refusal=f"{whose} already booked on this course on {when}. To change date, cancel that "
                "booking first; to wait for an earlier date, join that date's waiting list."
            )
        if other.status in HOLDS_PLACE:
            warnings.append(
                f"{whose} already booked on this course on {when}. If a place comes up here, cancel the other "
                "date so someone else can have it."
            )
        else:
            warnings.append(
                f"{whose} on the waiting list for this course on {when}. Booking here keeps that place on the list."
            )
    done = in_date_for_course(person=person, course=course, today=timezone.localdate(now))
    session_day = timezone.localtime(session.starts_at).date()
    # A refresher in the last months before the training expires (or after) is what the pathway asks for.
    if done and (done.until is None or done.until > session_day + timedelta(days=DUE_SOON_DAYS)):
        until = f"until {done.until:%-d %B %Y}" if done.until else "with no need to refresh it"
        warnings.append(
            f"{whose} already in date for this course: done on {done.done_on:%-d %B %Y}, it counts {until}."
        )
    return BookingTerms(prerequisite_override=bool(missing), waitlisted=waitlisted, warnings=tuple(warnings))


def unlisted_refusal(person: User, *, on_behalf: bool = False) -> str:
    """What someone whose organisation is not yet mapped to an agency is told about booking."""
    whose = "Their" if on_behalf else "Your"
    return (
        f"{whose} organisation, {person.unlisted_organisation}, is not yet in the list of partner agencies, so "
        "there is nobody to charge a fee to. Until the training team adds it, only free courses can be booked."
    )


def _other_dates_booked(*, person: User, session: Session, now) -> list[Booking]:
    """The person's active bookings on other sessions of the same course still to come."""
    return list(
        Booking.objects.filter(
            person=person,
            status__in=ACTIVE,
            session__course_id=session.course_id,
            session__status=SessionStatus.SCHEDULED,
            session__starts_at__gt=now,
        )
        .exclude(session=session)
        .select_related("session")
        .order_by("session__starts_at")
    )


def booking_terms_for(user, session: Session) -> BookingTerms:
    """The terms the session page shows: the signed-in person's own, or for a visitor who has
    not signed in, only whether the session is open for booking."""
    if not user.is_authenticated:
        return BookingTerms(refusal=session_refusal(session))
    return booking_terms(person=user, session=session)


@transaction.atomic
def book_place(
    *,
    person: User,
    session: Session,
    booked_by: User | None = None,
    override_prerequisites: bool = False,
    accept_warnings: bool = False,
    access_needs: str = "",
    site_url: str = "",
) -> Booking:
    """Book `person` on `session`: a confirmed place, a place held for the line
    manager's approval, or a place on the waiting list when it is full. Refused, with
    the reason, on the terms of `booking_terms`, checked again once the session is locked;
    its warnings (already in date, booked on another date) must be accepted by the booker.
    """
    booked_by = booked_by or person
    session = _lock_session(session)
    policy = BookingPolicy.current()
    terms = booking_terms(
        person=person,
        session=session,
        booked_by=booked_by,
        override_prerequisites=override_prerequisites,
        policy=policy,
    )
    if terms.refusal:
        raise BookingError(terms.refusal)
    if terms.warnings and not accept_warnings:
        raise BookingError(" ".join(terms.warnings) + " Confirm you still want the place.", field="accept_warnings")
    booking = Booking(
        access_needs=access_needs.strip(),
        session=session,
        person=person,
        # Charged to the agency the person is confirmed staff of now (a claim waiting for its lead is
        # no agency at all), even if they move later.
        agency=person.agency,
        booked_by=booked_by,
        prerequisite_override_by=booked_by if terms.prerequisite_override else None,
    )
    if terms.waitlisted:
        booking.status = BookingStatus.WAITLISTED
        booking.waitlist_priority = waitlist_priority(person)
    else:
        _hold_place(booking, policy=policy, now=timezone.now())
    booking.save()
    log_action(actor=booked_by, action="booked", obj=booking, changes={"status": booking.status})
    _tell_about_booking(booking, site_url=site_url)
    return booking


def _hold_place(booking: Booking, *, policy: BookingPolicy, now) -> None:
    if booking.session.course.needs_manager_approval:
        booking.status = BookingStatus.AWAITING_APPROVAL
        booking.approval_expires_at = min(
            now + timedelta(hours=policy.approval_hold_hours), booking.session.bookings_close_at
        )
    else:
        booking.status = BookingStatus.CONFIRMED


def _require_an_approver(person: User) -> None:
    if not approvers_for(person).emails:
        raise BookingError("Nobody can approve a place on this course yet. Contact the training team.")


def _clashing_booking(*, person: User, session: Session) -> Booking | None:
    """An active booking of the person on another session with a date that overlaps this one's."""
    dates = list(session.dates.all()) or [SessionDate(starts_at=session.starts_at, ends_at=session.ends_at)]
    overlap = Q()
    for d in dates:
        overlap |= Q(session__dates__starts_at__lt=d.ends_at, session__dates__ends_at__gt=d.starts_at)
    return (
        Booking.objects.filter(person=person, status__in=ACTIVE)
        .exclude(session=session)
        .exclude(session__status=SessionStatus.CANCELLED)
        .filter(overlap)
        .select_related("session__course")
        .first()
    )


def _missing_prerequisites(*, person: User, session: Session):
    required = list(session.course.prerequisites.all())
    if not required:
        return []
    from ..selectors.training_record import counted_outcomes

    done = set(
        AttendanceRecord.objects.filter(
            person=person, outcome__in=counted_outcomes(), session__course__in=required
        ).values_list("session__course_id", flat=True)
    )
    return [course for course in required if course.pk not in done]


def _needs_lead_approval(*, person: User, policy: BookingPolicy, now) -> bool:
    if not policy.no_shows_before_approval:
        return False
    no_shows = AttendanceRecord.objects.filter(
        person=person, outcome=Attendance.NO_SHOW, session__starts_at__gte=now - timedelta(days=365)
    ).count()
    return no_shows >= policy.no_shows_before_approval


def waitlist_priority(person: User) -> datetime:
    """When the person's most urgent required training expires (earlier waits ahead)."""
    from ..selectors.training_record import earliest_requirement_expiry

    expiry = earliest_requirement_expiry([person.pk]).get(person.pk, "none required")
    if expiry == "none required":
        return NOTHING_REQUIRED
    if expiry is None:
        return NEVER_DONE
    return datetime(expiry.year, expiry.month, expiry.day, tzinfo=UTC)


def approval_token(booking: Booking, approver: str) -> str:
    """The signed link's contents: the booking and the address it was sent to, so the answer can be
    checked against the approval rule and recorded as theirs."""
    return signing.dumps({"booking": booking.pk, "approver": approver}, salt=APPROVAL_SALT)


def _late_charge(booking: Booking) -> Decimal:
    from .charges import late_cancellation_charge

    return late_cancellation_charge(booking=booking)


def _tell_about_booking(booking: Booking, *, site_url: str) -> None:
    from ..ics import session_ics

    person, session = booking.person, booking.session
    context = {
        "person": person,
        "session": session,
        "booking": booking,
        "dates": list(session.dates.all()),
        "manage_link": _link(site_url, "courses:booking", booking.pk),
    }
    if booking.status == BookingStatus.CONFIRMED:
        queue_email(
            to=person.email,
            subject=f"Booking confirmed: {session.course.title}",
            template="booking_confirmed",
            context={**context, "terms": cancellation_terms(booking), "late_charge": _late_charge(booking)},
            attachments=[
                {
                    "filename": "session.ics",
                    "content": session_ics(session, attendee_email=person.email),
                    "mimetype": "text/calendar",
                }
            ],
        )
        transaction.on_commit(lambda: booking_confirmed.send(sender=Booking, booking_id=booking.pk))
    elif booking.status == BookingStatus.WAITLISTED:
        queue_email(
            to=person.email,
            subject=f"On the waiting list: {session.course.title}",
            template="booking_waitlisted",
            context=context,
        )
    elif booking.status == BookingStatus.AWAITING_APPROVAL:
        # Each approver gets a link of their own, so the answer records who gave it.
        approvers = approvers_for(person)
        for approver in approvers.emails:
            queue_email(
                to=approver,
                subject=f"Please approve a training place for {person}",
                template="booking_approval_request",
                context={
                    **context,
                    "approvers": approvers,
                    "approval_link": _link(site_url, "courses:approval", approval_token(booking, approver)),
                },
            )
        queue_email(
            to=person.email,
            subject=f"Waiting for approval: {session.course.title}",
            template="booking_awaiting_approval",
            context={**context, "approvers": approvers},
        )


# --- Line manager approval ------------------------------------------------------------------


def _read_approval_token(token: str) -> tuple[int | None, str]:
    try:
        data = signing.loads(token, salt=APPROVAL_SALT, max_age=60 * 60 * 24 * 60)
    except signing.SignatureExpired as exc:
        raise LinkExpired(
            "This link asked you to approve a training place more than 60 days ago, so it no longer works.",
            what_to_do="If the place still needs an answer, ask the person booked or the training team to send a "
            "new request.",
        ) from exc
    except signing.BadSignature as exc:
        raise BookingError("This approval link is not valid. Check you used the whole link from the email.") from exc
    # Links sent before approvers were recorded named the line manager as "manager".
    return data.get("booking"), data.get("approver") or data.get("manager") or ""


def _check_approver(booking: Booking, approver: str) -> None:
    """The approval rule, applied when the approver answers (accounts.selectors.may_approve)."""
    if approver.lower() == booking.person.email.lower():
        raise BookingError("You cannot approve your own place. Someone else has to approve it.")
    if not may_approve(booking.person, approver):
        raise BookingError(
            f"This link can no longer be used: {approver} cannot approve {booking.person}'s places now. "
            "Contact the training team if you think this is wrong."
        )


def booking_for_approval_token(token: str) -> Booking:
    """The booking an approver's link is for. Refuses altered links, and links whose holder no
    longer qualifies to approve the person's places (or is the person booked)."""
    booking_id, approver = _read_approval_token(token)
    booking = Booking.objects.select_related("session__course", "person", "agency").filter(pk=booking_id).first()
    if booking is None or not approver:
        raise BookingError("This approval link is not valid. Check you used the whole link from the email.")
    _check_approver(booking, approver)
    refuse_closed_approval_link(booking)
    return booking


NOT_ANSWERED_IN_TIME = "Nobody approved the place in time"


def approval_link_closes_at(booking: Booking) -> datetime:
    """A line manager's link works while the place is held for approval (`approval_hold_hours`,
    never past the booking cut-off); for a booking with no recorded hold, until the session starts."""
    return booking.approval_expires_at or booking.session.starts_at


def refuse_closed_approval_link(booking: Booking, now: datetime | None = None) -> None:
    """After the hold the link says what became of the place rather than offering a decision."""
    closes_at = approval_link_closes_at(booking)
    if (now or timezone.now()) < closes_at:
        return
    person, course = booking.person.full_name, booking.session.course.title
    when = f"{timezone.localtime(closes_at):%-d %B %Y at %H:%M}"
    unanswered = booking.status == BookingStatus.AWAITING_APPROVAL or (
        booking.status == BookingStatus.DECLINED and booking.cancellation_reason == NOT_ANSWERED_IN_TIME
    )
    if unanswered:
        raise LinkExpired(
            f"The time to approve {person}'s place on {course} ran out on {when}, so the place was released.",
            what_to_do=f"If {person} still needs this training, they can book again. You will get a new email "
            "asking you to approve it.",
        )
    raise LinkExpired(
        f"This link was for approving {person}'s place on {course}. It stopped working on {when}. "
        f"The booking is now: {booking.get_status_display().lower()}.",
        what_to_do="Nothing more is needed. To change the decision, contact the training team.",
    )


@transaction.atomic
def decide_approval(*, token: str, approve: bool, site_url: str = "") -> Booking:
    """The person's approver (line manager, agency lead or training team: accounts.selectors.approvers_for)
    approves or declines the place held for them; the answer records who gave it."""
    booking = booking_for_approval_token(token)
    _, approver = _read_approval_token(token)
    _lock_session(booking.session)
    booking = (
        Booking.objects.select_for_update(of=("self",)).select_related("session__course", "person").get(pk=booking.pk)
    )
    _check_approver(booking, approver)
    if booking.status != BookingStatus.AWAITING_APPROVAL:
        raise BookingError(f"This place has already been dealt with: it is {booking.get_status_display().lower()}.")
    if booking.approval_expires_at and booking.approval_expires_at < timezone.now():
        raise BookingError("The time to approve this place has run out, so it has been released.")
    now = timezone.now()
    approver = approver.lower()
    booking.approval_decided_by = approver
    if approve:
        booking.status = BookingStatus.CONFIRMED
        booking.approved_at = now
    else:
        booking.status = BookingStatus.DECLINED
        booking.cancelled_at = now
        booking.cancellation_reason = f"Not approved by {approver}"
    booking.save()
    log_action(
        actor=User.objects.filter(email__iexact=approver, is_active=True).first(),
        action="approved place" if approve else "declined place",
        obj=booking,
        changes={"by": approver},
    )
    if approve:
        _tell_about_booking(booking, site_url=site_url)
    else:
        queue_email(
            to=booking.person.email,
            subject=f"Place not approved: {booking.session.course.title}",
            template="booking_declined",
            context={
                "person": booking.person,
                "session": booking.session,
                "manage_link": _link(site_url, "courses:my-training"),
            },
        )
        offer_free_places(booking.session, site_url=site_url)
    return booking


# --- Cancelling -----------------------------------------------------------------------------

# Places a late cancellation can be charged for, and that can be passed to a substitute.
HELD = (BookingStatus.CONFIRMED, BookingStatus.AWAITING_APPROVAL)


@dataclass(frozen=True)
class CancellationTerms:
    """What cancelling a booking now would mean. The booking and cancel pages show these and
    `cancel_booking` applies the same ones, so a page never says "late" when nothing is charged,
    or quotes a sum other than the one charged."""

    refusal: str = ""
    # Within the notice period, for a place held (leaving a waiting list is never late).
    late: bool = False
    # What a late cancellation costs the booking's agency; 0 when nothing would be charged.
    charge: Decimal = Decimal("0")
    # The place can be passed to a colleague from the same agency instead, at no charge.
    can_substitute: bool = False
    # Leaving a waiting list, or turning down a place offered from it: always free.
    leaving_waiting_list: bool = False
    # The last day cancelling is free (for a place held), and the notice period it follows from.
    free_until: object = None
    notice_days: int = 0

    @property
    def allowed(self) -> bool:
        return not self.refusal


def cancellation_terms(booking: Booking, *, now=None, policy: BookingPolicy | None = None) -> CancellationTerms:
    """May this booking be cancelled now, is it late, what would it cost, and may the place
    pass to a substitute? Reads only. A booking no longer active, or whose session has
    started, cannot be cancelled."""
    from .charges import free_cancellation_until, is_late_cancellation, late_cancellation_charge

    now = now or timezone.now()
    session = booking.session
    if booking.status not in ACTIVE:
        return CancellationTerms(refusal="This booking is already cancelled.")
    if session.starts_at <= now:
        return CancellationTerms(refusal="The session has started, so this booking can no longer be cancelled.")
    held = booking.status in HELD
    policy = policy or BookingPolicy.current()
    late = held and is_late_cancellation(session=session, when=now, policy=policy)
    return CancellationTerms(
        late=late,
        charge=late_cancellation_charge(booking=booking, policy=policy) if late else Decimal("0"),
        can_substitute=held and booking.agency_id is not None,
        leaving_waiting_list=booking.status in (BookingStatus.WAITLISTED, BookingStatus.OFFERED),
        free_until=free_cancellation_until(session=session, policy=policy) if held else None,
        notice_days=policy.late_cancellation_working_days,
    )


@transaction.atomic
def cancel_booking(
    *, actor: User, booking: Booking, substitute: User | None = None, site_url: str = "", reason: str = ""
) -> Booking:
    """Cancel a place on the terms of `cancellation_terms`, checked again once the session is
    locked. Before the notice period it is free; within it, it is a late cancellation and may
    be charged (see services.charges). Naming a substitute from the same agency passes the
    place on and avoids any charge. `reason` is the reason given, one of `ReasonGiven` (or none).
    """
    if reason and reason not in ReasonGiven.values:
        raise BookingError("Choose a reason from the list, or none.")
    from .charges import raise_late_cancellation_charge

    session = _lock_session(booking.session)
    booking = Booking.objects.select_for_update(of=("self",)).select_related("person", "agency").get(pk=booking.pk)
    booking.session = session
    now = timezone.now()
    policy = BookingPolicy.current()
    terms = cancellation_terms(booking, now=now, policy=policy)
    if terms.refusal:
        raise BookingError(terms.refusal)
    if substitute is not None:
        if not terms.can_substitute:
            raise BookingError("Only a confirmed place can be passed to a substitute.")
        return _substitute(actor=actor, booking=booking, substitute=substitute, session=session, site_url=site_url)

    had_calendar = booking.status == BookingStatus.CONFIRMED  # the confirmation email carried the events
    booking.late_cancellation = terms.late
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancellation_reason = (
        "Cancelled by the delegate" if actor.pk == booking.person_id else f"Cancelled by {actor}"
    )
    booking.reason_given = reason
    booking.save()
    charge = raise_late_cancellation_charge(booking=booking, policy=policy) if terms.late else None
    if booking.substitute_for_id and terms.leaving_waiting_list:
        _substitute_did_not_take_it(booking, site_url=site_url)
    log_action(
        actor=actor,
        action="cancelled booking",
        obj=booking,
        changes={"late": booking.late_cancellation, "charge": format_money(charge.amount) if charge else ""},
    )
    waiting = terms.leaving_waiting_list
    queue_email(
        to=booking.person.email,
        subject=f"{'Left the waiting list' if waiting else 'Booking cancelled'}: {session.course.title}",
        template="booking_cancelled",
        context={
            "person": booking.person,
            "session": session,
            "booking": booking,
            "charge": charge,
            "waiting": waiting,
            "manage_link": _link(site_url, "courses:booking", booking.pk),
        },
        attachments=_calendar_cancellation(booking) if had_calendar else None,
    )
    offer_free_places(session, site_url=site_url)
    return booking


def _calendar_cancellation(booking: Booking) -> list[dict]:
    """The calendar cancellation for the events the confirmation email added (same UIDs)."""
    from ..ics import session_ics

    return [
        {
            "filename": "cancel-session.ics",
            "content": session_ics(booking.session, attendee_email=booking.person.email, cancel=True),
            "mimetype": "text/calendar",
        }
    ]


def _substitute(*, actor, booking, substitute, session, site_url) -> Booking:
    """Pass the place to a colleague: it is offered to them until they accept it (for
    `waitlist_offer_hours`, never past the start). The person passing it gives it up at once; a
    late cancellation is charged only if the colleague does not take the place
    (`_substitute_did_not_take_it`)."""
    if substitute.pk == booking.person_id:
        raise BookingError("Choose someone else as the substitute.", field="substitute")
    if not substitute.is_active or not is_member_of(substitute, booking.agency_id):
        raise BookingError("The substitute must be an active member of staff of the same agency.", field="substitute")
    if Booking.objects.filter(session=session, person=substitute, status__in=ACTIVE).exists():
        raise BookingError(f"{substitute} is already booked on this session.", field="substitute")
    if _clashing_booking(person=substitute, session=session):
        raise BookingError(f"{substitute} is booked on another session at the same time.", field="substitute")
    now = timezone.now()
    policy = BookingPolicy.current()
    had_calendar = booking.status == BookingStatus.CONFIRMED
    # Remembered, not charged: the charge is raised only if the colleague lets the place go.
    booking.late_cancellation = cancellation_terms(booking, now=now, policy=policy).late
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancellation_reason = f"Place passed to {substitute}"
    booking.save()
    replacement = Booking.objects.create(
        session=session,
        person=substitute,
        agency=substitute.agency,
        booked_by=actor,
        status=BookingStatus.OFFERED,
        offer_expires_at=min(now + timedelta(hours=policy.waitlist_offer_hours), session.starts_at),
        substitute_for=booking,
    )
    log_action(actor=actor, action="passed place to substitute", obj=booking, changes={"substitute": str(substitute)})
    queue_email(
        to=substitute.email,
        subject=f"{booking.person} has passed you their place: {session.course.title}",
        template="booking_offer",
        context={
            "person": substitute,
            "session": session,
            "booking": replacement,
            "dates": list(session.dates.all()),
            "passed_by": booking.person,
            "accept_link": _link(site_url, "courses:booking", replacement.pk),
            "expires": replacement.offer_expires_at,
        },
    )
    queue_email(
        to=booking.person.email,
        subject=f"Your place has been offered to {substitute}: {session.course.title}",
        template="booking_cancelled",
        context={
            "person": booking.person,
            "session": session,
            "booking": booking,
            "charge": None,
            "substitute": substitute,
            "expires": replacement.offer_expires_at,
            "manage_link": _link(site_url, "courses:booking", booking.pk),
        },
        attachments=_calendar_cancellation(booking) if had_calendar else None,
    )
    return replacement


def _substitute_did_not_take_it(replacement: Booking, *, site_url: str = "") -> None:
    """A colleague passed a place declined it or let the offer lapse: the place goes back to the
    waiting list, and the person who passed it is charged as if they had cancelled then (when
    that was late)."""
    from .charges import raise_late_cancellation_charge

    original = replacement.substitute_for
    if original is None:
        return
    charge = raise_late_cancellation_charge(booking=original) if original.late_cancellation else None
    queue_email(
        to=original.person.email,
        subject=f"{replacement.person} did not take your place: {replacement.session.course.title}",
        template="booking_substitute_declined",
        context={
            "person": original.person,
            "substitute": replacement.person,
            "session": replacement.session,
            "charge": charge,
            "manage_link": _link(site_url, "courses:booking", original.pk),
        },
    )


# --- The waiting list ------------------------------------------------------------------------


def offer_free_places(session: Session, *, site_url: str = "") -> list[Booking]:
    """Offer each free place to the next person waiting. Call with the session locked."""
    now = timezone.now()
    if session.status != SessionStatus.SCHEDULED or session.starts_at <= now or session.bookings_close_at <= now:
        return []
    policy = BookingPolicy.current()
    free = session.capacity - places_taken(session)
    if free <= 0:
        return []
    waiting = list(
        Booking.objects.filter(session=session, status=BookingStatus.WAITLISTED)
        .select_related("person")
        .order_by("waitlist_priority", "created_at", "pk")[:free]
    )
    for booking in waiting:
        booking.status = BookingStatus.OFFERED
        booking.offer_expires_at = min(now + timedelta(hours=policy.waitlist_offer_hours), session.bookings_close_at)
        booking.save(update_fields=["status", "offer_expires_at"])
        log_action(
            actor=None, action="offered a place", obj=booking, changes={"until": booking.offer_expires_at.isoformat()}
        )
        queue_email(
            to=booking.person.email,
            subject=f"A place is free: {session.course.title}",
            template="booking_offer",
            context={
                "person": booking.person,
                "session": session,
                "booking": booking,
                "accept_link": _link(site_url, "courses:booking", booking.pk),
                "expires": booking.offer_expires_at,
            },
        )
    return waiting


@transaction.atomic
def accept_offer(*, actor: User, booking: Booking, site_url: str = "") -> Booking:
    session = _lock_session(booking.session)
    booking = Booking.objects.select_for_update(of=("self",)).select_related("person").get(pk=booking.pk)
    if booking.status != BookingStatus.OFFERED:
        raise BookingError("There is no place on offer for this booking.")
    now = timezone.now()
    if booking.offer_expires_at <= now or session.starts_at <= now:
        raise BookingError("This offer has expired, so the place has gone to the next person waiting.")
    if session.course.needs_manager_approval:
        _require_an_approver(booking.person)
    _hold_place(booking, policy=BookingPolicy.current(), now=now)
    booking.offer_expires_at = None
    booking.save()
    log_action(actor=actor, action="accepted offer", obj=booking, changes={"status": booking.status})
    _tell_about_booking(booking, site_url=site_url)
    if booking.substitute_for_id:
        original = booking.substitute_for
        queue_email(
            to=original.person.email,
            subject=f"{booking.person} has taken your place: {session.course.title}",
            template="booking_substitute_accepted",
            context={"person": original.person, "substitute": booking.person, "session": session},
        )
    return booking


def expire_offers_and_holds(*, now=None) -> int:
    """Beat task body: offers not taken up in time pass to the next person;
    places held for a line manager who did not answer are released. Safe to run twice."""
    now = now or timezone.now()
    expired = 0
    stale = (
        Booking.objects.filter(
            Q(status=BookingStatus.OFFERED, offer_expires_at__lt=now)
            | Q(status=BookingStatus.AWAITING_APPROVAL, approval_expires_at__lt=now)
        )
        .values_list("session_id", flat=True)
        .distinct()
    )
    for session_id in list(stale):
        with transaction.atomic():
            session = Session.objects.select_for_update(of=("self",)).select_related("course").get(pk=session_id)
            for booking in (
                Booking.objects.select_for_update(of=("self",))
                .select_related("person")
                .filter(
                    Q(status=BookingStatus.OFFERED, offer_expires_at__lt=now)
                    | Q(status=BookingStatus.AWAITING_APPROVAL, approval_expires_at__lt=now),
                    session=session,
                )
            ):
                offer = booking.status == BookingStatus.OFFERED
                if offer and booking.substitute_for_id:
                    _substitute_did_not_take_it(booking)
                booking.status = BookingStatus.CANCELLED if offer else BookingStatus.DECLINED
                booking.cancelled_at = now
                booking.cancellation_reason = "Offer not taken up in time" if offer else NOT_ANSWERED_IN_TIME
                booking.save()
                log_action(actor=None, action="offer expired" if offer else "approval expired", obj=booking)
                queue_email(
                    to=booking.person.email,
                    subject=f"{'Offer expired' if offer else 'Place released'}: {session.course.title}",
                    template="booking_expired",
                    context={
                        "person": booking.person,
                        "session": session,
                        "booking": booking,
                        "offer": offer,
                        "manage_link": _link("", "courses:booking", booking.pk),
                    },
                )
                expired += 1
            offer_free_places(session)
    return expired


# --- Cancelling a session ---------------------------------------------------------------------


@transaction.atomic
def cancel_session(*, actor: User, session: Session, reason: str) -> int:
    """Cancel a session: everyone booked or waiting is told, and nobody is charged.
    Returns how many people were told."""
    if not actor.is_training_manager:
        raise BookingError("Only the training manager can cancel a session.")
    if not reason.strip():
        raise BookingError("Enter why the session is cancelled", field="reason")
    session = _lock_session(session)
    if session.status != SessionStatus.SCHEDULED:
        raise BookingError(f"This session is already {session.get_status_display().lower()}.")
    now = timezone.now()
    session.status = SessionStatus.CANCELLED
    session.cancelled_at = now
    session.cancellation_reason = reason.strip()
    session.save(update_fields=["status", "cancelled_at", "cancellation_reason"])
    affected = list(
        Booking.objects.select_for_update(of=("self",))
        .select_related("person")
        .filter(session=session, status__in=ACTIVE)
    )
    for booking in affected:
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = now
        booking.cancellation_reason = "The session was cancelled"
        booking.save(update_fields=["status", "cancelled_at", "cancellation_reason"])
        queue_email(
            to=booking.person.email,
            subject=f"Session cancelled: {session.course.title}",
            template="session_cancelled",
            context={
                "person": booking.person,
                "session": session,
                "reason": session.cancellation_reason,
                "manage_link": _link("", "courses:my-training"),
            },
        )
    log_action(
        actor=actor,
        action="cancelled session",
        obj=session,
        changes={"reason": reason.strip(), "people told": len(affected)},
    )
    transaction.on_commit(lambda: session_cancelled.send(sender=Session, session_id=session.pk))
    return len(affected)


# --- Reminders ------------------------------------------------------------------------------


def send_reminders(*, now=None) -> int:
    """Beat task body: remind confirmed delegates a few days before; once each."""
    now = now or timezone.now()
    policy = BookingPolicy.current()
    due = Booking.objects.filter(
        status=BookingStatus.CONFIRMED,
        reminder_sent_at__isnull=True,
        session__status=SessionStatus.SCHEDULED,
        session__starts_at__gt=now,
        session__starts_at__lte=now + timedelta(days=policy.reminder_days_before),
    ).select_related("person", "session__course", "session__venue")
    sent = 0
    for booking in due:
        with transaction.atomic():
            claimed = Booking.objects.filter(pk=booking.pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now)
            if not claimed:
                continue
            queue_email(
                to=booking.person.email,
                subject=(
                    f"Reminder: {booking.session.course.title} "
                    f"on {timezone.localtime(booking.session.starts_at):%A %-d %B}"
                ),
                template="booking_reminder",
                context={
                    "person": booking.person,
                    "session": booking.session,
                    "dates": list(booking.session.dates.all()),
                    "manage_link": _link("", "courses:booking", booking.pk),
                },
            )
            sent += 1
    return sent
