"""A TNA return's page served from the page cache between writes (common/pagecache.py): each section
saved, the submission and a reopening show on the next view, and another agency's lead still gets 404."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.factories import AgencyFactory, UserFactory, agency_lead, training_manager
from conftest import SIGNED_IN_QUERIES, served_twice, signed_in
from courses.factories import CourseFactory, LevelFactory
from tna import services
from tna.models import TnaCycle, TrainingYear

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on", "immediate_on_commit")]


@pytest.fixture
def police(target_groups):
    return AgencyFactory(name="Northshire Police", sector="police")


@pytest.fixture
def tna_return(police):
    year = TrainingYear.objects.create(name="2026-27", starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31))
    cycle = TnaCycle.objects.create(year=year, opens_on=date(2026, 1, 5), deadline=date(2026, 2, 27))
    return services.start_return(agency=police, cycle=cycle)


def status_of(page: str, task: str) -> str:
    return re.search(rf'id="task-{task}-status">(.*?)</div>', page).group(1)


def test_each_save_the_submission_and_a_reopening_show_on_the_next_view_of_the_return(police, tna_return):
    course = CourseFactory(title="Working Together to Safeguard Children", level=LevelFactory(number=2))
    lead = agency_lead(full_name="Priya Shah", agency=police)
    manager = training_manager()
    client = signed_in(lead)
    url = reverse("tna:return", args=[tna_return.pk])
    assert "Incomplete" in status_of(served_twice(client, url), "staff")
    services.save_staff_counts(
        actor=lead, tna_return=tna_return, counts={g.target_group_id: (5, 1) for g in tna_return.staff_counts.all()}
    )
    page = served_twice(client, url)
    assert status_of(page, "staff") == "Completed" and "Incomplete" in status_of(page, "needs")
    services.save_needs(actor=lead, tna_return=tna_return, needs={course.pk: (10, 4, 6)})
    services.save_single_agency(actor=lead, tna_return=tna_return, lines={}, evaluation="Post-course questionnaires")
    assert "Ready to submit" in status_of(served_twice(client, url), "check")
    tna_return = services.submit_return(actor=lead, tna_return=tna_return, declaration=True)
    page = served_twice(client, url)
    assert status_of(page, "check") == "Submitted" and "by Priya Shah" in page
    services.reopen_return(actor=manager, tna_return=tna_return, reason="Add the volunteers")
    page = served_twice(client, url)
    assert "Add the volunteers" in page and "Ready to submit" in status_of(page, "check")


def test_another_agencys_lead_still_gets_404_once_the_return_is_cached(police, tna_return):
    url = reverse("tna:return", args=[tna_return.pk])
    # Signing in is a write: everyone has signed in before anyone looks.
    lead, deputy, other_lead, staff, manager = (
        signed_in(agency_lead(agency=police)),
        signed_in(agency_lead(agency=police)),
        signed_in(agency_lead(agency=AgencyFactory(name="Riverside Academy Trust"))),
        signed_in(UserFactory(agency=police)),
        signed_in(training_manager()),
    )
    page = served_twice(lead, url)
    with CaptureQueriesContext(connection) as queries:
        deputys = deputy.get(url).content.decode()
    assert len(queries) <= SIGNED_IN_QUERIES and "Northshire Police" in deputys  # the agency's own page, shared
    assert other_lead.get(url).status_code == 404
    assert staff.get(url).status_code == 404
    managers = served_twice(manager, url)
    assert "Back to the overview" in managers and "Back to the overview" not in page
