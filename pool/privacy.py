"""What the trainer pool holds about a person, for their own data download."""

from .models import Assignment, Membership


def personal_data(person) -> dict:
    membership = Membership.objects.filter(person=person).prefetch_related("courses", "history").first()
    return {
        "membership": None
        if membership is None
        else {
            "status": membership.get_status_display(),
            "experience": membership.experience,
            "specialisms": membership.specialisms,
            "facilitation_experience": membership.facilitation_experience,
            "courses": [c.title for c in membership.courses.all()],
            "endorsement_note": membership.endorsement_note,
            "decision_reason": membership.review_reason,
            "trained_on": membership.trained_on.isoformat() if membership.trained_on else None,
            "history": [
                {"status": h.get_status_display(), "when": h.changed_at.isoformat(), "reason": h.reason}
                for h in membership.history.all()
            ],
        },
        "assignments": [
            {
                "session": str(a.session),
                "answer": a.get_status_display(),
                "asked": a.assigned_at.isoformat(),
                "reason": a.decline_reason,
            }
            for a in Assignment.objects.filter(trainer=person).select_related("session__course")
        ],
    }
