"""Preparing a session: a venue's rooms and calendar, a room taken twice, the delegate list before the
day, the sign-in sheet read back from its PDF, and a message to the delegates."""

import subprocess
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.factories import AgencyFactory, UserFactory, trainer, training_manager
from courses.factories import BookingFactory, CourseFactory, SessionFactory, VenueFactory
from courses.models import Room, Session

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_training_manager_adds_a_room_and_is_warned_before_booking_it_twice(visitor):
    training_manager(email="helen.carter@example.org")
    venue = VenueFactory(name="Riverside Community Centre", capacity=60)
    Room.objects.create(venue=venue, name="Main Hall", capacity=60)
    taken = SessionFactory(
        course=CourseFactory(title="Working Together to Safeguard Children"), venue=venue, days_ahead=30
    )
    Session.objects.filter(pk=taken.pk).update(room=Room.objects.get(name="Main Hall"))
    CourseFactory(title="Recognising and Responding to Neglect")

    page = visitor.sign_in("helen.carter@example.org")
    page = visitor.go("/manage/venues")
    page.get_by_role("link", name="Riverside Community Centre").click()
    visitor.check()
    expect(page.get_by_role("heading", name="Calendar")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Working Together to Safeguard Children")
    page.get_by_role("link", name="Add a room").click()
    visitor.check()
    page.get_by_label("Room name").fill("Garden Room")
    page.get_by_label("How many people it holds for training").fill("16")
    page.get_by_role("button", name="Save room").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Garden Room saved", use_inner_text=True)
    visitor.check()

    page = visitor.go("/manage/sessions/new")
    page.locator("#id_dates-0-date").fill(f"{timezone.localtime(taken.starts_at):%d/%m/%Y}")
    page.locator("#id_dates-0-start").fill("13:00")
    page.locator("#id_dates-0-end").fill("16:00")
    page.get_by_label("Course").select_option(label="Recognising and Responding to Neglect")
    page.get_by_label("Venue", exact=True).select_option(label="Riverside Community Centre")
    page.get_by_label("Room", exact=True).select_option(label="Riverside Community Centre: Garden Room (holds 16)")
    page.get_by_label("Places").fill("20")
    page.get_by_role("button", name="Save session").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("holds 16 people: offer at most 16 places")
    visitor.check()

    page.get_by_label("Room", exact=True).select_option(label="Riverside Community Centre: Main Hall (holds 60)")
    page.get_by_role("button", name="Save session").click()
    expect(page.locator("#session-warnings")).to_contain_text(
        "Riverside Community Centre: Main Hall is already booked at that time"
    )
    visitor.check()
    assert Session.objects.count() == 1
    page.get_by_role("button", name="Save the session anyway").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Session created", use_inner_text=True)
    assert Session.objects.filter(room__name="Main Hall").count() == 2


def test_a_trainer_prepares_a_session_with_its_delegate_list_sign_in_sheet_and_a_message(visitor, tmp_path):
    police = AgencyFactory(name="Northshire Police", sector="police")
    grace = trainer(full_name="Grace Okafor", email="grace.okafor@example.org")
    session = SessionFactory(
        course=CourseFactory(title="Working Together to Safeguard Children"),
        venue=VenueFactory(name="Riverside Community Centre"),
        days_ahead=5,
        trainers=[grace],
    )
    for name, job in (("Aisha Khan", "Detective Constable"), ("Tom Fletcher", "Neighbourhood Sergeant")):
        BookingFactory(session=session, person=UserFactory(full_name=name, agency=police, job_title=job))

    page = visitor.sign_in("grace.okafor@example.org")
    page = visitor.go("/my-training")
    expect(page.get_by_role("link", name="Take the register")).to_have_count(0)
    page.get_by_role("link", name="Delegate list").click()
    visitor.check()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Delegates: Working Together")
    expect(page.locator("table")).to_contain_text("Detective Constable")

    page.get_by_role("link", name="Print a sign-in sheet").click()
    visitor.check()
    page.get_by_role("button", name="Prepare the sign-in sheet").click()
    visitor.check()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the sign-in sheet (PDF)").click()
    pdf = tmp_path / "sheet.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Sign-in sheet: Working Together to Safeguard Children" in text
    assert "Aisha Khan" in text and "Tom Fletcher" in text and "Signature" in text
    assert "Came without a booking" in text

    page.get_by_role("link", name="Back to the delegate list").click()
    page.get_by_role("link", name="Write to delegates").click()
    visitor.check()
    page.get_by_role("button", name="Send to delegates").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a subject")
    visitor.check()
    page.get_by_label("Subject").fill("Joining instructions")
    page.get_by_label("Message").fill("Please arrive by 09:15: parking is limited.\nBring a copy of the referral form.")
    page.get_by_role("button", name="Send to delegates").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Message sent to 2 people.")
    expect(page.locator("main")).to_contain_text("Sent by Grace Okafor")
    visitor.check()
    assert len([m for m in mail.outbox if m.subject.startswith("Joining instructions")]) == 2
    assert session.messages.get().recipients == 2
    assert timezone.now() < session.starts_at - timedelta(days=1)
