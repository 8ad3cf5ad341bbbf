"""Every 403 was logged twice with a full traceback: Django's own console handler printed each request
warning beside the service's, and a PermissionDenied carries its traceback. A refusal is now one line."""

import logging

import pytest
from django.test import Client

from accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def refusals(caplog):
    return [r for r in caplog.records if r.levelno == logging.WARNING and "403" in r.getMessage()]


def test_every_403_is_logged_once_on_one_line_with_who_path_and_why(client, caplog):
    teacher = UserFactory(full_name="Jo Baker")
    client.force_login(teacher)
    with caplog.at_level(logging.INFO):
        assert client.get("/manage/people").status_code == 403
    (record,) = refusals(caplog)
    assert record.getMessage() == f"Refused (403): user {teacher.pk}, GET /manage/people: Permission denied"
    assert record.exc_info is None and record.exc_text is None
    assert "\n" not in logging.Formatter("%(message)s").format(record)
    assert teacher.email not in caplog.text
    # One handler prints it (the service's, on the root logger): Django's loggers have none of their own.
    assert logging.getLogger("django").handlers == []
    assert logging.getLogger("django.request").handlers == []


def test_a_refused_form_post_without_its_csrf_token_is_one_line_too(caplog):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    with caplog.at_level(logging.INFO):
        assert client.post("/account/profile/edit", {"full_name": "Jo Baker"}).status_code == 403
    (record,) = refusals(caplog)
    assert record.getMessage().startswith("Refused (403): user ")
    assert "POST /account/profile/edit: CSRF" in record.getMessage()
    assert record.exc_info is None
