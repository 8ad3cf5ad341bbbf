"""Training days in the Board's figures follow the courses' lengths, half days and hours alike."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from courses.factories import CourseFactory, SessionFactory
from courses.models import SessionStatus
from reports import metrics

pytestmark = pytest.mark.django_db


def test_a_half_day_counts_half_a_training_day_and_a_briefing_its_hours(year, target_groups):
    half = CourseFactory(title="Domestic Abuse and its Impact on Children", duration_days=Decimal("0.5"))
    # Two hours at seven hours to a training day: 2 / 7 = 0.2857 of a day.
    briefing = CourseFactory(
        title="Prevent Duty Briefing", duration_hours=Decimal("2"), duration_days=Decimal("0.2857")
    )
    for course, days_ago in ((half, 3), (briefing, 4), (briefing, 5)):
        SessionFactory(course=course, days_ahead=-days_ago, status=SessionStatus.COMPLETED)
    SessionFactory(course=half, days_ahead=-6, status=SessionStatus.CANCELLED)
    h = metrics.headline(metrics.Period.of_year(year))
    # 0.5 + 0.2857 + 0.2857 = 1.0714 days; the cancelled run counts nothing.
    assert (h.events_delivered, h.training_days) == (3, Decimal("1.0714"))
    written = Template("{% load report_tags %}{{ days|num }}").render(Context({"days": h.training_days}))
    assert written == "1.07"
