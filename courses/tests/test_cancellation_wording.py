"""What cancelling says: free when it is free, a calendar cancellation for the events added, and the
right words for someone looking at a colleague's booking."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.factories import AgencyFactory, UserFactory, agency_lead
from courses.factories import SessionFactory
from courses.services.booking import book_place, cancel_booking

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def run_on_commit(immediate_on_commit):
    """Emails are queued on commit: send them as each service call returns."""


def uids(ics: str) -> list[str]:
    return re.findall(r"^UID:(.+)$", ics.replace("\r\n ", ""), flags=re.M)


def test_leaving_a_waiting_list_is_free_and_says_so(client):
    session = SessionFactory(days_ahead=3, capacity=1)  # inside the notice period
    book_place(person=UserFactory(), session=session)
    waiting = book_place(person=UserFactory(full_name="Omar Hussain"), session=session)
    client.force_login(waiting.person)
    for url in (reverse("courses:booking", args=[waiting.pk]), reverse("courses:cancel-booking", args=[waiting.pk])):
        page = client.get(url).content.decode()
        assert "Leaving the waiting list is free" in page
        assert "late cancellation" not in page and "may be charged" not in page
    response = client.post(reverse("courses:cancel-booking", args=[waiting.pk]), {"choice": "cancel"}, follow=True)
    assert "You have left the waiting list. Nothing is charged." in response.content.decode()
    assert "Leaving a waiting list is free: nothing is charged." in mail.outbox[-1].body
    assert not mail.outbox[-1].attachments  # no calendar events were ever sent for a waiting place


def test_a_free_cancellation_says_it_is_free_and_withdraws_the_calendar_events():
    session = SessionFactory(days_ahead=40)
    booking = book_place(person=UserFactory(full_name="Aisha Khan"), session=session)
    ((_, added, _),) = mail.outbox[-1].attachments
    cancel_booking(actor=booking.person, booking=booking)
    message = mail.outbox[-1]
    assert "The cancellation was in good time, so it is free: nothing is charged." in message.body
    ((filename, withdrawn, mimetype),) = message.attachments
    assert mimetype == "text/calendar" and filename == "cancel-session.ics"
    assert "METHOD:CANCEL" in withdrawn and "STATUS:CANCELLED" in withdrawn
    assert uids(withdrawn) == uids(added) and uids(added)


def test_a_lead_looking_at_a_colleagues_booking_is_not_told_it_is_theirs(client):
    police = AgencyFactory(name="Northshire Police")
    booking = book_place(person=UserFactory(full_name="Aisha Khan", agency=police), session=SessionFactory())
    client.force_login(agency_lead(agency=police))
    page = client.get(reverse("courses:booking", args=[booking.pk])).content.decode()
    assert "Your booking" not in page and "Go to My training" not in page
    assert "Go to Aisha Khan's training" in page
    cancel = client.get(reverse("courses:cancel-booking", args=[booking.pk])).content.decode()
    assert "Cancel Aisha Khan's booking" in cancel and "Cancel your booking" not in cancel


def test_the_confirmation_email_states_the_free_cancellation_deadline_and_the_late_charge():
    from courses.services.charges import free_cancellation_until

    police = AgencyFactory(name="Northshire Police", contributing=False)
    session = SessionFactory(days_ahead=40)
    book_place(person=UserFactory(agency=police), session=session)
    until = free_cancellation_until(session=session)
    body = mail.outbox[-1].body
    assert f"Cancelling is free until the end of {until:%A %-d %B %Y}." in body
    assert "After that it costs £50.00 unless a colleague takes the place." in body
    assert "may be charged" not in body


def test_the_person_who_passed_a_place_hears_when_the_colleague_takes_it():
    from courses.services.booking import accept_offer

    police = AgencyFactory(name="Northshire Police")
    booking = book_place(person=UserFactory(full_name="Aisha Khan", agency=police), session=SessionFactory())
    colleague = UserFactory(full_name="Sam Wilde", agency=police)
    accept_offer(actor=colleague, booking=cancel_booking(actor=booking.person, booking=booking, substitute=colleague))
    told = mail.outbox[-1]
    assert told.to == [booking.person.email] and told.subject.startswith("Sam Wilde has taken your place")
