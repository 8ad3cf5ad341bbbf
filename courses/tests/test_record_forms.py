"""The programme's edit forms check the input and leave the record to its service: an edit page
starts from the record's values, and a change the service refuses leaves the record as it was,
with the service's own message on the page."""

import html
import re

import pytest
from django.urls import reverse

from accounts.factories import training_manager
from courses.factories import CourseFactory, LevelFactory, VenueFactory
from courses.models import Course, Level, Venue

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client):
    client.force_login(training_manager())
    return client


def _page(response) -> str:
    return html.unescape(response.content.decode())


def test_the_course_edit_page_starts_from_the_course_and_a_refused_title_changes_nothing(manager_client):
    intro = CourseFactory(title="Introduction to Safeguarding Children")
    CourseFactory(title="Neglect: Recognising and Responding")
    course = CourseFactory(title="Child Protection in Practice", summary="For practitioners in regular contact.")
    course.prerequisites.add(intro)
    url = reverse("courses:manage-course-edit", args=[course.pk])
    page = _page(manager_client.get(url))
    assert 'value="Child Protection in Practice"' in page
    assert re.search(rf'name="prerequisites"[^>]*value="{intro.pk}"\s+checked', page)  # still ticked

    response = manager_client.post(
        url,
        {
            "title": "Neglect: Recognising and Responding",
            "summary": "Changed summary",
            "learning_outcomes": "Recognise neglect",
            "level": course.level_id,
            "duration_days": "1",
            "delivery_mode": course.delivery_mode,
        },
    )
    assert "A course with this title already exists" in _page(response)
    course.refresh_from_db()
    assert course.title == "Child Protection in Practice"
    assert course.summary == "For practitioners in regular contact."


def test_a_level_number_already_used_gets_the_services_message(manager_client):
    LevelFactory(number=1)
    level = LevelFactory(number=2)
    response = manager_client.post(
        reverse("courses:manage-level-edit", args=[level.pk]),
        {"number": "1", "name": "Inter-agency foundation", "description": ""},
    )
    assert "Number 1 is already used" in _page(response)
    assert Level.objects.get(pk=level.pk).number == 2


def test_a_venue_saved_from_its_page_keeps_what_was_not_changed(manager_client):
    venue = VenueFactory(name="Northshire Civic Centre", postcode="NT1 2AB")
    url = reverse("courses:manage-venue-edit", args=[venue.pk])
    assert 'value="NT1 2AB"' in _page(manager_client.get(url))
    manager_client.post(
        url,
        {
            "name": "Northshire Civic Centre",
            "address": venue.address,
            "postcode": "nt1 2ab",
            "access_information": "Step-free entrance on Mill Lane.",
            "capacity": "30",
            "active": "on",
        },
    )
    venue = Venue.objects.get(pk=venue.pk)
    assert venue.access_information == "Step-free entrance on Mill Lane." and venue.postcode == "NT1 2AB"
    assert Course.objects.count() == 0
