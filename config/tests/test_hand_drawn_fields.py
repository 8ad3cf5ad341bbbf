"""Fields drawn by hand (outside crispy-forms) show GOV.UK's error styling when in error, with the
message announced with the field, like every other field of the service; and forms leave checking
answers to the service."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.factories import AgencyFactory, UserFactory, agency_lead, training_manager
from courses.factories import CourseFactory, LevelFactory
from pool.factories import TrainerCommitmentFactory
from tna import services as tna_services
from tna.models import TnaCycle, TrainingYear

pytestmark = pytest.mark.django_db


def _in_error(page: str, name: str) -> bool:
    field = re.search(rf'<(?:input|textarea|select)[^>]*name="{name}"[^>]*>', page).group(0)
    described = re.search(r'aria-describedby="([^"]+)"', field)
    return "--error" in field and described is not None and f'id="{described.group(1)}"' in page


@pytest.fixture
def year():
    return TrainingYear.objects.create(name="2026-27", starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31))


def test_a_training_needs_return_section(client, year, target_groups):
    cycle = TnaCycle.objects.create(year=year, opens_on=date(2026, 1, 5), deadline=date(2026, 2, 27))
    LevelFactory(number=2)
    lead = agency_lead(agency=AgencyFactory(name="Northshire Police"))
    tna_return = tna_services.start_return(agency=lead.agency, cycle=cycle)
    client.force_login(lead)
    lines = list(tna_return.single_agency.all())
    data = {f"trained_{line.level_id}": "0" for line in lines} | {f"percent_{line.level_id}": "0" for line in lines}
    data[f"percent_{lines[0].level_id}"] = "lots"
    page = client.post(reverse("tna:section", args=[tna_return.pk, "single-agency"]), data).content.decode()
    assert _in_error(page, f"percent_{lines[0].level_id}")
    assert _in_error(page, "evaluation")  # left empty
    assert not _in_error(page, f"trained_{lines[0].level_id}")


def test_agencies_contributions_and_trainer_commitments(client, year):
    police = AgencyFactory(name="Northshire Police")
    TrainerCommitmentFactory(year=year, agency=police, agreed_days=Decimal("5"))
    client.force_login(training_manager())
    page = client.post(reverse("tna:contributions", args=[year.pk]), {f"agency_{police.pk}": "a lot"}).content.decode()
    assert _in_error(page, f"agency_{police.pk}")
    page = client.post(reverse("pool:commitments-edit", args=[year.pk]), {f"agency_{police.pk}": "-1"}).content.decode()
    assert _in_error(page, f"agency_{police.pk}")


def test_the_catalogue_filters(client):
    CourseFactory(title="Working Together to Safeguard Children")
    page = client.get(reverse("courses:catalogue"), {"date_from": "31/13/2026"}).content.decode()
    assert _in_error(page, "date_from")


def test_forms_leave_checking_to_the_service_not_the_browser(client):
    """An email field or a required one would otherwise stop the form with the browser's own bubble,
    before the GOV.UK error summary could say what is wrong."""
    client.force_login(UserFactory())
    for name in ("accounts:edit-profile", "accounts:password-change"):
        page = client.get(reverse(name)).content.decode()
        forms = [tag for tag in re.findall(r"<form[^>]*>", page) if "sign-out" not in tag]
        assert forms and all("novalidate" in tag for tag in forms), (name, forms)
