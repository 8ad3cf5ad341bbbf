""" "Trained and in date" has one definition: the pathway rule's refresher period, else three years.
My training, the agency summary and the training needs return's prefill all use it."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from accounts.factories import AgencyFactory, UserFactory
from courses.factories import (
    AttendanceRecordFactory,
    BookingFactory,
    CourseFactory,
    LevelFactory,
    PathwayRuleFactory,
    SessionFactory,
)
from courses.selectors.training_record import Status, requirements_for, trained_and_in_date

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 12, 1)
pytestmark = pytest.mark.django_db


def attended_on(person, course, day):
    start = datetime(day.year, day.month, day.day, 9, 30, tzinfo=LONDON)
    session = SessionFactory(course=course, starts_at=start, ends_at=start.replace(hour=16, minute=30))
    return AttendanceRecordFactory(booking=BookingFactory(session=session, person=person))


@pytest.fixture
def courses(target_groups):
    level2, level3 = LevelFactory(number=2), LevelFactory(number=3)
    # Practitioners (staff group 3) refresh level 2 every 36 months; designated safeguarding leads
    # (staff group 4) refresh level 3 every 24 months.
    PathwayRuleFactory(target_group=target_groups[3], level=level2, refresh_months=36)
    PathwayRuleFactory(target_group=target_groups[4], level=level3, refresh_months=24)
    return (
        CourseFactory(title="Working Together to Safeguard Children", level=level2),
        CourseFactory(title="Child Protection Conferences and Core Groups", level=level3),
    )


def test_in_date_follows_the_pathway_rule_where_the_flat_three_years_did_not(courses, target_groups):
    working_together, conferences = courses
    police = AgencyFactory(name="Northshire Police")
    dsl = UserFactory(full_name="Sam Patel", agency=police, target_group=target_groups[4])
    last_day = UserFactory(full_name="Rosa Lee", agency=police, target_group=target_groups[4])
    practitioner = UserFactory(full_name="Aisha Khan", agency=police, target_group=target_groups[3])
    no_rule_in = UserFactory(full_name="Ben Brown", agency=police, target_group=target_groups[3])
    no_rule_out = UserFactory(full_name="Chloe Campbell", agency=police, target_group=target_groups[3])
    # 20 May 2024 + 24 months = 20 May 2026, before 1 December 2026: out of date. The flat 36 x 30 days
    # (from 17 December 2023) counted it in date.
    attended_on(dsl, conferences, date(2024, 5, 20))
    # 1 December 2024 + 24 months = 1 December 2026: the last day it is in date is today.
    attended_on(last_day, conferences, date(2024, 12, 1))
    # 10 December 2023 + 36 months = 10 December 2026: in date. The flat 1,080 days left it out.
    attended_on(practitioner, working_together, date(2023, 12, 10))
    # No rule of staff group 3 covers level 3: three years. 2 December 2023 is in date until 2 December
    # 2026; 30 November 2023 only until 30 November 2026, yesterday.
    attended_on(no_rule_in, conferences, date(2023, 12, 2))
    attended_on(no_rule_out, conferences, date(2023, 11, 30))

    counts = trained_and_in_date(agency=police, today=TODAY)
    assert counts == {conferences.pk: 2, working_together.pk: 1}  # Rosa and Ben; Aisha

    # My training and the agency summary say the same of the people a rule covers.
    records = requirements_for([dsl, last_day, practitioner], today=TODAY)
    assert records[dsl.pk][0].status == Status.OVERDUE
    assert records[last_day.pk][0].status == Status.DUE_SOON  # in date, expiring today
    assert records[practitioner.pk][0].status == Status.DUE_SOON  # in date until 10 December


def test_only_the_latest_attendance_counts_and_another_agencys_people_do_not(courses, target_groups):
    _, conferences = courses
    police = AgencyFactory(name="Northshire Police")
    dsl = UserFactory(agency=police, target_group=target_groups[4])
    attended_on(dsl, conferences, date(2022, 3, 1))
    attended_on(dsl, conferences, date(2025, 9, 9))
    school = AgencyFactory(name="Riverside Academy Trust")
    attended_on(UserFactory(agency=school, target_group=target_groups[4]), conferences, date(2026, 1, 12))
    assert trained_and_in_date(agency=police, today=TODAY) == {conferences.pk: 1}
