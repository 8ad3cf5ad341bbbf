"""The analysis's import page: it offers the example file it mentions, and its preview counts as
changed only the lines whose answers the file really changes."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from accounts.factories import AgencyFactory, agency_lead, training_manager
from courses.factories import CourseFactory, LevelFactory
from tna import services
from tna.models import TnaCycle, TrainingYear

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(target_groups):
    year = TrainingYear.objects.create(name="2026-27", starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31))
    return TnaCycle.objects.create(
        year=year, opens_on=date(2026, 1, 5), deadline=date(2026, 2, 27), opened_at="2026-01-05T09:00Z"
    )


def test_the_import_page_offers_the_example_file_without_the_year_column(client, cycle):
    client.force_login(training_manager())
    page = client.get(reverse("tna:import", args=[cycle.pk])).content.decode()
    url = reverse("tna:import-example", args=[cycle.pk])
    assert f'href="{url}"' in page
    response = client.get(url)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Agency", "Course", "Staff in scope", "Trained and in date", "Places requested"]
    assert rows[1] == ["Northshire Police", "Working Together to Safeguard Children", "120", "60", "40"]


def test_prefilled_lines_nobody_answered_are_new_not_changed(cycle):
    course = CourseFactory(title="Working Together to Safeguard Children", level=LevelFactory(number=2))
    police = AgencyFactory(name="Northshire Police")
    services.start_return(agency=police, cycle=cycle)  # opening the analysis prefills every line
    text = f"Agency,Course,Staff in scope,Trained and in date,Places requested\n{police.name},{course.title},12,4,8\n"
    result = services.import_needs(
        actor=training_manager(), text=text, file_name="needs.csv", commit=False, cycle=cycle
    )
    (imported,) = result.returns
    assert (imported.new_lines, imported.changed_lines, imported.unchanged_lines) == (1, 0, 0)


def test_lines_the_lead_answered_count_as_changed_when_the_file_changes_them(cycle):
    course = CourseFactory(title="Working Together to Safeguard Children", level=LevelFactory(number=2))
    lead = agency_lead(agency=AgencyFactory(name="Northshire Police"))
    tna_return = services.start_return(agency=lead.agency, cycle=cycle)
    services.save_needs(actor=lead, tna_return=tna_return, needs={course.pk: (10, 4, 6)})
    text = (
        f"Agency,Course,Staff in scope,Trained and in date,Places requested\n{lead.agency.name},{course.title},12,4,8\n"
    )
    result = services.import_needs(
        actor=training_manager(), text=text, file_name="needs.csv", commit=False, cycle=cycle
    )
    (imported,) = result.returns
    assert (imported.new_lines, imported.changed_lines, imported.unchanged_lines) == (0, 1, 0)
