"""Date filters on lists compare the day in local time, whatever the time of day or the clocks."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.factories import training_manager
from courses.factories import CourseFactory, SessionFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
LATE, EARLY = "Neglect: Late Evening Briefing", "Early Help Night Shift Briefing"


def test_a_session_late_on_the_last_day_is_in_a_to_filter_and_one_early_on_the_first_day_in_a_from_filter(client):
    client.force_login(training_manager())
    late = datetime(2026, 3, 31, 23, 30, tzinfo=LONDON)  # British Summer Time: 22:30 in UTC
    early = datetime(2026, 10, 25, 0, 15, tzinfo=LONDON)  # the night the clocks go back
    for title, starts_at in ((LATE, late), (EARLY, early)):
        SessionFactory(
            course=CourseFactory(title=title),
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=30),
            bookings_close_at=starts_at - timedelta(days=2),
        )

    def listed(**filters):
        page = client.get(reverse("courses:manage-sessions"), filters).content.decode()
        # A row of the table links the course's title (the course filter lists every title anyway).
        return {title for title in (LATE, EARLY) if f">{title}</a></td>" in page}

    assert listed(date_from="31/03/2026", date_to="31/03/2026") == {LATE}
    assert listed(date_from="01/04/2026", date_to="24/10/2026") == set()
    assert listed(date_to="30/03/2026") == set()
    assert listed(date_from="25/10/2026", date_to="25/10/2026") == {EARLY}
    assert listed(date_from="26/10/2026") == set()
