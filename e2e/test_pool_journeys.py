"""Into the trainer pool and out to deliver: apply, endorse, accept, training for trainers through
its register, an assignment answered, and the days on the agency's contribution."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.factories import AgencyFactory, UserFactory, agency_lead, training_manager
from courses.factories import BookingFactory, CourseFactory, SessionFactory
from pool.factories import MembershipCriterionFactory, TrainerCommitmentFactory, active_member
from pool.models import Membership, MembershipStatus
from tna.models import TrainingYear

pytestmark = pytest.mark.django_db(transaction=True)


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_a_member_of_staff_joins_the_pool_and_their_delivery_counts_for_their_agency(visitor, target_groups):
    police = AgencyFactory(name="Northshire Police", sector="police")
    health = AgencyFactory(name="Northshire Hospitals NHS Foundation Trust", sector="health")
    mark = UserFactory(full_name="Mark Evans", email="mark.evans@northshire-police.example.org", agency=police)
    agency_lead(full_name="Priya Shah", email="priya.shah@northshire-police.example.org", agency=police)
    training_manager(full_name="Helen Carter", email="helen.carter@northshire-scp.example.org")
    course = CourseFactory(title="Working Together to Safeguard Children", duration_days=Decimal("1.0"))
    for text in ("Two years' experience with children and families", "Agency will release three trainer days a year"):
        MembershipCriterionFactory(text=text)
    tft = SessionFactory(
        course=CourseFactory(title="Training for Trainers", is_training_for_trainers=True), days_ahead=-3
    )
    BookingFactory(session=tft, person=mark)
    # Delivered this morning; the training manager records who delivered it afterwards.
    start = timezone.now() - timedelta(hours=8)
    delivered = SessionFactory(
        course=course, starts_at=start, ends_at=start + timedelta(hours=7), bookings_close_at=start - timedelta(days=2)
    )
    delivered.trainers.add(active_member(UserFactory(full_name="Grace Okafor", agency=health), courses=[course]).person)
    today = timezone.localdate()
    year = TrainingYear.objects.create(
        name="This year",
        starts_on=date(today.year - (today.month < 4), 4, 1),
        ends_on=date(today.year + (today.month >= 4), 3, 31),
    )
    TrainerCommitmentFactory(year=year, agency=police, agreed_days=Decimal("4"))

    # Mark applies, and first forgets the questions.
    page = visitor.sign_in(mark.email)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Trainer pool").click()
    visitor.check()
    page.get_by_role("link", name="Apply to join the trainer pool").click()
    page.get_by_role("button", name="Send application").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Describe your safeguarding experience", use_inner_text=True
    )
    visitor.check()
    page.get_by_label("Your safeguarding experience").fill("Nine years in the public protection unit.")
    page.get_by_label("Your specialisms").fill("Child sexual and criminal exploitation.")
    page.get_by_label("Your experience of training or facilitating groups").fill(
        "I deliver the force's exploitation briefings."
    )
    page.get_by_label("Working Together to Safeguard Children").check()
    page.get_by_role("button", name="Send application").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your agency lead has been asked to endorse it", use_inner_text=True
    )
    visitor.check()
    sign_out(page)

    # His agency lead endorses it.
    page = visitor.sign_in("priya.shah@northshire-police.example.org")
    page.goto(visitor.base_url + "/pool/applications")
    visitor.check()
    page.get_by_role("link", name="Mark Evans").click()
    visitor.check()
    page.get_by_label("Yes, I endorse it").check()
    page.get_by_role("button", name="Save decision").click()
    visitor.check()
    sign_out(page)

    # The training manager accepts it against the criteria, then closes the training for trainers register.
    page = visitor.sign_in("helen.carter@northshire-scp.example.org")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Trainer pool").click()
    visitor.check()
    page.get_by_role("link", name="Applications").click()
    page.get_by_role("link", name="Mark Evans").click()
    visitor.check()
    page.get_by_label("Two years' experience with children and families").check()
    page.get_by_label("Agency will release three trainer days a year").check()
    page.get_by_label("Accept into the pool").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator("h1")).to_contain_text("Accepted, needs training for trainers", use_inner_text=True)
    visitor.check()
    page.goto(visitor.base_url + f"/manage/sessions/{tft.pk}/register")
    page.get_by_role("group", name=re.compile("Mark Evans")).get_by_label("Attended").check()
    page.get_by_role("button", name="Save register").click()
    page.get_by_role("button", name="Save and close the register").click()
    visitor.check()
    page.get_by_role("button", name="Close the register").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Register closed", use_inner_text=True)
    membership = Membership.objects.get(person=mark)
    assert membership.status == MembershipStatus.ACTIVE

    # He is asked to co-deliver this morning's session: the training manager sees the warning first.
    page.goto(visitor.base_url + f"/pool/sessions/{delivered.pk}/trainers")
    visitor.check()
    page.get_by_label("Trainer").select_option(label="Mark Evans (Northshire Police)")
    page.get_by_role("button", name="Ask this trainer").click()
    expect(page.locator(".govuk-warning-text")).to_contain_text("This session has already started", use_inner_text=True)
    visitor.check()
    page.get_by_role("button", name="Ask this trainer anyway").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been emailed", use_inner_text=True)
    visitor.check()
    sign_out(page)

    # Mark accepts from his trainer pool page.
    page = visitor.sign_in(mark.email)
    page.goto(visitor.base_url + "/pool/mine")
    page.get_by_role("link", name=re.compile("Answer")).click()
    visitor.check()
    page.get_by_label("Yes, I can deliver it").check()
    page.get_by_role("button", name="Send answer").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You are down to deliver", use_inner_text=True)
    expect(page.locator("main")).to_contain_text("1 session, 1 day", use_inner_text=True)
    visitor.check()
    sign_out(page)

    # His day counts towards the police's commitment.
    page = visitor.sign_in("priya.shah@northshire-police.example.org")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Trainers").click()
    visitor.check()
    summary = page.locator(".govuk-summary-list").first.inner_text()
    assert "1 in 1 session (25% of agreed)" in summary
    assert "Free delegate places earned\t10" in summary
    expect(page.locator("main")).to_contain_text("Mark Evans", use_inner_text=True)
