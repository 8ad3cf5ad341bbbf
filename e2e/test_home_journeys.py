"""Each role's home page says what waits for them, and each entry leads to where the work is done."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.factories import AgencyFactory, TargetGroupFactory, UserFactory, agency_lead, trainer, training_manager
from courses.factories import CourseFactory, PathwayRuleFactory, SessionFactory
from pool.factories import MembershipFactory
from pool.models import Assignment, MembershipStatus
from tna.models import ReturnStatus, TnaCycle, TnaReturn, TrainingYear

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_three_roles_find_their_work_on_their_home_pages(visitor):
    today = timezone.localdate()
    year = TrainingYear.objects.create(
        name="2027-28", starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=330)
    )
    cycle = TnaCycle.objects.create(
        year=year, opens_on=today - timedelta(days=30), deadline=today + timedelta(days=25), opened_at=timezone.now()
    )
    police = AgencyFactory(name="Northshire Police")
    lead = agency_lead(email="priya.shah@example.org", agency=police)
    group = TargetGroupFactory()
    PathwayRuleFactory(target_group=group)
    UserFactory(full_name="Tom Booth", agency=police, target_group=group)
    MembershipFactory(person=UserFactory(full_name="Sam Okafor", agency=police), status=MembershipStatus.APPLIED)
    TnaReturn.objects.create(cycle=cycle, agency=police, status=ReturnStatus.DRAFT)
    helen = training_manager(email="helen.carter@example.org")
    neglect = CourseFactory(title="Neglect: Recognising and Responding")
    SessionFactory(course=neglect, days_ahead=-1)  # yesterday: the register waits to be closed
    joe = trainer(email="joe.marsh@example.org", full_name="Joe Marsh")
    Assignment.objects.create(
        session=SessionFactory(course=CourseFactory(title="Safeguarding Disabled Children"), days_ahead=40),
        trainer=joe,
        assigned_by=helen,
    )
    SessionFactory(
        course=CourseFactory(title="Domestic Abuse and its Impact on Children"), days_ahead=4, trainers=[joe]
    )

    # The training manager: a register to close, which the link shows in the sessions list.
    page = visitor.sign_in("helen.carter@example.org")
    page.get_by_role("link", name="1 register to close").click()
    visitor.check()
    expect(page.get_by_role("link", name="Neglect: Recognising and Responding").first).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # A trainer: the session to answer, and the next session with its register and delegate list.
    page = visitor.sign_in("joe.marsh@example.org")
    expect(page.get_by_role("link", name="1 session you have been asked to deliver: accept or decline")).to_be_visible()
    page.get_by_role("link", name="Domestic Abuse and its Impact on Children").click()
    visitor.check()
    # Before the session starts its register page is the delegate list.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Delegates: Domestic Abuse and its Impact on Children")
    page.get_by_role("button", name="Sign out").click()

    # The agency lead: the endorsement, the return and its deadline, and the staff who are red.
    page = visitor.sign_in(lead.email)
    deadline = f"{cycle.deadline:%-d %B %Y}"
    expect(page.get_by_role("link", name="1 trainer pool application to endorse")).to_be_visible()
    expect(page.get_by_role("link", name=f"to submit by {deadline}")).to_be_visible()
    page.get_by_role("link", name="1 of your staff is not in date for required training").click()
    visitor.check()
    expect(page.get_by_text("Tom Booth")).to_be_visible()
    page.go_back()
    page.get_by_role("link", name="1 trainer pool application to endorse").click()
    visitor.check()
    expect(page.get_by_text("Sam Okafor")).to_be_visible()
