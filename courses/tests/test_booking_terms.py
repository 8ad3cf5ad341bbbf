"""The booking pages and the booking service answer from the same terms: the session page offers
"Book" exactly when `book_place` would accept, and the booking and cancel pages warn of a
late-cancellation charge exactly when `cancel_booking` raises one, for the sum it raises."""

import html
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgencyFactory, UserFactory, agency_lead, trainer, training_manager
from courses.factories import AttendanceRecordFactory, BookingFactory, CourseFactory, SessionFactory
from courses.models import Attendance, Booking, BookingPolicy, BookingStatus, Charge
from courses.services.booking import BookingError, book_place, cancel_booking, cancel_session

pytestmark = pytest.mark.django_db

OFFERED = ("Book a place", "Join the waiting list")


@pytest.fixture(autouse=True)
def run_on_commit(immediate_on_commit):
    """Emails are queued on commit: send them as each service call returns."""


@pytest.fixture(autouse=True)
def policy():
    """The Board's rule for these tests: within 10 working days is late, £40 a day of the course."""
    BookingPolicy.objects.update_or_create(
        pk=1,
        defaults={
            "late_cancellation_working_days": 10,
            "late_cancellation_charge_per_day": Decimal("40.00"),
            "contributing_partners_free": True,
            "no_shows_before_approval": 2,
        },
    )


def _page(client, session) -> str:
    return html.unescape(client.get(reverse("courses:session", args=[session.pk])).content.decode())


def _open():
    return UserFactory(full_name="Aisha Khan"), SessionFactory(course=CourseFactory(title="Neglect"), capacity=2)


def _closed():
    session = SessionFactory(
        course=CourseFactory(title="Neglect"), days_ahead=3, bookings_close_at=timezone.now() - timedelta(hours=1)
    )
    return UserFactory(), session


def _cancelled():
    session = SessionFactory(course=CourseFactory(title="Neglect"))
    cancel_session(actor=training_manager(), session=session, reason="Trainer unwell")
    return UserFactory(), session


def _started():
    now = timezone.now()
    session = SessionFactory(
        course=CourseFactory(title="Neglect"),
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=5),
        bookings_close_at=now + timedelta(hours=2),  # a cut-off set after the start still does not open it
    )
    return UserFactory(), session


def _prerequisite_missing():
    intro = CourseFactory(title="Introduction to Safeguarding Children")
    course = CourseFactory(title="Child Protection in Practice")
    course.prerequisites.add(intro)
    return UserFactory(), SessionFactory(course=course)


def _too_many_no_shows():
    person = UserFactory()
    for _ in range(2):
        AttendanceRecordFactory(person=person, outcome=Attendance.NO_SHOW)
    return person, SessionFactory(course=CourseFactory(title="Neglect"))


def _clash():
    person, session = _open()
    other = SessionFactory(
        course=CourseFactory(title="Domestic Abuse and its Impact on Children"),
        starts_at=session.starts_at,
        ends_at=session.ends_at,
    )
    book_place(person=person, session=other)
    return person, session


def _full():
    person, session = _open()
    for _ in range(2):
        book_place(person=UserFactory(), session=session)
    return person, session


def _others_waiting_with_a_place_free():
    person, session = _open()
    book_place(person=UserFactory(), session=session)
    BookingFactory(session=session, person=UserFactory(), status=BookingStatus.WAITLISTED)
    return person, session


@pytest.mark.parametrize(
    "scenario, expected",
    [
        (_open, "Book a place"),
        (_full, "Join the waiting list"),
        (_others_waiting_with_a_place_free, "Join the waiting list"),
        (_closed, None),
        (_cancelled, None),
        (_started, None),
        (_prerequisite_missing, None),
        (_too_many_no_shows, None),
        (_clash, None),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_the_session_page_offers_a_place_exactly_when_the_service_would_book_it(client, scenario, expected):
    person, session = scenario()
    client.force_login(person)
    page = _page(client, session)
    offered = [label for label in OFFERED if label in page]
    try:
        booking = book_place(person=person, session=session)
    except BookingError as error:
        assert offered == [], f"the page offered {offered} but the service said: {error.message}"
        assert error.message.split(". ")[0] in page  # the page says why, in the service's words
    else:
        assert offered == [expected]
        waitlisted = booking.status == BookingStatus.WAITLISTED
        assert waitlisted == (expected == "Join the waiting list")


def test_a_visitor_who_has_not_signed_in_is_told_only_whether_booking_is_open(client):
    _, session = _open()
    assert "Sign in to book a place" in _page(client, session)
    _, closed = _closed()
    page = _page(client, closed)
    assert "Sign in to book a place" not in page and "Booking for this session closed on" in page


def test_an_agency_lead_can_book_a_colleague_only_while_booking_is_open(client):
    lead = agency_lead()
    client.force_login(lead)
    _, session = _open()
    assert "Book a place for a colleague" in _page(client, session)
    _, closed = _closed()
    assert "Book a place for a colleague" not in _page(client, closed)


def test_the_sessions_own_trainer_sees_the_register_link(client):
    person = trainer(full_name="Priya Shah")
    session = SessionFactory(course=CourseFactory(title="Neglect"), trainers=[person])
    client.force_login(person)
    # Before it starts the link leads to who is booked; there is no register to take yet.
    assert "Delegates booked on this session" in _page(client, session)
    assert "Register for this session" not in _page(client, session)
    started = SessionFactory(course=session.course, days_ahead=-1, trainers=[person])
    assert "Register for this session" in _page(client, started)
    client.force_login(UserFactory())
    assert "Delegates booked on this session" not in _page(client, session)
    assert "Register for this session" not in _page(client, started)


# --- Cancelling ---------------------------------------------------------------------------------


def _booking(*, days_ahead=3, contributing=False, exempt=False, days=Decimal("1.0"), status=None):
    agency = AgencyFactory(name="Little Acorns Day Nurseries Ltd", contributing=contributing)
    session = SessionFactory(
        course=CourseFactory(title="Safer Recruitment", charge_exempt=exempt, duration_days=days),
        days_ahead=days_ahead,
        bookings_close_at=timezone.now() + timedelta(hours=12),
    )
    person = UserFactory(full_name="Tom Baker", agency=agency)
    if status is None:
        return book_place(person=person, session=session)
    return BookingFactory(session=session, person=person, agency=agency, status=status)


@pytest.mark.parametrize(
    "make, charged",
    [
        # Three days ahead is within the 10 working days' notice: £40 a day × 1 day.
        (lambda: _booking(), Decimal("40.00")),
        # A two-day course: £40 a day × 2 days.
        (lambda: _booking(days=Decimal("2.0")), Decimal("80.00")),
        # Five weeks ahead is well outside the notice period.
        (lambda: _booking(days_ahead=35), None),
        # Staff of contributing partners train free, late or not.
        (lambda: _booking(contributing=True), None),
        # Exempt events (a conference, a briefing) are never charged.
        (lambda: _booking(exempt=True), None),
        # Leaving a waiting list is never a late cancellation.
        (lambda: _booking(status=BookingStatus.WAITLISTED), None),
    ],
    ids=["late", "late-two-days", "in-good-time", "contributing-partner", "exempt-course", "waiting-list"],
)
def test_the_pages_warn_of_a_charge_exactly_when_cancelling_raises_it(client, make, charged):
    booking = make()
    client.force_login(booking.person)
    booking_page = html.unescape(client.get(reverse("courses:booking", args=[booking.pk])).content.decode())
    cancel_page = html.unescape(client.get(reverse("courses:cancel-booking", args=[booking.pk])).content.decode())
    for page in (booking_page, cancel_page):
        assert ("late cancellation" in page) == (charged is not None)
        if charged is not None:
            assert f"£{charged} will be charged to Little Acorns Day Nurseries Ltd" in page

    cancel_booking(actor=booking.person, booking=booking)
    raised = Charge.objects.filter(booking=booking).first()
    assert (raised.amount if raised else None) == charged


def test_a_booking_that_can_no_longer_be_cancelled_offers_no_cancel_link(client):
    now = timezone.now()
    booking = _booking()
    session = booking.session
    session.starts_at, session.ends_at = now - timedelta(hours=1), now + timedelta(hours=5)
    session.save()
    client.force_login(booking.person)
    page = client.get(reverse("courses:booking", args=[booking.pk])).content.decode()
    assert reverse("courses:cancel-booking", args=[booking.pk]) not in page
    response = client.get(reverse("courses:cancel-booking", args=[booking.pk]), follow=True)
    assert "The session has started, so this booking can no longer be cancelled." in html.unescape(
        response.content.decode()
    )
    with pytest.raises(BookingError, match="The session has started"):
        cancel_booking(actor=booking.person, booking=booking)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED


def test_the_substitute_choice_is_offered_exactly_when_the_service_accepts_one(client):
    held = _booking()
    waiting = _booking(status=BookingStatus.WAITLISTED)
    for booking, offered in ((held, True), (waiting, False)):
        client.force_login(booking.person)
        page = client.get(reverse("courses:cancel-booking", args=[booking.pk])).content.decode()
        assert ("Pass the place to a colleague" in page) == offered
        colleague = UserFactory(agency=booking.agency)
        if offered:
            assert cancel_booking(actor=booking.person, booking=booking, substitute=colleague).person == colleague
        else:
            with pytest.raises(BookingError, match="Only a confirmed place"):
                cancel_booking(actor=booking.person, booking=booking, substitute=colleague)


# --- The programme pages --------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["scheduled", "started", "cancelled", "completed"])
def test_the_session_page_offers_change_exactly_when_the_service_accepts_a_change(client, state):
    from courses.services.programme import DateSpan, ProgrammeError, save_session

    manager = training_manager()
    now = timezone.now()
    session = SessionFactory(course=CourseFactory(title="Neglect"))
    if state == "started":
        session.starts_at = now - timedelta(hours=1)
        session.save()
    elif state != "scheduled":
        session.status = state
        session.save()
    client.force_login(manager)
    page = client.get(reverse("courses:manage-session", args=[session.pk])).content.decode()
    offered = reverse("courses:manage-session-edit", args=[session.pk]) in page
    start = now + timedelta(days=30)
    try:
        save_session(
            actor=manager,
            session=session,
            dates=[DateSpan(starts_at=start, ends_at=start + timedelta(hours=6))],
            course=session.course,
            venue=session.venue,
            capacity=session.capacity,
        )
    except ProgrammeError:
        accepted = False
    else:
        accepted = True
    assert offered == accepted == (state == "scheduled")


@pytest.mark.parametrize(
    ("contributing_free", "says"),
    [
        (True, "Free for staff of contributing partners; other organisations pay a fee by category"),
        (False, "A fee by the category of the delegate's organisation"),
    ],
)
def test_the_course_page_states_the_cost_by_the_boards_policy(client, contributing_free, says):
    from courses.models import FeeRate

    BookingPolicy.objects.filter(pk=1).update(contributing_partners_free=contributing_free)
    nursery = AgencyFactory(name="Little Acorns Day Nurseries Ltd", contributing=False)
    FeeRate.objects.create(policy_id=1, category=nursery.category, per_day=Decimal("85.00"), per_half_day=Decimal("45"))
    course = CourseFactory(title="Safer Recruitment")
    exempt = CourseFactory(title="Annual Safeguarding Conference", charge_exempt=True)
    page = html.unescape(client.get(reverse("courses:course", args=[course.slug])).content.decode())
    assert says in page
    page = html.unescape(client.get(reverse("courses:course", args=[exempt.slug])).content.decode())
    assert "Free for everyone" in page


@pytest.mark.parametrize("started", [False, True])
def test_the_register_page_takes_attendance_exactly_when_the_service_records_it(client, started):
    from courses.services.register import RegisterError, record_attendance

    person = trainer(full_name="Priya Shah")
    now = timezone.now()
    start = now - timedelta(hours=1) if started else now + timedelta(days=2)
    session = SessionFactory(
        course=CourseFactory(title="Neglect"),
        starts_at=start,
        ends_at=start + timedelta(hours=6),
        bookings_close_at=start - timedelta(days=3),
        trainers=[person],
    )
    booking = BookingFactory(session=session, person=UserFactory(full_name="Olivia Grant"))
    client.force_login(person)
    page = client.get(reverse("courses:register", args=[session.pk])).content.decode()
    offered = "Save register" in page
    try:
        record_attendance(actor=person, session=session, outcomes={booking.pk: Attendance.ATTENDED})
    except RegisterError as error:
        accepted = False
        assert "The register opens when the session starts" in error.message
    else:
        accepted = True
    assert offered == accepted == started


def test_leaving_a_waiting_list_is_called_that_on_the_cancel_page(client):
    booking = BookingFactory(session=SessionFactory(days_ahead=30), status=BookingStatus.WAITLISTED)
    client.force_login(booking.person)
    page = client.get(reverse("courses:cancel-booking", args=[booking.pk])).content.decode()
    assert "<title>Leave the waiting list" in page
    assert "Cancel the place" not in page and "Leave the waiting list" in page
    page = client.post(reverse("courses:cancel-booking", args=[booking.pk]), {}).content.decode()
    assert "Choose &#x27;Leave the waiting list&#x27; to confirm" in page
    assert "pass your place to a colleague" not in page
