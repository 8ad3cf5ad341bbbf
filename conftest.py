"""Shared test set-up.

Tests marked `postgres` or `redis` need those servers (DATABASE_URL, REDIS_URL).
Without them they are skipped with a reason, unless REQUIRE_SERVICES=1, which
turns the skip into a failure so CI always runs them.
"""

import os

import pytest

from accounts.factories import AgencyFactory, OrganisationCategoryFactory, TargetGroupFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "0") == "1"

NEEDS = {
    "postgres": lambda: os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    "redis": lambda: os.environ.get("REDIS_URL", "").startswith("redis://"),
}


def pytest_runtest_setup(item):
    for marker, available in NEEDS.items():
        if item.get_closest_marker(marker) and not available():
            reason = f"needs {marker} ({'DATABASE_URL' if marker == 'postgres' else 'REDIS_URL'} not set)"
            if REQUIRE_SERVICES:
                pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}")
            pytest.skip(reason)


@pytest.fixture
def target_groups(db):
    """The eight Working Together staff groups, as the demo partnership has them."""
    from accounts.demo import TARGET_GROUPS

    return {n: TargetGroupFactory(number=n, name=name, description=text) for n, name, text in TARGET_GROUPS}


@pytest.fixture
def police(db):
    return AgencyFactory(name="Northshire Police", sector="police")


@pytest.fixture
def school(db):
    category = OrganisationCategoryFactory(name="School or academy")
    return AgencyFactory(name="Riverside Academy Trust", sector="education", category=category, contributing=False)


@pytest.fixture
def immediate_on_commit(monkeypatch):
    """Run on-commit callbacks (emails, tasks, signals) at once, as if each
    service call were its own committed request."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())
