"""The training manager's programme pages: sessions, courses, venues, pathway and policy."""

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.factories import OrganisationCategoryFactory, UserFactory, trainer, training_manager
from accounts.models import OrganisationCategory
from courses.factories import BookingFactory, CourseFactory, LevelFactory, SessionFactory, VenueFactory
from courses.models import BookingPolicy, Course, FeeRate, PathwayRule, Session, SessionStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client):
    client.force_login(training_manager())
    return client


def session_post(course, place, **overrides):
    day = (timezone.localdate() + timedelta(days=30)).strftime("%d/%m/%Y")
    data = {
        "dates-TOTAL_FORMS": "2",
        "dates-INITIAL_FORMS": "0",
        "dates-0-date": day,
        "dates-0-start": "09:30",
        "dates-0-end": "16:30",
        "dates-1-date": "",
        "dates-1-start": "",
        "dates-1-end": "",
        "course": course.pk,
        "venue": place.pk,
        "online_link": "",
        "capacity": "20",
        "close_date": "",
        "close_time": "",
        "venue_cost": "150",
        "trainer_fees": "0",
        "catering_cost": "90.50",
        "materials_cost": "12",
        "notes": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "name",
    [
        "courses:manage-sessions",
        "courses:manage-courses",
        "courses:manage-venues",
        "courses:manage-pathway",
        "courses:manage-policy",
        "courses:manage-session-new",
    ],
)
def test_staff_get_403_on_programme_pages(client, name):
    client.force_login(UserFactory())
    assert client.get(reverse(name)).status_code == 403


def test_creating_a_session_with_two_dates_keeps_its_first_start_and_last_end(manager_client):
    # A full day and a morning: a course of a day and a half.
    course, venue = CourseFactory(duration_days=Decimal("1.5")), VenueFactory()
    second = (timezone.localdate() + timedelta(days=37)).strftime("%d/%m/%Y")
    response = manager_client.post(
        reverse("courses:manage-session-new"),
        session_post(course, venue, **{"dates-1-date": second, "dates-1-start": "10:00", "dates-1-end": "13:00"}),
        follow=True,
    )
    assert "Session created" in response.content.decode()
    session = Session.objects.get()
    assert session.dates.count() == 2
    assert timezone.localtime(session.starts_at).strftime("%H:%M") == "09:30"
    assert timezone.localtime(session.ends_at).strftime("%d/%m/%Y %H:%M") == f"{second} 13:00"
    assert session.bookings_close_at < session.starts_at
    assert session.catering_cost == Decimal("90.50")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"capacity": "-3"}, "There must be at least 1 place"),
        ({"capacity": "100000"}, "A session can have at most 500 places"),
        ({"capacity": "lots"}, "Enter the number of places as a whole number"),
        ({"venue_cost": "-10"}, "Costs cannot be negative"),
        ({"dates-0-date": "30/02/2027"}, "Enter the date as DD/MM/YYYY"),
        ({"dates-0-end": "08:00"}, "The end time must be after the start time"),
        ({"dates-0-date": "", "dates-0-start": "", "dates-0-end": ""}, "Enter at least one date"),
        ({"venue": "", "online_link": ""}, "Choose a venue"),
    ],
    ids=[
        "negative-capacity",
        "absurd-capacity",
        "words-for-capacity",
        "negative-cost",
        "impossible-date",
        "ends-before-start",
        "no-dates",
        "no-venue",
    ],
)
def test_bad_session_input_gets_a_clear_message_and_creates_nothing(manager_client, change, message):
    response = manager_client.post(
        reverse("courses:manage-session-new"), session_post(CourseFactory(), VenueFactory(), **change)
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and message in page
    assert not Session.objects.exists()


def confirmed_from(page: str) -> str:
    """The warnings the page asks the manager to confirm, as the "Save the session anyway" button sends them."""
    return html.unescape(re.search(r'name="confirmed" value="([^"]*)"', page).group(1))


def test_a_session_in_the_past_is_saved_once_the_manager_confirms_it_is_catching_up(manager_client):
    course = CourseFactory(title="Working Together to Safeguard Children", duration_days=Decimal("1"))
    last_year = (timezone.localdate() - timedelta(days=400)).strftime("%d/%m/%Y")
    data = session_post(course, VenueFactory(), **{"dates-0-date": last_year})
    page = manager_client.post(reverse("courses:manage-session-new"), data).content.decode()
    assert "The session starts in the past. That is right when recording a session already run" in page
    assert "Save the session anyway" in page
    assert not Session.objects.exists()
    response = manager_client.post(
        reverse("courses:manage-session-new"), {**data, "confirmed": confirmed_from(page)}, follow=True
    )
    assert "Session created" in response.content.decode()
    assert timezone.localtime(Session.objects.get().starts_at).strftime("%d/%m/%Y") == last_year


def test_dates_that_do_not_match_the_course_length_are_saved_only_once_confirmed(manager_client):
    course = CourseFactory(title="Working Together to Safeguard Children", duration_days=Decimal("1"))
    second = (timezone.localdate() + timedelta(days=31)).strftime("%d/%m/%Y")
    data = session_post(
        course, VenueFactory(), **{"dates-1-date": second, "dates-1-start": "09:30", "dates-1-end": "16:30"}
    )
    page = manager_client.post(reverse("courses:manage-session-new"), data).content.decode()
    assert "Working Together to Safeguard Children lasts 1 day, but these dates make 2 days" in page
    assert not Session.objects.exists()
    manager_client.post(reverse("courses:manage-session-new"), {**data, "confirmed": confirmed_from(page)})
    assert Session.objects.get().dates.count() == 2


def test_a_briefing_measured_in_hours_on_one_morning_matches_its_length_and_a_whole_day_does_not():
    """A two-hour briefing is 2/7 of a training day; one morning date matches it (both count as half a
    day, as charges do); a whole day does not, and the warning gives the course's length in hours."""
    from courses.services.programme import DateSpan, session_warnings

    briefing = CourseFactory(title="Online Safety Briefing", duration_days=Decimal("0.2857"), duration_hours=2)
    day = timezone.localtime(timezone.now() + timedelta(days=20)).replace(hour=9, minute=30, second=0, microsecond=0)
    morning = DateSpan(starts_at=day, ends_at=day + timedelta(hours=2))
    assert session_warnings(course=briefing, dates=[morning]) == []
    whole_day = DateSpan(starts_at=day, ends_at=day + timedelta(hours=7))
    assert session_warnings(course=briefing, dates=[whole_day]) == [
        "Online Safety Briefing lasts 2 hours, but these dates make 1 day (a date of up to 4 hours is half a day)."
    ]


def test_a_future_session_of_the_right_length_saves_without_a_question(manager_client):
    course = CourseFactory(duration_days=Decimal("1"))
    page = manager_client.post(reverse("courses:manage-session-new"), session_post(course, VenueFactory()), follow=True)
    assert "Session created" in page.content.decode() and "Check before saving" not in page.content.decode()


def test_capacity_cannot_drop_below_the_places_taken(manager_client):
    session = SessionFactory(capacity=5)
    BookingFactory.create_batch(3, session=session)
    data = session_post(session.course, session.venue, capacity="2")
    page = manager_client.post(reverse("courses:manage-session-edit", args=[session.pk]), data).content.decode()
    assert "3 places are already taken" in page
    session.refresh_from_db()
    assert session.capacity == 5


def test_copying_a_session_prefills_everything_but_the_dates(manager_client):
    session = SessionFactory(capacity=17, trainers=[trainer(full_name="Grace Okafor")])
    page = manager_client.get(reverse("courses:manage-session-copy", args=[session.pk])).content.decode()
    assert 'value="17"' in page and "Grace Okafor" in page
    assert Session.objects.count() == 1


def test_cancelling_a_session_from_its_page_emails_everyone(manager_client, django_capture_on_commit_callbacks):
    session = SessionFactory()
    BookingFactory.create_batch(2, session=session)
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            reverse("courses:manage-session-cancel", args=[session.pk]), {"reason": "Trainer unwell"}, follow=True
        )
    assert "Session cancelled. 2 people booked or waiting have been emailed." in response.content.decode()
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    assert len(mail.outbox) == 2


def test_the_session_page_lists_bookings_by_status(manager_client):
    session = SessionFactory()
    BookingFactory(session=session, person=UserFactory(full_name="Aisha Khan"))
    BookingFactory(session=session, person=UserFactory(full_name="Ben Brown"), status="waitlisted")
    page = manager_client.get(reverse("courses:manage-session", args=[session.pk])).content.decode()
    assert "Confirmed (1)" in page and "On the waiting list (1)" in page and "Aisha Khan" in page


def test_adding_a_course_checks_quarter_days_and_prerequisite_loops(manager_client):
    level = LevelFactory(number=2)
    data = {
        "title": "Contextual Safeguarding",
        "summary": "Harm outside the home.",
        "learning_outcomes": "Map peer groups and places",
        "level": level.pk,
        "duration_days": "0.7",
        "delivery_mode": "face_to_face",
        "inter_agency": "on",
        "active": "on",
    }
    page = manager_client.post(reverse("courses:manage-course-new"), data).content.decode()
    assert "Enter the length in quarter days" in page
    data["duration_days"] = "1.5"
    manager_client.post(reverse("courses:manage-course-new"), data)
    contextual = Course.objects.get(title="Contextual Safeguarding")
    assert contextual.slug == "contextual-safeguarding"
    advanced = CourseFactory(title="Child Sexual Exploitation and Criminal Exploitation")
    advanced.prerequisites.add(contextual)
    loop = {**data, "prerequisites": [advanced.pk]}
    page = manager_client.post(reverse("courses:manage-course-edit", args=[contextual.pk]), loop).content.decode()
    assert "already needs Contextual Safeguarding first" in page
    assert not contextual.prerequisites.exists()


def test_a_venue_needs_a_real_postcode(manager_client):
    page = manager_client.post(
        reverse("courses:manage-venue-new"),
        {"name": "Eastbridge Library", "address": "1 High Street", "postcode": "12345"},
    ).content.decode()
    assert "Enter a real postcode" in page
    manager_client.post(
        reverse("courses:manage-venue-new"),
        {
            "name": "Eastbridge Library",
            "address": "1 High Street",
            "postcode": "nt4 7qd",
            "capacity": "30",
            "active": "on",
        },
    )
    from courses.models import Venue

    assert Venue.objects.get(name="Eastbridge Library").postcode == "NT4 7QD"


def test_a_pathway_rule_needs_a_level_or_a_course_not_both(manager_client, target_groups):
    level = LevelFactory(number=3)
    course = CourseFactory()
    url = reverse("courses:manage-pathway")
    page = manager_client.post(
        url, {"target_group": target_groups[4].pk, "level": level.pk, "course": course.pk, "refresh_months": "24"}
    ).content.decode()
    assert "Choose a level or a named course, not both" in page
    manager_client.post(url, {"target_group": target_groups[4].pk, "level": level.pk, "refresh_months": "24"})
    rule = PathwayRule.objects.get()
    assert rule.refresh_months == 24
    manager_client.post(reverse("courses:manage-pathway-remove", args=[rule.pk]))
    assert not PathwayRule.objects.exists()


def test_the_policy_and_fees_are_edited_by_the_training_manager(manager_client):
    category = OrganisationCategoryFactory(name="School or academy")
    data = {
        "late_cancellation_working_days": "5",
        "late_cancellation_charge_per_day": "40",
        "no_show_charge_per_day": "60",
        "contributing_partners_free": "on",
        "waitlist_offer_hours": "24",
        "approval_hold_hours": "48",
        "no_shows_before_approval": "3",
        "reminder_days_before": "2",
        "training_day_hours": "6.5",
        "partial_attendance_meets_requirement": "on",
    }
    for other in OrganisationCategory.objects.all():  # every category's fee is asked for
        data.update({f"fee_day_{other.pk}": "0", f"fee_half_{other.pk}": "0"})
    data.update({f"fee_day_{category.pk}": "85", f"fee_half_{category.pk}": "50"})
    response = manager_client.post(reverse("courses:manage-policy"), data, follow=True)
    assert "Booking and charging policy saved" in response.content.decode()
    policy = BookingPolicy.current()
    assert policy.late_cancellation_working_days == 5 and policy.waitlist_offer_hours == 24
    assert policy.training_day_hours == Decimal("6.5")
    assert policy.partial_attendance_meets_requirement
    assert FeeRate.objects.get(category=category).per_half_day == Decimal("50")
    page = manager_client.post(
        reverse("courses:manage-policy"), {**data, f"fee_day_{category.pk}": "-1"}
    ).content.decode()
    assert "Fees cannot be negative" in page


def test_levels_and_staff_groups_are_data_the_training_manager_edits(manager_client, target_groups):
    from accounts.models import TargetGroup

    group = target_groups[4]
    response = manager_client.post(
        reverse("courses:manage-group-edit", args=[group.pk]),
        {
            "number": "4",
            "name": "Designated safeguarding leads",
            "description": "Leads for safeguarding in schools and settings.",
        },
        follow=True,
    )
    assert "Designated safeguarding leads" in response.content.decode()
    page = manager_client.post(
        reverse("courses:manage-group-new"), {"number": "4", "name": "Duplicate", "description": "x"}
    ).content.decode()
    assert "Number 4 is already used" in page
    assert TargetGroup.objects.count() == 8
    manager_client.post(
        reverse("courses:manage-level-new"), {"number": "5", "name": "Strategic leadership", "description": ""}
    )
    from courses.models import Level

    assert Level.objects.get(number=5).name == "Strategic leadership"


def test_raising_the_capacity_offers_the_new_places_to_the_waiting_list(
    manager_client, django_capture_on_commit_callbacks
):
    from courses.models import BookingStatus

    session = SessionFactory(capacity=1)
    BookingFactory(session=session)
    waiting = BookingFactory(session=session, status=BookingStatus.WAITLISTED)
    data = session_post(session.course, session.venue, capacity="2")
    data.update({"dates-0-date": timezone.localtime(session.starts_at).strftime("%d/%m/%Y")})
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("courses:manage-session-edit", args=[session.pk]), data)
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.OFFERED
    assert mail.outbox[-1].subject.startswith("A place is free")


@pytest.mark.parametrize("typed", ["100000", "0.1", "12.5", "0"])
def test_a_course_length_out_of_range_says_what_a_length_may_be(manager_client, typed):
    data = {
        "title": "Safeguarding Adolescents",
        "summary": "Risk outside the family home.",
        "learning_outcomes": "Recognise exploitation",
        "level": LevelFactory(number=3).pk,
        "duration_days": typed,
        "delivery_mode": "face_to_face",
        "active": "on",
    }
    page = manager_client.post(reverse("courses:manage-course-new"), data).content.decode()
    assert "Enter the length in quarter days, from 0.25 to 10" in page
    assert "digits" not in page
    assert not Course.objects.filter(title="Safeguarding Adolescents").exists()


def test_sessions_starting_at_the_same_moment_keep_one_order_both_ways(manager_client):
    # Three morning sessions of different courses at 09:30 on one day: the list shows them in the
    # order they were added, and sorted the other way, in the reverse of it, on every load.
    start = timezone.now().replace(microsecond=0) + timedelta(days=20)
    titles = ["Neglect: Recognition and Response", "Domestic Abuse and Children", "Child Sexual Exploitation"]
    for title in titles:
        SessionFactory(course=CourseFactory(title=title), starts_at=start, ends_at=start + timedelta(hours=3))

    def listed(sort):
        response = manager_client.get(reverse("courses:manage-sessions"), {"sort": sort})
        # The database itself is asked for the tie-break: without it, PostgreSQL returns ties in any order.
        assert list(response.context["table"].data.data.query.order_by)[-1] == ("-pk" if sort[0] == "-" else "pk")
        page = html.unescape(response.content.decode())
        rows = page[page.index("<tbody") :]  # the filter's drop-down lists the courses by name first
        return sorted(titles, key=rows.index)

    assert listed("starts_at") == titles
    assert listed("-starts_at") == titles[::-1]
