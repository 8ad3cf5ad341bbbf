"""The training manager's people-and-roles pages, and what agency leads and staff may see there."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.factories import AgencyFactory, UserFactory, agency_lead, board_member, trainer, training_manager
from accounts.models import AuditEntry, User
from accounts.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return training_manager(full_name="Helen Carter", email="helen.carter@example.org")


@pytest.fixture
def police_lead(police):
    return agency_lead(full_name="Priya Shah", email="priya.shah@example.org", agency=police)


@pytest.fixture
def police_officer(police):
    return UserFactory(full_name="Aisha Khan", email="aisha.khan@example.org", agency=police)


@pytest.fixture
def teacher(school):
    return UserFactory(full_name="Tom Fletcher", email="tom.fletcher@example.org", agency=school)


MANAGEMENT_PAGES = ["manage:people", "manage:agencies", "manage:agency-new"]


@pytest.mark.parametrize("name", MANAGEMENT_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign-in"))


@pytest.mark.parametrize("name", MANAGEMENT_PAGES)
def test_a_staff_member_is_refused_management_pages(client, teacher, name):
    client.force_login(teacher)
    response = client.get(reverse(name))
    assert response.status_code == 403
    assert "You cannot see this page" in response.content.decode()


def test_a_staff_member_cannot_open_someone_elses_record(client, teacher, police_officer):
    client.force_login(teacher)
    assert client.get(reverse("manage:person", args=[police_officer.pk])).status_code == 404


def test_an_agency_lead_sees_only_their_own_agencys_people(client, police_lead, police_officer, teacher):
    client.force_login(police_lead)
    page = client.get(reverse("manage:people")).content.decode()
    assert "Aisha Khan" in page
    assert "Tom Fletcher" not in page
    assert client.get(reverse("manage:person", args=[police_officer.pk])).status_code == 200
    assert client.get(reverse("manage:person", args=[teacher.pk])).status_code == 404


def test_an_agency_lead_cannot_see_another_agencys_page(client, police_lead, school, police):
    client.force_login(police_lead)
    assert client.get(reverse("manage:agency", args=[police.pk])).status_code == 200
    assert client.get(reverse("manage:agency", args=[school.pk])).status_code == 404


def test_an_agency_lead_cannot_change_roles_or_agencies(client, police_lead, police_officer, school):
    client.force_login(police_lead)
    for name in ("manage:person-roles", "manage:person-agency", "manage:person-deactivate"):
        assert client.get(reverse(name, args=[police_officer.pk])).status_code == 403
    response = client.post(reverse("manage:person-roles", args=[police_officer.pk]), {"roles": ["Training manager"]})
    assert response.status_code == 403
    assert (
        client.post(reverse("manage:person-agency", args=[police_officer.pk]), {"agency": school.pk}).status_code == 403
    )
    police_officer.refresh_from_db()
    assert police_officer.role_names == {"Staff"}
    assert police_officer.agency.name == "Northshire Police"


def test_a_lead_cannot_reach_another_agencys_person_even_to_change_them(client, police_lead, teacher):
    client.force_login(police_lead)
    assert client.post(reverse("manage:person-deactivate", args=[teacher.pk]), {"reason": "x"}).status_code == 404


@pytest.mark.parametrize("make", [board_member, trainer])
def test_board_members_and_trainers_do_not_see_people(client, make):
    client.force_login(make())
    assert client.get(reverse("manage:people")).status_code == 403


def test_the_training_manager_finds_people_by_name_and_filters_by_role(
    client, manager, police_lead, police_officer, teacher
):
    client.force_login(manager)
    page = client.get(reverse("manage:people"), {"q": "khan"}).content.decode()
    assert "Aisha Khan" in page and "Tom Fletcher" not in page
    page = client.get(reverse("manage:people"), {"role": "Agency lead"}).content.decode()
    assert "Priya Shah" in page and "Aisha Khan" not in page


def test_the_training_manager_gives_and_takes_roles(client, manager, police_officer):
    client.force_login(manager)
    response = client.post(
        reverse("manage:person-roles", args=[police_officer.pk]), {"roles": ["Agency lead", "Trainer"]}, follow=True
    )
    assert "Roles saved for Aisha Khan" in response.content.decode()
    assert User.objects.get(pk=police_officer.pk).role_names == {"Staff", "Agency lead", "Trainer"}

    client.post(reverse("manage:person-roles", args=[police_officer.pk]), {"roles": ["Trainer"]})
    assert User.objects.get(pk=police_officer.pk).role_names == {"Staff", "Trainer"}
    entry = AuditEntry.objects.filter(action="changed roles").first()
    assert entry.actor == manager and entry.changes == {"added": [], "removed": ["Agency lead"]}


def test_someone_without_an_agency_cannot_be_made_a_lead(client, manager):
    unmapped = UserFactory(agency=None, unlisted_organisation="1st Riverside Scouts")
    client.force_login(manager)
    response = client.post(reverse("manage:person-roles", args=[unmapped.pk]), {"roles": ["Agency lead"]})
    assert "Move this person to an agency before making them its agency lead" in response.content.decode()
    assert User.objects.get(pk=unmapped.pk).role_names == {"Staff"}


def test_the_training_manager_cannot_remove_their_own_role(client, manager):
    client.force_login(manager)
    response = client.post(reverse("manage:person-roles", args=[manager.pk]), {"roles": []})
    assert "You cannot remove your own training manager role" in response.content.decode()
    assert "Training manager" in User.objects.get(pk=manager.pk).role_names


def test_moving_a_lead_to_another_agency_takes_their_lead_role_away(client, manager, police_lead, school):
    client.force_login(manager)
    response = client.post(reverse("manage:person-agency", args=[police_lead.pk]), {"agency": school.pk}, follow=True)
    assert "Priya Shah is now in Riverside Academy Trust" in response.content.decode()
    moved = User.objects.get(pk=police_lead.pk)
    assert moved.agency == school
    assert "Agency lead" not in moved.role_names


def test_mapping_an_unlisted_organisation_to_an_agency(client, manager, school):
    scout = UserFactory(full_name="Jo Baker", agency=None, unlisted_organisation="1st Riverside Scouts")
    client.force_login(manager)
    assert "Jo Baker" in client.get(reverse("manage:people"), {"status": "unmapped"}).content.decode()
    client.post(reverse("manage:person-agency", args=[scout.pk]), {"agency": school.pk})
    scout.refresh_from_db()
    assert scout.agency == school and scout.unlisted_organisation == ""


def test_moving_to_an_unknown_agency_is_refused(client, manager, police_officer):
    client.force_login(manager)
    response = client.post(reverse("manage:person-agency", args=[police_officer.pk]), {"agency": 999999})
    assert "Select an agency from the list" in response.content.decode()
    assert User.objects.get(pk=police_officer.pk).agency.name == "Northshire Police"


def test_deactivating_an_account_stops_sign_in_and_keeps_the_record(client, manager, police_officer):
    client.force_login(manager)
    response = client.post(
        reverse("manage:person-deactivate", args=[police_officer.pk]), {"reason": "Left the force"}, follow=True
    )
    assert "account is deactivated" in response.content.decode()
    police_officer.refresh_from_db()
    assert not police_officer.is_active and police_officer.deactivated_at
    client.logout()
    page = client.post(
        reverse("accounts:sign-in"), {"username": police_officer.email, "password": "correct-horse-battery"}
    ).content.decode()
    assert "This account has been deactivated" in page


def test_deactivating_needs_a_reason_and_never_your_own_account(client, manager, police_officer):
    client.force_login(manager)
    page = client.post(reverse("manage:person-deactivate", args=[police_officer.pk]), {"reason": ""}).content.decode()
    assert "Enter why you are deactivating this account" in page
    page = client.post(reverse("manage:person-deactivate", args=[manager.pk]), {"reason": "test"}).content.decode()
    assert "You cannot deactivate your own account" in page
    assert User.objects.filter(is_active=True).count() == 2


def test_the_people_list_exports_what_the_filters_show_as_csv(client, manager, police_lead, police_officer, teacher):
    client.force_login(manager)
    response = client.get(reverse("manage:people"), {"agency": police_officer.agency_id, "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Name", "Email", "Organisation", "Staff group", "Roles", "Status"]
    assert sorted(r[0] for r in rows[1:]) == ["Aisha Khan", "Priya Shah"]
    assert ["Priya Shah", "priya.shah@example.org", "Northshire Police", "Group 3", "Agency lead", "Active"] in rows


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_people_list_runs_the_same_number_of_queries_for_1_and_100_rows(client, manager):
    agency = AgencyFactory(name="Northshire Hospitals NHS Foundation Trust", sector="health")
    client.force_login(manager)
    url = reverse("manage:people") + f"?agency={agency.pk}"
    UserFactory(agency=agency, roles=[Role.TRAINER])
    one = count_queries(client, url)
    UserFactory.create_batch(99, agency=agency, roles=[Role.TRAINER])
    hundred = count_queries(client, url)
    # session, user, user's roles, filter choices (agencies, groups), count, page of people, their groups
    assert one == hundred


def test_the_agency_list_runs_the_same_number_of_queries_for_1_and_100_rows(client, manager):
    client.force_login(manager)
    url = reverse("manage:agencies")
    one = count_queries(client, url)
    AgencyFactory.create_batch(99)
    assert count_queries(client, url) == one


def test_the_training_manager_searches_the_audit_trail(client, manager, police_officer):
    client.force_login(manager)
    client.post(reverse("manage:person-roles", args=[police_officer.pk]), {"roles": ["Trainer"]})
    page = client.get(reverse("manage:audit"), {"q": "Aisha", "actor": "helen"}).content.decode()
    assert "Changed roles" in page or "changed roles" in page
    assert "Added: Trainer" in page
    assert "changed roles" not in client.get(reverse("manage:audit"), {"q": "nobody-like-this"}).content.decode()


def test_the_audit_trail_runs_the_same_number_of_queries_for_1_and_100_entries(client, manager, settings):
    from accounts.audit import log_action

    settings.PAGE_CACHE_SECONDS = 0  # the page as it is built, not as the cache serves it between entries
    client.force_login(manager)
    log_action(actor=manager, action="changed agency", obj=manager)
    count_queries(client, reverse("manage:audit"))  # the first request after signing in also finds the person
    one = count_queries(client, reverse("manage:audit"))
    for n in range(99):
        log_action(actor=manager, action="changed agency", obj=manager, changes={"name": ["a", str(n)]})
    assert count_queries(client, reverse("manage:audit")) == one


def test_the_people_list_filtered_by_role_lists_each_person_once_with_namesakes_in_email_order(client, manager, police):
    client.force_login(manager)
    for email in ("sam.b@example.org", "sam.a@example.org", "sam.c@example.org"):
        UserFactory(agency=police, full_name="Sam Jones", email=email, roles=[Role.TRAINER, Role.AGENCY_LEAD])
    html = client.get(reverse("manage:people"), {"role": Role.TRAINER, "q": "sam"}).content.decode()
    assert "3 people" in html
    emails = [line.split("<")[0] for line in html.split('data-label="Email">')[1:]]
    assert emails == ["sam.a@example.org", "sam.b@example.org", "sam.c@example.org"]
    assert html.count("Agency lead, Trainer") == 3
