"""Staff and leads between colleagues and along the pathway: a place passed and accepted, and Level 1
met by e-learning done elsewhere once the agency lead confirms it."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.factories import AgencyFactory, TargetGroupFactory, UserFactory, agency_lead
from courses.factories import (
    BookingFactory,
    BookingPolicyFactory,
    CourseFactory,
    LevelFactory,
    PathwayRuleFactory,
    SessionFactory,
)
from courses.models import BookingStatus, ExternalTraining, ExternalTrainingStatus

pytestmark = pytest.mark.django_db(transaction=True)


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_a_place_passed_to_a_colleague_is_theirs_once_they_accept_it(visitor):
    BookingPolicyFactory()
    police = AgencyFactory(name="Northshire Police", contributing=False)
    session = SessionFactory(course=CourseFactory(title="Domestic Abuse and its Impact on Children"), days_ahead=30)
    aisha = UserFactory(full_name="Aisha Khan", email="aisha.khan@northshire-police.example.org", agency=police)
    UserFactory(full_name="Sam Wilde", email="sam.wilde@northshire-police.example.org", agency=police)
    booking = BookingFactory(session=session, person=aisha)

    page = visitor.sign_in("aisha.khan@northshire-police.example.org")
    visitor.go(f"/bookings/{booking.pk}")
    expect(page.get_by_text("Cancelling is free until the end of")).to_be_visible()
    page.get_by_role("link", name="Cancel or pass this place to a colleague").click()
    visitor.check()
    page.get_by_label("Pass the place to a colleague from the same agency").check()
    page.get_by_label("Your colleague's email address").fill("sam.wilde@northshire-police.example.org")
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The place has been offered to Sam Wilde", use_inner_text=True
    )
    visitor.check()
    sign_out(page)

    offer = next(m for m in mail.outbox if m.to == ["sam.wilde@northshire-police.example.org"])
    assert offer.subject == "Aisha Khan has passed you their place: Domestic Abuse and its Impact on Children"
    link = re.search(r"https?://\S+/bookings/\d+", offer.body).group(0)

    page = visitor.sign_in("sam.wilde@northshire-police.example.org")
    page.goto(link)
    expect(page.get_by_role("heading", name="A place passed to you")).to_be_visible()
    expect(page.get_by_text("Aisha Khan cannot come and has passed you their place")).to_be_visible()
    visitor.check()
    page.get_by_role("button", name="Accept the place").click()
    expect(page.get_by_role("heading", name="Booking confirmed")).to_be_visible()
    visitor.check()
    assert session.bookings.get(person__full_name="Sam Wilde").status == BookingStatus.CONFIRMED


def test_level_1_is_met_by_e_learning_recorded_by_the_person_and_confirmed_by_their_lead(visitor, tmp_path):
    BookingPolicyFactory()
    group = TargetGroupFactory(number=2, name="Regular contact with children")
    level_1 = LevelFactory(number=1, name="Basic awareness")
    PathwayRuleFactory(target_group=group, level=level_1, refresh_months=36)
    CourseFactory(title="Working Together to Safeguard Children", level=LevelFactory(number=2))
    police = AgencyFactory(name="Northshire Police")
    UserFactory(
        full_name="Isla Kaur", email="isla.kaur@northshire-police.example.org", agency=police, target_group=group
    )
    agency_lead(full_name="Priya Shah", email="priya.shah@northshire-police.example.org", agency=police)
    certificate = tmp_path / "basic-awareness-certificate.pdf"
    certificate.write_bytes(b"%PDF-1.4\n% Certificate of completion\n")

    page = visitor.sign_in("isla.kaur@northshire-police.example.org")
    visitor.go("/my-training")
    requirement = page.get_by_role("table", name="Required training")
    expect(requirement.get_by_role("link", name="Working Together to Safeguard Children")).to_be_visible()
    page.get_by_role("link", name="Record training done elsewhere").click()
    visitor.check()
    page.get_by_label("Level 1: Basic awareness").check()
    page.get_by_label("Name of the course or module").fill("Safeguarding children: basic awareness")
    page.get_by_label("Who provided it").fill("Northshire Police e-learning")
    completed = timezone.localdate() - timedelta(days=60)
    page.get_by_label("Date you completed it (DD/MM/YYYY)").fill(completed.strftime("%d/%m/%Y"))
    page.get_by_label("Certificate (optional)").set_input_files(str(certificate))
    page.get_by_role("button", name="Send for confirmation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "It counts towards your pathway once your agency lead confirms it", use_inner_text=True
    )
    visitor.check()
    sign_out(page)

    page = visitor.sign_in("priya.shah@northshire-police.example.org")
    visitor.go("/agency-training")
    page.get_by_role("link", name="1 record of training done elsewhere to confirm").click()
    visitor.check()
    page.get_by_role("link", name="Check and confirm").click()
    expect(page.get_by_role("link", name="Download the certificate")).to_be_visible()
    visitor.check()
    page.get_by_label("Yes, confirm it").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Safeguarding children: basic awareness is confirmed for Isla Kaur, who has been told by email."
    )
    visitor.check()
    sign_out(page)
    record = ExternalTraining.objects.get()
    assert record.status == ExternalTrainingStatus.CONFIRMED and record.certificate

    page = visitor.sign_in("isla.kaur@northshire-police.example.org")
    visitor.go("/my-training")
    row = page.get_by_role("row", name=re.compile("Level 1: Basic awareness"))
    expect(row).to_contain_text("In date")
    expect(row).to_contain_text(
        "Safeguarding children: basic awareness (Northshire Police e-learning) (done elsewhere)"
    )
