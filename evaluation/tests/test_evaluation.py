"""Invitations at the configured moments (never twice), reminders to a limit, single-use links,
aggregate results with small groups hidden, versions, the certificate gate and practice issues."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.factories import UserFactory, board_member, training_manager
from courses.factories import AttendanceRecordFactory, BookingFactory, CourseFactory, SessionFactory
from courses.models import Attendance
from evaluation import selectors, services
from evaluation.models import CourseEvaluation, Invitation, IssueStatus, Questionnaire, Stage, TextStatus
from evaluation.services import EvaluationError

pytestmark = pytest.mark.django_db
OUTCOMES = "Recognise the signs of neglect\nUse the graded care profile\nKnow when to refer"


@pytest.fixture(autouse=True)
def run_on_commit(immediate_on_commit, target_groups):
    pass


@pytest.fixture
def course():
    course = CourseFactory(title="Recognising and Responding to Neglect", learning_outcomes=OUTCOMES)
    services.settings_for(course)
    return course


def attended(session, n=1):
    bookings = []
    for _ in range(n):
        booking = BookingFactory(session=session, person=UserFactory())
        AttendanceRecordFactory(session=session, person=booking.person, booking=booking, outcome=Attendance.ATTENDED)
        bookings.append(booking)
    return bookings


def test_the_standard_questionnaires_are_installed_and_a_course_starts_with_them(course):
    ce = CourseEvaluation.objects.get(course=course)
    assert (ce.before.name, ce.immediate.name, ce.follow_up.name) == (
        "Confidence before the course",
        "Course evaluation",
        "Follow-up on practice",
    )
    assert ce.follow_up_weeks == 12 and ce.immediate.items.count() == 8


def test_before_invitations_go_the_set_days_before_and_never_twice(course):
    session = SessionFactory(course=course, days_ahead=30)
    booking = BookingFactory(session=session, person=UserFactory(email="aisha.khan@example.org"))
    start = session.starts_at
    assert services.send_due_invitations(now=start - timedelta(days=7, minutes=1)) == 0
    assert services.send_due_invitations(now=start - timedelta(days=7)) == 1
    assert services.send_due_invitations(now=start - timedelta(days=6)) == 0  # never twice
    invitation = Invitation.objects.get(booking=booking)
    assert invitation.stage == Stage.BEFORE
    assert mail.outbox[-1].to == ["aisha.khan@example.org"] and "/evaluation/answer/" in mail.outbox[-1].body


def test_straight_after_goes_when_the_register_closes_and_the_follow_up_the_set_weeks_later(course):
    session = SessionFactory(course=course, days_ahead=-1)
    [booking] = attended(session)
    no_show = BookingFactory(session=session, person=UserFactory())
    AttendanceRecordFactory(session=session, person=no_show.person, booking=no_show, outcome=Attendance.NO_SHOW)
    assert services.send_due_invitations(now=timezone.now()) == 0  # register still open
    session.register_closed_at = timezone.now()
    session.save()
    assert services.send_due_invitations(now=timezone.now()) == 1
    assert Invitation.objects.get().stage == Stage.IMMEDIATE and Invitation.objects.get().booking == booking
    follow_at = session.ends_at + timedelta(weeks=12)
    assert services.send_due_invitations(now=follow_at - timedelta(hours=1)) == 0
    assert services.send_due_invitations(now=follow_at) == 1
    assert services.send_due_invitations(now=follow_at + timedelta(days=1)) == 0
    assert sorted(Invitation.objects.values_list("stage", flat=True)) == [Stage.FOLLOW_UP, Stage.IMMEDIATE]


def test_reminders_stop_at_the_limit_and_never_go_to_those_who_answered(course):
    session = SessionFactory(course=course, days_ahead=-1)
    first, second = attended(session, 2)
    sent = timezone.now()
    Invitation.objects.create(
        booking=first, stage=Stage.IMMEDIATE, questionnaire=course.evaluation.immediate, sent_at=sent
    )
    Invitation.objects.create(
        booking=second, stage=Stage.IMMEDIATE, questionnaire=course.evaluation.immediate, sent_at=sent, answered_at=sent
    )
    assert services.send_reminders(now=sent + timedelta(days=6)) == 0
    assert services.send_reminders(now=sent + timedelta(days=7)) == 1
    assert services.send_reminders(now=sent + timedelta(days=7, hours=1)) == 0
    assert services.send_reminders(now=sent + timedelta(days=14)) == 1
    assert services.send_reminders(now=sent + timedelta(days=60)) == 0  # two is the limit
    assert Invitation.objects.get(booking=first).reminders_sent == 2
    assert mail.outbox[-1].subject.startswith("Reminder:")


def answer_data(invitation, rating=7):
    data = {}
    for item in invitation.questionnaire.items.all():
        if item.kind == "confidence":
            for index in range(3):
                data[f"item_{item.pk}_{index}"] = str(rating)
        elif item.kind == "agreement":
            data[f"item_{item.pk}"] = "4"
        elif item.kind in ("single", "multiple"):
            data[f"item_{item.pk}"] = item.choices[0]
        else:
            data[f"item_{item.pk}"] = "Use the graded care profile at my next home visit."
    return data


def test_the_link_works_without_signing_in_once_and_refuses_tampering(client, course):
    session = SessionFactory(course=course, days_ahead=-1)
    [booking] = attended(session)
    invitation = Invitation.objects.create(
        booking=booking, stage=Stage.IMMEDIATE, questionnaire=course.evaluation.immediate
    )
    url = reverse("evaluation:answer", args=[services.token_for(invitation)])
    page = client.get(url).content.decode()
    assert "Recognise the signs of neglect" in page
    response = client.post(url, {})
    assert "There is a problem" in response.content.decode()
    assert not Invitation.objects.get(pk=invitation.pk).answered_at  # nothing half-saved
    response = client.post(url, answer_data(invitation))
    assert "Thank you" in response.content.decode()
    again = client.post(url, answer_data(invitation, rating=1))
    assert "You have already answered" in again.content.decode()
    assert invitation.response.answers.filter(number=1).count() == 0
    bad = client.get(reverse("evaluation:answer", args=[services.token_for(invitation)[:-3] + "abc"]))
    assert bad.status_code == 400 and "This link is not valid" in bad.content.decode()


def rate(course, session, before, after):
    """One delegate's before and after confidence on the first outcome."""
    [booking] = attended(session)
    ce = course.evaluation
    for stage, questionnaire, value in ((Stage.BEFORE, ce.before, before), (Stage.IMMEDIATE, ce.immediate, after)):
        invitation = Invitation.objects.create(booking=booking, stage=stage, questionnaire=questionnaire)
        item = questionnaire.items.get(kind="confidence")
        # Each answered in its stage: before the course started, after straight after it.
        when = session.starts_at - timedelta(days=1) if stage == Stage.BEFORE else None
        services.submit(invitation=invitation, answers=[{"item": item, "outcome": 0, "number": value}], now=when)


def test_before_and_after_against_a_hand_computed_fixture_and_small_groups_hidden(course, settings):
    settings.EVALUATION_MIN_GROUP = 5
    session = SessionFactory(course=course, days_ahead=-1)
    for before, after in ((4, 7), (5, 8), (6, 8), (3, 6)):
        rate(course, session, before, after)
    four = selectors.results(selectors.sessions_in(course=course)).confidence[0]
    assert four.pairs == 4 and not four.shown and four.change is None
    rate(course, session, 2, 6)
    five = selectors.results(selectors.sessions_in(course=course)).confidence[0]
    # Before: (4+5+6+3+2)/5 = 4.0; after: (7+8+8+6+6)/5 = 7.0; change +3.0
    assert (five.outcome, five.pairs, five.before, five.after, five.change) == (
        "Recognise the signs of neglect",
        5,
        Decimal("4.0"),
        Decimal("7.0"),
        Decimal("3.0"),
    )
    rates = {
        r.stage: (r.invited, r.answered, r.rate) for r in selectors.results(selectors.sessions_in(course=course)).rates
    }
    assert rates[Stage.BEFORE] == (5, 5, 100)


def test_only_delegates_who_rated_an_outcome_before_and_straight_after_make_a_pair(course, settings):
    """Two delegates rated the first outcome before and after; two more rated it only straight after,
    one of them the third outcome too, and a walk-in (never asked before the course) the second. The
    first outcome has two pairs; the third is listed with none; the walk-in's rating is no pair."""
    settings.EVALUATION_MIN_GROUP = 2
    session = SessionFactory(course=course, days_ahead=-1)
    for before, after in ((4, 7), (6, 9)):
        rate(course, session, before, after)
    immediate = course.evaluation.immediate
    item = immediate.items.get(kind="confidence")
    for ratings in ({0: 2}, {0: 3, 2: 8}):
        [booking] = attended(session)
        invitation = Invitation.objects.create(booking=booking, stage=Stage.IMMEDIATE, questionnaire=immediate)
        answers = [{"item": item, "outcome": outcome, "number": value} for outcome, value in ratings.items()]
        services.submit(invitation=invitation, answers=answers)
    walk_in = AttendanceRecordFactory(
        session=session, person=UserFactory(), booking=None, walk_in=True, outcome=Attendance.ATTENDED
    )
    invitation = Invitation.objects.create(attendance=walk_in, stage=Stage.IMMEDIATE, questionnaire=immediate)
    services.submit(invitation=invitation, answers=[{"item": item, "outcome": 1, "number": 5}])

    result = selectors.results(selectors.sessions_in(course=course))
    # Before (4+6)/2 = 5.0, after (7+9)/2 = 8.0: the ratings given only afterwards do not count.
    assert [(c.outcome, c.pairs, c.before, c.after) for c in result.confidence] == [
        ("Recognise the signs of neglect", 2, Decimal("5.0"), Decimal("8.0")),
        ("Know when to refer", 0, None, None),
    ]
    assert {r.stage: (r.invited, r.answered) for r in result.rates}[Stage.IMMEDIATE] == (5, 5)


def test_results_page_hides_individuals_and_shows_the_chart(client, course, settings):
    settings.EVALUATION_MIN_GROUP = 5
    session = SessionFactory(course=course, days_ahead=-1)
    for before, after in ((4, 7), (5, 8), (6, 8), (3, 6)):
        rate(course, session, before, after)
    client.force_login(board_member())
    url = reverse("evaluation:course-results", args=[course.pk])
    page = client.get(url).content.decode()
    assert "too few responses" in page and "<svg" not in page
    rate(course, session, 2, 6)
    page = client.get(url).content.decode()
    assert "<svg" in page and "+3.0" in page and "too few responses" not in page
    assert (
        client.get(reverse("evaluation:comments")).status_code == 403
    )  # individual answers: the training manager only


def test_results_count_only_the_sessions_delivered(client, course):
    SessionFactory(course=course, days_ahead=-10)
    SessionFactory(course=course, days_ahead=-3, status="cancelled")
    SessionFactory(course=course, days_ahead=14)  # still to come: nothing delivered, nothing to evaluate
    client.force_login(training_manager())
    page = client.get(reverse("evaluation:course-results", args=[course.pk])).content.decode()
    assert "1 session delivered." in page
    assert selectors.results(selectors.sessions_in(course=course)).sessions == 1


def test_comments_appear_only_once_approved(course, settings):
    settings.EVALUATION_MIN_GROUP = 1
    manager = training_manager()
    session = SessionFactory(course=course, days_ahead=-1)
    [booking] = attended(session)
    invitation = Invitation.objects.create(
        booking=booking, stage=Stage.IMMEDIATE, questionnaire=course.evaluation.immediate
    )
    item = course.evaluation.immediate.items.filter(kind="text").first()
    response = services.submit(
        invitation=invitation, answers=[{"item": item, "text": "More time on case studies, please."}]
    )
    answer = response.answers.get()
    assert answer.text_status == TextStatus.PENDING
    assert selectors.results(selectors.sessions_in(course=course)).comments == []
    services.review_text(actor=manager, answer=answer, status=TextStatus.APPROVED)
    assert selectors.results(selectors.sessions_in(course=course)).comments == ["More time on case studies, please."]


def test_changing_an_answered_questionnaire_makes_a_new_version_that_courses_switch_to(course):
    manager = training_manager()
    immediate = course.evaluation.immediate
    session = SessionFactory(course=course, days_ahead=-1)
    [booking] = attended(session)
    Invitation.objects.create(booking=booking, stage=Stage.IMMEDIATE, questionnaire=immediate)
    item = services.add_item(
        actor=manager, questionnaire=immediate, kind="single", text="Was the venue suitable?", choices=["Yes", "No"]
    )
    new = item.questionnaire
    assert new.version == 2 and new.previous == immediate and new.items.count() == immediate.items.count() + 1
    assert CourseEvaluation.objects.get(course=course).immediate == new
    assert not Questionnaire.objects.get(pk=immediate.pk).is_current
    with pytest.raises(EvaluationError, match="at least two options"):
        services.add_item(actor=manager, questionnaire=new, kind="multiple", text="Which?", choices=["Only one"])


def test_the_certificate_waits_for_the_evaluation_where_the_course_asks(client, course, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from courses.services.register import close_register

    CourseEvaluation.objects.filter(course=course).update(certificate_needs_evaluation=True)
    session = SessionFactory(course=course, days_ahead=-1)
    [booking] = attended(session)
    close_register(actor=training_manager(), session=session)  # sends the straight-after invitation at once
    invitation = Invitation.objects.get(booking=booking, stage=Stage.IMMEDIATE)
    certificate = booking.attendance.certificate
    client.force_login(booking.person)
    page = client.get(reverse("courses:my-training")).content.decode()
    assert "Answer the course evaluation to get your certificate" in page
    assert client.get(reverse("courses:certificate", args=[certificate.code])).status_code == 302
    client.post(reverse("evaluation:answer", args=[services.token_for(invitation)]), answer_data(invitation))
    assert "Download certificate" in client.get(reverse("courses:my-training")).content.decode()
    assert client.get(reverse("courses:certificate", args=[certificate.code]))["Content-Type"] == "application/pdf"


def test_practice_issues_keep_their_status_history(client, course):
    manager = training_manager()
    client.force_login(manager)
    response = client.post(reverse("evaluation:issues"), {"title": "", "description": ""})
    assert "Enter a short title" in response.content.decode()
    client.post(
        reverse("evaluation:issues"),
        {
            "title": "Schools unsure how to refer to the front door",
            "description": "Raised in three evaluations and the March focus group.",
        },
    )
    from evaluation.models import PracticeIssue

    issue = PracticeIssue.objects.get()
    services.change_issue_status(
        actor=manager, issue=issue, status=IssueStatus.TAKEN, note="On the agenda for 12 March"
    )
    with pytest.raises(EvaluationError, match="already taken to committee"):
        services.change_issue_status(actor=manager, issue=issue, status=IssueStatus.TAKEN, note="again")
    assert [h.status for h in issue.history.all()] == [IssueStatus.RAISED, IssueStatus.TAKEN]


def test_closing_a_corrected_register_asks_only_those_newly_recorded_as_attended(course, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from courses.services.register import close_register, plan_close, record_attendance, reopen_register

    manager = training_manager()
    session = SessionFactory(course=course, days_ahead=-1)
    first = attended(session, n=2)
    late = BookingFactory(session=session, person=UserFactory(email="jamal.jones@example.org"))
    AttendanceRecordFactory(session=session, person=late.person, booking=late, outcome=Attendance.NO_SHOW)
    assert plan_close(session).follow_ups == ["2 people will be asked to evaluate the course"]
    close_register(actor=manager, session=session)
    assert Invitation.objects.filter(stage=Stage.IMMEDIATE).count() == 2
    sent = len(mail.outbox)

    reopen_register(actor=manager, session=session, reason="Jamal Jones arrived late and stayed")
    record_attendance(actor=manager, session=session, outcomes={late.pk: Attendance.ATTENDED})
    assert plan_close(session).follow_ups == ["1 person will be asked to evaluate the course"]
    close_register(actor=manager, session=session)
    invited = list(Invitation.objects.filter(stage=Stage.IMMEDIATE).values_list("booking_id", flat=True))
    assert sorted(invited) == sorted([first[0].pk, first[1].pk, late.pk])
    evaluation_mail = [m for m in mail.outbox[sent:] if "/evaluation/answer/" in m.body]
    assert [m.to for m in evaluation_mail] == [["jamal.jones@example.org"]]


def test_the_close_confirmation_counts_walk_ins_among_those_asked_to_evaluate(course, settings, tmp_path):
    """Two booked delegates and one walk-in attended: the confirmation says three will be asked, and
    closing asks exactly those three."""
    settings.MEDIA_ROOT = tmp_path
    from courses.services.register import close_register, plan_close

    session = SessionFactory(course=course, days_ahead=-1)
    attended(session, n=2)
    AttendanceRecordFactory(
        session=session,
        person=UserFactory(full_name="Sam Wilde"),
        booking=None,
        walk_in=True,
        outcome=Attendance.ATTENDED,
    )
    assert plan_close(session).follow_ups == ["3 people will be asked to evaluate the course"]
    close_register(actor=training_manager(), session=session)
    assert Invitation.objects.filter(stage=Stage.IMMEDIATE).count() == 3


def test_course_results_run_the_same_number_of_queries_for_one_answer_and_for_twenty(client, course, settings):
    settings.EVALUATION_MIN_GROUP = 5
    first, second = SessionFactory(course=course, days_ahead=-1), SessionFactory(course=course, days_ahead=-8)

    def answered(session):
        [booking] = attended(session)
        invitation = Invitation.objects.create(
            booking=booking, stage=Stage.IMMEDIATE, questionnaire=course.evaluation.immediate
        )
        delegate = Client()  # the link works without signing in
        delegate.post(reverse("evaluation:answer", args=[services.token_for(invitation)]), answer_data(invitation))

    def results_page():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("evaluation:course-results", args=[course.pk]))
        assert response.status_code == 200
        return response.content.decode(), len(queries)

    client.force_login(training_manager())
    answered(first)
    page, one = results_page()
    assert "too few responses" in page
    for n in range(19):
        answered(first if n % 2 else second)
    page, twenty = results_page()
    assert twenty == one
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">20</td>' in page  # twenty answered


def test_reading_the_results_writes_nothing_the_caches_would_count(course):
    """Every statement the results run reads as a read, so opening them never empties a cache."""
    from common.pagecache import NO_WRITE, statement_writes

    session = SessionFactory(course=course, days_ahead=-1)
    rate(course, session, 4, 7)
    with CaptureQueriesContext(connection) as queries:
        selectors.results(selectors.sessions_in(course=course))
        selectors.results_by_course(timezone.localdate() - timedelta(days=30), timezone.localdate())
    assert [statement_writes(query["sql"]) for query in queries.captured_queries] == [NO_WRITE] * len(queries)


def test_results_over_two_courses_sessions_read_each_delegates_confidence_in_their_own_courses_words(settings):
    """Sessions of two courses asked about together: the outcome each delegate rated is named in the
    words of their own course, and each course's pairs count under that outcome."""
    settings.EVALUATION_MIN_GROUP = 2
    neglect = CourseFactory(title="Recognising and Responding to Neglect", learning_outcomes=OUTCOMES)
    abuse = CourseFactory(
        title="Domestic Abuse and its Impact on Children",
        learning_outcomes="Spot coercive control\nRecognise the signs of neglect",
    )
    for course in (neglect, abuse):
        services.settings_for(course)
    for course, ratings in ((neglect, ((4, 7), (6, 9))), (abuse, ((2, 6), (4, 6), (3, 3)))):
        session = SessionFactory(course=course, days_ahead=-1)
        for before, after in ratings:
            rate(course, session, before, after)
    both = selectors.results(selectors.sessions_in(starts_on=timezone.localdate() - timedelta(days=30)))
    # Neglect: before (4+6)/2 = 5.0, after (7+9)/2 = 8.0; abuse: before (2+4+3)/3 = 3.0, after (6+6+3)/3 = 5.0.
    assert {c.outcome: (c.pairs, c.before, c.after) for c in both.confidence} == {
        "Recognise the signs of neglect": (2, Decimal("5.0"), Decimal("8.0")),
        "Spot coercive control": (3, Decimal("3.0"), Decimal("5.0")),
    }
    assert both.sessions == 2 and {r.stage: r.answered for r in both.rates}[Stage.BEFORE] == 5
    assert all(type(r.invited) is int and type(c.pairs) is int for r in both.rates for c in both.confidence)
    [one] = selectors.results(selectors.sessions_in(course=abuse)).confidence
    assert (one.outcome, one.pairs, one.before, one.after) == (
        "Spot coercive control",
        3,
        Decimal("3.0"),
        Decimal("5.0"),
    )
