"""Money is written one way everywhere a person reads it: a pound sign, thousands separators and
pence (£4,860.00, £50.00), in emails, on pages, in the rules written on charges and in messages."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from accounts.factories import AgencyFactory, UserFactory, training_manager
from courses.factories import AttendanceRecordFactory, BookingFactory, CourseFactory, SessionFactory
from courses.models import Attendance, BookingPolicy, Charge, FeeRate
from courses.services.booking import cancel_booking
from courses.services.charges import raise_register_charge

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def run_on_commit(immediate_on_commit):
    pass


@pytest.fixture
def nursery():
    agency = AgencyFactory(name="Little Acorns Day Nurseries Ltd", sector="independent", contributing=False)
    policy = BookingPolicy.current()
    policy.save()
    FeeRate.objects.create(policy=policy, category=agency.category, per_day=Decimal("1215"), per_half_day=600)
    return agency


def test_the_late_cancellation_email_writes_the_charge_as_pounds_and_pence_with_a_full_stop(client, nursery):
    session = SessionFactory(course=CourseFactory(duration_days=Decimal("1.0")), days_ahead=2)
    booking = BookingFactory(session=session, person=UserFactory(full_name="Sam Wilde", agency=nursery))
    mail.outbox.clear()
    cancel_booking(actor=booking.person, booking=booking)
    [email] = [m for m in mail.outbox if "cancelled" in m.body]
    assert "so £50.00 has been charged to Little Acorns Day Nurseries Ltd." in email.body
    assert "£50.00 a day × 1 day." in email.body
    assert "£50.000" not in email.body
    client.force_login(booking.person)
    page = client.get(reverse("courses:booking", args=[booking.pk])).content.decode()
    assert "Late cancellation: £50.00 charged to Little Acorns Day Nurseries Ltd" in page


def test_charges_and_their_rules_use_thousands_separators(client, nursery):
    session = SessionFactory(course=CourseFactory(duration_days=Decimal("4")), days_ahead=-3)
    record = AttendanceRecordFactory(booking=BookingFactory(session=session, person=UserFactory(agency=nursery)))
    charge = raise_register_charge(record=record)
    assert charge.amount == Decimal("4860.00")
    assert charge.rule.endswith(": £4,860.00 for 4 days")
    assert str(charge).startswith("Course fee £4,860.00")
    client.force_login(training_manager())
    listing = client.get(reverse("courses:charges")).content.decode()
    assert "£4,860.00" in listing and "£4860" not in listing
    waive = client.get(reverse("courses:charge-waive", args=[charge.pk])).content.decode()
    assert "Course fee: £4,860.00" in waive
    response = client.post(reverse("courses:charge-waive", args=[charge.pk]), {"reason": "Goodwill"}, follow=True)
    assert "The £4,860.00 charge to Little Acorns Day Nurseries Ltd has been waived" in response.content.decode()


def test_a_no_show_charge_rule_and_the_session_costs_are_written_the_same_way(client, nursery):
    session = SessionFactory(
        course=CourseFactory(duration_days=Decimal("0.5")),
        days_ahead=-3,
        venue_cost=Decimal("1250"),
        trainer_fees=Decimal("0"),
        catering_cost=Decimal("90.5"),
        materials_cost=Decimal("12"),
    )
    record = AttendanceRecordFactory(
        booking=BookingFactory(session=session, person=UserFactory(agency=nursery)), outcome=Attendance.NO_SHOW
    )
    charge = raise_register_charge(record=record)
    assert charge.rule == "Did not attend: £75.00 a day × half a day"
    client.force_login(training_manager())
    page = client.get(reverse("courses:manage-session", args=[session.pk])).content.decode()
    assert "Venue £1,250.00, trainers £0.00, catering £90.50, materials £12.00" in page
    assert "Total £1,352.50" in page
    assert Charge.objects.get().amount == Decimal("37.50")


def test_the_cancel_page_states_the_late_cancellation_charge_in_pounds_and_pence(client, nursery):
    session = SessionFactory(course=CourseFactory(duration_days=Decimal("1.5")), days_ahead=2)
    booking = BookingFactory(session=session, person=UserFactory(agency=nursery))
    client.force_login(booking.person)
    page = client.get(reverse("courses:cancel-booking", args=[booking.pk])).content.decode()
    assert "£75.00 will be charged to Little Acorns Day Nurseries Ltd" in page
