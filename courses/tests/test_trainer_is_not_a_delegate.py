"""A session's own trainer is never one of its delegates: a place or a register line for them would
count them twice, in attendance and in their agency's places used."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgencyFactory, agency_lead, trainer, training_manager
from courses.factories import CourseFactory, SessionFactory
from courses.models import AttendanceRecord, Booking
from courses.services.booking import BookingError, book_place, booking_terms
from courses.services.register import RegisterError, add_walk_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def police():
    return AgencyFactory(name="Northshire Police", sector="police")


@pytest.fixture
def grace(police):
    return trainer(full_name="Grace Okafor", agency=police)


def test_a_trainer_cannot_book_a_place_at_the_session_they_deliver(grace, client):
    session = SessionFactory(course=CourseFactory(title="Working Together to Safeguard Children"), trainers=[grace])
    assert booking_terms(person=grace, session=session).refusal == (
        "You deliver this session as its trainer, so cannot also be a delegate at it."
    )
    with pytest.raises(BookingError, match="You deliver this session as its trainer"):
        book_place(person=grace, session=session)
    client.force_login(grace)
    page = client.get(reverse("courses:session", args=[session.pk])).content.decode()
    assert "You deliver this session as its trainer" in page
    assert not Booking.objects.exists()
    # Another session of the same course, which she does not deliver, is hers to book.
    assert booking_terms(person=grace, session=SessionFactory(course=session.course)).allowed


def test_their_lead_cannot_book_them_on_it_either(grace, police):
    session = SessionFactory(trainers=[grace])
    with pytest.raises(BookingError, match="Grace Okafor delivers this session as its trainer"):
        book_place(person=grace, session=session, booked_by=agency_lead(agency=police))


def test_a_trainer_is_not_added_to_their_own_register_as_a_walk_in(grace):
    start = timezone.now() - timedelta(hours=2)
    session = SessionFactory(
        starts_at=start,
        ends_at=start + timedelta(hours=6),
        bookings_close_at=start - timedelta(days=2),
        trainers=[grace],
    )
    with pytest.raises(RegisterError, match="Grace Okafor delivers this session as its trainer"):
        add_walk_in(actor=training_manager(), session=session, email=grace.email)
    assert not AttendanceRecord.objects.exists()
