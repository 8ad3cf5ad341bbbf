"""A 500 from a property test: a TNA import file that is not quite CSV gets a page with a plain message.

A carriage return inside a value that is not in quotes (what some spreadsheets save) made the import page
answer 500. Such a file is now read as a spreadsheet reads it, and a file that still cannot be read as CSV
is refused on the page with its line number. Nothing is saved either way.
"""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgencyFactory, training_manager
from courses.factories import CourseFactory
from tna.models import TnaCycle, TrainingNeed, TrainingYear

pytestmark = pytest.mark.django_db

HEADER = b"Agency,Course,Staff in scope,Trained and in date,Places requested\n"


@pytest.fixture
def import_page(client):
    year = TrainingYear.objects.create(name="2027-28", starts_on=date(2027, 4, 1), ends_on=date(2028, 3, 31))
    cycle = TnaCycle.objects.create(
        year=year, opens_on=timezone.localdate(), deadline=timezone.localdate() + timedelta(days=30)
    )
    AgencyFactory(name="Northshire Police")
    CourseFactory(title="Working Together to Safeguard Children")
    client.force_login(training_manager())

    def upload(content: bytes):
        return client.post(
            reverse("tna:import", args=[cycle.pk]), {"file": SimpleUploadedFile("needs.csv", content, "text/csv")}
        )

    return upload


def test_a_500_from_a_property_test_a_carriage_return_in_an_unquoted_field_gets_a_page(import_page):
    response = import_page(HEADER + b"Northshire Police\rx,Working Together to Safeguard Children,40,10,5\n")
    assert response.status_code == 200
    page = response.content.decode()
    assert "nothing was imported" in page.lower()
    assert "Line 2" in page and "is not a partner agency" in page
    assert not TrainingNeed.objects.exists()


def test_a_500_from_a_property_test_lines_ending_in_carriage_returns_are_read_as_lines(import_page):
    response = import_page(
        HEADER.replace(b"\n", b"\r") + b"Northshire Police,Working Together to Safeguard Children,40,10,5\r"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 line ready to import" in page
    assert not TrainingNeed.objects.exists()  # a preview until confirmed


def test_a_500_from_a_property_test_a_file_that_cannot_be_read_as_csv_is_refused_with_its_line(import_page):
    response = import_page(HEADER + b"Northshire Police,Working Together," + b'"' + b"x" * 200_000 + b'",1,1\n')
    assert response.status_code == 200
    page = response.content.decode()
    assert "Line 2: the file cannot be read as CSV (a value is longer than 131,072 characters)" in page
    assert not TrainingNeed.objects.exists()
