"""What the courses app holds about a person, for their own data download."""

from .models import AttendanceRecord, Booking, Charge, ExternalTraining


def personal_data(person) -> dict:
    return {
        "bookings": [
            {
                "course": b.session.course.title,
                "session_starts": b.session.starts_at.isoformat(),
                "status": b.get_status_display(),
                "booked_on": b.created_at.isoformat(),
                "cancelled_on": b.cancelled_at.isoformat() if b.cancelled_at else None,
                "late_cancellation": b.late_cancellation,
                "access_or_dietary_needs": b.access_needs,
            }
            for b in Booking.objects.filter(person=person).select_related("session__course").order_by("created_at")
        ],
        "attendance": [
            {
                "course": r.session.course.title,
                "session_starts": r.session.starts_at.isoformat(),
                "attendance": r.get_outcome_display(),
                "walk_in": r.walk_in,
                "certificate": getattr(getattr(r, "certificate", None), "code", None),
            }
            for r in AttendanceRecord.objects.filter(person=person).select_related("session__course", "certificate")
        ],
        "training_done_elsewhere": [
            {
                "course_or_module": e.title,
                "provider": e.provider,
                "level": str(e.level),
                "completed_on": e.completed_on.isoformat(),
                "status": e.get_status_display(),
                "certificate_uploaded": bool(e.certificate),
            }
            for e in ExternalTraining.objects.filter(person=person).select_related("level")
        ],
        "charges_to_your_organisation_for_you": [
            {
                "what": c.get_kind_display(),
                "amount": str(c.amount),
                "agency": c.agency.name,
                "rule": c.rule,
                "waived": c.waiver_reason if c.waived_at else None,
            }
            for c in Charge.objects.filter(person=person).select_related("agency")
        ],
    }
