"""Charges and figures count by the session's date, not the day they were recorded: a session from
2020 recorded (catching up) and closed today counts in 2020-21, and not at all in this year."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.factories import AgencyFactory, UserFactory, training_manager
from courses.factories import BookingFactory, CourseFactory, VenueFactory
from courses.models import Attendance, BookingPolicy, Charge, FeeRate
from courses.selectors.charges import charges_of_period
from courses.services.programme import DateSpan, SessionNeedsConfirmation, booking_cut_off, save_session
from courses.services.register import close_register, record_attendance
from reports.metrics import Period, charges_statement, headline, partner_contribution
from tna.models import TrainingYear

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def run_on_commit(immediate_on_commit):
    pass


@pytest.fixture
def nursery():
    agency = AgencyFactory(name="Little Acorns Day Nurseries Ltd", sector="independent", contributing=False)
    policy = BookingPolicy.current()
    policy.save()
    FeeRate.objects.create(policy=policy, category=agency.category, per_day=Decimal("85.00"), per_half_day=45)
    return agency


@pytest.fixture
def year_2020():
    return TrainingYear.objects.create(name="2020-21", starts_on=date(2020, 4, 1), ends_on=date(2021, 3, 31))


@pytest.fixture
def session_2020(nursery):
    """A one-day session run on 10 June 2020, recorded today and its register closed today:
    Priya Shah attended (£85.00 fee), Tom Fletcher did not (£75.00 no-show charge)."""
    manager = training_manager()
    tz = timezone.get_current_timezone()
    day = date(2020, 6, 10)
    span = DateSpan(starts_at=datetime.combine(day, time(9, 30), tz), ends_at=datetime.combine(day, time(16, 30), tz))
    values = {
        "course": CourseFactory(duration_days=1),
        "venue": VenueFactory(),
        "capacity": 20,
        "bookings_close_at": booking_cut_off(first_starts_at=span.starts_at),
    }
    with pytest.raises(SessionNeedsConfirmation) as needs:
        save_session(actor=manager, dates=[span], **values)
    assert any("The session starts in the past" in warning for warning in needs.value.warnings)
    session = save_session(actor=manager, dates=[span], confirmed=needs.value.warnings, **values)
    came = BookingFactory(session=session, person=UserFactory(full_name="Priya Shah", agency=nursery))
    absent = BookingFactory(session=session, person=UserFactory(full_name="Tom Fletcher", agency=nursery))
    record_attendance(
        actor=manager, session=session, outcomes={came.pk: Attendance.ATTENDED, absent.pk: Attendance.NO_SHOW}
    )
    close_register(actor=manager, session=session)
    assert Charge.objects.count() == 2 and all(c.raised_at.date() == timezone.localdate() for c in Charge.objects.all())
    return session


def test_a_2020_charge_raised_today_belongs_to_2020_not_this_year(session_2020, year, year_2020, nursery):
    this_year = Period.of_year(year)
    then = Period.of_year(year_2020)
    assert not charges_of_period(this_year.starts_on, this_year.ends_on).exists()
    assert sum(c.amount for c in charges_of_period(then.starts_on, then.ends_on, agency=nursery)) == Decimal("160.00")

    assert partner_contribution(this_year).charges_raised == Decimal("0")
    assert partner_contribution(then).charges_raised == Decimal("160.00")
    assert charges_statement(nursery, year.starts_on, year.ends_on).charges == []
    assert charges_statement(nursery, year_2020.starts_on, year_2020.ends_on).raised == Decimal("160.00")


def test_the_2020_session_counts_in_2020s_figures_not_this_years(session_2020, year, year_2020):
    assert headline(Period.of_year(year_2020)).events_delivered == 1
    assert headline(Period.of_year(year_2020)).attendance == 1
    assert headline(Period.of_year(year)).events_delivered == 0


def test_a_cancelled_charge_counts_in_no_period(session_2020, year_2020, nursery):
    from courses.services.charges import cancel_charge

    fee = Charge.objects.get(person__full_name="Priya Shah")
    cancel_charge(actor=training_manager(), charge=fee, reason="Register corrected: Priya Shah was not there")
    assert charges_statement(nursery, year_2020.starts_on, year_2020.ends_on).raised == Decimal("75.00")
