"""A newcomer signs up and confirms their email; a manager and a lead find their way."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.factories import UserFactory, agency_lead, training_manager
from accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "kestrel-harbour-lantern-9"


def test_a_newcomer_signs_up_confirms_their_email_and_signs_in(visitor, target_groups, police):
    page = visitor.go("/")
    page.get_by_role("button", name="Create an account").click()
    visitor.check()

    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.title().startswith("Error:")
    visitor.check()

    page.get_by_label("Full name").fill("Aisha Khan")
    page.get_by_label("Email address").fill("aisha.khan@northshire-police.example.org")
    page.get_by_label("Job title or role").fill("Police constable")
    page.get_by_label("Which organisation do you work or volunteer for?").select_option(label="Northshire Police")
    page.get_by_label("Group 3: Work predominantly with children").check()
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Confirm your password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    visitor.check()
    assert not User.objects.get(email="aisha.khan@northshire-police.example.org").is_active

    message = mail.outbox[-1]
    assert message.to == ["aisha.khan@northshire-police.example.org"]
    link = re.search(r"https?://\S+", message.body).group(0)
    page.goto(link)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your email address is confirmed", use_inner_text=True
    )
    visitor.check()

    page.get_by_label("Email address").fill("aisha.khan@northshire-police.example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome, Aisha")).to_be_visible()
    expect(page.locator(".govuk-caption-l")).to_contain_text("Northshire Police", use_inner_text=True)
    visitor.check()

    page.get_by_role("navigation", name="Your account").get_by_role("link", name="Aisha Khan").click()
    expect(page.get_by_text("Group 3: Work predominantly with children")).to_be_visible()
    visitor.check()


def test_a_volunteer_with_a_personal_address_waits_until_the_agency_lead_confirms_them(visitor, target_groups, police):
    agency_lead(full_name="Priya Shah", email="priya.shah@northshire-police.example.org", agency=police)
    page = visitor.go("/account/sign-up")
    page.get_by_label("Full name").fill("Jamie Cole")
    page.get_by_label("Email address").fill("jamie.cole@gmail.example.com")
    page.get_by_label("Job title or role").fill("Special constable (volunteer)")
    page.get_by_label("Which organisation do you work or volunteer for?").select_option(label="Northshire Police")
    page.get_by_label("Group 2: Regular contact with children").check()
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Confirm your password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.goto(re.search(r"https?://\S+", mail.outbox[-1].body).group(0))

    page.get_by_label("Email address").fill("jamie.cole@gmail.example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("We have asked its agency lead to confirm it")).to_be_visible()
    visitor.check()
    page.get_by_role("button", name="Sign out").click()

    asked = next(m for m in mail.outbox if m.to == ["priya.shah@northshire-police.example.org"])
    assert "Please confirm Jamie Cole works for Northshire Police" == asked.subject
    page = visitor.sign_in("priya.shah@northshire-police.example.org")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Our people").click()
    assert page.get_by_role("link", name="Jamie Cole").count() == 0
    page.get_by_role("link", name="confirm or refuse them").click()
    expect(page.get_by_role("heading", name="People waiting for you to confirm them")).to_be_visible()
    visitor.check()
    page.get_by_role("link", name="Confirm or refuse Jamie Cole").click()
    expect(page.get_by_role("heading", name="Does Jamie Cole work or volunteer for Northshire Police?")).to_be_visible()
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select whether they work or volunteer for this agency", use_inner_text=True
    )
    visitor.check()
    page.get_by_label("Yes, confirm them").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Jamie Cole is now on Northshire Police's staff", use_inner_text=True
    )
    expect(page.get_by_text("Nobody is waiting.")).to_be_visible()
    visitor.check()
    page.get_by_role("link", name="Back to people").click()
    expect(page.get_by_role("link", name="Jamie Cole")).to_be_visible()
    assert User.objects.get(email="jamie.cole@gmail.example.com").agency == police


def test_the_training_manager_sees_the_management_navigation_and_changes_roles(visitor, police):
    training_manager(full_name="Helen Carter", email="helen.carter@example.org")
    UserFactory(full_name="Aisha Khan", email="aisha.khan@example.org", agency=police)
    page = visitor.sign_in("helen.carter@example.org")
    navigation = page.get_by_role("navigation", name="Menu")
    for item in ("Courses", "My training", "Sessions", "Training needs", "Charges", "People", "Agencies"):
        expect(navigation.get_by_text(item, exact=True)).to_be_visible()
    expect(page.get_by_role("navigation", name="Your account").get_by_role("button", name="Sign out")).to_be_visible()
    navigation.get_by_role("link", name="People").click()
    visitor.check()
    page.get_by_label("Name or email").fill("aisha")
    page.get_by_role("button", name="Apply filters").click()
    visitor.check()
    page.get_by_role("link", name="Aisha Khan").click()
    visitor.check()
    page.get_by_role("link", name="Change roles").click()
    visitor.check()
    page.get_by_label("Agency lead").check()
    page.get_by_role("button", name="Save roles").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Roles saved for Aisha Khan", use_inner_text=True
    )
    visitor.check()
    assert "Agency lead" in User.objects.get(email="aisha.khan@example.org").role_names

    navigation = page.get_by_role("navigation", name="Menu")
    navigation.get_by_role("link", name="Agencies").click()
    visitor.check()
    page.get_by_role("link", name="Add an agency").click()
    page.get_by_role("button", name="Save agency").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    visitor.check()


def test_an_agency_lead_sees_their_own_people_and_not_another_agencys(visitor, police, school):
    agency_lead(full_name="Priya Shah", email="priya.shah@example.org", agency=police)
    UserFactory(full_name="Aisha Khan", agency=police)
    teacher = UserFactory(full_name="Tom Fletcher", agency=school)
    page = visitor.sign_in("priya.shah@example.org")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Our people").click()
    visitor.check()
    expect(page.get_by_role("link", name="Aisha Khan")).to_be_visible()
    assert page.get_by_text("Tom Fletcher").count() == 0

    response = page.goto(visitor.base_url + f"/manage/people/{teacher.pk}")
    assert response.status == 404
    visitor.check()


def test_the_training_manager_sets_retention_and_handles_an_erasure_request(visitor, police):
    training_manager(email="helen.carter@example.org")
    person = UserFactory(full_name="Tom Fletcher", email="tom.fletcher@example.org", agency=police)
    page = visitor.sign_in("helen.carter@example.org")
    page = visitor.go("/manage/retention")
    page.get_by_label("Copies of emails sent (months)").fill("0")
    page.get_by_role("button", name="Save periods").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter at least 1 month", use_inner_text=True)
    visitor.check()
    page = visitor.go(f"/manage/people/{person.pk}")
    page.get_by_role("link", name="Erasure request").click()
    visitor.check()
    page.get_by_label("Request reference or date").fill("DP-2026-014")
    page.get_by_label("I have checked the person's identity").check()
    page.get_by_role("button", name="Remove their details").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Their attendance evidence is kept", use_inner_text=True
    )
    visitor.check()
    assert User.objects.get(pk=person.pk).email.endswith("@removed.invalid")


def test_the_training_manager_names_the_partnership_and_every_page_shows_it(visitor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    training_manager(email="helen.carter@example.org")
    page = visitor.sign_in("helen.carter@example.org")
    page = visitor.go("/manage/agencies")
    page.get_by_role("link", name="change its name, the name in the footer and emails, and its logo").click()
    page.get_by_label("Partnership name").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the partnership's name", use_inner_text=True)
    visitor.check()
    page.get_by_label("Partnership name").fill("Westshire Children's Safeguarding Partnership")
    page.get_by_label("Name in the footer and emails").fill("Westshire CSP")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".app-header__partnership")).to_have_text("Westshire Children's Safeguarding Partnership")
    expect(page.locator(".app-footer__owner")).to_contain_text("is run by Westshire CSP.", use_inner_text=True)
    visitor.check()


def test_a_board_member_turns_on_two_step_sign_in_and_signs_in_with_a_code(visitor, monkeypatch):
    from accounts import totp

    now = [1795370000.0]
    monkeypatch.setattr(totp, "clock", lambda: now[0])
    from accounts.factories import board_member

    board_member(email="david.reid@example.org")
    page = visitor.sign_in("david.reid@example.org")
    page = visitor.go("/account/profile")
    page.get_by_role("link", name="Two-step sign-in").click()
    visitor.check()
    key = page.locator(".app-key").inner_text().replace(" ", "")
    page.get_by_label("Code from your authenticator app").fill(totp.code_at(key, totp.current_step()))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Two-step sign-in is on", use_inner_text=True)
    page.get_by_role("button", name="Sign out").click()
    now[0] += totp.STEP
    page = visitor.sign_in("david.reid@example.org")  # the password, then the code page
    expect(page.locator("h1")).to_contain_text("Enter the code from your authenticator app", use_inner_text=True)
    page.get_by_label("Code from your authenticator app").fill(totp.code_at(key, totp.current_step()))
    page.get_by_role("button", name="Sign in").click()
    visitor.check()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_where_two_step_is_required_the_training_manager_sets_it_up_before_anything_else(visitor, settings):
    from accounts import totp

    settings.TWO_STEP_REQUIRED = True
    training_manager(email="helen.carter@example.org")
    page = visitor.sign_in("helen.carter@example.org")
    expect(page.locator("h1")).to_contain_text("Set up two-step sign-in", use_inner_text=True)
    expect(page.locator(".govuk-warning-text")).to_contain_text("Your role needs two-step sign-in")
    page = visitor.go("/manage/people")  # any other page comes back here
    expect(page.locator("h1")).to_contain_text("Set up two-step sign-in", use_inner_text=True)
    key = page.locator(".app-key").inner_text().replace(" ", "")
    page.get_by_label("Code from your authenticator app").fill(totp.code_at(key, totp.current_step()))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    visitor.check()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Two-step sign-in is on", use_inner_text=True)
    expect(page).to_have_url(re.compile(r"/manage/people$"))
