"""Emailed links that have run their course: the trainer and the delegate are told what happened
and what to do instead, on pages that pass the accessibility check."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.factories import UserFactory, trainer
from courses.factories import BookingFactory, CourseFactory, SessionFactory
from evaluation import services as evaluation_services
from evaluation.models import Invitation, Stage
from pool import services as pool_services
from pool.models import Assignment

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_trainer_opens_an_assignment_link_after_the_session_started(visitor):
    grace = trainer(full_name="Grace Okafor", email="grace.okafor@northshire-hospitals.example.org")
    session = SessionFactory(
        course=CourseFactory(title="Working Together to Safeguard Children"),
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=5),
    )
    # Asked a week before the session: the link works until the session starts.
    assignment = Assignment.objects.create(
        session=session, trainer=grace, assigned_at=session.starts_at - timedelta(days=7)
    )
    page = visitor.go(f"/pool/answer/{pool_services.assignment_token(assignment)}")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has expired")
    expect(page.locator("main")).to_contain_text("could deliver Working Together to Safeguard Children")
    page.get_by_role("link", name="Go to your trainer pool page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    visitor.check()


def test_a_delegate_opens_a_before_the_course_questionnaire_once_the_course_has_started(visitor):
    course = CourseFactory(
        title="Recognising and Responding to Neglect", learning_outcomes="Recognise the signs of neglect"
    )
    evaluation = evaluation_services.settings_for(course)
    started = timezone.now() - timedelta(minutes=5)
    session = SessionFactory(course=course, starts_at=started, ends_at=started + timedelta(hours=3))
    booking = BookingFactory(session=session, person=UserFactory(full_name="Aisha Khan"))
    invitation = Invitation.objects.create(booking=booking, stage=Stage.BEFORE, questionnaire=evaluation.before)
    page = visitor.go(f"/evaluation/answer/{evaluation_services.token_for(invitation)}")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has expired")
    expect(page.locator("main")).to_contain_text("Once the course is over we will email you")
