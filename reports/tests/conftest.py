"""What the report tests share: this training year, with one delivered session of seven police officers."""

from datetime import date

import pytest
from django.utils import timezone

from accounts.factories import AgencyFactory, UserFactory
from courses.factories import AttendanceRecordFactory, SessionFactory
from courses.models import SessionStatus
from tna.models import TrainingYear


@pytest.fixture
def year():
    today = timezone.localdate()
    start = date(today.year - (today.month < 4), 4, 1)
    return TrainingYear.objects.create(
        name="This year", starts_on=start, ends_on=date(start.year + 1, 3, 31), children_in_need=3400
    )


@pytest.fixture
def delivered(year, target_groups):
    police = AgencyFactory(name="Northshire Police")
    session = SessionFactory(
        course__title="Working Together to Safeguard Children", days_ahead=-2, status=SessionStatus.COMPLETED
    )
    for _ in range(7):
        AttendanceRecordFactory(session=session, person=UserFactory(agency=police), agency=police, booking=None)
    return police
