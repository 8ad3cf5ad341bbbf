"""Removing questions from questionnaires (in place while nobody has been asked it, as a new version
once people have answered, so old answers keep their questions), small groups hidden in results, and
who may reach the training manager's evaluation pages."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.factories import AgencyFactory, UserFactory, agency_lead, board_member, trainer, training_manager
from courses.factories import BookingFactory, CourseFactory, SessionFactory
from evaluation import selectors, services
from evaluation.factories import InvitationFactory, PracticeIssueFactory
from evaluation.models import Answer, CourseEvaluation, FocusGroup, Item, Questionnaire, TextStatus

pytestmark = pytest.mark.django_db

RECOMMEND = "Would you recommend this course to a colleague?"


@pytest.fixture(autouse=True)
def groups(target_groups):
    pass


@pytest.fixture
def manager_client(client):
    client.force_login(training_manager(full_name="Helen Carter"))
    return client


@pytest.fixture
def neglect():
    course = CourseFactory(
        title="Recognising and Responding to Neglect",
        learning_outcomes="Recognise the signs of neglect\nUse the graded care profile\nKnow when to refer",
    )
    services.settings_for(course)
    return course


def answered(course, *, agreement=4, choice="Yes", comment=""):
    """One delegate's answers to the course's straight-after questionnaire."""
    booking = BookingFactory(session=SessionFactory(course=course, days_ahead=-2), person=UserFactory())
    invitation = InvitationFactory(booking=booking)
    items = {item.text: item for item in invitation.questionnaire.items.all()}
    answers = [
        {"item": items["The course met its learning outcomes."], "number": agreement},
        {"item": items[RECOMMEND], "choices": [choice]},
    ]
    if comment:
        answers.append({"item": items["How could the course be better?"], "text": comment})
    return services.submit(invitation=invitation, answers=answers)


def test_question_results_are_whole_numbers_in_the_order_the_questions_are_asked(neglect, settings):
    """The counts are whole numbers (however the database sums them), and the questions come in the
    questionnaire's order whichever was answered first."""
    settings.EVALUATION_MIN_GROUP = 1
    booking = BookingFactory(session=SessionFactory(course=neglect, days_ahead=-2), person=UserFactory())
    invitation = InvitationFactory(booking=booking)
    items = {item.text: item for item in invitation.questionnaire.items.all()}
    services.submit(
        invitation=invitation,
        answers=[
            {"item": items[RECOMMEND], "choices": ["Yes"]},
            {"item": items["The course met its learning outcomes."], "number": 4},
        ],
    )
    answered(neglect, agreement=5, choice="No")
    result = selectors.results(selectors.sessions_in(course=neglect))
    asked = [item.text for item in invitation.questionnaire.items.order_by("position")]
    assert [item.text for item in result.items] == [text for text in asked if text in {i.text for i in result.items}]
    met = next(item for item in result.items if item.text == "The course met its learning outcomes.")
    recommend = next(item for item in result.items if item.text == RECOMMEND)
    assert (met.responses, met.average) == (2, Decimal("4.5")) and type(met.responses) is int
    assert recommend.shares == [("Yes", 1, 50), ("Not sure", 0, 0), ("No", 1, 50)]
    assert all(type(n) is int for _, n, _ in recommend.shares)


# --- Removing questions --------------------------------------------------------------------------


def test_a_question_nobody_has_been_asked_is_removed_in_place(manager_client):
    services.ensure_standard_questionnaires()
    follow_up = services.current_version("Follow-up on practice")
    before = list(follow_up.items.values_list("text", flat=True))
    item = follow_up.items.get(position=2)

    response = manager_client.post(reverse("evaluation:remove-item", args=[item.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("evaluation:questionnaire", args=[follow_up.pk])
    assert "Question removed." in response.content.decode()
    assert list(follow_up.items.values_list("text", flat=True)) == [t for t in before if t != item.text]
    assert Questionnaire.objects.filter(name="Follow-up on practice").count() == 1  # no new version


def test_removing_a_question_people_have_answered_makes_a_new_version_and_old_answers_keep_theirs(
    manager_client, neglect
):
    first = answered(neglect, choice="Not sure")
    version_1 = neglect.evaluation.immediate
    question = version_1.items.get(text=RECOMMEND)

    response = manager_client.post(reverse("evaluation:remove-item", args=[question.pk]), follow=True)
    version_2 = services.current_version("Course evaluation")
    assert (version_2.version, version_2.previous) == (2, version_1)
    assert "Question removed from the new version 2." in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("evaluation:questionnaire", args=[version_2.pk])
    # The new version asks everything but that question; the old one still has it, and its answer.
    assert RECOMMEND not in version_2.items.values_list("text", flat=True)
    assert version_2.items.count() == version_1.items.count() - 1 == 7
    assert Item.objects.filter(pk=question.pk, questionnaire=version_1).exists()
    kept = Answer.objects.get(response=first, item__text=RECOMMEND)
    assert kept.item == question and kept.choices == ["Not sure"]
    # Courses now ask the new version; the old one's page says it is kept for its answers.
    assert CourseEvaluation.objects.get(course=neglect).immediate == version_2
    old_page = manager_client.get(reverse("evaluation:questionnaire", args=[version_1.pk])).content.decode()
    assert "This is an old version, kept for the answers it has." in old_page and "Remove" not in old_page


def test_an_old_version_cannot_be_changed(manager_client, neglect):
    answered(neglect)
    version_1 = neglect.evaluation.immediate
    services.remove_item(actor=training_manager(), item=version_1.items.get(text=RECOMMEND))
    old_item = version_1.items.get(position=2)
    response = manager_client.post(reverse("evaluation:remove-item", args=[old_item.pk]), follow=True)
    assert "This is an old version. Change the current one." in response.content.decode()
    assert version_1.items.filter(pk=old_item.pk).exists()
    assert Questionnaire.objects.filter(name="Course evaluation").count() == 2


def test_removing_a_question_that_does_not_exist_answers_404(manager_client):
    assert manager_client.post(reverse("evaluation:remove-item", args=[999999])).status_code == 404


# --- Small groups hidden -------------------------------------------------------------------------


def test_question_results_and_comments_appear_only_from_five_answers(client, neglect, settings):
    settings.EVALUATION_MIN_GROUP = 5
    manager = training_manager()
    for agreement, choice in ((4, "Yes"), (4, "Yes"), (3, "Not sure"), (5, "Yes")):
        response = answered(neglect, agreement=agreement, choice=choice, comment="More case studies, please.")
        services.review_text(actor=manager, answer=response.answers.get(text__startswith="More"), status="approved")
    result = selectors.results(selectors.sessions_in(course=neglect))
    met = next(item for item in result.items if item.text == "The course met its learning outcomes.")
    assert met.responses == 4 and not met.shown
    assert result.comments == []  # four approved comments: too few to show
    client.force_login(board_member())
    url = reverse("evaluation:course-results", args=[neglect.pk])
    assert "Too few responses (4)." in client.get(url).content.decode()

    response = answered(neglect, agreement=3, choice="No", comment="More case studies, please.")
    services.review_text(actor=manager, answer=response.answers.get(text__startswith="More"), status="approved")
    result = selectors.results(selectors.sessions_in(course=neglect))
    met = next(item for item in result.items if item.text == "The course met its learning outcomes.")
    recommend = next(item for item in result.items if item.text == RECOMMEND)
    # Agreement (4 + 4 + 3 + 5 + 3) / 5 = 3.8; recommend: Yes 3 of 5 = 60%, Not sure 1 = 20%, No 1 = 20%.
    assert (met.responses, met.shown, met.average) == (5, True, Decimal("3.8"))
    assert recommend.shares == [("Yes", 3, 60), ("Not sure", 1, 20), ("No", 1, 20)]
    # Five people wrote the same words: enough to show, quoted once.
    assert result.comments == ["More case studies, please."]
    page = client.get(url).content.decode()
    assert "Average 3.8 on a scale from 1 (strongly disagree) to 5 (strongly agree), from 5 answers." in page
    assert "60% of 5" in page


def test_comments_waiting_for_review_never_count_towards_the_five(neglect, settings):
    settings.EVALUATION_MIN_GROUP = 5
    for _ in range(5):
        answered(neglect, comment="The venue was too cold.")
    assert Answer.objects.filter(text_status=TextStatus.PENDING).count() == 5
    assert selectors.results(selectors.sessions_in(course=neglect)).comments == []


# --- Who may reach the training manager's pages --------------------------------------------------


@pytest.fixture
def others():
    police = AgencyFactory(name="Northshire Police")
    return {
        "staff": UserFactory(full_name="Tom Fletcher", agency=police),
        "agency lead": agency_lead(agency=police),
        "trainer": trainer(agency=police),
        "Board member": board_member(),
    }


def test_nobody_but_the_training_manager_reaches_the_evaluation_pages_or_changes_anything(client, others, neglect):
    services.ensure_standard_questionnaires()
    questionnaire = services.current_version("Follow-up on practice")
    item = questionnaire.items.first()
    issue = PracticeIssueFactory()
    session = SessionFactory(course=neglect, days_ahead=-7)
    pages = [
        reverse("evaluation:index"),
        reverse("evaluation:questionnaire", args=[questionnaire.pk]),
        reverse("evaluation:course-settings", args=[neglect.pk]),
        reverse("evaluation:comments"),
        reverse("evaluation:focus-groups"),
        reverse("evaluation:observations", args=[session.pk]),
        reverse("evaluation:issues"),
        reverse("evaluation:issue", args=[issue.pk]),
    ]
    for role, person in others.items():
        client.force_login(person)
        for url in pages:
            assert client.get(url).status_code == 403, f"{role}: {url}"
        assert client.post(reverse("evaluation:remove-item", args=[item.pk])).status_code == 403, role
        focus_group = {"course": neglect.pk, "held_on": "12/03/2026", "participants": "9", "themes": "Thresholds"}
        assert client.post(reverse("evaluation:focus-groups"), focus_group).status_code == 403, role
        change = {"status": "closed", "note": "Done"}
        assert client.post(reverse("evaluation:issue", args=[issue.pk]), change).status_code == 403, role
    assert questionnaire.items.filter(pk=item.pk).exists()
    assert not FocusGroup.objects.exists()
    issue.refresh_from_db()
    assert issue.status == "raised"


def test_the_board_reads_results_but_no_one_else_does(client, others, neglect):
    url = reverse("evaluation:course-results", args=[neglect.pk])
    for role, person in others.items():
        client.force_login(person)
        assert client.get(url).status_code == (200 if role == "Board member" else 403), role
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and reverse("accounts:sign-in") in response.url


# --- The annual report's quality section, by course ------------------------------------------------


def test_results_by_course_group_each_courses_answers_with_the_small_group_threshold(neglect, settings):
    """Neglect: five delegates answered (agreement 4, 4, 4, 5, 3 = 4.0; recommend Yes 4 of 5 = 80%), and
    two wrote the same comment, quoted once. Domestic abuse: two answered, too few to show. Each course's
    figures are its own, in three queries whatever the number of courses."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    settings.EVALUATION_MIN_GROUP = 5
    manager = training_manager()
    for agreement, choice, comment in (
        (4, "Yes", "More case studies."),
        (4, "Yes", "More case studies."),
        (4, "Yes", ""),
        (5, "Yes", ""),
        (3, "No", ""),
    ):
        response = answered(neglect, agreement=agreement, choice=choice, comment=comment)
        if comment:
            services.review_text(actor=manager, answer=response.answers.get(text=comment), status="approved")
    abuse = CourseFactory(title="Domestic Abuse and its Impact on Children")
    services.settings_for(abuse)
    for _ in range(2):
        answered(abuse, agreement=2, choice="No")

    today = timezone.localdate()
    with CaptureQueriesContext(connection) as queries:
        found = selectors.results_by_course(today.replace(year=today.year - 1), today)
    assert len(queries.captured_queries) == 3
    by_title = {course.title: result for course, result in found}
    assert list(by_title) == ["Domestic Abuse and its Impact on Children", "Recognising and Responding to Neglect"]
    neglect_result = by_title["Recognising and Responding to Neglect"]
    met = next(item for item in neglect_result.items if item.text == "The course met its learning outcomes.")
    recommend = next(item for item in neglect_result.items if item.text == RECOMMEND)
    assert (met.responses, met.shown, met.average) == (5, True, Decimal("4.0"))
    assert recommend.shares == [("Yes", 4, 80), ("Not sure", 0, 0), ("No", 1, 20)]
    assert neglect_result.sessions == 5 and neglect_result.comments == []  # two comments: under five people
    abuse_met = next(
        item for item in by_title["Domestic Abuse and its Impact on Children"].items if item.kind == "agreement"
    )
    assert (abuse_met.responses, abuse_met.shown) == (2, False)


def test_practice_issues_raised_in_the_period_with_status_and_where_they_came_from(neglect):
    from datetime import timedelta

    from django.utils import timezone

    from evaluation.factories import FocusGroupFactory

    now = timezone.now()
    PracticeIssueFactory(title="Old issue", raised_at=now - timedelta(days=800))
    PracticeIssueFactory(
        title="Schools unsure how to refer to the front door",
        status="agreed",
        focus_group=FocusGroupFactory(course=neglect),
        raised_at=now - timedelta(days=3),
    )
    found = selectors.practice_issues_raised(timezone.localdate() - timedelta(days=30), timezone.localdate())
    assert [(i.title, i.status, i.source) for i in found] == [
        (
            "Schools unsure how to refer to the front door",
            "Action agreed",
            "Focus group on Recognising and Responding to Neglect",
        )
    ]
