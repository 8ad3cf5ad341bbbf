"""Signing in and out, password reset, and a person's own details."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.factories import UserFactory
from accounts.models import AuditEntry, User

pytestmark = pytest.mark.django_db


def test_sign_in_by_email_in_any_case_lands_on_the_home_page(client):
    UserFactory(full_name="Tom Fletcher", email="tom.fletcher@example.org")
    response = client.post(
        reverse("accounts:sign-in"),
        {"username": "Tom.Fletcher@Example.org", "password": "correct-horse-battery"},
        follow=True,
    )
    assert "Welcome, Tom" in response.content.decode()


def test_a_wrong_password_gets_a_clear_message(client):
    UserFactory(email="tom.fletcher@example.org")
    page = client.post(
        reverse("accounts:sign-in"), {"username": "tom.fletcher@example.org", "password": "nope"}
    ).content.decode()
    assert "There is a problem" in page
    assert "Enter a correct email address and password" in page


def test_an_unconfirmed_account_is_told_to_confirm_its_email(client):
    UserFactory(email="new@example.org", is_active=False, email_verified_at=None)
    page = client.post(
        reverse("accounts:sign-in"), {"username": "new@example.org", "password": "correct-horse-battery"}
    ).content.decode()
    assert "Confirm your email address before you sign in" in page
    assert reverse("accounts:resend-verification") in page


def test_signing_out_needs_a_post_and_ends_the_session(client):
    client.force_login(UserFactory())
    response = client.post(reverse("accounts:sign-out"), follow=True)
    assert "You have signed out" in response.content.decode()
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_opening_the_sign_out_address_shows_a_sign_out_button_and_signs_nobody_out(client):
    client.force_login(UserFactory(email="aisha.khan@northshire-police.example.org"))
    page = client.get(reverse("accounts:sign-out"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "You are signed in as aisha.khan@northshire-police.example.org" in html
    assert f'action="{reverse("accounts:sign-out")}"' in html and "csrfmiddlewaretoken" in html
    assert client.get(reverse("accounts:profile")).status_code == 200  # still signed in
    client.logout()
    assert client.get(reverse("accounts:sign-out")).url == reverse("accounts:signed-out")


def test_password_reset_emails_a_single_use_link_that_sets_a_new_password(client, django_capture_on_commit_callbacks):
    person = UserFactory(email="grace.okafor@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password-reset"), {"email": "Grace.Okafor@example.org"}, follow=True)
    assert "Check your email" in response.content.decode()
    assert len(mail.outbox) == 1
    link = re.search(r"https?://testserver(\S+)", mail.outbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "otter-lighthouse-meadow-4", "new_password2": "otter-lighthouse-meadow-4"},
        follow=True,
    )
    assert "Your password has been changed" in done.content.decode()
    person.refresh_from_db()
    assert person.check_password("otter-lighthouse-meadow-4")
    assert "This link is not valid" in client.get(link, follow=True).content.decode()


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password-reset"), {"email": "nobody@example.org"}, follow=True)
    assert "Check your email" in response.content.decode()
    assert mail.outbox == []


def test_a_person_edits_their_own_details(client, target_groups, police):
    person = UserFactory(full_name="Tom Fletcher", target_group=target_groups[3], agency=police)
    client.force_login(person)
    response = client.post(
        reverse("accounts:edit-profile"),
        {
            "full_name": "Tom Fletcher-Hale",
            "job_title": "Designated safeguarding lead",
            "target_group": target_groups[4].pk,
            "line_manager_name": "Ruth Evans",
            "line_manager_email": "Ruth.Evans@Northshire-Police.example.org",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Your details have been saved" in page
    assert "Tom Fletcher-Hale" in page and "Group 4" in page
    person.refresh_from_db()
    assert person.line_manager_email == "ruth.evans@northshire-police.example.org"
    assert AuditEntry.objects.filter(action="updated profile", object_id=str(person.pk)).exists()


def test_profile_bad_input_changes_nothing(client, target_groups):
    person = UserFactory(full_name="Tom Fletcher", target_group=target_groups[3])
    client.force_login(person)
    page = client.post(
        reverse("accounts:edit-profile"),
        {
            "full_name": "",
            "job_title": "Teacher",
            "target_group": target_groups[4].pk,
            "line_manager_email": "not-an-email",
        },
    ).content.decode()
    assert "Enter your full name" in page
    assert "Enter your line manager&#x27;s email in the correct format" in page
    assert User.objects.get(pk=person.pk).full_name == "Tom Fletcher"


def test_changing_password_needs_the_current_one(client):
    person = UserFactory()
    client.force_login(person)
    page = client.post(
        reverse("accounts:password-change"),
        {
            "old_password": "wrong",
            "new_password1": "otter-lighthouse-meadow-4",
            "new_password2": "otter-lighthouse-meadow-4",
        },
    ).content.decode()
    assert "Your current password is not correct" in page
    person.refresh_from_db()
    assert person.check_password("correct-horse-battery")


def test_the_home_page_shows_a_start_page_to_visitors_and_roles_to_people(client):
    assert "Create an account" in client.get("/").content.decode()
    client.force_login(UserFactory(full_name="Tom Fletcher"))
    page = client.get("/").content.decode()
    assert "Welcome, Tom" in page
    assert "Staff member" in page


def test_navigation_follows_the_persons_roles(client, police):
    from accounts.factories import agency_lead, training_manager

    client.force_login(UserFactory())
    staff_page = client.get("/").content.decode()
    assert "Agencies" not in staff_page and ">People<" not in staff_page

    client.force_login(training_manager())
    manager_page = client.get("/").content.decode()
    assert reverse("manage:people") in manager_page and reverse("manage:agencies") in manager_page

    client.force_login(agency_lead(agency=police))
    lead_page = client.get("/").content.decode()
    assert "Our people" in lead_page and f'href="{reverse("manage:agencies")}"' not in lead_page


def test_the_layout_is_worked_out_once_for_a_page_with_a_table(client):
    """The people list draws a table in the page's own context (includes/table.html, not django-tables2's
    render_table, which would run the context processors again): the layout's partnership and menu are
    read once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.factories import training_manager

    client.force_login(training_manager())
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("manage:people")).content.decode()
    assert sum("accounts_partnership" in query["sql"] for query in queries.captured_queries) == 1
    assert page.count(f'href="{reverse("manage:people")}" aria-current="page"') == 1


def test_accessibility_statement_and_privacy_notice_are_public(client):
    assert "Accessibility statement" in client.get(reverse("accessibility")).content.decode()
    assert "Privacy notice" in client.get(reverse("privacy")).content.decode()


def test_repeated_wrong_passwords_lock_the_sign_in_for_a_while(client, settings):
    settings.AXES_ENABLED = True
    UserFactory(email="tom.fletcher@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        page = client.post(
            reverse("accounts:sign-in"), {"username": "tom.fletcher@example.org", "password": "guess"}
        ).content.decode()
        assert "Enter a correct email address and password" in page
    response = client.post(reverse("accounts:sign-in"), {"username": "tom.fletcher@example.org", "password": "guess"})
    assert response.status_code == 429 and "Too many attempts to sign in" in response.content.decode()
    # Even the right password is refused until the cool-off ends.
    response = client.post(
        reverse("accounts:sign-in"), {"username": "tom.fletcher@example.org", "password": "correct-horse-battery"}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
