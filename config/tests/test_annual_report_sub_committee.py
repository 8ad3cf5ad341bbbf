"""The annual report's section on the training sub-committee: its meetings and each agency's
attendance, the practice issues at the audit and evaluation committee, what evaluation changed, and
the money, hand-computed for a whole past year and read back from the PDF."""

import re
from datetime import date
from decimal import Decimal

import pytest

from accounts.factories import AgencyFactory, UserFactory, training_manager
from committee import services as committee
from committee.models import AttendanceStatus, IncomeSource, MemberRole
from config.tests.test_annual_report_text import annual_text
from courses.factories import CourseFactory
from tna.models import TrainingYear

pytestmark = pytest.mark.django_db


def test_the_sub_committees_year_in_the_annual_report(target_groups):
    """2025-26, a whole year. Northshire Police has a member from January 2025; the sub-committee met
    on 10 June 2025 (police attended) and 9 December 2025 (police sent apologies): 1 of 2 meetings.
    Evaluation led to one change to Working Together. Money: the police's £5,000 contribution
    received 15 May 2025 and a £10,000 grant on 1 April 2025 make £15,000 of income; the year's central
    costs of £12,000 and no sessions make £12,000 of spending."""
    manager = training_manager(full_name="Helen Carter", agency=None)
    police = AgencyFactory(name="Northshire Police", sector="police")
    year = TrainingYear.objects.create(
        name="2025-26", starts_on=date(2025, 4, 1), ends_on=date(2026, 3, 31), central_costs=Decimal("12000")
    )
    committee.add_member(
        actor=manager,
        person=UserFactory(full_name="Dan Price", agency=police),
        role=MemberRole.MEMBER,
        joined_on=date(2025, 1, 6),
    )
    for day, status in (
        (date(2025, 6, 10), AttendanceStatus.ATTENDED),
        (date(2025, 12, 9), AttendanceStatus.APOLOGIES),
    ):
        meeting = committee.create_meeting(actor=manager, held_on=day, agenda="Programme and needs analysis")
        committee.record_attendance(actor=manager, meeting=meeting, attendance={police: (status, "")})
    committee.record_plan_change(
        actor=manager,
        year=year,
        course=CourseFactory(title="Working Together to Safeguard Children"),
        finding="Delegates asked for more time on information sharing.",
        change="A case study on information sharing was added.",
    )
    committee.record_receipt(
        actor=manager,
        year=year,
        source=IncomeSource.CONTRIBUTION,
        amount=Decimal("5000"),
        received_on=date(2025, 5, 15),
        agency=police,
    )
    committee.record_receipt(
        actor=manager,
        year=year,
        source=IncomeSource.GRANT,
        amount=Decimal("10000"),
        received_on=date(2025, 4, 1),
        description="Local authority safeguarding grant",
    )
    text = annual_text(year)
    section = text[text.rindex("The training sub-committee The sub-committee takes") :]
    assert "It met 2 times in the year." in section
    assert "Northshire Police 1 of 2 meetings" in section
    assert "No practice issues were raised, agreed or closed in the year." in section
    assert (
        "Working Together to Safeguard Children Delegates asked for more time on information sharing. "
        "A case study on information sharing was added." in section
    )
    assert "Agencies' contributions received £5,000.00" in section and "Grants £10,000.00" in section
    assert "Total income £15,000.00" in section
    assert "Central costs £12,000.00" in section
    # The last rows' figures may be read after the next row's label: the figure is the next amount.
    assert re.search(r"Total spending (Value of trainer days in kind )?£12,000\.00", section)
    assert "No agency asked the sub-committee for advice on its own training." in section
