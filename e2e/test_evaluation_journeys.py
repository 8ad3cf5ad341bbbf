"""A delegate answers the course evaluation from the emailed link, their certificate unlocks,
and the training manager sees the course's results with the chart."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.factories import UserFactory, training_manager
from courses.factories import AttendanceRecordFactory, BookingFactory, CourseFactory, SessionFactory
from courses.models import Attendance
from courses.services.register import close_register
from evaluation import services
from evaluation.models import CourseEvaluation, Invitation, Stage

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_delegate_answers_the_evaluation_and_gets_their_certificate(visitor, target_groups, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EVALUATION_MIN_GROUP = 1
    course = CourseFactory(
        title="Recognising and Responding to Neglect",
        learning_outcomes="Recognise the signs of neglect\nUse the graded care profile",
    )
    services.settings_for(course)
    CourseEvaluation.objects.filter(course=course).update(certificate_needs_evaluation=True)
    session = SessionFactory(course=course, days_ahead=-1)
    aisha = UserFactory(full_name="Aisha Khan", email="aisha.khan@example.org")
    booking = BookingFactory(session=session, person=aisha)
    AttendanceRecordFactory(session=session, person=aisha, booking=booking, outcome=Attendance.ATTENDED)
    # She rated her confidence before the course, so the results can show before against after.
    ce = CourseEvaluation.objects.get(course=course)
    before = Invitation.objects.create(booking=booking, stage=Stage.BEFORE, questionnaire=ce.before)
    rating = ce.before.items.get(kind="confidence")
    services.submit(
        invitation=before,
        answers=[{"item": rating, "outcome": 0, "number": 3}, {"item": rating, "outcome": 1, "number": 2}],
        now=session.starts_at - timedelta(days=2),
    )
    manager = training_manager(email="helen.carter@example.org")
    close_register(actor=manager, session=session)
    Invitation.objects.get(booking=booking, stage=Stage.IMMEDIATE)
    email = next(m for m in mail.outbox if m.to == ["aisha.khan@example.org"] and "How was" in m.subject)
    link = re.search(r"https?://\S+/evaluation/answer/\S+", email.body).group(0)
    path = "/" + link.split("/", 3)[3]

    page = visitor.sign_in("aisha.khan@example.org")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="My training").click()
    expect(page.locator("main")).to_contain_text(
        "Answer the course evaluation to get your certificate", use_inner_text=True
    )
    visitor.check()
    page = visitor.go(path)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    visitor.check()
    for group in page.locator("fieldset").all():
        group.locator("input").last.check()
    for box in page.locator("textarea").all():
        box.fill("I will use the graded care profile with a family I visit.")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Thank you", use_inner_text=True)
    visitor.check()
    page.get_by_role("link", name="My training").first.click()
    expect(page.get_by_role("link", name=re.compile("Download certificate"))).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    page = visitor.sign_in("helen.carter@example.org")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Evaluation").click()
    visitor.check()
    page.get_by_role("link", name="Results for Recognising and Responding to Neglect").click()
    visitor.check()
    expect(page.locator("svg[role=img]").first).to_be_visible()
    assert "Confidence before and after the course" in page.locator("svg title").first.text_content()
    expect(page.locator("main")).to_contain_text("Straight after the course", use_inner_text=True)
    assert re.search(r"Straight after the course\s+1\s+1\s+100%", page.locator("main").inner_text())
