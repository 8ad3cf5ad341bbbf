"""Imports take lengths finer than half days: courses in quarter days or hours, and a trainer's
share of a session; exporting and importing again keeps them."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from accounts.factories import AgencyFactory, UserFactory, training_manager
from courses.factories import LevelFactory, SessionFactory
from courses.models import Course, SessionStatus, SessionTrainer
from pool import selectors as pool_selectors
from transfer import services
from transfer.formats import BY_KEY

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db

COURSES = (
    "Title,Level,Days,Hours,Delivery\n"
    "Prevent Duty Briefing,1,,2,Conference or briefing\n"
    "Child Sexual Exploitation and Criminal Exploitation,1,1.25,,Face to face\n"
    "Domestic Abuse and its Impact on Children,1,0.5,,Face to face\n"
)


def test_courses_import_in_hours_and_quarter_days_and_export_the_same(target_groups):
    LevelFactory(number=1)
    result = services.import_records(format_key="courses", content=COURSES, commit=True, actor=training_manager())
    assert result.ok, [str(e) for e in result.errors]
    lengths = {c.title: (c.duration_days, c.duration_hours, c.duration_in_words) for c in Course.objects.all()}
    assert lengths == {
        "Prevent Duty Briefing": (Decimal("0.2857"), Decimal("2.00"), "2 hours"),
        "Child Sexual Exploitation and Criminal Exploitation": (Decimal("1.25"), None, "1.25 days"),
        "Domestic Abuse and its Impact on Children": (Decimal("0.5"), None, "Half a day"),
    }
    exported = {row["Title"]: (str(row["Days"]), str(row["Hours"])) for row in BY_KEY["courses"]().export(None)}
    assert exported["Prevent Duty Briefing"] == ("", "2")
    assert exported["Domestic Abuse and its Impact on Children"] == ("0.5", "")
    again = services.import_records(format_key="courses", content=COURSES, commit=True, actor=training_manager())
    assert (again.created, again.updated) == (0, 0)


def test_a_course_row_gives_days_or_hours_in_quarters():
    LevelFactory(number=1)
    content = (
        "Title,Level,Days,Hours\nPrevent Duty Briefing,1,,\nParental Mental Health,1,1,3\nNeglect Briefing,1,,2.1\n"
    )
    result = services.import_records(format_key="courses", content=content, commit=True, actor=training_manager())
    assert [str(e) for e in result.errors] == [
        "Line 2, Days: give the length in days or in hours (one of the two)",
        "Line 3, Days: give the length in days or in hours (one of the two)",
        "Line 4, Hours: must be in quarter hours from 0.25 to 24, like 2 or 1.5",
    ]
    assert not Course.objects.exists()


def test_a_trainers_share_imports_and_counts_in_trainer_days(target_groups):
    police = AgencyFactory(name="Northshire Police", sector="police")
    UserFactory(email="grace.okafor@example.org", agency=police)
    tom = UserFactory(email="tom.fletcher@example.org", agency=police)
    day = datetime(2025, 5, 14, 9, 30, tzinfo=LONDON)
    session = SessionFactory(
        course__title="Working Together to Safeguard Children",
        starts_at=day,
        ends_at=day.replace(hour=16),
        status=SessionStatus.COMPLETED,
    )
    content = (
        "Email,Course,Date,Starts,Share in days\n"
        "grace.okafor@example.org,Working Together to Safeguard Children,14/05/2025,09:30,\n"
        "tom.fletcher@example.org,Working Together to Safeguard Children,14/05/2025,09:30,0.25\n"
    )
    result = services.import_records(
        format_key="trainer-contributions", content=content, commit=True, actor=training_manager()
    )
    assert result.ok and result.created == 2, [str(e) for e in result.errors]
    assert SessionTrainer.objects.get(session=session, user=tom).share_days == Decimal("0.25")
    # Grace the whole day (1) and Tom a quarter of it (0.25).
    assert pool_selectors.days_by_agency(date(2025, 4, 1), date(2026, 3, 31))[police.pk] == (2, Decimal("1.25"))
    exported = list(BY_KEY["trainer-contributions"]().export(None))
    assert [(r["Email"], str(r["Share in days"])) for r in exported] == [
        ("grace.okafor@example.org", ""),
        ("tom.fletcher@example.org", "0.25"),
    ]
    too_long = content.replace(",0.25\n", ",1.5\n")
    result = services.import_records(format_key="trainer-contributions", content=too_long, commit=False)
    assert [str(e) for e in result.errors] == ["Line 3, Share in days: is more than the course's length (1 day)"]
    bad = content.replace(",0.25\n", ",0.3\n")
    result = services.import_records(format_key="trainer-contributions", content=bad, commit=False)
    assert [str(e) for e in result.errors] == [
        "Line 3, Share in days: must be in quarter days, like 0.25, 0.5 or 0.75 (empty for the whole session)"
    ]
