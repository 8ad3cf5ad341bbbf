"""The audit trail served from the page cache between writes (common/pagecache.py). The generation ignores
the audit trail's own table, so the page asks for its newest and oldest entries on each request: an entry
recorded alone (a download) shows at once, and so does the removal of entries past their retention period."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.audit import log_action
from accounts.factories import AgencyFactory, UserFactory, agency_lead, training_manager
from accounts.models import AuditEntry
from accounts.retention import apply_retention
from conftest import served_twice, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]
AUDIT = reverse("manage:audit")


def test_an_entry_recorded_alone_shows_on_the_next_view_of_the_audit_trail():
    manager = training_manager()
    police = AgencyFactory(name="Northshire Police")
    client = signed_in(manager)
    assert "downloaded the agency's report" not in served_twice(client, AUDIT, asks=1)
    # Recorded alone, as a download is: nothing else is written.
    log_action(actor=manager, action="downloaded the agency's report", obj=police)
    page = served_twice(client, AUDIT, asks=1)
    assert "downloaded the agency&#x27;s report" in page and "Northshire Police" in page


def test_entries_past_their_retention_period_leave_the_audit_trail_at_once():
    manager = training_manager()
    police = AgencyFactory(name="Northshire Police")
    old = log_action(actor=manager, action="renamed the agency", obj=police)
    AuditEntry.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8 * 366))
    log_action(actor=manager, action="confirmed the agency's return", obj=police)
    client = signed_in(manager)
    page = served_twice(client, AUDIT, asks=1)
    assert "renamed the agency" in page and "confirmed the agency&#x27;s return" in page
    apply_retention()
    page = served_twice(client, AUDIT, asks=1)
    assert "renamed the agency" not in page and "confirmed the agency&#x27;s return" in page


def test_only_those_who_may_see_the_audit_trail_get_it_from_the_cache():
    manager, lead = training_manager(), agency_lead(agency=AgencyFactory(name="Riverside Academies Trust"))
    staff = UserFactory(full_name="Tom Fletcher")
    clients = [signed_in(person) for person in (manager, lead, staff)]
    served_twice(clients[0], AUDIT, asks=1)
    assert clients[1].get(AUDIT).status_code == 403
    assert clients[2].get(AUDIT).status_code == 403
