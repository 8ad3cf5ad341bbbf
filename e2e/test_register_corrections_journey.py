"""Closing a register after seeing what it will do; reopening it with a reason, correcting a mark,
and finding the certificate and charge changes in the audit trail."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.factories import AgencyFactory, OrganisationCategoryFactory, UserFactory, training_manager
from courses.factories import BookingFactory, BookingPolicyFactory, CourseFactory, SessionFactory
from courses.models import Certificate, Charge, FeeRate

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def nursery():
    category = OrganisationCategoryFactory(name="Private or independent provider")
    FeeRate.objects.create(policy=BookingPolicyFactory(), category=category, per_day=120, per_half_day=70)
    return AgencyFactory(
        name="Little Acorns Day Nurseries Ltd", sector="independent", category=category, contributing=False
    )


def test_the_manager_closes_with_confirmation_reopens_and_corrects_a_mark(visitor, nursery):
    start = timezone.now() - timedelta(hours=8)
    session = SessionFactory(
        course=CourseFactory(title="Working Together to Safeguard Children", duration_days=1),
        starts_at=start,
        ends_at=start + timedelta(hours=7),
        bookings_close_at=start - timedelta(days=2),
    )
    BookingFactory(session=session, person=UserFactory(full_name="Aisha Khan", agency=nursery))
    BookingFactory(session=session, person=UserFactory(full_name="Ben Brown", agency=nursery))
    training_manager(full_name="Helen Carter", email="helen.carter@example.org")

    page = visitor.sign_in("helen.carter@example.org")
    visitor.go(f"/manage/sessions/{session.pk}/register")
    page.get_by_role("group", name=re.compile("Aisha Khan")).get_by_label("Attended").check()
    page.get_by_role("group", name=re.compile("Ben Brown")).get_by_label("Did not attend").check()
    page.get_by_role("button", name="Save and close the register").click()
    visitor.check()
    plan = page.locator("#close-plan")
    expect(plan).to_contain_text("Issue 1 certificate: Aisha Khan")
    # Aisha's fee (£120.00 a day) and Ben's no-show charge (the policy's £75.00 a day).
    expect(plan).to_contain_text("Raise 2 charges totalling £195.00")
    assert not Certificate.objects.exists() and not Charge.objects.exists()
    page.get_by_role("button", name="Close the register").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Register closed. 1 certificate issued, 0 certificates withdrawn, 2 charges raised (£195.00)",
        use_inner_text=True,
    )
    visitor.check()

    page.get_by_role("link", name="Reopen the register to correct it").click()
    visitor.check()
    page.get_by_role("button", name="Reopen the register").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why the register is being reopened")
    visitor.check()
    page.get_by_label("Why are you reopening the register?").fill("Ben Brown signed the sign-in sheet")
    page.get_by_role("button", name="Reopen the register").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Register reopened", use_inner_text=True)
    visitor.check()
    page.get_by_role("group", name=re.compile("Ben Brown")).get_by_label("Attended").check()
    page.get_by_role("button", name="Save and close the register").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Close the corrected register")
    visitor.check()
    expect(plan).to_contain_text("Issue 1 certificate: Ben Brown")
    expect(plan).to_contain_text("Raise 1 charge totalling £120.00")
    expect(plan).to_contain_text("Cancel 1 charge totalling £75.00")
    expect(plan).to_contain_text("0 people will be asked to evaluate the course")
    page.get_by_role("button", name="Close the register").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "1 charge raised (£120.00), 1 charge cancelled", use_inner_text=True
    )
    visitor.check()

    visitor.go("/manage/charges")
    table = page.locator("table").first.inner_text()
    assert "Cancelled" in table and "Register corrected: Ben Brown signed the sign-in sheet" in table
    visitor.go("/manage/audit")
    trail = page.locator("table").first.inner_text()
    for action in ("reopened register", "cancelled charge", "issued certificate", "raised charge"):
        assert action in trail, action


def test_the_manager_records_a_session_already_run_and_takes_its_register(visitor):
    from courses.factories import VenueFactory
    from courses.models import Session

    CourseFactory(title="Domestic Abuse and its Impact on Children", duration_days=1)
    VenueFactory(name="Riverside Community Centre")
    training_manager(full_name="Helen Carter", email="helen.carter@example.org")
    page = visitor.sign_in("helen.carter@example.org")
    visitor.go("/manage/sessions/new")
    ran_on = (timezone.localdate() - timedelta(days=10)).strftime("%d/%m/%Y")
    page.locator("#id_dates-0-date").fill(ran_on)
    page.locator("#id_dates-0-start").fill("09:30")
    page.locator("#id_dates-0-end").fill("16:30")
    page.get_by_label("Course").select_option(label="Domestic Abuse and its Impact on Children")
    page.get_by_label("Venue", exact=True).select_option(label="Riverside Community Centre")
    page.get_by_label("Places").fill("18")
    page.get_by_role("button", name="Save session").click()
    expect(page.locator("#session-warnings")).to_contain_text("The session starts in the past")
    visitor.check()
    assert not Session.objects.exists()
    page.get_by_role("button", name="Save the session anyway").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Session created", use_inner_text=True)
    visitor.check()
    session = Session.objects.get()
    visitor.go(f"/manage/sessions/{session.pk}/register")
    expect(page.get_by_role("button", name="Save and close the register")).to_be_visible()
