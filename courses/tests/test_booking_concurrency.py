"""Capacity is never exceeded, whatever the concurrency (PostgreSQL row locks)."""

import threading
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.middleware.csrf import _get_new_csrf_string

from accounts.factories import AgencyFactory, UserFactory
from courses.factories import SessionFactory
from courses.models import Booking, BookingStatus

PEOPLE = 50
PLACES = 10


def signed_in_cookie(user) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "accounts.backends.EmailBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return store.session_key


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_requests_for_ten_places_confirm_exactly_ten(live_server):
    session = SessionFactory(capacity=PLACES)
    agency = AgencyFactory(name="Northshire Hospitals NHS Foundation Trust", sector="health")
    people = UserFactory.create_batch(PEOPLE, agency=agency)
    cookies = [signed_in_cookie(person) for person in people]
    url = f"{live_server.url}/sessions/{session.pk}/book"
    start = threading.Barrier(PEOPLE)
    statuses, errors = [], []

    def book(session_cookie):
        token = _get_new_csrf_string()
        request = urllib.request.Request(
            url,
            data=b"",
            method="POST",
            headers={
                "Cookie": f"{settings.SESSION_COOKIE_NAME}={session_cookie}; {settings.CSRF_COOKIE_NAME}={token}",
                "X-CSRFToken": token,
            },
        )
        start.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            errors.append(error.code)
        except Exception as error:  # noqa: BLE001 - any failure is what this test looks for
            errors.append(repr(error))

    threads = [threading.Thread(target=book, args=(cookie,)) for cookie in cookies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(statuses) == PEOPLE and set(statuses) == {200}
    assert Booking.objects.filter(session=session, status=BookingStatus.CONFIRMED).count() == PLACES
    assert Booking.objects.filter(session=session, status=BookingStatus.WAITLISTED).count() == PEOPLE - PLACES
