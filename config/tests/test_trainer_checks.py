"""One set of trainer checks wherever trainers are chosen: the session form (courses) asks the trainer
pool through `courses.signals.checking_trainers`, and gets the very checks of the session's Trainers page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgencyFactory, trainer, training_manager
from courses.factories import CourseFactory, SessionFactory, VenueFactory
from courses.models import Session
from pool.factories import MembershipFactory, active_member
from pool.models import MembershipStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client):
    client.force_login(training_manager())
    return client


@pytest.fixture
def setting():
    """A session delivered by Grace Okafor, and Sam Newman: lapsed, offering another course, from
    Grace's agency, and delivering elsewhere at the same time. Every check has something to say."""
    health = AgencyFactory(name="Northshire NHS Foundation Trust", sector="health")
    course = CourseFactory(title="Working Together to Safeguard Children")
    grace = active_member(trainer(full_name="Grace Okafor", agency=health), courses=[course]).person
    session = SessionFactory(course=course, venue=VenueFactory(name="Riverside Community Centre"), trainers=[grace])
    sam = trainer(full_name="Sam Newman", agency=health)
    MembershipFactory(person=sam, status=MembershipStatus.LAPSED, courses=[CourseFactory(title="Neglect")])
    SessionFactory(
        course=CourseFactory(title="Domestic Abuse and its Impact on Children"),
        venue=VenueFactory(name="Castlegate Police Headquarters, Learning Centre"),
        trainers=[sam],
    )
    return session, grace, sam


def _session_form(session, trainers, **overrides):
    start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    data = {
        "dates-TOTAL_FORMS": "1",
        "dates-INITIAL_FORMS": "0",
        "dates-0-date": f"{start:%d/%m/%Y}",
        "dates-0-start": f"{start:%H:%M}",
        "dates-0-end": f"{end:%H:%M}",
        "course": session.course_id,
        "venue": session.venue_id,
        "capacity": "20",
        "trainers": [t.pk for t in trainers],
        "venue_cost": "0",
        "trainer_fees": "0",
        "catering_cost": "0",
        "materials_cost": "0",
    }
    data.update(overrides)
    return data


def test_the_session_form_and_the_trainers_page_make_the_same_checks(manager_client, setting):
    session, grace, sam = setting
    on_trainers_page = manager_client.post(
        reverse("pool:session-trainers", args=[session.pk]), {"trainer": sam.pk}
    ).context["warnings"]
    on_session_form = manager_client.post(
        reverse("courses:manage-session-edit", args=[session.pk]), _session_form(session, [grace, sam])
    ).context["warnings"]
    assert len(on_trainers_page) == 4
    assert on_session_form == on_trainers_page
    assert "Sam Newman is not an active pool member (lapsed)." in on_session_form
    assert any("both from Northshire NHS Foundation Trust" in w for w in on_session_form)
    assert any("already committed to Domestic Abuse" in w for w in on_session_form)
    assert any("is not one of the courses Sam Newman offered" in w for w in on_session_form)
    # Nothing changed until the training manager confirms.
    assert list(session.trainers.all()) == [grace]


def test_creating_a_session_checks_its_trainers_and_saves_once_confirmed(manager_client, setting):
    session, grace, sam = setting
    data = _session_form(session, [sam], venue=VenueFactory(name="Eastbridge Library").pk)
    response = manager_client.post(reverse("courses:manage-session-new"), data)
    warnings = response.context["warnings"]
    assert "Sam Newman is not an active pool member (lapsed)." in warnings
    assert "Save the session anyway" in response.content.decode()
    assert Session.objects.count() == 2
    data["confirmed"] = "\n".join(warnings)
    response = manager_client.post(reverse("courses:manage-session-new"), data, follow=True)
    assert "Session created" in response.content.decode()
    created = Session.objects.latest("pk")
    assert list(created.trainers.all()) == [sam]


def test_a_trainer_already_on_the_session_is_not_checked_again(manager_client, setting):
    session, grace, sam = setting
    # Grace is an active member offering the course and has nothing on at the time: no warnings for her,
    # and saving the session with her ticked as before asks nothing.
    later = (timezone.localtime(session.starts_at) + timedelta(days=1)).strftime("%d/%m/%Y")
    response = manager_client.post(
        reverse("courses:manage-session-edit", args=[session.pk]),
        _session_form(session, [grace], **{"dates-0-date": later}),
        follow=True,
    )
    assert "Session saved." in response.content.decode()
