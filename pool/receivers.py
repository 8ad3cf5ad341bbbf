"""What the pool does when `courses` reports that something happened."""

from django.dispatch import receiver
from django.utils import timezone

from accounts.models import User
from courses.models import AttendanceRecord, Session
from courses.signals import checking_trainers, register_closed

from . import services


@receiver(register_closed, sender=Session)
def training_for_trainers_completed(sender, session_id, attendance_ids, **kwargs):
    """Everyone who attended the Board's training for trainers is recorded as trained;
    accepted applicants become active members."""
    records = AttendanceRecord.objects.filter(
        pk__in=attendance_ids, session__course__is_training_for_trainers=True
    ).select_related("session")
    for record in records:
        if record.counts_as_attended:
            services.record_training_for_trainers(
                person_id=record.person_id, completed_on=timezone.localtime(record.session.ends_at).date()
            )


@receiver(checking_trainers, sender=Session)
def trainer_checks(sender, session_id, trainer_ids, **kwargs) -> list[str]:
    """Trainers chosen on the session form get the checks of the session's Trainers page
    (`services.assignment_warnings`): one set of checks wherever trainers are chosen."""
    session = Session.objects.select_related("course").get(pk=session_id)
    warnings = []
    for trainer in User.objects.filter(pk__in=trainer_ids).select_related("agency").order_by("full_name"):
        warnings += services.assignment_warnings(session=session, trainer=trainer)
    return warnings
