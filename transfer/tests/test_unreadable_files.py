"""A 500 from a property test, in the records import too: a file that is not quite CSV is listed as a
problem with its line, never a crash, and nothing is written."""

import pytest

from accounts.factories import AgencyFactory
from accounts.models import User
from transfer import services

pytestmark = pytest.mark.django_db

HEADER = "Email,Name,Agency\n"


def test_a_500_from_a_property_test_a_carriage_return_in_an_unquoted_field_is_read_as_a_line_end():
    AgencyFactory(name="Northshire Police")
    result = services.import_records(
        format_key="people", content=HEADER + "aisha.khan@example.org,Aisha\rKhan,Northshire Police\n", commit=True
    )
    # The stray carriage return ends the line, as a spreadsheet reads it: two short lines, each refused.
    assert [str(e) for e in result.errors] == [
        "Line 2, Agency: '' is not a partner agency: import or add the agency first (agencies are never invented)",
        "Line 3, Email: 'Khan' is not an email address",
        "Line 3, Agency: '' is not a partner agency: import or add the agency first (agencies are never invented)",
    ]
    assert not User.objects.filter(email="aisha.khan@example.org").exists()


def test_a_500_from_a_property_test_a_file_that_cannot_be_read_as_csv_is_a_problem_on_its_line():
    AgencyFactory(name="Northshire Police")
    content = (
        HEADER + "ben@example.org,Ben,Northshire Police\n" + 'x@example.org,"' + "y" * 200_000 + '",Northshire Police\n'
    )
    result = services.import_records(format_key="people", content=content, commit=True)
    assert [str(e) for e in result.errors] == [
        "Line 3: the file cannot be read as CSV (a value is longer than 131,072 characters). "
        "Save it from your spreadsheet as CSV and try again"
    ]
    assert not User.objects.filter(email="ben@example.org").exists()
