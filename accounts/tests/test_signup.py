"""Signing up: an account that cannot sign in until its email is confirmed."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgencyFactory, UserFactory
from accounts.models import OutgoingEmail, User
from accounts.services import verification_token

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "kestrel-harbour-lantern-9"


@pytest.fixture
def form_data(police, target_groups):
    return {
        "full_name": "Aisha Khan",
        "email": "Aisha.Khan@Northshire-Police.example.org",
        "job_title": "Police constable",
        "agency": str(police.pk),
        "unlisted_organisation": "",
        "target_group": str(target_groups[3].pk),
        "line_manager_name": "Priya Shah",
        "line_manager_email": "priya.shah@northshire-police.example.org",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
    }


def sign_up(client, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("accounts:sign-up"), data)


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_sign_up_creates_an_unconfirmed_account_and_emails_a_link(
    client, form_data, police, django_capture_on_commit_callbacks
):
    response = sign_up(client, form_data, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response.url == reverse("accounts:check-email")
    person = User.objects.get()
    assert person.email == "aisha.khan@northshire-police.example.org"
    assert person.agency == police
    assert person.is_active is False and person.email_verified_at is None
    assert person.role_names == {"Staff"}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["aisha.khan@northshire-police.example.org"]
    assert "/account/verify/" in link_in(mail.outbox[0])
    assert OutgoingEmail.objects.get().sent_at is not None
    page = client.get(response.url)
    assert "aisha.khan@northshire-police.example.org" in page.content.decode()


def test_the_emailed_link_confirms_the_account_and_it_can_sign_in(
    client, form_data, django_capture_on_commit_callbacks
):
    sign_up(client, form_data, django_capture_on_commit_callbacks)
    path = link_in(mail.outbox[0]).split("testserver", 1)[1]

    response = client.get(path, follow=True)

    assert "Your email address is confirmed" in response.content.decode()
    person = User.objects.get()
    assert person.is_active and person.email_verified_at
    assert client.login(username="AISHA.KHAN@northshire-police.example.org", password=GOOD_PASSWORD)


def test_a_volunteer_can_sign_up_with_a_personal_email(client, form_data, django_capture_on_commit_callbacks):
    form_data["email"] = "jo.volunteer@gmail.example.com"
    response = sign_up(client, form_data, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert User.objects.filter(email="jo.volunteer@gmail.example.com").exists()


def test_an_organisation_not_listed_is_kept_for_the_training_manager_to_map(
    client, form_data, django_capture_on_commit_callbacks
):
    form_data.update(
        agency="not-listed", unlisted_organisation="1st Riverside Scouts", line_manager_name="", line_manager_email=""
    )
    sign_up(client, form_data, django_capture_on_commit_callbacks)
    person = User.objects.get()
    assert person.agency is None
    assert person.unlisted_organisation == "1st Riverside Scouts"


def assert_refused(response, message):
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert User.objects.count() == 0
    assert len(mail.outbox) == 0


def test_item_7_sign_up_with_a_taken_email_looks_the_same_and_tells_only_the_owner(
    client, form_data, django_capture_on_commit_callbacks
):
    """Sign-up must not tell a visitor whether an address has an account (password reset does not either)."""
    existing = UserFactory(email="aisha.khan@northshire-police.example.org", full_name="Aisha Khan")
    before = User.objects.values().get(pk=existing.pk)

    taken = sign_up(client, form_data, django_capture_on_commit_callbacks)
    taken_page = client.get(taken.url)

    other = Client()
    fresh = form_data | {"email": "ben.morgan@northshire-police.example.org", "full_name": "Ben Morgan"}
    new = sign_up(other, fresh, django_capture_on_commit_callbacks)
    new_page = other.get(new.url)

    # The visitor sees the same answer, status and page either way (only the address typed differs).
    assert (taken.status_code, taken.url) == (new.status_code, new.url) == (302, reverse("accounts:check-email"))
    assert taken_page.status_code == new_page.status_code == 200
    assert taken_page.content.decode().replace("aisha.khan", "X") == new_page.content.decode().replace(
        "ben.morgan", "X"
    )
    # The existing account is untouched; its owner is told someone tried, with a way in.
    assert User.objects.values().get(pk=existing.pk) == before
    to_owner = [m for m in mail.outbox if m.to == [existing.email]]
    assert [m.subject for m in to_owner] == ["Someone tried to create an account with your email address"]
    assert "/account/sign-in" in to_owner[0].body and "/account/password-reset" in to_owner[0].body
    assert User.objects.filter(email="ben.morgan@northshire-police.example.org").exists()


def test_a_taken_but_unconfirmed_email_gets_a_new_confirmation_link_and_nothing_changes(
    client, form_data, django_capture_on_commit_callbacks
):
    existing = UserFactory(
        email="aisha.khan@northshire-police.example.org", is_active=False, email_verified_at=None, job_title="PCSO"
    )
    response = sign_up(
        client, form_data | {"email": "AISHA.KHAN@northshire-police.example.org"}, django_capture_on_commit_callbacks
    )
    assert response.url == reverse("accounts:check-email")
    existing.refresh_from_db()
    assert existing.job_title == "PCSO" and existing.check_password("correct-horse-battery")
    assert "/account/verify/" in link_in(mail.outbox[0]) and mail.outbox[0].to == [existing.email]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"password1": "password123", "password2": "password123"}, "This password is too common"),
        ({"password1": "short", "password2": "short"}, "This password is too short"),
        ({"password2": "something-else-entirely"}, "The passwords do not match"),
        ({"email": "aisha.khan@"}, "Enter an email address in the correct format"),
        ({"email": ""}, "Enter your email address"),
        ({"agency": "99999"}, "Select your organisation from the list"),
        ({"agency": "not-listed"}, "Enter the name of your organisation"),
        ({"target_group": "99999"}, "Select your staff group"),
        ({"full_name": ""}, "Enter your full name"),
    ],
    ids=[
        "common-password",
        "short-password",
        "mismatch",
        "malformed-email",
        "no-email",
        "unknown-agency",
        "unlisted-without-name",
        "unknown-group",
        "no-name",
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_created(
    client, form_data, change, message, django_capture_on_commit_callbacks
):
    form_data.update(change)
    assert_refused(sign_up(client, form_data, django_capture_on_commit_callbacks), message)


def test_an_inactive_agency_cannot_be_chosen(client, form_data, django_capture_on_commit_callbacks):
    closed = AgencyFactory(name="Closed Children's Centre", active=False)
    form_data["agency"] = str(closed.pk)
    assert_refused(
        sign_up(client, form_data, django_capture_on_commit_callbacks), "Select your organisation from the list"
    )


def test_a_tampered_link_is_refused_and_changes_nothing(client):
    person = UserFactory(is_active=False, email_verified_at=None)
    token = verification_token(person)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")

    response = client.get(reverse("accounts:verify-email", args=[tampered]))

    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    person.refresh_from_db()
    assert not person.is_active and person.email_verified_at is None


def test_a_link_naming_another_account_is_refused(client):
    person = UserFactory(is_active=False, email_verified_at=None)
    forged = signing.dumps({"id": person.pk, "email": "someone.else@example.org"}, salt="wrong-salt")
    response = client.get(reverse("accounts:verify-email", args=[forged]))
    assert response.status_code == 400
    person.refresh_from_db()
    assert not person.is_active


def test_an_expired_link_is_refused_and_offers_a_new_one(client, settings):
    person = UserFactory(is_active=False, email_verified_at=None)
    token = verification_token(person)
    later = timezone.now() + timedelta(days=settings.ACCOUNT_VERIFICATION_DAYS, minutes=1)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        response = client.get(reverse("accounts:verify-email", args=[token]))
    assert response.status_code == 400
    page = response.content.decode()
    assert "This link has expired" in page
    assert "Send a new link" in page
    person.refresh_from_db()
    assert not person.is_active


def test_asking_for_a_new_link_sends_one_only_to_an_unconfirmed_account(client, django_capture_on_commit_callbacks):
    waiting = UserFactory(email="waiting@example.org", is_active=False, email_verified_at=None)
    UserFactory(email="done@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:resend-verification"), {"email": "Waiting@example.org"})
        client.post(reverse("accounts:resend-verification"), {"email": "done@example.org"})
        client.post(reverse("accounts:resend-verification"), {"email": "nobody@example.org"})
    assert [m.to for m in mail.outbox] == [[waiting.email]]
