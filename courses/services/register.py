"""The register: who attended, who left early, who did not come, and who walked in.

Closing the register is the moment the session's consequences happen: the
session is completed, certificates are issued, charges are raised and the
evaluation app is told (through `register_closed`) to send its invitations.
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import log_action
from accounts.mail import queue_email
from accounts.models import User, normalise_email
from common.errors import DomainError

from ..models import Attendance, AttendanceRecord, Booking, BookingStatus, Session, SessionStatus
from ..signals import register_closed
from .booking import delivering_refusal


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
    log_action(actor=actor, action="removed walk-in", obj=record.session, changes={"person": str(record.person)})
    record.delete()


@transaction.atomic
def close_register(*, actor: User, session: Session) -> dict:
    """Complete the session: issue certificates to everyone who attended (or left
    early), raise fees and no-show charges, and tell the apps that follow up."""
    from ..certificates import issue_certificate
    from .charges import raise_attendance_fee, raise_no_show_charge

    session = _open_register(session)
    unmarked = Booking.objects.filter(session=session, status=BookingStatus.CONFIRMED, attendance__isnull=True).count()
    if unmarked:
        raise RegisterError(
            "Mark everyone before closing the register: "
            f"{unmarked} {'person has' if unmarked == 1 else 'people have'} no mark."
        )
    records = list(AttendanceRecord.objects.filter(session=session).select_related("person", "agency", "booking"))
    certificates, charges = [], []
    for record in records:
        if record.counts_as_attended:
            certificates.append(issue_certificate(record=record))
            charge = raise_attendance_fee(record=record)
        else:
            charge = raise_no_show_charge(record=record)
        if charge:
            charges.append(charge)
    session.status = SessionStatus.COMPLETED
    session.register_closed_at = timezone.now()
    session.save(update_fields=["status", "register_closed_at"])
    log_action(
        actor=actor,
        action="closed register",
        obj=session,
        changes={"attended": len(certificates), "no-shows": len(records) - len(certificates), "charges": len(charges)},
    )
    for certificate in certificates:
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
    certificate_ids = [c.pk for c in certificates]
    attendance_ids = [r.pk for r in records]
    attended_booking_ids = [r.booking_id for r in records if r.counts_as_attended and r.booking_id]

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
    return {"certificates": len(certificates), "charges": len(charges), "no_shows": len(records) - len(certificates)}
