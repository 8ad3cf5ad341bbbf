"""Sign-up, verification and reset emails, and signed-link pages, are limited per address."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from accounts.factories import UserFactory
from accounts.models import User
from accounts.ratelimit import LIMITS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def limits_on(settings):
    settings.RATE_LIMITS_ENABLED = True
    cache.clear()
    yield
    cache.clear()


def test_sign_up_is_paused_after_too_many_attempts_and_saves_nothing(client, target_groups):
    allowed = LIMITS["sign-up"].requests
    for _ in range(allowed):
        assert client.post(reverse("accounts:sign-up"), {"email": "not-an-email"}).status_code == 200
    response = client.post(
        reverse("accounts:sign-up"),
        {
            "full_name": "Aisha Khan",
            "email": "aisha.khan@example.org",
            "password1": "a-long-pass-phrase-2026",
            "password2": "a-long-pass-phrase-2026",
            "target_group": target_groups[3].pk,
        },
    )
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert not User.objects.filter(email="aisha.khan@example.org").exists()
    # Reading the page is not limited, and another address is unaffected.
    assert client.get(reverse("accounts:sign-up")).status_code == 200
    assert client.post(reverse("accounts:sign-up"), {"email": "x"}, REMOTE_ADDR="10.1.2.3").status_code == 200


def test_password_reset_emails_stop_at_the_limit(client, immediate_on_commit):
    UserFactory(email="tom.fletcher@example.org")
    allowed = LIMITS["password-reset"].requests
    for _ in range(allowed):
        client.post(reverse("accounts:password-reset"), {"email": "tom.fletcher@example.org"})
    assert len(mail.outbox) == allowed
    response = client.post(reverse("accounts:password-reset"), {"email": "tom.fletcher@example.org"})
    assert response.status_code == 429
    assert len(mail.outbox) == allowed


@pytest.mark.parametrize(
    "name, scope",
    [
        ("accounts:verify-email", "verification-link"),
        ("courses:approval", "approval-link"),
        ("pool:respond-link", "assignment-link"),
        ("evaluation:answer", "evaluation-link"),
    ],
)
def test_guessing_signed_links_is_paused(client, name, scope):
    allowed = LIMITS[scope].requests
    for n in range(allowed):
        assert client.get(reverse(name, args=[f"guess-{n}"])).status_code == 400
    response = client.get(reverse(name, args=["one-more-guess"]))
    assert response.status_code == 429
    assert re.search(r"Wait (10 minutes|[1-9] minutes?) and try again", response.content.decode())
