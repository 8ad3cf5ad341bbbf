"""The before-stage keeps its meaning (it closes when the session starts), and walk-ins are asked after
the course like everyone who attended."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgencyFactory, UserFactory, training_manager
from common.errors import LinkExpired
from courses.factories import BookingFactory, CourseFactory, SessionFactory
from courses.models import Attendance
from courses.services.register import add_walk_in, close_register, record_attendance
from evaluation import selectors, services
from evaluation.models import Invitation, Response, Stage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def run_on_commit(immediate_on_commit, target_groups):
    pass


@pytest.fixture
def course():
    course = CourseFactory(title="Recognising and Responding to Neglect")
    services.settings_for(course)
    return course


def test_before_stage_closes_at_start(client, course):
    session = SessionFactory(course=course, days_ahead=5)
    BookingFactory(session=session, person=UserFactory(full_name="Aisha Khan"))
    services.send_due_invitations(now=session.starts_at - timedelta(days=5))
    invitation = Invitation.objects.get(stage=Stage.BEFORE)
    url = reverse("evaluation:answer", args=[services.token_for(invitation)])
    assert client.get(url).status_code == 200

    # From the start it takes no answers, by the page or by the service, and no reminder goes.
    with pytest.raises(LinkExpired):
        services.submit(invitation=invitation, answers=[], now=session.starts_at)
    assert services.send_reminders(now=session.starts_at + timedelta(days=3)) == 0
    assert not Response.objects.exists()


def test_walk_ins_are_asked_straight_after_and_at_the_follow_up_like_everyone_who_attended(client, course):
    session = SessionFactory(course=course, days_ahead=0)
    session.starts_at = timezone.now() - timedelta(hours=8)
    session.ends_at = timezone.now() - timedelta(hours=1)
    session.save()
    manager = training_manager()
    booking = BookingFactory(session=session, person=UserFactory(full_name="Aisha Khan"))
    record_attendance(actor=manager, session=session, outcomes={booking.pk: Attendance.ATTENDED})
    walk_in = add_walk_in(
        actor=manager,
        session=session,
        email="omar.hussain@northshire-police.example.org",
        full_name="Omar Hussain",
        agency=AgencyFactory(name="Northshire Police"),
    )
    close_register(actor=manager, session=session)
    session.refresh_from_db()

    services.send_due_invitations(now=timezone.now())
    asked = Invitation.objects.get(attendance=walk_in)
    assert asked.stage == Stage.IMMEDIATE and asked.booking is None
    subjects = [m.subject for m in mail.outbox if m.to == ["omar.hussain@northshire-police.example.org"]]
    assert "How was Recognising and Responding to Neglect? Tell us in two minutes" in subjects
    assert services.send_due_invitations(now=timezone.now()) == 0  # never twice

    # The link works without signing in, and the answer counts in the session's results.
    path = reverse("evaluation:answer", args=[services.token_for(asked)])
    page = client.get(path)
    assert page.status_code == 200 and "Omar Hussain" in page.content.decode()
    services.submit(invitation=asked, answers=[])
    rates = {r.stage: r for r in selectors.results(session.__class__.objects.filter(pk=session.pk)).rates}
    assert (rates[Stage.IMMEDIATE].invited, rates[Stage.IMMEDIATE].answered) == (2, 1)

    follow_at = session.ends_at + timedelta(weeks=12)
    services.send_due_invitations(now=follow_at)
    assert Invitation.objects.filter(attendance=walk_in, stage=Stage.FOLLOW_UP).exists()
    # Walk-ins had no booking before the course, so they are never asked the before-stage.
    assert not Invitation.objects.filter(attendance=walk_in, stage=Stage.BEFORE).exists()
