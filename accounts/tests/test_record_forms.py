"""The profile and agency forms check the input and leave the record to its service: the audit
entry records what a change was, and a change the service refuses leaves the record as it was."""

import html

import pytest
from django.urls import reverse

from accounts.factories import AgencyFactory, UserFactory, training_manager
from accounts.models import Agency, AuditEntry, User

pytestmark = pytest.mark.django_db


def test_renaming_an_agency_is_audited_with_the_old_and_new_names(client):
    client.force_login(training_manager())
    agency = AgencyFactory(name="Northshire Primary Care Trust", sector="health")
    url = reverse("manage:agency-edit", args=[agency.pk])
    assert 'value="Northshire Primary Care Trust"' in client.get(url).content.decode()
    client.post(
        url,
        {
            "name": "Northshire Integrated Care Board",
            "sector": agency.sector,
            "category": agency.category_id,
            "contributing": "on",
            "active": "on",
        },
    )
    assert Agency.objects.get(pk=agency.pk).name == "Northshire Integrated Care Board"
    entry = AuditEntry.objects.get(action="changed agency", object_id=str(agency.pk))
    assert entry.changes["name"] == ["Northshire Primary Care Trust", "Northshire Integrated Care Board"]


def test_an_agency_name_already_taken_gets_the_services_message_and_changes_nothing(client):
    client.force_login(training_manager())
    AgencyFactory(name="Northshire Police")
    agency = AgencyFactory(name="Northshire Council")
    response = client.post(
        reverse("manage:agency-edit", args=[agency.pk]),
        {"name": "northshire police", "sector": agency.sector, "category": agency.category_id, "active": "on"},
    )
    assert "An agency with this name already exists" in html.unescape(response.content.decode())
    assert Agency.objects.get(pk=agency.pk).name == "Northshire Council"


def test_a_refused_profile_change_leaves_the_person_as_they_were(client, target_groups):
    person = UserFactory(full_name="Aisha Khan", job_title="Health visitor")
    client.force_login(person)
    page = client.get(reverse("accounts:edit-profile")).content.decode()
    assert 'value="Aisha Khan"' in page and 'value="Health visitor"' in page
    response = client.post(
        reverse("accounts:edit-profile"),
        {
            "full_name": "Aisha Khan-Morris",
            "job_title": "Health visitor",
            "target_group": person.target_group_id or target_groups[3].pk,
            "line_manager_name": "",
            "line_manager_email": "not an email",
        },
    )
    assert "Enter your line manager's email in the correct format" in html.unescape(response.content.decode())
    assert User.objects.get(pk=person.pk).full_name == "Aisha Khan"
    # The signed-in person shown on the page is the saved one, not the refused input.
    assert response.context["user"].full_name == "Aisha Khan"
