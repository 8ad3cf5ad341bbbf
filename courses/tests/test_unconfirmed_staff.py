"""Until the agency confirms a claim, the person is not its staff for any purpose (item 8 of the security
review): they can book, as someone with no agency confirmed yet, so nothing is charged to the agency; they
cannot take a colleague's place as a substitute; the lead cannot book for them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.factories import UserFactory, agency_lead, training_manager
from accounts.services import confirm_agency_claim
from courses.factories import SessionFactory
from courses.models import Attendance, AttendanceRecord, BookingStatus, Charge
from courses.services.booking import BookingError, book_place, cancel_booking
from courses.services.register import close_register, record_attendance

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def run_on_commit(immediate_on_commit):
    pass


@pytest.fixture
def police(police):
    police.contributing = False  # so that its staff's late cancellations and no-shows are charged
    police.save()
    return police


@pytest.fixture
def gmail_claimant(police):
    return UserFactory(full_name="Jamie Cole", email="jamie.cole@gmail.example.com", agency=None, claimed_agency=police)


def soon():
    return SessionFactory(days_ahead=3, bookings_close_at=timezone.now() + timedelta(days=1))


def test_item_8_a_claimant_cannot_be_named_as_a_substitute(police, gmail_claimant):
    booking = book_place(person=UserFactory(full_name="Aisha Khan", agency=police), session=soon())
    with pytest.raises(BookingError, match="same agency"):
        cancel_booking(actor=booking.person, booking=booking, substitute=gmail_claimant)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_item_8_a_claimants_late_cancellation_charges_nothing_to_the_agency(police, gmail_claimant):
    booking = book_place(person=gmail_claimant, session=soon())
    assert booking.status == BookingStatus.CONFIRMED and booking.agency is None  # "no agency confirmed yet"
    cancel_booking(actor=gmail_claimant, booking=booking)
    booking.refresh_from_db()
    assert booking.late_cancellation
    assert not Charge.objects.filter(agency=police).exists()


def test_item_8_a_claimants_no_show_charges_nothing_to_the_agency(police, gmail_claimant):
    session = SessionFactory(days_ahead=-1)
    booking = book_place(person=gmail_claimant, session=SessionFactory(days_ahead=5))
    booking.session = session
    booking.save()
    colleague = book_place(person=UserFactory(full_name="Aisha Khan", agency=police), session=SessionFactory())
    colleague.session = session
    colleague.save()
    manager = training_manager()
    record_attendance(
        actor=manager, session=session, outcomes={booking.pk: Attendance.NO_SHOW, colleague.pk: Attendance.NO_SHOW}
    )
    close_register(actor=manager, session=session)
    assert AttendanceRecord.objects.get(booking=booking).agency is None
    charged = list(Charge.objects.filter(agency=police).values_list("person__full_name", flat=True))
    assert charged == ["Aisha Khan"]  # the confirmed officer is charged; the claimant is not


def test_item_8_the_lead_cannot_book_for_a_claimant_until_confirming_them(police, gmail_claimant):
    priya = agency_lead(agency=police)
    with pytest.raises(BookingError, match="staff of your own agency"):
        book_place(person=gmail_claimant, session=soon(), booked_by=priya)
    confirm_agency_claim(actor=priya, person=gmail_claimant)
    gmail_claimant.refresh_from_db()
    booking = book_place(person=gmail_claimant, session=soon(), booked_by=priya)
    assert booking.agency == police  # from now on their bookings are the police's
