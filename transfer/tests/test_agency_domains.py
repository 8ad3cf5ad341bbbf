"""The agencies import carries each agency's email domains, checked by the agency form's rule."""

import pytest

from accounts.models import Agency
from transfer.formats import Agencies, run_import

pytestmark = pytest.mark.django_db


def test_item_8_agency_email_domains_travel_in_the_agencies_import_and_export(police):
    content = (
        "Name,Sector,Charging category,Contributing partner,Active,Email domains\n"
        "Northshire Young Carers,Voluntary and community,Statutory partner,no,yes,youngcarers.example.org\n"
        "Northshire Police,Police,Statutory partner,yes,yes,bad domain!\n"
    )
    result = run_import(Agencies(), content, commit=True)
    assert [e.column for e in result.errors] == ["Email domains"]
    result = run_import(Agencies(), content.replace("bad domain!", "northshire-police.example.org"), commit=True)
    assert not result.errors
    assert Agency.objects.get(name="Northshire Young Carers").domains == ["youngcarers.example.org"]
    rows = {r["Name"]: r for r in Agencies().export(None)}
    assert rows["Northshire Young Carers"]["Email domains"] == "youngcarers.example.org"
    # A file from before the column existed leaves the domains alone.
    run_import(Agencies(), "Name,Sector,Charging category\nNorthshire Police,Police,Statutory partner\n", commit=True)
    police.refresh_from_db()
    assert police.domains == ["northshire-police.example.org"]
