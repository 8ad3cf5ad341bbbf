"""Evaluation results, in aggregate only. A group smaller than EVALUATION_MIN_GROUP shows "too few
responses" instead of figures, so nobody can be picked out. A fixed number of queries."""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Max, Min, Q, Sum, TextField, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from common.todo import TodoItem
from courses.models import Session
from courses.selectors.delivered import delivered
from tna.selectors import percent

from .models import AGREEMENT_SCALE, Answer, Invitation, Item, ItemKind, Stage, TextStatus

TOO_FEW = "too few responses"


def enough(n: int) -> bool:
    return n >= settings.EVALUATION_MIN_GROUP


@dataclass
class StageRate:
    stage: str
    invited: int
    answered: int

    @property
    def label(self) -> str:
        return Stage(self.stage).label

    @property
    def rate(self) -> int | None:
        return percent(self.answered, self.invited)


@dataclass
class OutcomeChange:
    outcome: str
    pairs: int
    before: Decimal | None
    after: Decimal | None

    @property
    def shown(self) -> bool:
        return enough(self.pairs)

    @property
    def change(self) -> Decimal | None:
        if not self.shown or self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass
class ItemResult:
    text: str
    kind: str
    responses: int
    average: Decimal | None = None  # agreement: 1 (strongly disagree) to 5 (strongly agree)
    shares: list = field(default_factory=list)  # (option, count, percent) for choices

    @property
    def shown(self) -> bool:
        return enough(self.responses)


@dataclass
class Results:
    sessions: int  # delivered: ended and not cancelled (sessions still to come have no answers yet)
    rates: list[StageRate]
    confidence: list[OutcomeChange]
    items: list[ItemResult]
    comments: list[str]

    @property
    def min_group(self) -> int:
        return settings.EVALUATION_MIN_GROUP


def sessions_in(*, course=None, session=None, starts_on: date | None = None, ends_on: date | None = None):
    sessions = Session.objects.all()
    if session is not None:
        sessions = sessions.filter(pk=session.pk)
    if course is not None:
        sessions = sessions.filter(course=course)
    if starts_on:
        sessions = sessions.filter(starts_at__date__gte=starts_on)
    if ends_on:
        sessions = sessions.filter(starts_at__date__lte=ends_on)
    return sessions


def _asked_about(sessions) -> tuple:
    """The delegates' invitations about `sessions`, each way a delegate is asked: through their booking,
    and for a walk-in (who came without one) through their register line. No invitation is both, and
    each way is found from the sessions' own bookings or register lines, so only those are read."""
    return (
        Invitation.objects.filter(booking__isnull=False, booking__session__in=sessions),
        Invitation.objects.filter(attendance__isnull=False, attendance__session__in=sessions),
    )


def results(sessions) -> Results:
    """Response rates by stage, agreement averages, choice shares, the before/after change in
    confidence per learning outcome (delegates who answered both), and approved comments. Four queries:
    the sessions are one course's (or one session), and figures are summed in the database."""
    # Each course's sessions delivered (a session still to come has no results) and its outcomes' words.
    courses = list(
        sessions.values("course", "course__learning_outcomes").annotate(runs=Count("pk", filter=delivered())).order_by()
    )
    runs = sum(course["runs"] for course in courses)
    if len(courses) <= 1:
        outcomes = {None: courses[0]["course__learning_outcomes"] if courses else ""}
        figures = _figures(sessions, outcomes, by_course=False).get(None, _Figures())
        return _results(runs, figures)
    # Sessions of several courses: each delegate's confidence in the words of their own course.
    outcomes = {course["course"]: course["course__learning_outcomes"] for course in courses}
    figures = _Figures()
    for found in _figures(sessions, outcomes, by_course=True).values():
        for stage, row in found.counts.items():
            counted = figures.counts.setdefault(stage, {"invited": 0, "answered": 0})
            counted["invited"] += row["invited"]
            counted["answered"] += row["answered"]
        figures.items += found.items
        figures.confidence += found.confidence
        figures.comments += found.comments
    return _results(runs, figures)


def results_by_course(starts_on: date, ends_on: date) -> list[tuple]:
    """(course, Results) for each course with a session in the period whose delegates were asked,
    in title order: the annual report's quality section. Four queries whatever the number of courses."""
    from courses.models import Course

    sessions = sessions_in(starts_on=starts_on, ends_on=ends_on)
    courses = list(
        Course.objects.filter(pk__in=sessions.values("course"))
        .annotate(runs=Count("sessions", filter=Q(sessions__in=sessions) & delivered("sessions__")))
        .order_by("title")
    )
    figures = _figures(sessions, {course.pk: course.learning_outcomes for course in courses}, by_course=True)
    return [(course, _results(course.runs, figures[course.pk])) for course in courses if course.pk in figures]


@dataclass
class _Figures:
    """What the database counted for one course (or for all the sessions asked about)."""

    counts: dict = field(default_factory=dict)  # stage -> {"invited", "answered"}
    items: list = field(default_factory=list)  # rows of answers to a question counted by the choices made
    confidence: list = field(default_factory=list)  # (outcome, the course's outcomes, pairs, sums of ratings)
    comments: list = field(default_factory=list)  # rows of approved free text: its words, how many wrote them


CHOSEN = (ItemKind.AGREEMENT, ItemKind.SINGLE, ItemKind.MULTIPLE)


def _figures(sessions, learning_outcomes: dict, *, by_course: bool) -> dict:
    """The counts behind the results, summed in the database: {course pk (or None): _Figures} for the
    courses whose delegates were asked. `learning_outcomes` has each course's (None's: the one course's).
    Three queries."""
    figures = defaultdict(_Figures)

    def course_of(*paths):
        """Each row's course, through a booking or a walk-in's register line (all one when not by course)."""
        if not by_course:
            return Value(None, output_field=IntegerField())
        return Coalesce(*paths) if len(paths) > 1 else F(paths[0])

    booked, walk_ins = _asked_about(sessions)
    for row in (
        booked.annotate(course=course_of("booking__session__course"))
        .values("course", "stage")
        .annotate(invited=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
        .order_by()
        .union(
            walk_ins.annotate(course=course_of("attendance__session__course"))
            .values("course", "stage")
            .annotate(invited=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
            .order_by(),
            all=True,
        )
    ):
        counted = figures[row["course"]].counts.setdefault(row["stage"], {"invited": 0, "answered": 0})
        counted["invited"] += row["invited"]
        counted["answered"] += row["answered"]
    # Confidence counts a delegate asked through their booking (walk-ins were not asked before the course):
    # their rating before the course and straight after, per outcome, make a pair when both were given.
    rated = Q(
        item__kind=ItemKind.CONFIDENCE,
        number__isnull=False,
        outcome__isnull=False,
        response__invitation__booking__isnull=False,
    )
    # One pass over the answers, counted by question, choices made (few distinct ones), approved words
    # and outcome, and for confidence by delegate too; then those counts summed per question, in SQL.
    per_delegate = (
        Answer.objects.filter(response__invitation__in=booked.values("pk").union(walk_ins.values("pk")))
        .filter(Q(item__kind__in=CHOSEN) | (Q(text_status=TextStatus.APPROVED) & ~Q(text="")) | rated)
        .annotate(
            course=course_of(
                "response__invitation__booking__session__course",
                "response__invitation__attendance__session__course",
            ),
            comment=Case(
                When(text_status=TextStatus.APPROVED, then="text"), default=Value(""), output_field=TextField()
            ),
            # a delegate's ratings before and after answer different questionnaires' questions
            question=Case(When(rated, then=None), default="item"),
            delegate=Case(When(rated, then="response__invitation__booking")),
        )
        .values("course", "question", "choices", "comment", "outcome", "delegate")
        .annotate(
            n=Count("pk"),
            numbers=Count("number"),
            total=Sum("number"),
            first_written=Min("pk"),
            rated_before=Max("number", filter=rated & Q(item__questionnaire__stage=Stage.BEFORE)),
            rated_after=Max("number", filter=rated & Q(item__questionnaire__stage=Stage.IMMEDIATE)),
        )
        .order_by()
    )
    sql, params = per_delegate.query.sql_with_params()
    paired = "d.rated_before IS NOT NULL AND d.rated_after IS NOT NULL"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.course, d.question, d.choices, d.comment, d.outcome, SUM(d.n), SUM(d.numbers), SUM(d.total), "
            f"MIN(d.first_written), COUNT(d.delegate), COUNT(CASE WHEN {paired} THEN 1 END), "
            f"SUM(CASE WHEN {paired} THEN d.rated_before END), SUM(CASE WHEN {paired} THEN d.rated_after END) "
            f"FROM ({sql}) d GROUP BY d.course, d.question, d.choices, d.comment, d.outcome",
            params,
        )
        counted = cursor.fetchall()
    items = {
        item["pk"]: item
        for item in Item.objects.filter(pk__in={row[1] for row in counted if row[1]}).values(
            "pk", "questionnaire__stage", "text", "kind", "choices", "position"
        )
    }
    for row in counted:
        # PostgreSQL sums whole numbers as decimals: the counts and sums are whole numbers again here.
        course, item, choices, comment, outcome = row[:5]
        n, numbers, total, first_written, rated_n, pairs, before, after = (
            None if value is None else int(value) for value in row[5:]
        )
        found = figures[course]
        question = items.get(item, {})
        if question.get("kind") in CHOSEN:
            found.items.append(
                {
                    "item__questionnaire__stage": question["questionnaire__stage"],
                    "item__text": question["text"],
                    "item__kind": question["kind"],
                    "item__choices": question["choices"],
                    "choices": json.loads(choices) if isinstance(choices, str) else choices,
                    "position": question["position"],
                    "first": item,
                    "n": n,
                    "numbers": numbers,
                    "total": total,
                }
            )
        if comment:
            found.comments.append({"comment": comment, "n": n, "first_written": first_written})
        if rated_n:
            found.confidence.append((outcome, learning_outcomes.get(course), pairs, before, after))
    return figures


def _mean_of(total, n: int) -> Decimal | None:
    if not n:
        return None
    return (Decimal(total) / n).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _results(session_count: int, figures: _Figures) -> Results:
    counts = figures.counts
    rates = [
        StageRate(stage, counts.get(stage, {}).get("invited", 0), counts.get(stage, {}).get("answered", 0))
        for stage in Stage.values
    ]
    # Confidence, per learning outcome in the course's order: the delegates who rated it both before
    # and straight after, and the averages of their two ratings.
    by_outcome = {}
    for outcome, learning_outcomes, pairs, before, after in sorted(figures.confidence, key=lambda row: row[0]):
        outcomes = [o.strip() for o in (learning_outcomes or "").splitlines() if o.strip()]
        if outcome >= len(outcomes):
            continue
        summed = by_outcome.setdefault(outcomes[outcome], [0, 0, 0])
        summed[0] += pairs
        summed[1] += before or 0
        summed[2] += after or 0
    confidence = [
        OutcomeChange(text, pairs, _mean_of(before, pairs), _mean_of(after, pairs))
        for text, (pairs, before, after) in by_outcome.items()
    ]
    # Agreement and choice items, by question (the same words in a later version count together), in
    # the order they are asked.
    by_item = {}
    for row in sorted(
        figures.items, key=lambda r: (Stage.values.index(r["item__questionnaire__stage"]), r["position"], r["first"])
    ):
        key = (
            row["item__questionnaire__stage"],
            row["item__text"],
            row["item__kind"],
            tuple(row["item__choices"] or ()),
        )
        by_item.setdefault(key, []).append(row)
    items = []
    for (_stage, text, kind, options), rows in by_item.items():
        responses = sum(r["n"] for r in rows)
        result = ItemResult(text=text, kind=kind, responses=responses)
        if kind == ItemKind.AGREEMENT:
            result.average = _mean_of(sum(r["total"] or 0 for r in rows), sum(r["numbers"] for r in rows))
        else:
            counted = defaultdict(int)
            for r in rows:
                for choice in r["choices"]:
                    counted[choice] += r["n"]
            result.shares = [(option, counted[option], percent(counted[option], responses)) for option in options]
        items.append(result)
    # Comments show from the threshold of people who wrote them; the same words from two of them (or one
    # answer seen twice) are quoted once, in the order first written.
    approved = sorted(figures.comments, key=lambda row: row["first_written"])
    comments = (
        list(dict.fromkeys(row["comment"].strip() for row in approved))
        if enough(sum(row["n"] for row in approved))
        else []
    )
    return Results(
        sessions=session_count,
        rates=rates,
        confidence=confidence,
        items=items,
        comments=comments,
    )


def agreement_label(average: Decimal | None) -> str:
    if average is None:
        return ""
    return AGREEMENT_SCALE[int(average.quantize(Decimal("1"), rounding=ROUND_HALF_UP)) - 1]


def todo_for(user) -> list[TodoItem]:
    """For the training manager, free-text answers waiting for review before any report may show
    them. One query."""
    if not user.has_perm("evaluation.manage"):
        return []
    return [
        TodoItem(
            count=Answer.objects.filter(text_status=TextStatus.PENDING).count(),
            singular="evaluation comment to review",
            plural="evaluation comments to review",
            url=reverse("evaluation:comments"),
        )
    ]


@dataclass
class RaisedIssue:
    title: str
    raised_on: date
    status: str
    source: str


def practice_issues_raised(starts_on: date, ends_on: date) -> list[RaisedIssue]:
    """Practice issues raised in training in the period, oldest first, with their status and where they
    came from (the course of the answer, focus group or observation). One query."""

    from .models import IssueStatus, PracticeIssue

    issues = (
        PracticeIssue.objects.filter(raised_at__date__gte=starts_on, raised_at__date__lte=ends_on)
        .select_related(
            "answer__response__invitation__booking__session__course",
            "answer__response__invitation__attendance__session__course",
            "focus_group__course",
            "observation__session__course",
        )
        .order_by("raised_at", "pk")
    )
    found = []
    for issue in issues:
        if issue.answer_id:
            source = f"Evaluation of {issue.answer.response.invitation.session.course.title}"
        elif issue.focus_group_id:
            source = f"Focus group on {issue.focus_group.course.title}"
        elif issue.observation_id:
            source = f"Observation of {issue.observation.session.course.title}"
        else:
            source = "Raised by the training manager"
        found.append(
            RaisedIssue(issue.title, timezone.localdate(issue.raised_at), IssueStatus(issue.status).label, source)
        )
    return found
