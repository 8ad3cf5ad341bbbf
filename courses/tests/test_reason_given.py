"""A delegate may say why they cancel, from a short list; the monitoring report counts the reasons."""

import pytest
from django.urls import reverse

from accounts.factories import AgencyFactory, UserFactory
from courses.factories import BookingFactory, SessionFactory
from courses.models import BookingStatus, ReasonGiven

pytestmark = pytest.mark.django_db


def test_a_delegate_cancelling_may_give_a_reason(client, immediate_on_commit):
    person = UserFactory(full_name="Aisha Khan", agency=AgencyFactory(name="Northshire Police"))
    booking = BookingFactory(session=SessionFactory(course__title="Safer Recruitment", days_ahead=40), person=person)
    client.force_login(person)
    url = reverse("courses:cancel-booking", args=[booking.pk])
    page = client.get(url).content.decode()
    assert "Why are you cancelling? (optional)" in page and "Work pressures or staff shortages" in page
    page = client.post(url, {"choice": "cancel", "reason": "bored"}).content.decode()
    assert "Choose a reason from the list, or none" in page
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    client.post(url, {"choice": "cancel", "reason": ReasonGiven.WORK_PRESSURES})
    booking.refresh_from_db()
    assert (booking.status, booking.reason_given) == (BookingStatus.CANCELLED, ReasonGiven.WORK_PRESSURES)
    assert booking.cancellation_reason == "Cancelled by the delegate"


def test_a_reason_is_optional(client, immediate_on_commit):
    person = UserFactory(full_name="Ben Brown", agency=AgencyFactory(name="Northshire Police"))
    booking = BookingFactory(session=SessionFactory(course__title="Safer Recruitment", days_ahead=40), person=person)
    client.force_login(person)
    client.post(reverse("courses:cancel-booking", args=[booking.pk]), {"choice": "cancel"})
    booking.refresh_from_db()
    assert (booking.status, booking.reason_given) == (BookingStatus.CANCELLED, "")
