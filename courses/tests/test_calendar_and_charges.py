"""Working days and the charging rules (configuration, not code)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from accounts.factories import AgencyFactory, UserFactory, training_manager
from courses.calendar import is_working_day, working_days_before, working_days_between
from courses.factories import AttendanceRecordFactory, BookingFactory, CourseFactory, SessionFactory
from courses.models import Attendance, BookingPolicy, Charge, FeeRate
from courses.services.charges import (
    ChargeError,
    fee_for,
    is_late_cancellation,
    raise_late_cancellation_charge,
    raise_register_charge,
    waive_charge,
)

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


def test_weekends_and_bank_holidays_are_not_working_days():
    assert not is_working_day(date(2026, 12, 25))  # Christmas Day
    assert not is_working_day(date(2026, 12, 28))  # Boxing Day, observed on the Monday
    assert not is_working_day(date(2026, 12, 27))  # a Sunday
    assert is_working_day(date(2026, 12, 29))


def test_working_days_are_counted_across_christmas():
    # After Wednesday 23 December up to Tuesday 5 January: 24, 29, 30, 31 December and 4, 5 January.
    # Christmas Day, Boxing Day (observed on Monday 28th) and New Year's Day are bank holidays.
    assert working_days_between(date(2026, 12, 23), date(2027, 1, 5)) == 6
    assert working_days_before(date(2026, 12, 29), 2) == date(2026, 12, 23)


def session_on(day: date, **kwargs):
    start = datetime(day.year, day.month, day.day, 9, 30, tzinfo=LONDON)
    return SessionFactory(
        starts_at=start, ends_at=start + timedelta(hours=7), bookings_close_at=start - timedelta(days=1), **kwargs
    )


def test_a_late_cancellation_counts_working_days_across_a_bank_holiday():
    policy = BookingPolicy.current()
    policy.late_cancellation_working_days = 3
    policy.save()
    session = session_on(date(2026, 12, 30))
    # From Wednesday 23 Dec: 24, 29, 30 = 3 working days (25, 26, 27, 28 are not): not late.
    assert not is_late_cancellation(session=session, when=datetime(2026, 12, 23, 12, tzinfo=LONDON))
    # From Thursday 24 Dec: 29, 30 = 2 working days: late, though six calendar days remain.
    assert is_late_cancellation(session=session, when=datetime(2026, 12, 24, 12, tzinfo=LONDON))


def test_a_full_day_fee_follows_the_category_and_a_half_day_course_costs_the_half_day_rate(nursery):
    assert fee_for(agency=nursery, course=CourseFactory(duration_days=Decimal("1.0"))) == Decimal("120")
    assert fee_for(
        agency=nursery,
        course=CourseFactory(title="Domestic Abuse and its Impact on Children", duration_days=Decimal("0.5")),
    ) == Decimal("70")
    assert fee_for(
        agency=nursery, course=CourseFactory(title="Harmful Sexual Behaviour", duration_days=Decimal("1.5"))
    ) == Decimal("190")


def test_contributing_partners_train_free_unless_the_policy_says_otherwise():
    police = AgencyFactory(name="Northshire Police", contributing=True)
    FeeRate.objects.create(
        policy=BookingPolicy.current(), category=police.category, per_day=Decimal("100"), per_half_day=Decimal("60")
    )
    course = CourseFactory()
    assert fee_for(agency=police, course=course) == 0
    policy = BookingPolicy.current()
    policy.contributing_partners_free = False
    policy.save()
    assert fee_for(agency=police, course=course, policy=policy) == Decimal("100")


def test_an_exempt_course_is_never_charged(nursery):
    conference = CourseFactory(title="Annual Safeguarding Conference", charge_exempt=True)
    record = AttendanceRecordFactory(
        booking=BookingFactory(
            person=UserFactory(agency=nursery), session=SessionFactory(course=conference, days_ahead=-3)
        ),
        outcome=Attendance.NO_SHOW,
    )
    assert raise_register_charge(record=record) is None
    assert fee_for(agency=nursery, course=conference) == 0


def test_a_no_show_on_a_half_day_course_costs_half_the_daily_charge(nursery):
    course = CourseFactory(title="Safeguarding Disabled Children", duration_days=Decimal("0.5"))
    record = AttendanceRecordFactory(
        booking=BookingFactory(
            person=UserFactory(agency=nursery), session=SessionFactory(course=course, days_ahead=-3)
        ),
        outcome=Attendance.NO_SHOW,
    )
    charge = raise_register_charge(record=record)
    assert charge.amount == Decimal("37.50")  # the policy's £75.00 a day for a no-show ÷ 2 for half a day
    assert "Did not attend" in charge.rule and "half a day" in charge.rule
    assert raise_register_charge(record=record) == charge  # raised once only
    assert Charge.objects.count() == 1


def test_the_attendance_fee_names_the_rule_that_raised_it(nursery):
    record = AttendanceRecordFactory(
        booking=BookingFactory(person=UserFactory(agency=nursery), session=SessionFactory(days_ahead=-3))
    )
    charge = raise_register_charge(record=record)
    assert (
        charge.amount == Decimal("120")
        and charge.rule == "Course fee for Private or independent provider: £120.00 for 1 day"
    )


def test_a_late_cancellation_charge_goes_to_the_agency_at_booking(nursery):
    booking = BookingFactory(person=UserFactory(agency=nursery), session=SessionFactory(days_ahead=2))
    booking.person.agency = AgencyFactory(name="Northshire College")
    booking.person.save()
    charge = raise_late_cancellation_charge(booking=booking)
    assert charge.agency == nursery


def test_waiving_needs_a_reason_and_the_training_manager(nursery):
    record = AttendanceRecordFactory(
        booking=BookingFactory(person=UserFactory(agency=nursery), session=SessionFactory(days_ahead=-3)),
        outcome=Attendance.NO_SHOW,
    )
    charge = raise_register_charge(record=record)
    with pytest.raises(ChargeError, match="Only the training manager"):
        waive_charge(actor=UserFactory(), charge=charge, reason="Ill")
    manager = training_manager()
    with pytest.raises(ChargeError, match="Enter why"):
        waive_charge(actor=manager, charge=charge, reason=" ")
    waive_charge(actor=manager, charge=charge, reason="Off sick with a doctor's note")
    charge.refresh_from_db()
    assert charge.is_waived and charge.waiver_reason == "Off sick with a doctor's note"
    with pytest.raises(ChargeError, match="already been waived"):
        waive_charge(actor=manager, charge=charge, reason="Again")


def test_the_charges_list_runs_the_same_number_of_queries_for_1_and_100_charges_and_exports_csv(client, nursery):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client.force_login(training_manager())
    session = SessionFactory(days_ahead=-3)

    def no_show():
        record = AttendanceRecordFactory(
            booking=BookingFactory(person=UserFactory(agency=nursery), session=session), outcome=Attendance.NO_SHOW
        )
        raise_register_charge(record=record)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("courses:charges")).status_code == 200
        return len(queries)

    no_show()
    one = count()
    for _ in range(99):
        no_show()
    assert count() == one
    response = client.get(reverse("courses:charges"), {"agency": nursery.pk, "export": "csv"})
    lines = response.content.decode().strip().splitlines()
    assert lines[0] == "Raised,Agency,Person,Session,Charge,Amount,Status" and len(lines) == 101
    assert lines[1].split(",")[1] == "Little Acorns Day Nurseries Ltd" and lines[1].endswith("75.00,Outstanding")


def test_an_agency_lead_sees_only_their_agencys_charges(client, nursery):
    from django.urls import reverse

    from accounts.factories import agency_lead

    mine = AttendanceRecordFactory(
        booking=BookingFactory(
            person=UserFactory(full_name="Sam Wilde", agency=nursery), session=SessionFactory(days_ahead=-3)
        ),
        outcome=Attendance.NO_SHOW,
    )
    raise_register_charge(record=mine)
    other_agency = AgencyFactory(name="Northshire College", contributing=False, category=nursery.category)
    theirs = AttendanceRecordFactory(
        booking=BookingFactory(
            person=UserFactory(full_name="Ben Brown", agency=other_agency), session=SessionFactory(days_ahead=-4)
        ),
        outcome=Attendance.NO_SHOW,
    )
    their_charge = raise_register_charge(record=theirs)
    client.force_login(agency_lead(agency=nursery))
    page = client.get(reverse("courses:charges")).content.decode()
    assert "Sam Wilde" in page and "Ben Brown" not in page
    assert client.get(reverse("courses:charge-waive", args=[their_charge.pk])).status_code == 404
