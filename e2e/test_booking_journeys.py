"""The week-to-week journey: find a course, book, cancel late, take the register, get the certificate."""

import re
import subprocess
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.factories import AgencyFactory, OrganisationCategoryFactory, UserFactory, agency_lead, training_manager
from courses.factories import (
    BookingFactory,
    BookingPolicyFactory,
    CourseFactory,
    LevelFactory,
    SessionFactory,
    VenueFactory,
)
from courses.models import Charge, FeeRate

pytestmark = pytest.mark.django_db(transaction=True)


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


@pytest.fixture
def nursery():
    category = OrganisationCategoryFactory(name="Private or independent provider")
    FeeRate.objects.create(policy=BookingPolicyFactory(), category=category, per_day=120, per_half_day=70)
    return AgencyFactory(
        name="Little Acorns Day Nurseries Ltd", sector="independent", category=category, contributing=False
    )


def test_a_staff_member_books_gets_a_calendar_file_cancels_late_and_the_lead_sees_the_charge(
    visitor, nursery, tmp_path
):
    course = CourseFactory(title="Recognising and Responding to Neglect", level=LevelFactory(number=2))
    session = SessionFactory(
        course=course,
        days_ahead=4,
        venue=VenueFactory(name="Riverside Community Centre"),
        bookings_close_at=timezone.now() + timedelta(days=1),
    )
    UserFactory(full_name="Sam Wilde", email="sam.wilde@little-acorns.example.org", agency=nursery)
    agency_lead(full_name="Ruth Evans", email="ruth.evans@little-acorns.example.org", agency=nursery)

    page = visitor.sign_in("sam.wilde@little-acorns.example.org")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Courses").click()
    visitor.check()
    page.get_by_role("link", name="Recognising and Responding to Neglect").first.click()
    visitor.check()
    page.locator(f"a[href='/sessions/{session.pk}']").first.click()
    visitor.check()
    # The price before booking: the session page, then the confirmation page with the terms.
    expect(page.locator(".govuk-summary-list").last).to_contain_text("£120.00", use_inner_text=True)
    page.get_by_role("button", name="Book a place").click()
    expect(page.get_by_role("heading", name="Check and book your place")).to_be_visible()
    terms = page.locator(".govuk-summary-list").last
    expect(terms).to_contain_text("£120.00", use_inner_text=True)
    # Four days ahead is inside the 10 working days' notice.
    expect(terms).to_contain_text("less than 10 working days away", use_inner_text=True)
    expect(terms).to_contain_text("Cancelling a place costs £50.00", use_inner_text=True)
    expect(terms).to_contain_text("Not attending without cancelling costs £75.00", use_inner_text=True)
    visitor.check()
    page.get_by_label("Access or dietary needs (optional)").fill("Vegetarian lunch, please")
    page.get_by_role("button", name="Confirm and book the place").click()
    expect(page.get_by_role("heading", name="Booking confirmed")).to_be_visible()
    visitor.check()
    assert session.bookings.get().access_needs == "Vegetarian lunch, please"

    message = mail.outbox[-1]
    assert message.subject == "Booking confirmed: Recognising and Responding to Neglect"
    ((filename, ics, mimetype),) = message.attachments
    assert (
        mimetype == "text/calendar" and ics.startswith("BEGIN:VCALENDAR\r\n") and ics.rstrip().endswith("END:VCALENDAR")
    )
    assert "SUMMARY:Recognising and Responding to Neglect" in ics.replace("\r\n ", "")

    page.get_by_role("link", name="Cancel or pass this place to a colleague").click()
    expect(page.locator(".govuk-warning-text")).to_contain_text("late cancellation", use_inner_text=True)
    visitor.check()
    page.get_by_label("Cancel the place").check()
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "This was a late cancellation: £50.00 has been charged to Little Acorns Day Nurseries Ltd", use_inner_text=True
    )
    visitor.check()
    sign_out(page)

    page = visitor.sign_in("ruth.evans@little-acorns.example.org")
    page.goto(visitor.base_url + "/manage/charges")
    visitor.check()
    table = page.locator("table").first.inner_text()
    assert "Sam Wilde" in table and "50.00" in table
    assert Charge.objects.get().kind == "late_cancellation"


def test_the_training_manager_takes_the_register_and_the_attendee_downloads_their_certificate(
    visitor, nursery, tmp_path
):
    start = timezone.now() - timedelta(hours=3)
    session = SessionFactory(
        course=CourseFactory(title="Working Together to Safeguard Children"),
        starts_at=start,
        ends_at=start + timedelta(hours=7),
        bookings_close_at=start - timedelta(days=2),
    )
    attendee = UserFactory(full_name="Aisha Khan", email="aisha.khan@little-acorns.example.org", agency=nursery)
    absent = UserFactory(full_name="Ben Brown", agency=nursery)
    BookingFactory(session=session, person=attendee)
    BookingFactory(session=session, person=absent)
    walk_in = UserFactory(full_name="Chloe Campbell", email="chloe.campbell@little-acorns.example.org", agency=nursery)
    training_manager(email="helen.carter@example.org")

    page = visitor.sign_in("helen.carter@example.org")
    page.goto(visitor.base_url + f"/manage/sessions/{session.pk}/register")
    visitor.check()
    page.get_by_role("group", name=re.compile("Aisha Khan")).get_by_label("Attended").check()
    page.get_by_role("group", name=re.compile("Ben Brown")).get_by_label("Did not attend").check()
    page.get_by_role("button", name="Save register").click()
    visitor.check()
    page.get_by_text("Add someone who came without a booking").click()
    page.get_by_label("Email address").fill(walk_in.email)
    page.get_by_role("button", name="Add walk-in").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Chloe Campbell added as a walk-in", use_inner_text=True
    )
    visitor.check()
    page.get_by_role("button", name="Save and close the register").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Close the register")
    visitor.check()
    page.get_by_role("button", name="Close the register").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Register closed. 2 certificates issued", use_inner_text=True
    )
    visitor.check()
    sign_out(page)

    page = visitor.sign_in("aisha.khan@little-acorns.example.org")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="My training").click()
    visitor.check()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("certificate", re.I)).first.click()
    pdf = tmp_path / "certificate.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Aisha Khan" in text and "Working Together to Safeguard Children" in text
