"""The admin site signs in through the service's own sign-in, and two-step sign-in can be compulsory
for those who see the most (TWO_STEP_REQUIRED)."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from accounts import totp
from accounts.factories import UserFactory, board_member, training_manager
from accounts.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def support_officer(**kwargs) -> User:
    """Someone with the admin site, as `createsuperuser` makes them."""
    return UserFactory(is_staff=True, job_title="Systems support officer", **kwargs)


def turn_on_two_step(client, person) -> str:
    client.force_login(person)
    client.get(reverse("accounts:two-step"))
    secret = client.session["two_step_secret"]
    client.post(reverse("accounts:two-step"), {"code": totp.code_at(secret, totp.current_step())})
    assert User.objects.get(pk=person.pk).uses_two_step
    client.logout()
    return secret


def test_the_admin_sign_in_page_sends_people_to_the_services_sign_in(client):
    response = client.get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    address = urlsplit(response.url)
    assert address.path == reverse("accounts:sign-in")
    assert parse_qs(address.query)["next"] == ["/admin/accounts/user/"]
    # Another site as `next` is not followed.
    response = client.get("/admin/login/?next=https://evil.example.com/")
    assert parse_qs(urlsplit(response.url).query)["next"] == ["/admin/"]


def test_a_password_alone_at_the_admin_sign_in_opens_nothing(client):
    officer = support_officer(email="sam.okafor@example.org")
    turn_on_two_step(client, officer)
    client.post("/admin/login/", {"username": "sam.okafor@example.org", "password": PASSWORD, "next": "/admin/"})
    assert client.get("/admin/").status_code == 302
    assert client.get(reverse("manage:people")).status_code == 302


def test_an_admin_user_reaches_the_admin_only_after_their_two_step_code(client, monkeypatch):
    now = [1795370000.0]
    monkeypatch.setattr(totp, "clock", lambda: now[0])
    officer = support_officer(email="sam.okafor@example.org")
    secret = turn_on_two_step(client, officer)
    now[0] += totp.STEP
    response = client.post(
        reverse("accounts:sign-in") + "?next=/admin/",
        {"username": "sam.okafor@example.org", "password": PASSWORD},
    )
    assert response.url == reverse("accounts:sign-in-code")
    assert client.get("/admin/").status_code == 302
    response = client.post(reverse("accounts:sign-in-code"), {"code": totp.code_at(secret, totp.current_step())})
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_someone_signed_in_without_the_admin_is_refused_rather_than_sent_round_again(client):
    client.force_login(training_manager())
    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_admin_users_may_protect_their_account_with_two_step(client):
    client.force_login(support_officer())
    assert client.get(reverse("accounts:two-step")).status_code == 200


# --- Two-step sign-in compulsory (TWO_STEP_REQUIRED) -----------------------------------------


@pytest.fixture
def two_step_required(settings):
    settings.TWO_STEP_REQUIRED = True


@pytest.mark.parametrize("person", [training_manager, board_member, support_officer])
def test_where_required_they_set_up_two_step_before_anything_else(client, two_step_required, person):
    someone = person(email="jo.whitfield@example.org")
    response = client.post(
        reverse("accounts:sign-in") + "?next=/reports/",
        {"username": "jo.whitfield@example.org", "password": PASSWORD},
        follow=True,
    )
    setup = reverse("accounts:two-step")
    assert response.redirect_chain[-1][0] == f"{setup}?next=%2Freports%2F"
    page = response.content.decode()
    assert "Set up two-step sign-in" in page and "Your role needs two-step sign-in" in page
    for elsewhere in (reverse("home"), reverse("manage:people"), reverse("accounts:profile")):
        assert client.get(elsewhere).url.startswith(setup + "?next=")
    secret = client.session["two_step_secret"]
    response = client.post(f"{setup}?next=/reports/", {"code": totp.code_at(secret, totp.current_step())})
    assert response.url == "/reports/"
    assert User.objects.get(pk=someone.pk).uses_two_step
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_where_required_staff_members_are_not_asked(client, two_step_required):
    client.force_login(UserFactory())
    assert client.get(reverse("courses:my-training")).status_code == 200


def test_where_required_it_cannot_be_turned_off_but_the_manager_can_reset_a_lost_phone(client, two_step_required):
    david = board_member()
    turn_on_two_step(client, david)
    client.force_login(david)
    page = client.get(reverse("accounts:two-step")).content.decode()
    assert "Your role needs it, so it stays on" in page and "Turn off two-step sign-in" not in page
    response = client.post(reverse("accounts:two-step"), {"code": "123456"})
    assert "cannot be turned off" in response.content.decode()
    assert User.objects.get(pk=david.pk).uses_two_step
    manager = training_manager()
    turn_on_two_step(client, manager)
    client.force_login(manager)
    client.post(reverse("manage:person-two-step-off", args=[david.pk]))
    assert not User.objects.get(pk=david.pk).uses_two_step
    client.force_login(User.objects.get(pk=david.pk))
    assert client.get(reverse("reports:dashboard")).url.startswith(reverse("accounts:two-step"))


def test_where_not_required_the_manager_works_without_two_step(client):
    client.force_login(training_manager())
    assert client.get(reverse("manage:people")).status_code == 200
