"""Trainer days with shares of sessions: a trainer who gave a quarter day of a full-day course counts
0.25, and every trainer-day figure (by agency, by trainer, a trainer's own record) says the same."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.factories import AgencyFactory, UserFactory, training_manager
from courses.factories import CourseFactory, SessionFactory
from courses.models import SessionStatus
from courses.services.programme import record_trainer_share
from pool import selectors
from pool.factories import TrainerCommitmentFactory, active_member
from tna.models import TrainingYear

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


def session_on(day: date, course, trainers):
    return SessionFactory(
        course=course,
        starts_at=datetime(day.year, day.month, day.day, 9, 30, tzinfo=LONDON),
        ends_at=datetime(day.year, day.month, day.day, 16, 30, tzinfo=LONDON),
        trainers=trainers,
        status=SessionStatus.COMPLETED,
    )


@pytest.fixture
def year(target_groups):
    return TrainingYear.objects.create(name="2025-26", starts_on=date(2025, 4, 1), ends_on=date(2026, 3, 31))


@pytest.fixture
def shared_year(year):
    """Police: Grace and Priya co-deliver four runs of a two-day course (8 days each, 16).
    Grace delivers a full day (1) with Tom, who gives a quarter day of it (0.25).
    Priya delivers a half day (0.5) with Tom, who gives a quarter day of it (0.25).
    Priya delivers another full day (1) with Tom, a quarter day again (0.25).
    Grace 8 + 1 = 9; Priya 8 + 0.5 + 1 = 9.5; police 18.5.
    Tom (children's services): 0.25 × 3 = 0.75. All trainers: 19.25 days in 7 sessions."""
    police = AgencyFactory(name="Northshire Police", sector="police")
    council = AgencyFactory(name="Northshire County Council Children's Services", sector="local_authority")
    grace = active_member(UserFactory(full_name="Grace Okafor", agency=police)).person
    priya = active_member(UserFactory(full_name="Priya Shah", agency=police)).person
    tom = active_member(UserFactory(full_name="Tom Fletcher", agency=council)).person
    two = CourseFactory(title="Harmful Sexual Behaviour", duration_days=Decimal("2"))
    full = CourseFactory(title="Working Together to Safeguard Children", duration_days=Decimal("1"))
    half = CourseFactory(title="Domestic Abuse and its Impact on Children", duration_days=Decimal("0.5"))
    for month in (5, 7, 9, 11):
        session_on(date(2025, month, 12), two, [grace, priya])
    manager = training_manager()
    for day, course, lead in (
        (date(2025, 6, 4), full, grace),
        (date(2025, 10, 8), half, priya),
        (date(2026, 2, 11), full, priya),
    ):
        session = session_on(day, course, [lead, tom])
        record_trainer_share(actor=manager, session=session, trainer=tom, share_days=Decimal("0.25"))
    TrainerCommitmentFactory(year=year, agency=council, agreed_days=Decimal("1"))
    return {"police": police, "council": council, "tom": tom, "grace": grace}


def test_a_quarter_day_share_gives_trainer_days_of_19_25(shared_year, year):
    by_agency = selectors.days_by_agency(year.starts_on, year.ends_on)
    assert by_agency[shared_year["police"].pk] == (11, Decimal("18.5"))
    assert by_agency[shared_year["council"].pk] == (3, Decimal("0.75"))
    rows = selectors.agency_contributions(year.starts_on, year.ends_on)
    assert selectors.totals(rows).delivered_days == Decimal("19.25")
    council = next(r for r in rows if r.agency == shared_year["council"])
    assert council.percent_delivered == 75  # 0.75 of 1 agreed day
    by_trainer = {t.name: t.days for t in selectors.delivery_by_trainer(year.starts_on, year.ends_on)}
    assert by_trainer == {"Grace Okafor": Decimal("9"), "Priya Shah": Decimal("9.5"), "Tom Fletcher": Decimal("0.75")}
    record = selectors.delivery_record(shared_year["tom"])
    assert [(r["year"].name, len(r["sessions"]), r["days"]) for r in record] == [("2025-26", 3, Decimal("0.75"))]


def test_the_delivery_log_and_a_trainers_page_show_the_quarter_days(client, shared_year, year):
    client.force_login(training_manager())
    page = client.get(reverse("pool:delivery"), {"date_from": "01/04/2025", "date_to": "31/03/2026"}).content.decode()
    assert "19.25" in page and "0.75" in page and "0.8" not in page
    client.force_login(shared_year["tom"])
    page = client.get(reverse("pool:mine")).content.decode()
    assert "2025-26: 3 sessions, three quarters of a day" in page
    assert "Domestic Abuse and its Impact on Children, 8 Oct 2025 (half a day; your share a quarter of a day)" in page
