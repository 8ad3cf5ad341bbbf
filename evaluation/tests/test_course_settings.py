"""A course's evaluation settings are changed through the evaluation service, with an audit entry."""

import pytest
from django.urls import reverse

from accounts.factories import training_manager
from accounts.models import AuditEntry
from courses.factories import CourseFactory
from evaluation import services
from evaluation.models import CourseEvaluation

pytestmark = pytest.mark.django_db


def test_changing_the_follow_up_delay_is_saved_and_audited(client):
    course = CourseFactory(title="Neglect: Recognising and Responding")
    current = services.settings_for(course)
    client.force_login(training_manager(full_name="Helen Carter"))
    client.post(
        reverse("evaluation:course-settings", args=[course.pk]),
        {
            "before": current.before_id or "",
            "before_days": current.before_days,
            "immediate": current.immediate_id or "",
            "follow_up": current.follow_up_id or "",
            "follow_up_weeks": "8",
            "certificate_needs_evaluation": "on" if current.certificate_needs_evaluation else "",
            "max_reminders": current.max_reminders,
            "reminder_days": current.reminder_days,
        },
    )
    assert CourseEvaluation.objects.get(course=course).follow_up_weeks == 8
    entry = AuditEntry.objects.get(action="changed course evaluation")
    assert entry.changes == {"follow_up_weeks": [str(current.follow_up_weeks), "8"]}


def test_only_the_training_manager_changes_them():
    from accounts.factories import UserFactory
    from evaluation.services import EvaluationError

    current = services.settings_for(CourseFactory())
    with pytest.raises(EvaluationError):
        services.save_course_evaluation(actor=UserFactory(), evaluation=current, follow_up_weeks=2)
    assert CourseEvaluation.objects.get(pk=current.pk).follow_up_weeks == current.follow_up_weeks
