"""A course's evaluation results served from the page cache between writes (common/pagecache.py):
a new answer shows on the next view, and people who may not see results still cannot."""

from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.factories import AgencyFactory, UserFactory, agency_lead, board_member, trainer, training_manager
from conftest import served_twice, signed_in
from courses.factories import AttendanceRecordFactory, BookingFactory, CourseFactory, SessionFactory
from courses.models import Attendance
from evaluation import services
from evaluation.models import Invitation, Stage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on", "immediate_on_commit", "target_groups")]
OUTCOMES = "Recognise the signs of neglect\nUse the graded care profile\nKnow when to refer"


@pytest.fixture(autouse=True)
def results_of_any_group(settings):
    settings.EVALUATION_MIN_GROUP = 1


@pytest.fixture
def course():
    course = CourseFactory(title="Recognising and Responding to Neglect", learning_outcomes=OUTCOMES)
    services.settings_for(course)
    return course


def rate(course, session, before, after):
    """One delegate's confidence on the first outcome, before the course and straight after it."""
    booking = BookingFactory(session=session, person=UserFactory())
    AttendanceRecordFactory(session=session, person=booking.person, booking=booking, outcome=Attendance.ATTENDED)
    ce = course.evaluation
    for stage, questionnaire, value in ((Stage.BEFORE, ce.before, before), (Stage.IMMEDIATE, ce.immediate, after)):
        invitation = Invitation.objects.create(booking=booking, stage=stage, questionnaire=questionnaire)
        item = questionnaire.items.get(kind="confidence")
        when = session.starts_at - timedelta(days=1) if stage == Stage.BEFORE else None
        services.submit(invitation=invitation, answers=[{"item": item, "outcome": 0, "number": value}], now=when)


def test_an_answer_shows_on_the_next_view_of_the_course_results(course):
    session = SessionFactory(course=course, days_ahead=-1)
    client = signed_in(training_manager())
    url = reverse("evaluation:course-results", args=[course.pk])
    assert "No confidence ratings yet." in served_twice(client, url)
    rate(course, session, 4, 7)
    page = served_twice(client, url)
    assert "No confidence ratings yet." not in page and "+3.0" in page


def test_the_board_gets_the_same_figures_and_nobody_else_gets_the_cached_results(course):
    rate(course, SessionFactory(course=course, days_ahead=-1), 5, 8)
    url = reverse("evaluation:course-results", args=[course.pk])
    # Signing in is a write: everyone has signed in before anyone looks.
    manager, board, lead, pool_trainer, staff = (
        signed_in(training_manager()),
        signed_in(board_member()),
        signed_in(agency_lead(agency=AgencyFactory())),
        signed_in(trainer()),
        signed_in(UserFactory()),
    )
    managers_page = served_twice(manager, url)
    boards_page = served_twice(board, url)
    assert "+3.0" in managers_page and "+3.0" in boards_page
    assert "Back</a>" in managers_page and "Back</a>" not in boards_page  # the menu and links follow the roles
    for client in (lead, pool_trainer, staff):
        assert client.get(url).status_code == 403
