"""The people import applies the line-manager rule the profile page applies: never the person themselves,
always someone the service can tie to the person's agency (accounts.selectors.line_manager_problem)."""

import pytest

from accounts.models import User
from transfer.formats import People, run_import

pytestmark = pytest.mark.django_db

HEADER = "Email,Name,Agency,Staff group,Job title,Line manager's name,Line manager's email\n"


def test_a_person_named_as_their_own_line_manager_or_one_from_outside_the_agency_is_refused(police):
    # The police's domain is northshire-police.example.org (conftest's police fixture).
    content = (
        HEADER + "aisha.khan@northshire-police.example.org,Aisha Khan,Northshire Police,,PC,Aisha Khan,"
        "aisha.khan@northshire-police.example.org\n"
        + "ben.cole@northshire-police.example.org,Ben Cole,Northshire Police,,PC,Jo Pike,jo.pike@gmail.example.com\n"
        + "sam.hart@northshire-police.example.org,Sam Hart,Northshire Police,,PC,Sam Roberts,"
        "sam.roberts@northshire-police.example.org\n"
    )
    result = run_import(People(), content, commit=True)
    problems = [str(e) for e in result.errors]
    assert problems == [
        "Line 2, Line manager's email: The line manager must be someone else: enter their email address, not your own",
        "Line 3, Line manager's email: The line manager must work for Northshire Police: enter the email of a "
        "colleague with an account here, or an address ending @northshire-police.example.org",
    ]
    assert not User.objects.filter(email__endswith="@northshire-police.example.org").exists()  # all or nothing

    good = HEADER + content.splitlines()[3] + "\n"
    result = run_import(People(), good, commit=True)
    assert not result.errors
    assert User.objects.get(email="sam.hart@northshire-police.example.org").line_manager_email == (
        "sam.roberts@northshire-police.example.org"
    )
