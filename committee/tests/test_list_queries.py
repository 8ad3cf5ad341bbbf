"""The sub-committee's list pages read a fixed number of queries, whether they list one row or many."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgencyFactory, UserFactory, agency_lead, training_manager
from committee import services
from committee.models import AuditQuestion, MemberRole
from courses.factories import SessionFactory
from evaluation.services import raise_issue
from tna.models import TrainingYear

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return training_manager(full_name="Helen Carter", agency=None)


def add_rows(manager, n, start):
    """n of everything the lists show: members, meetings with an action each, issues taken to a meeting,
    requests for advice, and sessions with who delivered them."""
    for i in range(start, start + n):
        agency = AgencyFactory(name=f"Partner agency {i}")
        lead = agency_lead(agency=agency)
        services.add_member(actor=manager, person=lead, role=MemberRole.MEMBER, joined_on=date(2025, 1, 6))
        meeting = services.create_meeting(actor=manager, held_on=date(2025, 1, 6) + timedelta(days=i), agenda="")
        services.add_action(actor=manager, meeting=meeting, text=f"Action {i}", owner=lead, due_on=meeting.held_on)
        issue = raise_issue(actor=manager, title=f"Issue {i}", description="Heard in training")
        services.take_issue_to_meeting(actor=manager, issue=issue, meeting=meeting)
        services.ask_advice(actor=lead, question=f"Question {i}")
        session = SessionFactory(days_ahead=10 + i, trainers=[UserFactory(agency=agency)])
        services.record_delivery(actor=manager, session=session, delivered_by="pool")
    services.ensure_standard_questions()
    services.open_audit_round(
        actor=manager,
        title=f"Audit {start}",
        deadline=timezone.localdate() + timedelta(days=30 + start),
        questions=list(AuditQuestion.objects.all()),
    )


PAGES = [
    ("committee:index", False),
    ("committee:members", False),
    ("committee:meetings", False),
    ("committee:actions", False),
    ("committee:issues", False),
    ("committee:advice", False),
    ("committee:deliveries", True),
    ("committee:audit", "round"),
]


def queries(client, name, arg):
    url = reverse(name, args=[arg] if arg else [])
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_pages_read_the_same_number_of_queries_for_one_row_and_many(manager, client, target_groups):
    year = TrainingYear.objects.create(
        name="2026-27",
        starts_on=timezone.localdate() - timedelta(days=30),
        ends_on=timezone.localdate() + timedelta(days=300),
    )
    client.force_login(manager)
    add_rows(manager, 1, 0)
    from tna.models import TnaCycle

    first_round = TnaCycle.rounds.get(title="Audit 0")
    one = {
        name: queries(client, name, year.pk if arg is True else first_round.pk if arg else None) for name, arg in PAGES
    }
    add_rows(manager, 12, 1)
    many = {
        name: queries(client, name, year.pk if arg is True else first_round.pk if arg else None) for name, arg in PAGES
    }
    assert many == one
