"""Item: links that never expire.

Each kind of emailed link works until what it is for is over, and no longer:

| link | works until |
| --- | --- |
| confidence before the course | the course starts |
| evaluation straight after, follow-up | four weeks after it was sent |
| trainer's assignment | the session starts |
| line manager's approval | the hold on the place ends (`approval_hold_hours`, never past the cut-off) |
| email verification | `ACCOUNT_VERIFICATION_DAYS` after it was sent |
| password reset | `PASSWORD_RESET_TIMEOUT` (a day) after it was sent |

Each is checked with the clock a second before and a second after its end; afterwards the page
says what happened and what to do instead (410 Gone), never a 500 or a bare 403.
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import services as account_services
from accounts.factories import AgencyFactory, UserFactory, trainer
from courses.factories import BookingFactory, CourseFactory, SessionFactory
from courses.models import BookingStatus
from courses.services.booking import approval_token
from evaluation import services as evaluation_services
from evaluation.models import ANSWER_WINDOW, Invitation, Response, Stage
from pool import services as pool_services
from pool.models import Assignment, AssignmentStatus

pytestmark = pytest.mark.django_db

SECOND = timedelta(seconds=1)


@pytest.fixture
def clock(monkeypatch):
    """Stops the service's clock at a chosen moment: every `timezone.now()` answers it."""

    def set_to(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_to


@pytest.fixture
def session():
    """Recognising and Responding to Neglect, three weeks ahead."""
    course = CourseFactory(
        title="Recognising and Responding to Neglect",
        learning_outcomes="Recognise the signs of neglect\nUse the graded care profile",
    )
    return SessionFactory(course=course)


def assert_expired_page(response, *phrases):
    assert response.status_code == 410
    html = response.content.decode()
    assert "This link has expired" in html and "What you can do" in html
    for phrase in phrases:
        assert phrase in html


# --- Evaluation -------------------------------------------------------------------------------------


def invitation_for(session, stage):
    evaluation = evaluation_services.settings_for(session.course)
    questionnaire = {Stage.BEFORE: evaluation.before, Stage.IMMEDIATE: evaluation.immediate}.get(
        stage, evaluation.follow_up
    )
    booking = BookingFactory(session=session, person=UserFactory(full_name="Aisha Khan"))
    return Invitation.objects.create(
        booking=booking, stage=stage, questionnaire=questionnaire, sent_at=session.starts_at - timedelta(days=10)
    )


def test_links_an_evaluation_before_the_course_closes_when_the_course_starts(client, clock, session):
    invitation = invitation_for(session, Stage.BEFORE)
    url = reverse("evaluation:answer", args=[evaluation_services.token_for(invitation)])
    clock(session.starts_at - SECOND)
    assert client.get(url).status_code == 200
    clock(session.starts_at + SECOND)
    assert_expired_page(client.get(url), "The course started on", "Once the course is over")
    assert_expired_page(client.post(url, {}), "The course started on")
    assert not Response.objects.exists()


@pytest.mark.parametrize("stage", [Stage.IMMEDIATE, Stage.FOLLOW_UP])
def test_links_an_evaluation_after_the_course_closes_four_weeks_after_it_was_sent(client, clock, session, stage):
    invitation = invitation_for(session, stage)
    invitation.sent_at = session.ends_at + timedelta(days=1)
    invitation.save()
    url = reverse("evaluation:answer", args=[evaluation_services.token_for(invitation)])
    closes = invitation.sent_at + ANSWER_WINDOW
    clock(closes - SECOND)
    assert client.get(url).status_code == 200
    clock(closes + SECOND)
    assert_expired_page(client.get(url), "Recognising and Responding to Neglect closed on")
    assert not Response.objects.exists()


def test_links_no_reminder_is_sent_for_a_closed_evaluation(clock, session, mailoutbox):
    invitation = invitation_for(session, Stage.IMMEDIATE)
    invitation.sent_at = session.ends_at
    invitation.save()
    evaluation = session.course.evaluation
    evaluation.max_reminders, evaluation.reminder_days = 10, 7
    evaluation.save()
    clock(invitation.sent_at + ANSWER_WINDOW - SECOND)
    assert evaluation_services.send_reminders(timezone.now()) == 1
    clock(invitation.sent_at + ANSWER_WINDOW + timedelta(days=7))
    assert evaluation_services.send_reminders(timezone.now()) == 0


# --- Trainer assignment -----------------------------------------------------------------------------


def test_links_an_assignment_can_be_answered_until_the_session_starts(client, clock, session):
    grace = trainer(full_name="Grace Okafor")
    assignment = Assignment.objects.create(session=session, trainer=grace)
    url = reverse("pool:respond-link", args=[pool_services.assignment_token(assignment)])
    clock(session.starts_at - SECOND)
    assert client.get(url).status_code == 200
    clock(session.starts_at + SECOND)
    assert_expired_page(client.get(url), "The time to answer ended on", "Go to your trainer pool page")
    assert_expired_page(client.post(url, {"decision": "True"}))
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.INVITED and not session.trainers.exists()
    # Signed in, on the trainer's own page, the answer is refused too.
    with pytest.raises(pool_services.PoolError, match="The time to answer this request has passed"):
        pool_services.respond(trainer=grace, assignment=assignment, accepted=True)


def test_links_a_request_to_record_who_delivered_a_session_can_be_answered_for_14_days(client, clock, session):
    grace = trainer(full_name="Grace Okafor")
    # The training manager asks after the session started: recording who delivered it.
    asked = session.starts_at + timedelta(hours=2)
    assignment = Assignment.objects.create(session=session, trainer=grace, assigned_at=asked)
    url = reverse("pool:respond-link", args=[pool_services.assignment_token(assignment)])
    clock(asked + timedelta(days=14) - SECOND)
    assert client.get(url).status_code == 200
    clock(asked + timedelta(days=14) + SECOND)
    assert_expired_page(client.get(url), "The time to answer ended on", "Go to your trainer pool page")
    with pytest.raises(pool_services.PoolError, match="The time to answer this request has passed"):
        pool_services.respond(trainer=grace, assignment=assignment, accepted=True)
    clock(asked + timedelta(days=1))
    pool_services.respond(trainer=grace, assignment=assignment, accepted=True)
    assert list(session.trainers.all()) == [grace]


# --- Line manager's approval ------------------------------------------------------------------------


def test_links_an_approval_works_while_the_place_is_held(client, clock, session):
    school = AgencyFactory(name="Riverside Academy Trust", email_domains="riverside-academies.example.org")
    manager = "sarah.jones@riverside-academies.example.org"  # on the school's own domain: she may approve
    tom = UserFactory(full_name="Tom Fletcher", agency=school, line_manager_email=manager)
    hold_ends = session.starts_at - timedelta(days=5)
    booking = BookingFactory(
        session=session, person=tom, status=BookingStatus.AWAITING_APPROVAL, approval_expires_at=hold_ends
    )
    url = reverse("courses:approval", args=[approval_token(booking, manager)])
    clock(hold_ends - SECOND)
    assert client.get(url).status_code == 200
    clock(hold_ends + SECOND)
    assert_expired_page(client.get(url), "The time to approve Tom Fletcher", "they can book again")
    assert_expired_page(client.post(url, {"decision": "approve"}))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.AWAITING_APPROVAL and booking.approved_at is None


# --- Accounts -------------------------------------------------------------------------------------


def test_links_an_email_verification_works_for_the_set_days(client, settings, monkeypatch):
    settings.ACCOUNT_VERIFICATION_DAYS = 3
    aisha = UserFactory(full_name="Aisha Khan", is_active=False, email_verified_at=None)
    sent = timezone.now().timestamp()
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: sent))
    url = reverse("accounts:verify-email", args=[account_services.verification_token(aisha)])
    lifetime = 3 * 24 * 60 * 60
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: sent + lifetime + 1))
    response = client.get(url)
    assert response.status_code == 400
    assert "This link has expired" in response.content.decode() and "Get a new link" in response.content.decode()
    aisha.refresh_from_db()
    assert aisha.email_verified_at is None
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: sent + lifetime - 1))
    assert client.get(url).status_code == 302
    aisha.refresh_from_db()
    assert aisha.email_verified_at is not None


def test_links_a_password_reset_works_for_a_day(client, settings, monkeypatch):
    tom = UserFactory(full_name="Tom Fletcher")
    sent = timezone.localtime().replace(tzinfo=None)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: sent)
    token = PasswordResetTokenGenerator().make_token(tom)
    url = reverse("accounts:password_reset_confirm", args=[urlsafe_base64_encode(force_bytes(tom.pk)), token])
    lifetime = timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: sent + lifetime + SECOND)
    refused = client.get(url)
    assert refused.status_code == 200 and "The link has expired or has already been used" in refused.content.decode()
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: sent + lifetime - SECOND)
    assert client.get(url).status_code == 302  # on to "Choose a new password"
