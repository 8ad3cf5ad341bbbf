"""The training manager records focus groups and observations of sessions: what the page asks for,
what it refuses, and where the record then shows."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.factories import AgencyFactory, trainer, training_manager
from accounts.models import AuditEntry
from courses.factories import CourseFactory, SessionFactory
from evaluation.factories import FocusGroupFactory, ObservationFactory
from evaluation.models import FocusGroup, Observation

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client):
    client.force_login(training_manager(full_name="Helen Carter"))
    return client


@pytest.fixture
def neglect():
    return CourseFactory(title="Recognising and Responding to Neglect")


# --- Focus groups --------------------------------------------------------------------------------


def test_a_focus_group_is_recorded_and_listed_with_its_themes(manager_client, neglect):
    FocusGroupFactory(course=CourseFactory(title="Safeguarding Disabled Children"), held_on=date(2026, 1, 20))
    response = manager_client.post(
        reverse("evaluation:focus-groups"),
        {
            "course": neglect.pk,
            "held_on": "12/03/2026",
            "participants": "9",
            "themes": "Health visitors want more on the graded care profile.\nSchools ask about thresholds.",
            "notes": "Held at Northshire Civic Centre.",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Focus group recorded." in page
    group = FocusGroup.objects.get(course=neglect)
    assert (group.held_on, group.participants, group.recorded_by.full_name) == (date(2026, 3, 12), 9, "Helen Carter")
    # Newest first, with its themes line by line and a way to raise an issue from it.
    assert page.index("Recognising and Responding to Neglect, 12 March 2026 (9 people)") < page.index(
        "Safeguarding Disabled Children, 20 January 2026 (8 people)"
    )
    assert "Health visitors want more on the graded care profile.<br>Schools ask about thresholds." in page
    assert f"{reverse('evaluation:issues')}?focus_group={group.pk}" in page
    assert AuditEntry.objects.filter(action="recorded focus group").count() == 1


def test_a_focus_group_without_its_details_says_what_is_missing_and_saves_nothing(manager_client):
    response = manager_client.post(
        reverse("evaluation:focus-groups"), {"course": "", "held_on": "", "participants": "", "themes": ""}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    for message in (
        "Choose the course",
        "Enter the date",
        "Enter the number of participants",
        "Enter the themes that came up",
    ):
        assert message in page
    assert not FocusGroup.objects.exists()


@pytest.mark.parametrize(
    ("held_on", "participants", "message"),
    [
        ("31/02/2026", "9", "Enter the date as DD/MM/YYYY"),
        ("12 March", "9", "Enter the date as DD/MM/YYYY"),
        ("12/03/2026", "0", "Enter a number from 1 to 500"),
        ("12/03/2026", "501", "Enter a number from 1 to 500"),
        ("12/03/2026", "nine", "Enter a whole number"),
    ],
)
def test_a_focus_group_with_a_bad_date_or_number_is_refused(manager_client, neglect, held_on, participants, message):
    response = manager_client.post(
        reverse("evaluation:focus-groups"),
        {"course": neglect.pk, "held_on": held_on, "participants": participants, "themes": "Thresholds"},
    )
    assert message in response.content.decode()
    assert not FocusGroup.objects.exists()


# --- Observations --------------------------------------------------------------------------------


@pytest.fixture
def delivered(neglect):
    """A neglect session delivered last week by a police officer and a health visitor."""
    police = trainer(full_name="Mark Evans", agency=AgencyFactory(name="Northshire Police"))
    health = trainer(full_name="Priya Shah", agency=AgencyFactory(name="Northshire Hospitals NHS Foundation Trust"))
    return SessionFactory(course=neglect, days_ahead=-7, trainers=[police, health])


def test_an_observation_is_recorded_against_the_session_and_the_trainers_observed(manager_client, delivered):
    mark = delivered.trainers.get(full_name="Mark Evans")
    url = reverse("evaluation:observations", args=[delivered.pk])
    form = manager_client.get(url).content.decode()
    # The trainers to choose from are the session's own, with their agencies.
    assert "Mark Evans (Northshire Police)" in form and "Priya Shah (Northshire Hospitals NHS Foundation Trust)" in form

    response = manager_client.post(
        url,
        {
            "observed_on": "24/11/2026",
            "observer_name": "Dr Ruth Evans, designated nurse",
            "trainers": [mark.pk],
            "strengths": "Used local case reviews well.",
            "areas_to_develop": "Check understanding before the break.",
            "notes": "",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Observation recorded." in page
    observation = Observation.objects.get(session=delivered)
    assert list(observation.trainers.all()) == [mark]
    assert observation.observed_on == date(2026, 11, 24)
    assert "24 November 2026, by Dr Ruth Evans, designated nurse: Mark Evans" in page
    assert "Used local case reviews well." in page and "Check understanding before the break." in page
    assert AuditEntry.objects.filter(action="recorded observation").count() == 1


def test_an_observation_must_say_when_who_and_what_went_well(manager_client, delivered):
    response = manager_client.post(
        reverse("evaluation:observations", args=[delivered.pk]),
        {"observed_on": "", "observer_name": "", "strengths": ""},
    )
    page = response.content.decode()
    assert "There is a problem" in page
    for message in ("Enter the date", "Enter the observer&#x27;s name", "Enter the strengths seen"):
        assert message in page
    assert not Observation.objects.exists()


def test_only_the_sessions_own_trainers_can_be_marked_as_observed(manager_client, delivered):
    elsewhere = trainer(full_name="Sara Patel")
    SessionFactory(trainers=[elsewhere])
    response = manager_client.post(
        reverse("evaluation:observations", args=[delivered.pk]),
        {
            "observed_on": "24/11/2026",
            "observer_name": "Dr Ruth Evans",
            "trainers": [elsewhere.pk],
            "strengths": "Good pace.",
        },
    )
    page = response.content.decode()
    assert "There is a problem" in page and f"Select a valid choice. {elsewhere.pk} is not one of" in page
    assert not Observation.objects.exists()


def test_earlier_observations_of_the_session_are_listed_newest_first(manager_client, delivered):
    ObservationFactory(session=delivered, observed_on=date(2026, 10, 1), observer_name="Tom Fletcher")
    ObservationFactory(session=delivered, observed_on=date(2026, 11, 1), observer_name="Dr Ruth Evans")
    ObservationFactory(observer_name="Someone at another session")
    page = manager_client.get(reverse("evaluation:observations", args=[delivered.pk])).content.decode()
    assert page.index("1 November 2026, by Dr Ruth Evans") < page.index("1 October 2026, by Tom Fletcher")
    assert "Someone at another session" not in page


def test_an_observer_notes_which_of_the_trainers_values_they_saw(manager_client, delivered):
    from evaluation.models import ObservationValue
    from evaluation.standard import install_observation_values

    install_observation_values(ObservationValue)
    rights, equality = (
        ObservationValue.objects.get(text="Children's rights"),
        ObservationValue.objects.get(text="Equality"),
    )
    url = reverse("evaluation:observations", args=[delivered.pk])
    form = manager_client.get(url).content.decode()
    assert "Values the trainers showed" in form and "Respect for diversity" in form
    manager_client.post(
        url,
        {
            "observed_on": "24/11/2026",
            "observer_name": "Dr Ruth Evans, designated nurse",
            "values_seen": [rights.pk, equality.pk],
            "strengths": "Kept the child's voice at the centre.",
        },
    )
    observation = Observation.objects.get(session=delivered)
    assert set(observation.values_seen.all()) == {rights, equality}
    assert "Children&#x27;s rights, Equality" in manager_client.get(url).content.decode()
