"""An e-learning provider's completion report imports through the pathway service: each line counts
at once (the training manager imported it), twice changes nothing, and bad lines are named."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.factories import AgencyFactory, UserFactory, agency_lead, training_manager
from courses.factories import LevelFactory
from courses.models import ExternalTraining, ExternalTrainingStatus
from transfer import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def aisha():
    LevelFactory(number=1)
    return UserFactory(full_name="Aisha Khan", email="aisha.khan@northshire-police.example.org", agency=AgencyFactory())


def completions(*lines):
    return "Email,Module,Provider,Level,Completed on\n" + "".join(f"{line}\n" for line in lines)


def test_completions_import_confirmed_and_twice_changes_nothing(aisha):
    manager = training_manager()
    content = completions(
        "Aisha.Khan@northshire-police.example.org,Safeguarding children: basic awareness,Northshire e-learning,1,"
        "12/01/2026"
    )
    result = services.import_records(format_key="training-elsewhere", content=content, commit=True, actor=manager)
    assert result.ok and result.created == 1
    record = ExternalTraining.objects.get()
    assert record.person == aisha and record.status == ExternalTrainingStatus.CONFIRMED and record.decided_by == manager
    again = services.import_records(format_key="training-elsewhere", content=content, commit=True, actor=manager)
    assert (again.created, again.unchanged) == (0, 1) and ExternalTraining.objects.count() == 1
    assert services.export_csv("training-elsewhere").splitlines()[1] == (
        "aisha.khan@northshire-police.example.org,Safeguarding children: basic awareness,Northshire e-learning,1,"
        "12/01/2026"
    )


def test_bad_lines_are_named_and_nothing_is_imported(aisha):
    tomorrow = (timezone.localdate() + timedelta(days=1)).strftime("%d/%m/%Y")
    content = completions(
        "aisha.khan@northshire-police.example.org,Basic awareness,Northshire e-learning,1,05/01/2026",
        "nobody@example.org,Basic awareness,Northshire e-learning,1,05/01/2026",
        f"aisha.khan@northshire-police.example.org,Basic awareness,Online,7,{tomorrow}",
    )
    result = services.import_records(
        format_key="training-elsewhere", content=content, commit=True, actor=training_manager()
    )
    assert [str(e) for e in result.errors] == [
        "Line 3, Email: no account has the email address 'nobody@example.org': import or add the person first",
        "Line 4, Level: there is no level 7",
        "Line 4, Completed on: is in the future",
    ]
    assert not ExternalTraining.objects.exists()


def test_only_a_training_manager_imports_training_done_elsewhere(aisha):
    content = completions("aisha.khan@northshire-police.example.org,Basic awareness,Online,1,05/01/2026")
    result = services.import_records(
        format_key="training-elsewhere", content=content, commit=True, actor=agency_lead(agency=aisha.agency)
    )
    assert not result.ok and not ExternalTraining.objects.exists()
