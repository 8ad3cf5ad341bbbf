"""Booking rules, each test named after the rule it checks."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgencyFactory, UserFactory, agency_lead, training_manager
from courses.factories import AttendanceRecordFactory, BookingFactory, CourseFactory, SessionFactory
from courses.models import Attendance, Booking, BookingStatus, Charge, SessionDate
from courses.services.booking import (
    BookingError,
    accept_offer,
    approval_token,
    book_place,
    cancel_booking,
    cancel_session,
    decide_approval,
    expire_offers_and_holds,
    send_reminders,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def run_on_commit(immediate_on_commit):
    """Emails are queued on commit: send them as each service call returns."""


@pytest.fixture
def session():
    return SessionFactory(course=CourseFactory(title="Working Together to Safeguard Children"), capacity=2)


def fill(session, n):
    return [book_place(person=UserFactory(), session=session) for _ in range(n)]


def test_a_free_place_is_confirmed_and_emailed_with_a_calendar_file(session):
    person = UserFactory(full_name="Aisha Khan")
    booking = book_place(person=person, session=session)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.agency == person.agency
    message = mail.outbox[-1]
    assert message.subject == "Booking confirmed: Working Together to Safeguard Children"
    assert f"/bookings/{booking.pk}" in message.body
    ((filename, content, mimetype),) = message.attachments
    assert filename == "session.ics" and mimetype == "text/calendar"
    assert "BEGIN:VEVENT" in content


def test_a_full_session_puts_people_on_the_waiting_list(session):
    fill(session, 2)
    waiting = book_place(person=UserFactory(), session=session)
    assert waiting.status == BookingStatus.WAITLISTED
    assert mail.outbox[-1].subject.startswith("On the waiting list")


def test_capacity_is_never_exceeded_by_sequential_bookings(session):
    fill(session, 5)
    assert Booking.objects.filter(session=session, status=BookingStatus.CONFIRMED).count() == 2
    assert Booking.objects.filter(session=session, status=BookingStatus.WAITLISTED).count() == 3


def test_booking_a_cancelled_session_is_refused(session):
    cancel_session(actor=training_manager(), session=session, reason="Trainer unwell")
    with pytest.raises(BookingError, match="This session has been cancelled"):
        book_place(person=UserFactory(), session=session)


def test_booking_a_session_that_has_started_is_refused():
    started = SessionFactory(
        days_ahead=0,
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=5),
        bookings_close_at=timezone.now() - timedelta(days=2),
    )
    with pytest.raises(BookingError, match="already started"):
        book_place(person=UserFactory(), session=started)


def test_booking_after_the_cut_off_is_refused(session):
    session.bookings_close_at = timezone.now() - timedelta(minutes=1)
    session.save()
    with pytest.raises(BookingError, match="Booking for this session closed on"):
        book_place(person=UserFactory(), session=session)


def test_booking_twice_is_refused(session):
    person = UserFactory()
    book_place(person=person, session=session)
    with pytest.raises(BookingError, match="already booked on this session"):
        book_place(person=person, session=session)


def test_a_booking_that_clashes_with_another_is_refused(session):
    person = UserFactory()
    book_place(person=person, session=session)
    same_day = SessionFactory(
        course=CourseFactory(title="Recognising and Responding to Neglect"),
        starts_at=session.starts_at + timedelta(hours=2),
        ends_at=session.ends_at + timedelta(hours=2),
    )
    with pytest.raises(BookingError, match="booked on Working Together to Safeguard Children at the same time"):
        book_place(person=person, session=same_day)


def test_a_second_date_of_a_multi_day_session_clashes_too(session):
    person = UserFactory()
    two_day = SessionFactory(course=CourseFactory(title="Child Protection Conferences and Core Groups"), days_ahead=40)
    second_start = session.starts_at + timedelta(days=0)
    SessionDate.objects.create(session=two_day, starts_at=second_start, ends_at=second_start + timedelta(hours=3))
    book_place(person=person, session=two_day)
    with pytest.raises(BookingError, match="at the same time"):
        book_place(person=person, session=session)


def test_a_missing_prerequisite_is_refused_unless_the_agency_lead_overrides():
    intro = CourseFactory(title="Working Together to Safeguard Children")
    advanced = CourseFactory(title="Child Protection Conferences and Core Groups")
    advanced.prerequisites.add(intro)
    session = SessionFactory(course=advanced)
    person = UserFactory()
    with pytest.raises(BookingError, match="This course needs Working Together to Safeguard Children first"):
        book_place(person=person, session=session)
    lead = agency_lead(agency=person.agency)
    booking = book_place(person=person, session=session, booked_by=lead, override_prerequisites=True)
    assert booking.status == BookingStatus.CONFIRMED and booking.prerequisite_override_by == lead


def test_an_attended_prerequisite_opens_the_course():
    intro = CourseFactory(title="Working Together to Safeguard Children")
    advanced = CourseFactory(title="Child Protection Conferences and Core Groups")
    advanced.prerequisites.add(intro)
    person = UserFactory()
    AttendanceRecordFactory(booking=BookingFactory(person=person, session=SessionFactory(course=intro, days_ahead=-60)))
    assert book_place(person=person, session=SessionFactory(course=advanced)).status == BookingStatus.CONFIRMED


def test_a_lead_cannot_book_for_another_agencys_staff(session):
    lead = agency_lead(agency=AgencyFactory(name="Northshire Police"))
    with pytest.raises(BookingError, match="only book places for staff of your own agency"):
        book_place(person=UserFactory(), session=session, booked_by=lead)


def test_repeated_no_shows_need_the_agency_lead_to_book(session):
    person = UserFactory()
    for days in (-100, -50):  # two no-shows in the last twelve months: the policy's limit
        AttendanceRecordFactory(
            booking=BookingFactory(person=person, session=SessionFactory(days_ahead=days)), outcome=Attendance.NO_SHOW
        )
    with pytest.raises(BookingError, match="did not attend 2 or more sessions"):
        book_place(person=person, session=session)
    lead = agency_lead(agency=person.agency)
    assert book_place(person=person, session=session, booked_by=lead).status == BookingStatus.CONFIRMED


def test_no_shows_older_than_twelve_months_do_not_count(session):
    person = UserFactory()
    for days in (-400, -380):
        AttendanceRecordFactory(
            booking=BookingFactory(person=person, session=SessionFactory(days_ahead=days)), outcome=Attendance.NO_SHOW
        )
    assert book_place(person=person, session=session).status == BookingStatus.CONFIRMED


def approval_session():
    return SessionFactory(
        course=CourseFactory(title="Harmful Sexual Behaviour", needs_manager_approval=True), capacity=1
    )


RUTH = "ruth.evans@northshire-police.example.org"


def police_officer(police, **kwargs):
    """A constable whose line manager's address is on the police's own domain: a line manager who qualifies."""
    kwargs.setdefault("line_manager_email", RUTH)
    return UserFactory(agency=police, line_manager_name="Ruth Evans", job_title="Police constable", **kwargs)


def test_a_course_needing_approval_holds_the_place_and_emails_the_line_manager(police):
    session = approval_session()
    person = police_officer(police)
    booking = book_place(person=person, session=session)
    assert booking.status == BookingStatus.AWAITING_APPROVAL
    assert booking.approval_expires_at > timezone.now()
    to_manager = next(m for m in mail.outbox if m.to == [RUTH])
    assert "/approve/" in to_manager.body
    next_person = police_officer(police)
    assert book_place(person=next_person, session=session).status == BookingStatus.WAITLISTED


def test_without_a_line_manager_the_agency_lead_is_asked_to_approve(police):
    lead = agency_lead(agency=police, email="priya.shah@northshire-police.example.org")
    booking = book_place(person=police_officer(police, line_manager_email=""), session=approval_session())
    assert booking.status == BookingStatus.AWAITING_APPROVAL
    to_lead = next(m for m in mail.outbox if m.to == [lead.email])
    assert "as their agency lead" in to_lead.body and "/approve/" in to_lead.body


def test_the_line_manager_approves_from_the_signed_link_and_the_approval_records_who(client, police):
    person = police_officer(police)
    booking = book_place(person=person, session=approval_session())
    link = reverse("courses:approval", args=[approval_token(booking, RUTH)])
    page = client.get(link)
    assert person.full_name in page.content.decode()
    response = client.post(link, {"decision": "approve"})
    assert "Place approved" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.approved_at
    assert booking.approval_decided_by == RUTH


def test_a_tampered_approval_link_is_refused_and_changes_nothing(client, police):
    booking = book_place(person=police_officer(police), session=approval_session())
    token = approval_token(booking, RUTH)
    response = client.post(reverse("courses:approval", args=[token[:-2] + "xx"]), {"decision": "approve"})
    assert response.status_code == 400
    assert "This approval link is not valid" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.AWAITING_APPROVAL


def test_a_declined_approval_frees_the_place_for_the_next_person(police):
    session = approval_session()
    first = book_place(person=police_officer(police), session=session)
    second = book_place(person=police_officer(police), session=session)
    decide_approval(token=approval_token(first, RUTH), approve=False)
    second.refresh_from_db()
    assert second.status == BookingStatus.OFFERED
    first.refresh_from_db()
    assert first.approval_decided_by == RUTH and first.cancellation_reason == f"Not approved by {RUTH}"


def test_an_unanswered_approval_is_released_when_its_hold_expires(police):
    booking = book_place(person=police_officer(police), session=approval_session())
    # The policy holds a place 72 hours for the line manager's answer: 73 hours on, it is let go.
    expire_offers_and_holds(now=timezone.now() + timedelta(hours=73))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.DECLINED
    assert booking.cancellation_reason == "Nobody approved the place in time"


def test_a_freed_place_is_offered_to_the_next_person_for_a_limited_time(session):
    first, _ = fill(session, 2)
    waiting = book_place(person=UserFactory(full_name="Ben Brown"), session=session)
    cancel_booking(actor=first.person, booking=first)
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.OFFERED
    # The policy gives 48 hours to take up a freed place.
    assert abs((waiting.offer_expires_at - timezone.now()) - timedelta(hours=48)) < timedelta(minutes=1)
    assert mail.outbox[-1].subject == "A place is free: Working Together to Safeguard Children"
    accept_offer(actor=waiting.person, booking=waiting)
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.CONFIRMED


def test_an_expired_offer_passes_to_the_next_person(session):
    first, _ = fill(session, 2)
    second_in_line = book_place(person=UserFactory(), session=session)
    third_in_line = book_place(person=UserFactory(), session=session)
    cancel_booking(actor=first.person, booking=first)
    second_in_line.refresh_from_db()
    assert second_in_line.status == BookingStatus.OFFERED

    later = timezone.now() + timedelta(hours=48, minutes=1)  # the policy's 48 hours to take up a place, and a minute
    assert expire_offers_and_holds(now=later) == 1
    second_in_line.refresh_from_db(), third_in_line.refresh_from_db()
    assert second_in_line.status == BookingStatus.CANCELLED
    assert second_in_line.cancellation_reason == "Offer not taken up in time"
    assert third_in_line.status == BookingStatus.OFFERED
    assert expire_offers_and_holds() == 0  # safe to run again: nothing else has expired
    with pytest.raises(BookingError, match="no place on offer"):
        accept_offer(actor=second_in_line.person, booking=second_in_line)


def test_no_offer_is_made_after_the_cut_off(session):
    first, _ = fill(session, 2)
    waiting = book_place(person=UserFactory(), session=session)
    session.bookings_close_at = timezone.now() - timedelta(minutes=1)
    session.save()
    cancel_booking(actor=first.person, booking=first)
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.WAITLISTED


def test_the_waiting_list_offers_first_to_whoever_has_the_most_urgent_need(session, target_groups):
    from courses.factories import LevelFactory, PathwayRuleFactory

    level = LevelFactory(number=2)
    PathwayRuleFactory(target_group=target_groups[3], level=level, refresh_months=36)
    first, _ = fill(session, 2)
    in_date = UserFactory(full_name="Early Booker", target_group=target_groups[3])
    AttendanceRecordFactory(
        booking=BookingFactory(
            person=in_date,
            session=SessionFactory(course=CourseFactory(title="Contextual Safeguarding", level=level), days_ahead=-30),
        )
    )
    book_place(person=in_date, session=session)
    never_trained = UserFactory(full_name="Late Booker", target_group=target_groups[3])
    urgent = book_place(person=never_trained, session=session)

    cancel_booking(actor=first.person, booking=first)
    urgent.refresh_from_db()
    assert urgent.status == BookingStatus.OFFERED
    assert Booking.objects.get(person=in_date, session=session).status == BookingStatus.WAITLISTED


def test_cancelling_before_the_notice_period_is_free(session):
    booking = book_place(person=UserFactory(), session=session)
    cancel_booking(actor=booking.person, booking=booking)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and not booking.late_cancellation
    assert not Charge.objects.exists()


def test_cancelling_within_the_notice_period_is_a_late_cancellation_and_charged():
    soon = SessionFactory(days_ahead=3, bookings_close_at=timezone.now() + timedelta(days=1))
    agency = AgencyFactory(name="Little Acorns Day Nurseries Ltd", contributing=False)
    booking = book_place(person=UserFactory(agency=agency), session=soon)
    cancel_booking(actor=booking.person, booking=booking)
    booking.refresh_from_db()
    assert booking.late_cancellation
    charge = Charge.objects.get()
    assert charge.agency == agency and charge.kind == "late_cancellation"
    # The policy's £50.00 a day for a late cancellation × a one-day course = £50.00.
    assert charge.amount == Decimal("50.00")
    assert "£50.00" in mail.outbox[-1].body


def test_a_place_passed_to_a_colleague_waits_for_them_to_accept_and_then_nothing_is_charged():
    soon = SessionFactory(days_ahead=3, bookings_close_at=timezone.now() + timedelta(days=1))
    agency = AgencyFactory(name="Little Acorns Day Nurseries Ltd", contributing=False)
    booking = book_place(person=UserFactory(full_name="Aisha Khan", agency=agency), session=soon)
    colleague = UserFactory(full_name="Sam Wilde", agency=agency)
    mail.outbox.clear()
    replacement = cancel_booking(actor=booking.person, booking=booking, substitute=colleague)
    assert replacement.person == colleague and replacement.status == BookingStatus.OFFERED
    assert replacement.substitute_for == booking
    offer = next(m for m in mail.outbox if m.to == [colleague.email])
    assert offer.subject.startswith("Aisha Khan has passed you their place")
    assert "Aisha Khan cannot come and has passed their place to you" in offer.body
    # Until Sam answers, Aisha's booking says what is still to be settled, not that nothing is charged.
    client = Client()
    client.force_login(booking.person)
    page = client.get(reverse("courses:booking", args=[booking.pk])).content.decode()
    assert "The place is offered to Sam Wilde until" in page and "Nothing was charged" not in page
    accepted = accept_offer(actor=colleague, booking=replacement)
    assert accepted.status == BookingStatus.CONFIRMED
    assert not Charge.objects.exists()
    page = client.get(reverse("courses:booking", args=[booking.pk])).content.decode()
    assert "Nothing was charged" in page and "The place is offered to" not in page


def test_a_place_passed_but_not_accepted_in_time_returns_to_the_waiting_list_and_the_late_charge_applies():
    soon = SessionFactory(days_ahead=3, capacity=1, bookings_close_at=timezone.now() + timedelta(days=1))
    agency = AgencyFactory(name="Little Acorns Day Nurseries Ltd", contributing=False)
    booking = book_place(person=UserFactory(full_name="Aisha Khan", agency=agency), session=soon)
    waiting = book_place(person=UserFactory(full_name="Omar Hussain"), session=soon)
    replacement = cancel_booking(
        actor=booking.person, booking=booking, substitute=UserFactory(full_name="Sam Wilde", agency=agency)
    )
    assert not Charge.objects.exists()
    expire_offers_and_holds(now=replacement.offer_expires_at + timedelta(seconds=1))
    replacement.refresh_from_db()
    waiting.refresh_from_db()
    assert replacement.status == BookingStatus.CANCELLED
    assert waiting.status == BookingStatus.OFFERED  # the place went to the next person waiting
    charge = Charge.objects.get()
    assert charge.person == booking.person and charge.kind == "late_cancellation"
    told = next(m for m in mail.outbox if m.subject.startswith("Sam Wilde did not take your place"))
    assert "£50.00 has been charged to Little Acorns Day Nurseries Ltd" in told.body


def test_a_colleague_declining_a_passed_place_is_free_for_them():
    soon = SessionFactory(days_ahead=30)
    agency = AgencyFactory(name="Northshire Police", contributing=False)
    booking = book_place(person=UserFactory(agency=agency), session=soon)
    colleague = UserFactory(full_name="Sam Wilde", agency=agency)
    replacement = cancel_booking(actor=booking.person, booking=booking, substitute=colleague)
    cancel_booking(actor=colleague, booking=replacement)
    replacement.refresh_from_db()
    assert replacement.status == BookingStatus.CANCELLED
    assert not Charge.objects.exists()  # in good time: nobody is charged


def test_a_substitute_from_another_agency_is_refused(session):
    booking = book_place(person=UserFactory(), session=session)
    outsider = UserFactory(agency=AgencyFactory(name="Northshire Police"))
    with pytest.raises(BookingError, match="same agency"):
        cancel_booking(actor=booking.person, booking=booking, substitute=outsider)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_cancelling_a_session_tells_everyone_and_charges_nobody(session):
    booked = fill(session, 2)
    waiting = book_place(person=UserFactory(), session=session)
    mail.outbox.clear()
    told = cancel_session(actor=training_manager(), session=session, reason="Venue flooded")
    assert told == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted([b.person.email for b in booked] + [waiting.person.email])
    assert all("Venue flooded" in m.body for m in mail.outbox)
    assert not Booking.objects.filter(session=session).exclude(status=BookingStatus.CANCELLED).exists()
    assert not Charge.objects.exists()


def test_reminders_are_sent_once_a_few_days_before(session):
    booking = book_place(person=UserFactory(), session=session)
    mail.outbox.clear()
    assert send_reminders() == 0  # three weeks away
    near = session.starts_at - timedelta(days=2)
    assert send_reminders(now=near) == 1
    assert send_reminders(now=near) == 0
    assert mail.outbox[-1].subject.startswith("Reminder: Working Together to Safeguard Children")
    assert f"/bookings/{booking.pk}" in mail.outbox[-1].body


# --- Pages -------------------------------------------------------------------------------


def test_booking_from_the_session_page_shows_the_confirmation(client, session):
    person = UserFactory()
    client.force_login(person)
    response = client.post(reverse("courses:book", args=[session.pk]), follow=True)
    assert "Booking confirmed" in response.content.decode()
    assert Booking.objects.get(person=person).status == BookingStatus.CONFIRMED


def test_a_refused_booking_shows_the_reason_on_the_page(client, session):
    person = UserFactory()
    book_place(person=person, session=session)
    client.force_login(person)
    response = client.post(reverse("courses:book", args=[session.pk]), follow=True)
    assert "You are already booked on this session" in response.content.decode()
    assert Booking.objects.filter(person=person).count() == 1


def test_someone_elses_booking_answers_404(client, session):
    booking = book_place(person=UserFactory(), session=session)
    client.force_login(UserFactory())
    assert client.get(reverse("courses:booking", args=[booking.pk])).status_code == 404
    assert client.post(reverse("courses:cancel-booking", args=[booking.pk]), {"choice": "cancel"}).status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_the_agency_lead_can_see_and_cancel_their_staffs_booking(client, session):
    booking = book_place(person=UserFactory(), session=session)
    lead = agency_lead(agency=booking.agency)
    client.force_login(lead)
    assert client.get(reverse("courses:booking", args=[booking.pk])).status_code == 200
    client.post(reverse("courses:cancel-booking", args=[booking.pk]), {"choice": "cancel"})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_the_cancel_page_needs_a_choice(client, session):
    booking = book_place(person=UserFactory(), session=session)
    client.force_login(booking.person)
    page = client.post(reverse("courses:cancel-booking", args=[booking.pk]), {}).content.decode()
    assert "Choose whether to cancel or pass your place to a colleague" in page
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_the_calendar_file_downloads_for_the_booking(client, session):
    booking = book_place(person=UserFactory(), session=session)
    client.force_login(booking.person)
    response = client.get(reverse("courses:booking-calendar", args=[booking.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in response.content
