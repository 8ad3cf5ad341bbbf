"""Fixtures several of the courses tests share. A module that needs other figures defines its own."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.factories import AgencyFactory, OrganisationCategoryFactory
from courses.factories import CourseFactory, SessionFactory
from courses.models import BookingPolicy, FeeRate


@pytest.fixture
def nursery():
    """A private nursery, not a contributing partner: it pays £120 a day and £70 a half day."""
    category = OrganisationCategoryFactory(name="Private or independent provider")
    FeeRate.objects.create(
        policy=BookingPolicy.current(), category=category, per_day=Decimal("120"), per_half_day=Decimal("70")
    )
    return AgencyFactory(
        name="Little Acorns Day Nurseries Ltd", sector="independent", category=category, contributing=False
    )


@pytest.fixture
def today_session():
    """A session that started two hours ago and runs for six: its register is open."""
    start = timezone.now() - timedelta(hours=2)
    return SessionFactory(
        course=CourseFactory(title="Recognising and Responding to Neglect"),
        starts_at=start,
        ends_at=start + timedelta(hours=6),
        bookings_close_at=start - timedelta(days=2),
    )
