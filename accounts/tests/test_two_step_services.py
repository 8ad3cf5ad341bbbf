"""Two-step sign-in is changed only through the accounts services: each checks and spends the
code, writes the person atomically and leaves an audit entry naming who did it."""

import pytest

from accounts import services, totp
from accounts.errors import AccountError
from accounts.factories import UserFactory, agency_lead, board_member, training_manager
from accounts.models import AuditEntry, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    now = [1795370000.0]
    monkeypatch.setattr(totp, "clock", lambda: now[0])
    return now


def _code(secret: str) -> str:
    return totp.code_at(secret, totp.current_step())


def _wrong(secret: str) -> str:
    return "000000" if _code(secret) != "000000" else "111111"


def test_turning_it_on_needs_a_right_code_and_is_audited(clock):
    david = board_member(full_name="David Reid")
    secret = totp.new_secret()
    with pytest.raises(AccountError, match="That code is not right"):
        services.turn_on_two_step(person=david, secret=secret, code=_wrong(secret))
    assert not User.objects.get(pk=david.pk).uses_two_step
    services.turn_on_two_step(person=david, secret=secret, code=_code(secret))
    david.refresh_from_db()
    assert david.uses_two_step and david.totp_secret == secret
    entry = AuditEntry.objects.get(action="turned on two-step sign-in")
    assert entry.actor == david and entry.object_id == str(david.pk)


def test_staff_cannot_turn_it_on(clock):
    person = UserFactory()
    secret = totp.new_secret()
    with pytest.raises(AccountError, match="for the training manager and Board members"):
        services.turn_on_two_step(person=person, secret=secret, code=_code(secret))
    assert not User.objects.get(pk=person.pk).uses_two_step


def test_a_sign_in_code_works_once(clock):
    david = board_member()
    secret = totp.new_secret()
    services.turn_on_two_step(person=david, secret=secret, code=_code(secret))
    clock[0] += totp.STEP
    code = _code(secret)
    services.check_sign_in_code(person=david, code=code)
    with pytest.raises(AccountError, match="has been used"):
        services.check_sign_in_code(person=david, code=code)


def test_turning_it_off_needs_a_code_from_the_app(clock):
    david = board_member()
    secret = totp.new_secret()
    services.turn_on_two_step(person=david, secret=secret, code=_code(secret))
    clock[0] += totp.STEP
    with pytest.raises(AccountError):
        services.turn_off_two_step(person=david, code=_wrong(secret))
    assert User.objects.get(pk=david.pk).uses_two_step
    services.turn_off_two_step(person=david, code=_code(secret))
    david.refresh_from_db()
    assert not david.uses_two_step and david.totp_secret == "" and david.totp_last_step is None
    assert AuditEntry.objects.filter(action="turned off two-step sign-in", actor=david).exists()


def test_only_the_training_manager_resets_someone_elses(clock):
    david = board_member()
    secret = totp.new_secret()
    services.turn_on_two_step(person=david, secret=secret, code=_code(secret))
    with pytest.raises(AccountError, match="Only the training manager"):
        services.reset_two_step(actor=agency_lead(), person=david)
    assert User.objects.get(pk=david.pk).uses_two_step
    manager = training_manager(full_name="Helen Carter")
    assert services.reset_two_step(actor=manager, person=david) is True
    assert not User.objects.get(pk=david.pk).uses_two_step
    assert AuditEntry.objects.filter(action="turned off two-step sign-in", actor=manager).exists()
    assert services.reset_two_step(actor=manager, person=david) is False  # already off: nothing to log
    assert AuditEntry.objects.filter(action="turned off two-step sign-in", actor=manager).count() == 1
