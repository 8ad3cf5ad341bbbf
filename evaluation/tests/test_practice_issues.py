"""Practice issues for the Board's audit and evaluation committee: raised from a delegate's comment,
a focus group or an observation (or from nothing), then moved through their statuses with a history."""

import pytest
from django.urls import reverse

from accounts.factories import UserFactory, training_manager
from courses.factories import BookingFactory, CourseFactory, SessionFactory
from evaluation import services
from evaluation.factories import FocusGroupFactory, InvitationFactory, ObservationFactory, PracticeIssueFactory
from evaluation.models import IssueStatus, PracticeIssue

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return training_manager(full_name="Helen Carter")


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def neglect():
    return CourseFactory(title="Recognising and Responding to Neglect")


@pytest.fixture
def comment(neglect, target_groups):
    """A delegate's free-text answer to the straight-after questionnaire."""
    booking = BookingFactory(session=SessionFactory(course=neglect, days_ahead=-2), person=UserFactory())
    invitation = InvitationFactory(booking=booking)
    item = invitation.questionnaire.items.filter(kind="text").first()
    response = services.submit(
        invitation=invitation, answers=[{"item": item, "text": "Nobody at my school knows who the DSL reports to."}]
    )
    return response.answers.get()


def raise_from(client, source: str, pk: int, title: str):
    """The manager follows "Raise a practice issue from this ..." and fills in the form."""
    url = f"{reverse('evaluation:issues')}?{source}={pk}"
    form = client.get(url)
    assert form.status_code == 200
    return form, client.post(url, {"title": title, "description": "For the March committee."}, follow=True)


def test_an_issue_raised_from_a_comment_keeps_the_comment(manager_client, comment):
    form, response = raise_from(manager_client, "answer", comment.pk, "Schools unsure who their DSL reports to")
    assert "From a comment: “Nobody at my school knows who the DSL reports to.”" in form.content.decode()
    page = response.content.decode()
    assert "Issue raised for the audit and evaluation committee." in page
    issue = PracticeIssue.objects.get()
    assert issue.answer == comment and issue.focus_group is None and issue.observation is None
    assert "From a comment on" in page and "Nobody at my school knows who the DSL reports to." in page


def test_an_issue_raised_from_a_focus_group_names_it(manager_client, neglect):
    group = FocusGroupFactory(course=neglect)
    form, response = raise_from(manager_client, "focus_group", group.pk, "Thresholds unclear to school staff")
    held = f"{group.held_on:%-d %B %Y}"
    assert f"From the focus group on {held}" in form.content.decode()
    assert PracticeIssue.objects.get().focus_group == group
    assert f"From the focus group on Recognising and Responding to Neglect, {held}" in response.content.decode()


def test_an_issue_raised_from_an_observation_names_the_session(manager_client, neglect):
    observation = ObservationFactory(session=SessionFactory(course=neglect, days_ahead=-7))
    form, response = raise_from(manager_client, "observation", observation.pk, "Too little time for the exercise")
    assert f"From the observation of {observation.session}" in form.content.decode()
    assert PracticeIssue.objects.get().observation == observation
    assert f"From the observation of {observation.session}" in response.content.decode()


def test_a_source_that_does_not_exist_answers_404_and_raises_nothing(manager_client):
    assert manager_client.get(f"{reverse('evaluation:issues')}?observation=999999").status_code == 404
    response = manager_client.post(
        f"{reverse('evaluation:issues')}?focus_group=999999", {"title": "Anything", "description": "Anything"}
    )
    assert response.status_code == 404 and not PracticeIssue.objects.exists()


def test_an_issue_moves_through_its_statuses_and_its_history_says_who_and_why(manager_client, manager):
    issue = services.raise_issue(actor=manager, title="Referral thresholds unclear", description="From evaluations")
    url = reverse("evaluation:issue", args=[issue.pk])
    steps = [
        (IssueStatus.TAKEN, "On the agenda for 12 March"),
        (IssueStatus.AGREED, "Committee asked for a one-page thresholds guide"),
        (IssueStatus.CLOSED, "Guide published on the partnership website"),
    ]
    for status, note in steps:
        response = manager_client.post(url, {"status": status, "note": note}, follow=True)
        assert "Status changed." in response.content.decode()
    page = response.content.decode()
    assert "Practice issue: closed" in page
    history = [(h.status, h.note, h.changed_by) for h in PracticeIssue.objects.get().history.all()]
    assert history == [(IssueStatus.RAISED, "Raised.", manager)] + [(s, n, manager) for s, n in steps]
    for label, note in (
        ("Taken to committee", "On the agenda for 12 March"),
        ("Action agreed", "Committee asked for a one-page thresholds guide"),
        ("Closed", "Guide published on the partnership website"),
    ):
        assert f"{label} (Helen Carter) {note}" in page
    # A closed issue no longer counts as open on the list.
    assert "0 open." in manager_client.get(reverse("evaluation:issues")).content.decode()


def test_a_status_change_needs_a_new_status_and_a_note(manager_client, manager):
    issue = PracticeIssueFactory(raised_by=manager)
    url = reverse("evaluation:issue", args=[issue.pk])
    page = manager_client.post(url, {"status": "", "note": ""}).content.decode()
    assert "Choose a status" in page and "Say what happened" in page
    page = manager_client.post(url, {"status": IssueStatus.RAISED, "note": "Still raised"}).content.decode()
    assert "The issue is already raised." in page
    page = manager_client.post(url, {"status": "archived", "note": "Gone"}).content.decode()
    assert "Select a valid choice" in page
    assert PracticeIssue.objects.get().status == IssueStatus.RAISED and not issue.history.exists()


def test_raising_an_issue_needs_a_title_and_a_description(manager_client):
    page = manager_client.post(reverse("evaluation:issues"), {"title": " ", "description": ""}).content.decode()
    assert "Enter a short title" in page and "Describe the issue for the committee" in page
    assert not PracticeIssue.objects.exists()
