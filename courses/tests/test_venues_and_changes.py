"""Venues, rooms and their calendars; a room is not double-booked or overfilled unseen; a change to a
session tells everyone booked, offered or waiting, once, with a calendar update."""

import html
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.factories import UserFactory, training_manager
from courses.factories import BookingFactory, CourseFactory, SessionFactory, VenueFactory, in_days
from courses.ics import session_ics
from courses.models import BookingStatus, Room, Session, SessionDate
from courses.services.programme import DateSpan, ProgrammeError, SessionNeedsConfirmation, save_session

from .test_manage_programme import session_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client):
    client.force_login(training_manager())
    return client


@pytest.fixture
def county_hall():
    venue = VenueFactory(name="Northshire County Hall", capacity=60)
    return (
        venue,
        Room.objects.create(venue=venue, name="Training Suite 2", capacity=20),
        Room.objects.create(venue=venue, name="Council Chamber", capacity=40),
    )


def _day(days=30):
    return (timezone.localdate() + timedelta(days=days)).strftime("%d/%m/%Y")


def _confirmed_from(page: str) -> str:
    """The warnings the page asks to confirm, as the browser sends them back."""
    match = re.search(r'name="confirmed" value="([^"]*)"', page)
    assert match, "the page has no confirmation to send back"
    return html.unescape(match.group(1))


def test_a_room_cannot_offer_more_places_than_it_holds(manager_client, county_hall):
    venue, suite, _chamber = county_hall
    data = session_post(CourseFactory(), venue, room=suite.pk, capacity="40")
    page = manager_client.post(reverse("courses:manage-session-new"), data).content.decode()
    assert "Northshire County Hall: Training Suite 2 holds 20 people: offer at most 20 places" in page
    assert "There is a problem" in page
    assert not Session.objects.exists()
    # Confirming is no way round it: the room holds what it holds.
    data["confirmed"] = "Northshire County Hall: Training Suite 2 holds 20 people: offer at most 20 places"
    manager_client.post(reverse("courses:manage-session-new"), data)
    assert not Session.objects.exists()


def test_a_venue_of_one_space_cannot_offer_more_places_than_it_holds(manager_client):
    library = VenueFactory(name="Eastbridge Library", capacity=24)
    page = manager_client.post(
        reverse("courses:manage-session-new"), session_post(CourseFactory(), library, capacity="30")
    ).content.decode()
    assert "Eastbridge Library holds 24 people: offer at most 24 places" in page
    assert not Session.objects.exists()


def test_a_venue_with_rooms_needs_one_of_its_rooms(manager_client, county_hall):
    venue, _suite, _chamber = county_hall
    other = Room.objects.create(
        venue=VenueFactory(name="Riverside Community Centre", capacity=30), name="Hall", capacity=30
    )
    page = manager_client.post(
        reverse("courses:manage-session-new"), session_post(CourseFactory(), venue)
    ).content.decode()
    assert "Choose a room: Northshire County Hall books its rooms separately" in page
    page = manager_client.post(
        reverse("courses:manage-session-new"), session_post(CourseFactory(), venue, room=other.pk)
    ).content.decode()
    assert "Choose a room of the venue you chose" in page
    assert not Session.objects.exists()


def test_a_room_already_taken_is_saved_only_once_the_manager_confirms(manager_client, county_hall):
    venue, suite, chamber = county_hall
    first = CourseFactory(title="Working Together to Safeguard Children")
    manager_client.post(reverse("courses:manage-session-new"), session_post(first, venue, room=suite.pk))
    assert Session.objects.count() == 1

    # The same room at an overlapping time: warned, nothing saved.
    second = CourseFactory(title="Neglect: Recognition and Response")
    data = session_post(second, venue, room=suite.pk, **{"dates-0-start": "13:00", "dates-0-end": "16:00"})
    page = manager_client.post(reverse("courses:manage-session-new"), data).content.decode()
    assert "Northshire County Hall: Training Suite 2 is already booked at that time" in page
    assert "Working Together to Safeguard Children" in page
    assert "Save the session anyway" in page
    assert Session.objects.count() == 1

    # Confirmed on the page, it is saved, and the audit trail keeps what was overridden.
    data["confirmed"] = _confirmed_from(page)
    response = manager_client.post(reverse("courses:manage-session-new"), data, follow=True)
    assert "Session created" in response.content.decode()
    assert Session.objects.filter(room=suite).count() == 2

    # Another room of the venue at the same time is free: no warning.
    response = manager_client.post(
        reverse("courses:manage-session-new"),
        session_post(CourseFactory(title="Domestic Abuse and its Impact on Children"), venue, room=chamber.pk),
        follow=True,
    )
    assert "Session created" in response.content.decode()


def test_a_confirmation_covers_only_the_warnings_it_was_given():
    venue = VenueFactory(name="Eastbridge Library", capacity=24)
    SessionFactory(venue=venue, days_ahead=30)
    taken = SessionDate.objects.get()
    span = DateSpan(starts_at=taken.starts_at, ends_at=taken.ends_at)
    values = {
        "course": CourseFactory(),
        "venue": venue,
        "capacity": 12,
        "bookings_close_at": taken.starts_at - timedelta(days=3),
    }
    with pytest.raises(SessionNeedsConfirmation) as needs:
        save_session(actor=training_manager(), dates=[span], confirmed=["Some other warning."], **values)
    assert needs.value.warnings[0].startswith("Eastbridge Library is already booked at that time")
    assert Session.objects.count() == 1
    save_session(actor=training_manager(), dates=[span], confirmed=needs.value.warnings, **values)
    assert Session.objects.count() == 2


def test_a_cancelled_session_leaves_its_room_free():
    venue = VenueFactory(name="Eastbridge Library", capacity=24)
    cancelled = SessionFactory(venue=venue, days_ahead=30, status="cancelled")
    taken = cancelled.dates.get()
    save_session(
        actor=training_manager(),
        dates=[DateSpan(starts_at=taken.starts_at, ends_at=taken.ends_at)],
        course=CourseFactory(),
        venue=venue,
        capacity=12,
        bookings_close_at=taken.starts_at - timedelta(days=3),
    )
    assert Session.objects.count() == 2


def test_a_room_holds_no_more_than_its_venue(manager_client, county_hall):
    venue, suite, _chamber = county_hall
    page = manager_client.post(
        reverse("courses:manage-room-new", args=[venue.pk]), {"name": "Atrium", "capacity": "80", "active": "on"}
    ).content.decode()
    assert "Northshire County Hall holds 60 people: a room of it cannot hold more" in page
    page = manager_client.post(
        reverse("courses:manage-room-new", args=[venue.pk]),
        {"name": "training suite 2", "capacity": "10", "active": "on"},
    ).content.decode()
    assert "already has a room called training suite 2" in page
    assert venue.rooms.count() == 2
    manager_client.post(
        reverse("courses:manage-room-new", args=[venue.pk]), {"name": "Atrium", "capacity": "50", "active": "on"}
    )
    assert venue.rooms.get(name="Atrium").capacity == 50


def test_a_room_cannot_shrink_below_the_places_a_coming_session_offers(manager_client, county_hall):
    venue, suite, _chamber = county_hall
    SessionFactory(venue=venue, room=suite, capacity=18)
    page = manager_client.post(
        reverse("courses:manage-room-edit", args=[venue.pk, suite.pk]),
        {"name": "Training Suite 2", "capacity": "12", "active": "on"},
    ).content.decode()
    assert "offers 18 places in this room: reduce its places first" in page
    suite.refresh_from_db()
    assert suite.capacity == 20


def test_the_venue_calendar_lists_its_sessions_day_by_day(manager_client, county_hall):
    venue, suite, chamber = county_hall
    SessionFactory(course=CourseFactory(title="Working Together to Safeguard Children"), venue=venue, room=suite)
    later = SessionFactory(
        course=CourseFactory(title="Neglect: Recognition and Response"), venue=venue, room=chamber, days_ahead=35
    )
    BookingFactory.create_batch(3, session=later)
    SessionFactory(course=CourseFactory(title="Harmful Sexual Behaviour"), venue=venue, days_ahead=-10)
    SessionFactory(course=CourseFactory(title="Child Sexual Exploitation"), venue=venue, status="cancelled")
    page = manager_client.get(reverse("courses:manage-venue", args=[venue.pk])).content.decode()
    first_day, second_day = (f"{in_days(d):%A %-d %B %Y}" for d in (21, 35))
    assert page.index(first_day) < page.index("Working Together") < page.index(second_day) < page.index("Neglect")
    assert "Training Suite 2: " in page and "Council Chamber: " in page
    assert "(3 of 20 places taken)" in page
    # Past and cancelled sessions are not in the way.
    assert "Harmful Sexual Behaviour" not in page and "Child Sexual Exploitation" not in page
    assert "Holds</dt>" in page and "60 people" in page


# --- Changes told to delegates ---------------------------------------------------------------


def _booked(session):
    """Two places held, one person waiting: the session is full (capacity 2)."""
    Session.objects.filter(pk=session.pk).update(capacity=2)
    session.capacity = 2
    return {
        "booked": BookingFactory(session=session, person=UserFactory(full_name="Aisha Khan")),
        "offered": BookingFactory(
            session=session,
            person=UserFactory(full_name="Tom Fletcher"),
            status=BookingStatus.OFFERED,
            offer_expires_at=timezone.now() + timedelta(hours=24),
        ),
        "waiting": BookingFactory(
            session=session, person=UserFactory(full_name="Priya Shah"), status=BookingStatus.WAITLISTED
        ),
        "cancelled": BookingFactory(
            session=session, person=UserFactory(full_name="Dan Price"), status=BookingStatus.CANCELLED
        ),
    }


def _edit(session, **overrides):
    start = timezone.localtime(session.starts_at)
    return session_post(
        session.course,
        session.venue,
        **{
            "dates-TOTAL_FORMS": "1",
            "dates-0-date": f"{start:%d/%m/%Y}",
            "dates-0-start": f"{start:%H:%M}",
            "dates-0-end": f"{timezone.localtime(session.ends_at):%H:%M}",
            "capacity": str(session.capacity),
            **overrides,
        },
    )


def _event(ics: str) -> dict:
    return dict(line.split(":", 1) for line in ics.split("\r\n") if line[:4] in ("UID:", "SEQU", "LOCA", "DTST"))


def test_a_venue_change_emails_each_delegate_once_with_a_calendar_update(
    manager_client, django_capture_on_commit_callbacks
):
    session = SessionFactory(
        course=CourseFactory(title="Working Together to Safeguard Children"),
        venue=VenueFactory(name="Riverside Community Centre", capacity=30),
    )
    people = _booked(session)
    before = _event(session_ics(session, attendee_email="aisha.khan@example.org"))
    castlegate = VenueFactory(name="Castlegate Police Headquarters, Learning Centre", capacity=30)

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            reverse("courses:manage-session-edit", args=[session.pk]), _edit(session, venue=castlegate.pk), follow=True
        )
    assert "3 people booked or waiting have been emailed the changes." in response.content.decode()
    by_person = {}
    for message in mail.outbox:
        (address,) = message.to
        by_person.setdefault(address, []).append(message)
    booked, offered, waiting = (people[k].person.email for k in ("booked", "offered", "waiting"))
    # Once each; nobody whose booking was already cancelled.
    assert sorted(by_person) == sorted([booked, offered, waiting])
    assert all(len(messages) == 1 for messages in by_person.values())
    message = by_person[booked][0]
    assert message.subject == "Session changed: Working Together to Safeguard Children"
    assert "Was: Riverside Community Centre" in message.body
    assert "Now: Castlegate Police Headquarters, Learning Centre" in message.body
    ((filename, content, mimetype),) = message.attachments
    after = _event(content)
    # The same event, a higher sequence, the new place: calendars move it instead of adding another.
    assert filename == "session.ics" and mimetype == "text/calendar"
    assert after["UID"] == before["UID"]
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert "Castlegate Police Headquarters" in after["LOCATION"]
    assert len(by_person[offered][0].attachments) == 1
    # The waiting list has no event in its calendars to update.
    assert by_person[waiting][0].attachments == []
    assert "you are waiting for has changed" in by_person[waiting][0].body


def test_a_time_change_raises_the_sequence_again_and_says_what_changed(
    manager_client, django_capture_on_commit_callbacks
):
    session = SessionFactory(course=CourseFactory(title="Neglect: Recognition and Response"))
    booking = BookingFactory(session=session, person=UserFactory(full_name="Aisha Khan"))
    url = reverse("courses:manage-session-edit", args=[session.pk])
    for n, start in enumerate(("10:00", "10:30"), start=1):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            manager_client.post(url, _edit(session, **{"dates-0-start": start}))
        (message,) = mail.outbox
        assert message.to == [booking.person.email]
        assert "Dates and times" in message.body and f"{start} to 16:30" in message.body
        assert _event(message.attachments[0][1])["SEQUENCE"] == str(n)
    session.refresh_from_db()
    assert session.calendar_sequence == 2


def test_a_change_delegates_do_not_need_tells_nobody(manager_client, django_capture_on_commit_callbacks):
    session = SessionFactory()
    _booked(session)
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            reverse("courses:manage-session-edit", args=[session.pk]),
            _edit(session, notes="Lunch provided", venue_cost="175"),
            follow=True,
        )
    assert "Session saved." in response.content.decode()
    assert mail.outbox == []
    session.refresh_from_db()
    assert session.calendar_sequence == 0 and session.notes == "Lunch provided"


def test_a_refused_change_tells_nobody(django_capture_on_commit_callbacks):
    session = SessionFactory(venue=VenueFactory(name="Eastbridge Library", capacity=24))
    _booked(session)
    date = session.dates.get()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ProgrammeError):
        save_session(
            actor=training_manager(),
            session=session,
            dates=[DateSpan(starts_at=date.starts_at + timedelta(hours=1), ends_at=date.ends_at)],
            course=session.course,
            venue=session.venue,
            capacity=30,
            bookings_close_at=session.bookings_close_at,
        )
    assert mail.outbox == []
    session.refresh_from_db()
    assert session.calendar_sequence == 0 and session.starts_at == date.starts_at


def test_the_venue_calendar_runs_the_same_number_of_queries_for_1_and_50_sessions(manager_client, county_hall):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    venue, suite, chamber = county_hall
    url = reverse("courses:manage-venue", args=[venue.pk])
    SessionFactory(venue=venue, room=suite, days_ahead=10)
    with CaptureQueriesContext(connection) as one:
        manager_client.get(url)
    for n in range(49):
        BookingFactory(session=SessionFactory(venue=venue, room=(suite, chamber)[n % 2], days_ahead=11 + n))
    with CaptureQueriesContext(connection) as fifty:
        page = manager_client.get(url).content.decode()
    assert len(one) == len(fifty)
    assert page.count("(1 of 20 places taken)") == 49


def test_a_date_dropped_from_a_session_is_cancelled_in_delegates_calendars(
    manager_client, django_capture_on_commit_callbacks
):
    session = SessionFactory(course=CourseFactory(title="Harmful Sexual Behaviour", duration_days="2.0"))
    first = session.dates.get()
    SessionDate.objects.create(
        session=session, starts_at=first.starts_at + timedelta(days=7), ends_at=first.ends_at + timedelta(days=7)
    )
    Session.objects.filter(pk=session.pk).update(ends_at=first.ends_at + timedelta(days=7))
    session.refresh_from_db()
    BookingFactory(session=session, person=UserFactory(full_name="Aisha Khan"))
    before = session_ics(session).split("BEGIN:VEVENT")[2]
    url = reverse("courses:manage-session-edit", args=[session.pk])
    page = manager_client.post(url, _edit(session)).content.decode()
    # One day of a two-day course: the manager confirms the dates are meant before anyone is told.
    assert "Harmful Sexual Behaviour lasts 2 days, but these dates make 1 day" in page and not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(url, {**_edit(session), "confirmed": _confirmed_from(page)})
    (message,) = mail.outbox
    events = message.attachments[0][1].split("BEGIN:VEVENT")[1:]
    assert len(events) == 2
    assert "STATUS:CANCELLED" not in events[0]
    assert _event(events[1])["UID"] == _event(before)["UID"] and "STATUS:CANCELLED" in events[1]
    assert _event(events[1])["DTSTART"] == _event(before)["DTSTART"]


def test_a_confirmed_double_booking_is_not_asked_again_on_each_later_change(manager_client, county_hall):
    venue, suite, _chamber = county_hall
    SessionFactory(venue=venue, room=suite, days_ahead=30)
    second = SessionFactory(venue=venue, room=suite, days_ahead=30)
    data = _edit(second, room=suite.pk, notes="Lunch provided")
    response = manager_client.post(reverse("courses:manage-session-edit", args=[second.pk]), data, follow=True)
    assert "Session saved." in response.content.decode()
    # Moving it to another time in the same room asks again.
    data = _edit(second, room=suite.pk, **{"dates-0-start": "10:00"})
    page = manager_client.post(reverse("courses:manage-session-edit", args=[second.pk]), data).content.decode()
    assert "Training Suite 2 is already booked at that time" in page
