"""The people list served from the page cache between writes (common/pagecache.py): a change of role
shows on the next view, and each agency's lead gets their own agency's list, never another's."""

import pytest
from django.urls import reverse

from accounts.factories import AgencyFactory, UserFactory, agency_lead, training_manager
from accounts.roles import Role
from accounts.services import deactivate_person, set_roles
from conftest import served_twice, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]
PEOPLE = reverse("manage:people")


def row_of(page: str, name: str) -> str:
    [row] = [row for row in page.split("<tr") if f">{name}</a>" in row]
    return row


def test_a_new_role_and_a_deactivation_show_on_the_next_view_of_the_people_list():
    manager = training_manager()
    aisha = UserFactory(full_name="Aisha Khan")
    client = signed_in(manager)
    assert "Staff member" in row_of(served_twice(client, PEOPLE), "Aisha Khan")
    set_roles(actor=manager, person=aisha, roles=[Role.TRAINER])
    row = row_of(served_twice(client, PEOPLE), "Aisha Khan")
    assert "Trainer" in row and "Staff member" not in row
    deactivate_person(actor=manager, person=aisha, reason="Left the police service")
    assert "Deactivated" in row_of(served_twice(client, PEOPLE), "Aisha Khan")


def test_each_agency_lead_sees_only_their_own_agencys_people_from_the_cache():
    police, school = AgencyFactory(name="Northshire Police"), AgencyFactory(name="Riverside Academy Trust")
    UserFactory(full_name="Aisha Khan", agency=police)
    UserFactory(full_name="Ben Brown", agency=school)
    # Signing in is a write: everyone has signed in before anyone looks.
    police_lead, school_lead, staff, manager = (
        signed_in(agency_lead(agency=police)),
        signed_in(agency_lead(agency=school)),
        signed_in(UserFactory(agency=police)),
        signed_in(training_manager(agency=police)),
    )
    polices = served_twice(police_lead, PEOPLE)
    schools = served_twice(school_lead, PEOPLE)
    assert "Aisha Khan" in polices and "Ben Brown" not in polices and "Northshire Police: people" in polices
    assert "Ben Brown" in schools and "Aisha Khan" not in schools and "Riverside Academy Trust: people" in schools
    everyone = served_twice(manager, PEOPLE)
    assert "Aisha Khan" in everyone and "Ben Brown" in everyone
    assert staff.get(PEOPLE).status_code == 403
