"""The first training manager, made by `create_training_manager` as the README says, and the
partnership's own name, support email and address written by `setup_partnership`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.factories import AgencyFactory, UserFactory
from accounts.models import OutgoingEmail, Partnership, User
from accounts.selectors import partnership
from courses.factories import CourseFactory
from pool import services as pool_services

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Lantern-orchard-41"


def create_training_manager(monkeypatch, *args, answers=(PASSWORD, PASSWORD)):
    typed = iter(answers)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    call_command(
        "create_training_manager", "--email", "Helen.Carter@Westshire-SCP.org.uk", "--name", "Helen Carter", *args
    )
    return User.objects.get(email="helen.carter@westshire-scp.org.uk")


def test_the_first_training_manager_receives_pool_applications_from_people_with_no_agency_lead(monkeypatch):
    helen = create_training_manager(monkeypatch)
    assert helen.is_training_manager and helen.email_verified_at is not None
    # A police officer whose agency has no lead applies to the trainer pool: the training team is asked.
    applicant = UserFactory(full_name="Priya Shah", agency=AgencyFactory(name="Westshire Police"))
    pool_services.apply(
        person=applicant,
        experience="Nine years in the public protection unit.",
        specialisms="Child exploitation",
        facilitation_experience="Delivers the force's exploitation briefings.",
        courses=[CourseFactory(title="Child Sexual Exploitation and Criminal Exploitation")],
    )
    email = OutgoingEmail.objects.get(subject="Trainer pool application from Priya Shah")
    assert email.to == ["helen.carter@westshire-scp.org.uk"]


def test_the_first_training_manager_signs_in_with_the_password_given(client, monkeypatch):
    create_training_manager(monkeypatch)
    client.post(reverse("accounts:sign-in"), {"username": "helen.carter@westshire-scp.org.uk", "password": PASSWORD})
    assert client.get(reverse("manage:people")).status_code == 200


def test_where_two_step_is_required_their_first_sign_in_sets_it_up(client, monkeypatch, settings):
    settings.TWO_STEP_REQUIRED = True
    create_training_manager(monkeypatch)
    client.post(reverse("accounts:sign-in"), {"username": "helen.carter@westshire-scp.org.uk", "password": PASSWORD})
    assert client.get(reverse("manage:people")).url.startswith(reverse("accounts:two-step"))


def test_with_an_email_link_they_choose_their_own_password(client, monkeypatch, settings):
    settings.SITE_URL = "https://training.westshire-scp.org.uk"
    helen = create_training_manager(monkeypatch, "--email-link", answers=())
    assert not helen.has_usable_password()
    email = OutgoingEmail.objects.get(to=["helen.carter@westshire-scp.org.uk"])
    link = next(line for line in email.body_text.splitlines() if line.startswith("https://"))
    response = client.get(link.removeprefix("https://training.westshire-scp.org.uk"), follow=True)
    assert "new_password1" in response.content.decode()
    client.post(response.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD})
    client.post(reverse("accounts:sign-in"), {"username": "helen.carter@westshire-scp.org.uk", "password": PASSWORD})
    assert client.get(reverse("manage:people")).status_code == 200


@pytest.mark.parametrize(
    "answers, message",
    [
        (("password1", "password1"), "This password is too short"),
        ((PASSWORD, "Lantern-orchard-42") * 3, "No password given"),
    ],
)
def test_a_weak_or_mistyped_password_creates_nobody(monkeypatch, answers, message):
    with pytest.raises(CommandError, match=message):
        create_training_manager(monkeypatch, answers=answers)
    assert not User.objects.exists()


def test_an_email_that_already_has_an_account_is_refused(monkeypatch):
    UserFactory(email="helen.carter@westshire-scp.org.uk", full_name="Helen Carter")
    with pytest.raises(CommandError, match="already has an account"):
        create_training_manager(monkeypatch)
    assert not User.objects.get(email="helen.carter@westshire-scp.org.uk").is_training_manager


# --- The partnership's name, support email and address ---------------------------------------

WESTSHIRE = {
    "PARTNERSHIP_NAME": "Westshire Children's Safeguarding Partnership",
    "SUPPORT_EMAIL": "training@westshire-scp.org.uk",
    "SITE_URL": "https://training.westshire-scp.org.uk",
}


def settings_seen_with(env_file: Path) -> list[str]:
    """The settings a process started with this env file sees, and what the shell reads from it."""
    env = {k: v for k, v in os.environ.items() if k not in (*WESTSHIRE, "DJANGO_SETTINGS_MODULE", "ENVIRONMENT")}
    code = (
        "from django.conf import settings; print(settings.PARTNERSHIP_NAME, settings.SUPPORT_EMAIL, settings.SITE_URL)"
    )
    site = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env={**env, "ENV_FILE": str(env_file)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert site.returncode == 0, site.stderr
    shell = subprocess.run(
        ["sh", "-c", f'set -a; . "{env_file}"; echo "$PARTNERSHIP_NAME $SUPPORT_EMAIL $SITE_URL"'],
        env=env,
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert shell.returncode == 0, shell.stderr
    return [site.stdout.strip(), shell.stdout.strip()]


def test_setup_partnership_writes_the_partnerships_own_name_email_and_address(tmp_path, monkeypatch):
    env_file = tmp_path / "lscb.env"
    env_file.write_text("ENVIRONMENT=development\nPARTNERSHIP_NAME='Northshire Safeguarding Children Partnership'\n")
    monkeypatch.setenv("ENV_FILE", str(env_file))
    call_command(
        "setup_partnership",
        "--partnership-name",
        WESTSHIRE["PARTNERSHIP_NAME"],
        "--support-email",
        WESTSHIRE["SUPPORT_EMAIL"],
        "--site-url",
        WESTSHIRE["SITE_URL"] + "/",
        interactive=False,
    )
    expected = "Westshire Children's Safeguarding Partnership training@westshire-scp.org.uk " + WESTSHIRE["SITE_URL"]
    assert settings_seen_with(env_file) == [expected, expected]
    assert env_file.read_text().count("PARTNERSHIP_NAME=") == 1
    # Every page, email and document reads the name from the partnership's record.
    assert partnership().name == "Westshire Children's Safeguarding Partnership" and partnership().pk == 1
    assert Partnership.objects.count() == 1


def test_setup_partnership_asks_for_them(tmp_path, monkeypatch):
    env_file = tmp_path / "lscb.env"
    monkeypatch.setenv("ENV_FILE", str(env_file))
    answers = iter([WESTSHIRE["PARTNERSHIP_NAME"], WESTSHIRE["SUPPORT_EMAIL"], WESTSHIRE["SITE_URL"]])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    call_command("setup_partnership")
    expected = "Westshire Children's Safeguarding Partnership training@westshire-scp.org.uk " + WESTSHIRE["SITE_URL"]
    assert settings_seen_with(env_file)[0] == expected
    assert oct(env_file.stat().st_mode & 0o777) == "0o600"
    assert Partnership.objects.get().name == "Westshire Children's Safeguarding Partnership"


def test_setup_partnership_refuses_what_is_not_an_email_or_web_address(tmp_path, monkeypatch):
    env_file = tmp_path / "lscb.env"
    monkeypatch.setenv("ENV_FILE", str(env_file))
    with pytest.raises(CommandError, match="not an email address.*not a web address"):
        call_command(
            "setup_partnership", "--support-email", "training team", "--site-url", "westshire", interactive=False
        )
    assert not env_file.exists()
