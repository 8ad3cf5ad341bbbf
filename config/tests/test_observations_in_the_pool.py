"""An observation recorded on the evaluation side shows on the observed trainer's pool page, for the
training manager only: the trainer's agency lead manages the membership but does not read observations."""

import pytest
from django.urls import reverse

from accounts.factories import AgencyFactory, UserFactory, agency_lead, training_manager
from courses.factories import CourseFactory, SessionFactory
from pool.factories import active_member

pytestmark = pytest.mark.django_db


def test_an_observation_shows_on_the_observed_trainers_pool_page_for_the_manager_only(client, target_groups):
    police = AgencyFactory(name="Northshire Police")
    neglect = CourseFactory(title="Recognising and Responding to Neglect")
    mark = active_member(UserFactory(full_name="Mark Evans", agency=police), courses=[neglect])
    priya = active_member(UserFactory(full_name="Priya Shah"), courses=[neglect])
    session = SessionFactory(course=neglect, days_ahead=-7, trainers=[mark.person, priya.person])

    client.force_login(training_manager())
    client.post(
        reverse("evaluation:observations", args=[session.pk]),
        {
            "observed_on": "24/11/2026",
            "observer_name": "Dr Ruth Evans",
            "trainers": [mark.person.pk],
            "strengths": "Used local case reviews well.",
            "areas_to_develop": "Check understanding before the break.",
        },
    )
    observed = client.get(reverse("pool:member", args=[mark.pk])).content.decode()
    assert "24 Nov 2026, Recognising and Responding to Neglect" in observed
    assert "(by Dr Ruth Evans). Strengths: Used local case reviews well." in observed
    assert "To develop: Check understanding before the break." in observed
    # Priya delivered the same session but was not the one observed.
    assert "Dr Ruth Evans" not in client.get(reverse("pool:member", args=[priya.pk])).content.decode()

    client.force_login(agency_lead(agency=police))
    lead_view = client.get(reverse("pool:member", args=[mark.pk]))
    assert lead_view.status_code == 200 and "Dr Ruth Evans" not in lead_view.content.decode()
