"""The pool directory served from the page cache between writes (common/pagecache.py): a change of a
member's status shows on the next view, and only the training manager ever sees the directory."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.factories import AgencyFactory, UserFactory, agency_lead, board_member, training_manager
from conftest import SIGNED_IN_QUERIES, served_twice, signed_in
from pool import services
from pool.factories import active_member
from pool.models import MembershipStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on", "immediate_on_commit", "target_groups")]
MEMBERS = reverse("pool:members")


def test_a_member_who_leaves_goes_from_the_directory_on_the_next_view():
    manager = training_manager()
    membership = active_member(UserFactory(full_name="Grace Okafor"))
    client = signed_in(manager)
    assert "Grace Okafor" in served_twice(client, MEMBERS)
    services.change_status(
        actor=manager, membership=membership, status=MembershipStatus.LEFT, reason="Moved to another county"
    )
    page = served_twice(client, MEMBERS)
    assert "Grace Okafor" not in page and "0 members" in page
    assert "Grace Okafor" in served_twice(client, MEMBERS + "?status=left")


def test_every_training_manager_shares_one_directory_and_nobody_else_sees_it():
    active_member(UserFactory(full_name="Grace Okafor"))
    # Signing in is a write: everyone has signed in before anyone looks.
    police_manager, council_manager, lead, pool_trainer, board = (
        signed_in(training_manager(agency=AgencyFactory(name="Northshire Police"))),
        signed_in(training_manager(agency=AgencyFactory(name="Northshire County Council"))),
        signed_in(agency_lead(agency=AgencyFactory())),
        signed_in(active_member(UserFactory()).person),
        signed_in(board_member()),
    )
    page = served_twice(police_manager, MEMBERS)
    with CaptureQueriesContext(connection) as queries:
        response = council_manager.get(MEMBERS)
    assert len(queries) <= SIGNED_IN_QUERIES  # the same page, whichever agency the manager works for
    assert "Grace Okafor" in page and "Grace Okafor" in response.content.decode()
    for client in (lead, pool_trainer, board):
        assert client.get(MEMBERS).status_code == 403
