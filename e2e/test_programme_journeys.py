"""The training manager runs the programme; a line manager approves a place; a lead checks their staff."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.factories import AgencyFactory, UserFactory, agency_lead, trainer, training_manager
from courses.factories import CourseFactory, LevelFactory, PathwayRuleFactory, SessionFactory, VenueFactory
from courses.models import BookingStatus, Session

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_training_manager_creates_and_copies_a_session_and_edits_the_policy(visitor, target_groups):
    training_manager(email="helen.carter@example.org")
    CourseFactory(title="Domestic Abuse and its Impact on Children", level=LevelFactory(number=2))
    VenueFactory(name="Riverside Community Centre")
    trainer(full_name="Grace Okafor")
    page = visitor.sign_in("helen.carter@example.org")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Sessions").click()
    visitor.check()
    page.get_by_role("link", name="Create a session").click()
    visitor.check()
    page.get_by_role("button", name="Save session").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    visitor.check()
    first = (timezone.localdate() + timedelta(days=30)).strftime("%d/%m/%Y")
    second = (timezone.localdate() + timedelta(days=37)).strftime("%d/%m/%Y")
    page.locator("#id_dates-0-date").fill(first)
    page.locator("#id_dates-0-start").fill("09:30")
    page.locator("#id_dates-0-end").fill("12:30")
    page.locator("#id_dates-1-date").fill(second)
    page.locator("#id_dates-1-start").fill("09:30")
    page.locator("#id_dates-1-end").fill("12:30")
    page.get_by_label("Course").select_option(label="Domestic Abuse and its Impact on Children")
    page.get_by_label("Venue", exact=True).select_option(label="Riverside Community Centre")
    page.get_by_label("Places").fill("18")
    page.get_by_label("Grace Okafor").check()
    page.get_by_role("button", name="Save session").click()
    # The trainer pool's checks, as on the session's Trainers page: confirmed before anything is saved.
    expect(page.locator("#session-warnings")).to_contain_text("Grace Okafor is not a member of the trainer pool")
    visitor.check()
    assert not Session.objects.exists()
    page.get_by_role("button", name="Save the session anyway").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Session created", use_inner_text=True)
    visitor.check()
    assert Session.objects.get().dates.count() == 2

    page.get_by_role("link", name="Copy to new dates").click()
    visitor.check()
    assert page.get_by_label("Places").input_value() == "18"
    page = visitor.go("/manage/pathway")
    page.get_by_role("link", name="Booking and charging policy").click()
    visitor.check()
    page.get_by_label("Late-cancellation notice (working days)").fill("5")
    page.get_by_role("button", name="Save policy").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Booking and charging policy saved", use_inner_text=True
    )
    visitor.check()


def test_a_line_manager_approves_a_place_from_the_emailed_link(visitor):
    course = CourseFactory(title="Harmful Sexual Behaviour", needs_manager_approval=True)
    session = SessionFactory(course=course)
    # Her line manager's address is on her agency's own domain, so the service trusts it to approve.
    police = AgencyFactory(name="Northshire Police", email_domains="northshire-police.example.org")
    UserFactory(
        email="isla.kaur@northshire-police.example.org",
        full_name="Isla Kaur",
        agency=police,
        line_manager_name="Ruth Evans",
        line_manager_email="ruth.evans@northshire-police.example.org",
    )
    page = visitor.sign_in("isla.kaur@northshire-police.example.org")
    page.goto(visitor.base_url + f"/sessions/{session.pk}")
    visitor.check()
    page.get_by_role("button", name="Book a place").click()
    visitor.check()
    page.get_by_role("button", name="Confirm and book the place").click()
    expect(page.get_by_role("heading", name="Waiting for line manager approval")).to_be_visible()
    visitor.check()
    page.get_by_role("button", name="Sign out").click()

    request = next(m for m in mail.outbox if m.to == ["ruth.evans@northshire-police.example.org"])
    link = re.search(r"https?://\S+/approve/\S+", request.body).group(0)
    page.goto(link)
    visitor.check()
    page.get_by_label("Yes, approve the place").check()
    page.get_by_role("button", name="Send your answer").click()
    expect(page.get_by_role("heading", name="Place approved")).to_be_visible()
    visitor.check()
    assert session.bookings.get().status == BookingStatus.CONFIRMED
    # The used link says what was decided instead of asking again.
    page.goto(link)
    expect(page.get_by_role("heading", name="This link has been used")).to_be_visible()
    expect(page.get_by_label("Yes, approve the place")).to_have_count(0)
    visitor.check()


def test_an_agency_lead_sees_red_amber_green_for_their_staff(visitor, target_groups):
    police = AgencyFactory(name="Northshire Police")
    PathwayRuleFactory(target_group=target_groups[3], level=LevelFactory(number=2), refresh_months=36)
    agency_lead(email="priya.shah@example.org", agency=police, target_group=target_groups[3])
    UserFactory(full_name="Aisha Khan", agency=police, target_group=target_groups[3])
    page = visitor.sign_in("priya.shah@example.org")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Our training").click()
    visitor.check()
    page.get_by_role("link", name="Aisha Khan").click()
    expect(page.get_by_text("Not done")).to_be_visible()
    visitor.check()
