"""Lengths finer than half days: a course in hours or quarter days, the length of a training day,
what charges count, and the one way a length is written."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from accounts.factories import UserFactory, training_manager
from courses.durations import charged_days, days_from_hours, days_in_words, duration_in_words
from courses.factories import AttendanceRecordFactory, BookingFactory, CourseFactory, LevelFactory, SessionFactory
from courses.models import Attendance, BookingPolicy, Course
from courses.services.charges import fee_for, late_cancellation_charge, raise_register_charge
from courses.services.programme import ProgrammeError, record_trainer_share, save_policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client):
    client.force_login(training_manager())
    return client


@pytest.mark.parametrize(
    "days, hours, words",
    [
        (Decimal("0.5"), None, "Half a day"),
        (Decimal("0.25"), None, "A quarter of a day"),
        (Decimal("0.75"), None, "Three quarters of a day"),
        (Decimal("1.0000"), None, "1 day"),
        (Decimal("1.5"), None, "1.5 days"),
        (Decimal("1.25"), None, "1.25 days"),
        (Decimal("19.25"), None, "19.25 days"),
        (Decimal("0.2857"), Decimal("2.00"), "2 hours"),
        (Decimal("0.2143"), Decimal("1.50"), "1.5 hours"),
        (Decimal("0.1429"), Decimal("1"), "1 hour"),
        (Decimal("0.1071"), Decimal("0.75"), "45 minutes"),
    ],
)
def test_a_length_is_written_one_way(days, hours, words):
    assert duration_in_words(days, hours=hours) == words


def test_an_existing_half_day_course_still_reads_half_a_day_and_counts_half_a_day(client):
    course = CourseFactory(title="Domestic Abuse and its Impact on Children", duration_days=Decimal("0.5"))
    course.refresh_from_db()
    assert course.duration_days == Decimal("0.5") and course.duration_hours is None
    page = client.get(reverse("courses:course", args=[course.slug])).content.decode()
    assert "Half a day" in page
    rendered = Template("{{ course.duration_in_words }}, {% load durations %}{{ days|days }}").render(
        Context({"course": course, "days": course.duration_days})
    )
    assert rendered == "Half a day, Half a day"


def test_a_briefing_recorded_in_hours_counts_by_the_length_of_a_training_day(manager_client):
    level = LevelFactory(number=1)
    data = {
        "title": "Prevent Duty Briefing",
        "summary": "Radicalisation and the Prevent duty, for all staff.",
        "learning_outcomes": "Know how to make a Prevent referral",
        "level": level.pk,
        "duration_days": "",
        "duration_hours": "2",
        "delivery_mode": "conference",
        "inter_agency": "on",
        "active": "on",
    }
    manager_client.post(reverse("courses:manage-course-new"), data)
    briefing = Course.objects.get(title="Prevent Duty Briefing")
    # Seven hours to a training day: 2 / 7 = 0.285714..., kept as 0.2857.
    assert (briefing.duration_hours, briefing.duration_days) == (Decimal("2.00"), Decimal("0.2857"))
    assert briefing.duration_in_words == "2 hours"
    assert "2 hours" in manager_client.get(reverse("courses:manage-courses")).content.decode()
    # The training manager makes a training day 6.5 hours: the briefing counts 2 / 6.5 = 0.3077 days.
    save_policy(actor=training_manager(), fee_rates={}, training_day_hours=Decimal("6.5"))
    briefing.refresh_from_db()
    assert briefing.duration_days == Decimal("0.3077")


@pytest.mark.parametrize(
    "days, hours, message",
    [
        ("", "", "Enter the length in days, or in hours"),
        ("1", "2", "Enter the length in days or in hours, not both"),
        ("0.3", "", "Enter the length in quarter days"),
        ("", "2.1", "Enter the length in hours and quarter hours"),
    ],
)
def test_a_course_length_needs_days_or_hours_in_quarters(manager_client, days, hours, message):
    data = {
        "title": "Contextual Safeguarding",
        "summary": "Harm outside the home.",
        "learning_outcomes": "Map peer groups and places",
        "level": LevelFactory(number=2).pk,
        "duration_days": days,
        "duration_hours": hours,
        "delivery_mode": "face_to_face",
        "active": "on",
    }
    page = manager_client.post(reverse("courses:manage-course-new"), data).content.decode()
    assert message in page and "govuk-error-summary" in page
    assert not Course.objects.filter(title="Contextual Safeguarding").exists()


def test_editing_a_course_shows_its_length_as_it_was_typed(manager_client):
    course = CourseFactory(title="Harmful Sexual Behaviour", duration_days=Decimal("1.25"))
    page = manager_client.get(reverse("courses:manage-course-edit", args=[course.pk])).content.decode()
    assert 'value="1.25"' in page and "1.2500" not in page


def test_charges_count_a_length_rounded_up_to_the_next_half_day(nursery):
    assert charged_days(days_from_hours(Decimal("2"), Decimal("7"))) == Decimal("0.5")
    assert charged_days(Decimal("1.25")) == Decimal("1.5")
    assert charged_days(Decimal("0.75")) == Decimal("1")
    briefing = CourseFactory(
        title="Prevent Duty Briefing", duration_hours=Decimal("2"), duration_days=Decimal("0.2857")
    )
    # A two-hour briefing costs a half day's fee (£70), and cancelling late £50 a day × half a day = £25.
    assert fee_for(agency=nursery, course=briefing) == Decimal("70")
    booking = BookingFactory(
        session=SessionFactory(course=briefing), person=UserFactory(agency=nursery), agency=nursery
    )
    assert late_cancellation_charge(booking=booking) == Decimal("25.00")
    # A day and a quarter costs a day and a half: £120 + £70.
    longer = CourseFactory(title="Child Sexual Exploitation and Criminal Exploitation", duration_days=Decimal("1.25"))
    assert fee_for(agency=nursery, course=longer) == Decimal("190")
    # Not attending the briefing: £75 a day × half a day = £37.50, the rule written out.
    past = SessionFactory(course=briefing, days_ahead=-7)
    record = AttendanceRecordFactory(
        booking=BookingFactory(session=past, person=UserFactory(agency=nursery), agency=nursery),
        outcome=Attendance.NO_SHOW,
    )
    charge = raise_register_charge(record=record)
    assert charge.amount == Decimal("37.50")
    assert charge.rule == "Did not attend: £75.00 a day × half a day"


def test_a_trainers_share_is_quarter_days_no_longer_than_the_course(manager_client):
    trainer = UserFactory(full_name="Tom Fletcher")
    session = SessionFactory(
        course=CourseFactory(title="Working Together to Safeguard Children"),
        trainers=[trainer],
        starts_at=timezone.now() - timedelta(days=3),
        ends_at=timezone.now() - timedelta(days=3) + timedelta(hours=7),
    )
    url = reverse("courses:manage-trainer-share", args=[session.pk, trainer.pk])
    assert "Tom Fletcher" in manager_client.get(url).content.decode()
    page = manager_client.post(url, {"share_days": "0.3"}).content.decode()
    assert "Enter the share in quarter days" in page
    with pytest.raises(ProgrammeError, match="enter a smaller share"):
        record_trainer_share(actor=training_manager(), session=session, trainer=trainer, share_days=Decimal("1.5"))
    response = manager_client.post(url, {"share_days": "0.25"}, follow=True)
    assert "The whole session" not in response.content.decode()
    assert "A quarter of a day of the session" in response.content.decode()
    assert session.trainers.through.objects.get(session=session, user=trainer).share_days == Decimal("0.25")
    # Emptied again: they delivered the whole session.
    manager_client.post(url, {"share_days": ""})
    assert session.trainers.through.objects.get(session=session, user=trainer).share_days is None
    someone_else = UserFactory(full_name="Priya Shah")
    with pytest.raises(ProgrammeError, match="not one of this session's trainers"):
        record_trainer_share(
            actor=training_manager(), session=session, trainer=someone_else, share_days=Decimal("0.25")
        )


def test_days_in_words_keeps_quarters():
    assert days_in_words(Decimal("18.5")) == "18.5 days"
    assert days_in_words(Decimal("12.857142")) == "12.86 days"


def test_a_shorter_training_day_cannot_make_a_course_longer_than_ten_days():
    manager = training_manager()
    CourseFactory(title="Designated Safeguarding Lead Programme", duration_hours=Decimal("24"), duration_days=3)
    with pytest.raises(ProgrammeError, match="would last more than 10 days"):
        save_policy(actor=manager, fee_rates={}, training_day_hours=Decimal("2"))
    assert BookingPolicy.current().training_day_hours == Decimal("7.00")
