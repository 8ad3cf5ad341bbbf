import pytest
from django.urls import reverse

from accounts.factories import OrganisationCategoryFactory, training_manager
from accounts.models import Agency, AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client):
    client.force_login(training_manager())
    return client


def test_the_training_manager_adds_an_agency(manager_client):
    category = OrganisationCategoryFactory(name="Voluntary or community group")
    response = manager_client.post(
        reverse("manage:agency-new"),
        {"name": "Northshire Young Carers", "sector": "voluntary", "category": category.pk, "active": "on"},
        follow=True,
    )
    assert "Northshire Young Carers has been saved" in response.content.decode()
    agency = Agency.objects.get(name="Northshire Young Carers")
    assert agency.sector == "voluntary" and agency.active and not agency.contributing
    assert AuditEntry.objects.filter(action="created agency", object_id=str(agency.pk)).exists()


def test_an_agency_name_must_be_unique_whatever_its_case(manager_client, police):
    before = Agency.objects.count()
    response = manager_client.post(
        reverse("manage:agency-new"),
        {"name": "NORTHSHIRE POLICE", "sector": "police", "category": police.category_id},
    )
    assert "An agency with this name already exists" in response.content.decode()
    assert Agency.objects.count() == before


def test_an_agency_needs_a_name_and_a_sector(manager_client, police):
    before = Agency.objects.count()
    page = manager_client.post(
        reverse("manage:agency-new"), {"name": "", "sector": "", "category": police.category_id}
    ).content.decode()
    assert "Enter the agency&#x27;s name" in page and "Select the agency&#x27;s sector" in page
    assert Agency.objects.count() == before


def test_the_training_manager_changes_an_agency(manager_client, police):
    manager_client.post(
        reverse("manage:agency-edit", args=[police.pk]),
        {
            "name": "Northshire Constabulary",
            "sector": "police",
            "category": police.category_id,
            "contributing": "on",
            "active": "on",
            "email_domains": "northshire-police.example.org",
        },
    )
    police.refresh_from_db()
    assert police.name == "Northshire Constabulary"
    entry = AuditEntry.objects.get(action="changed agency")
    assert entry.changes == {"name": ["Northshire Police", "Northshire Constabulary"]}
