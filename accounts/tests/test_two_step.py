"""Two-step sign-in for the training manager and Board members."""

import pytest
from django.urls import reverse

from accounts import totp
from accounts.factories import UserFactory, board_member, training_manager
from accounts.models import AuditEntry, User

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def test_codes_match_the_rfc_6238_test_vector():
    import base64

    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp.code_at(secret, 59 // 30) == "287082"  # the RFC's 94287082, to 6 digits
    assert totp.code_at(secret, 1111111109 // 30) == "081804"  # 07081804


def test_a_code_works_once_and_within_one_step_of_drift():
    secret = totp.new_secret()
    now = 1795370000.0
    step = totp.current_step(now)
    code = totp.code_at(secret, step)
    assert totp.matching_step(secret, code, now=now) == step
    assert totp.matching_step(secret, code[:3] + " " + code[3:], now=now + totp.STEP) == step  # a step late
    assert totp.matching_step(secret, code, now=now, after=step) is None  # already used
    assert totp.matching_step(secret, code, now=now + 2 * totp.STEP) is None  # too late


def test_the_setting_up_link_is_one_authenticator_apps_read():
    uri = totp.provisioning_uri(
        "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", account="david.reid@example.org", issuer="Northshire LSCB"
    )
    assert uri.startswith("otpauth://totp/Northshire%20LSCB:david.reid%40example.org?")
    assert "secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" in uri and "issuer=Northshire%20LSCB" in uri


def turn_on(client, person) -> str:
    client.force_login(person)
    client.get(reverse("accounts:two-step"))
    secret = client.session["two_step_secret"]
    response = client.post(
        reverse("accounts:two-step"),
        {"code": "000000" if totp.code_at(secret, totp.current_step()) != "000000" else "111111"},
    )
    assert "That code is not right" in response.content.decode()
    assert not User.objects.get(pk=person.pk).uses_two_step
    client.post(reverse("accounts:two-step"), {"code": totp.code_at(secret, totp.current_step())})
    assert User.objects.get(pk=person.pk).uses_two_step
    client.logout()
    return secret


def test_a_board_member_turns_it_on_and_then_needs_a_code_to_sign_in(client, monkeypatch):
    now = [1795370000.0]
    monkeypatch.setattr(totp, "clock", lambda: now[0])
    david = board_member(email="david.reid@example.org")
    secret = turn_on(client, david)
    response = client.post(reverse("accounts:sign-in"), {"username": "david.reid@example.org", "password": PASSWORD})
    assert response.url == reverse("accounts:sign-in-code")
    assert client.get(reverse("reports:dashboard")).status_code == 302  # not signed in yet
    assert "That code is not right" in client.post(reverse("accounts:sign-in-code"), {"code": "12345"}).content.decode()
    # The code just used to turn it on cannot be used again; wait for the next one.
    now[0] += totp.STEP
    response = client.post(reverse("accounts:sign-in-code"), {"code": totp.code_at(secret, totp.current_step())})
    assert response.status_code == 302
    assert client.get(reverse("reports:dashboard")).status_code == 200
    client.logout()
    # The same code again is refused: a code works once.
    client.post(reverse("accounts:sign-in"), {"username": "david.reid@example.org", "password": PASSWORD})
    response = client.post(reverse("accounts:sign-in-code"), {"code": totp.code_at(secret, totp.current_step())})
    assert "has been used" in response.content.decode()


def test_staff_are_not_offered_it_and_the_manager_can_turn_it_off_for_someone(client):
    client.force_login(UserFactory())
    assert client.get(reverse("accounts:two-step")).status_code == 403
    david = board_member()
    turn_on(client, david)
    manager = training_manager()
    client.force_login(manager)
    client.post(reverse("manage:person-two-step-off", args=[david.pk]))
    assert not User.objects.get(pk=david.pk).uses_two_step
    assert AuditEntry.objects.filter(action="turned off two-step sign-in", object_id=str(david.pk)).exists()
