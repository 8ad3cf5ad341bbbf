"""Evaluation results, in aggregate only. A group smaller than EVALUATION_MIN_GROUP shows "too few
responses" instead of figures, so nobody can be picked out. A fixed number of queries."""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper
from django.urls import reverse
from django.utils import timezone

from common.todo import TodoItem
from courses.models import Session
from courses.selectors.delivered import delivered
from tna.selectors import percent

from .models import AGREEMENT_SCALE, Answer, Item, ItemKind, Stage, TextStatus

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


def results(sessions) -> Results:
    """Response rates by stage, agreement averages, choice shares, the before/after change in
    confidence per learning outcome (delegates who answered both), and approved comments. Two queries,
    the figures summed in the database. Sessions of several courses name each delegate's confidence in
    the words of their own course."""
    figures = _Figures()
    for _course, found in sorted(_figures(sessions).items()):  # one order, whatever the database's
        figures.runs += found.runs
        for stage, row in found.counts.items():
            counted = figures.counts.setdefault(stage, {"invited": 0, "answered": 0})
            counted["invited"] += row["invited"]
            counted["answered"] += row["answered"]
        figures.items += found.items
        figures.confidence += found.confidence
        figures.comments += found.comments
    return _results(figures.runs, figures)


def results_by_course(starts_on: date, ends_on: date) -> list[tuple]:
    """(course, Results) for each course with a session in the period whose delegates were asked,
    in title order: the annual report's quality section. At most three queries, whatever the number of
    courses."""
    from courses.models import Course

    figures = _figures(sessions_in(starts_on=starts_on, ends_on=ends_on))
    asked = Course.objects.filter(pk__in=[pk for pk, found in figures.items() if found.counts]).order_by("title")
    return [(course, _results(figures[course.pk].runs, figures[course.pk])) for course in asked]


@dataclass
class _Figures:
    """What the database counted for one course."""

    runs: int = 0  # its sessions delivered (a session still to come has no results)
    counts: dict = field(default_factory=dict)  # stage -> {"invited", "answered"}
    items: list = field(default_factory=list)  # rows of answers to a question counted by the choices made
    confidence: list = field(default_factory=list)  # (outcome, the course's outcomes, pairs, sums of ratings)
    comments: list = field(default_factory=list)  # rows of approved free text: its words, how many wrote them


CHOSEN = (ItemKind.AGREEMENT, ItemKind.SINGLE, ItemKind.MULTIPLE)
WITH_OPTIONS = (ItemKind.SINGLE, ItemKind.MULTIPLE)

# Every count behind the results, in one statement that reads the sessions' own delegates (through their
# bookings, and walk-ins through their register lines) and their answers once. Its rows say what they
# count in their first column:
# - "course": each course's sessions delivered (`ran`, by the one rule for it), and its learning outcomes
#   (in `words`);
# - "asked": the delegates asked at a stage (in `words`), and how many answered;
# - "answers": the answers to a question, by the options chosen (for questions with options), the
#   approved words, and the outcome rated (for a rating of a delegate asked through their booking);
# - "paired": per outcome, the delegates who rated it both before the course and straight after, and
#   the sums of their two ratings. Only delegates asked before the course are read for these.
# Questions are told apart by their ids (`with_options`, `rating`): comparing numbers costs PostgreSQL
# less, for each of thousands of answers, than reading each answer's question. The statement begins
# with SELECT, as reads do: one that begins with WITH may write, and counts as a write for the caches.
_COUNTED = f"""
SELECT * FROM (WITH sessions AS ({{sessions}}), delegates AS (
    SELECT i.id, i.stage, i.answered_at, i.booking_id AS booking, s.course
    FROM sessions s
    JOIN courses_booking b ON b.session_id = s.pk
    JOIN evaluation_invitation i ON i.booking_id = b.id
    UNION ALL
    SELECT i.id, i.stage, i.answered_at, NULL, s.course
    FROM sessions s
    JOIN courses_attendancerecord w ON w.session_id = s.pk
    JOIN evaluation_invitation i ON i.attendance_id = w.id
    WHERE i.attendance_id IS NOT NULL
), paired AS (
    SELECT d.course, a.outcome,
        MAX(CASE WHEN d.stage = '{Stage.BEFORE}' THEN a.number END) AS rated_before,
        MAX(CASE WHEN d.stage = '{Stage.IMMEDIATE}' THEN a.number END) AS rated_after
    FROM delegates d
    JOIN evaluation_invitation asked_before ON asked_before.booking_id = d.booking
        AND asked_before.stage = '{Stage.BEFORE}' AND asked_before.answered_at IS NOT NULL
    JOIN evaluation_response r ON r.invitation_id = d.id
    JOIN evaluation_answer a ON a.response_id = r.id
    WHERE a.item_id IN ({{rating}}) AND a.number IS NOT NULL AND a.outcome IS NOT NULL
    GROUP BY d.course, d.booking, a.outcome
)
SELECT 'answers', d.course, a.item_id, CASE WHEN a.item_id IN ({{with_options}}) THEN a.choices END AS chosen,
    CASE WHEN d.booking IS NOT NULL AND a.number IS NOT NULL THEN a.outcome END AS rated,
    CASE WHEN a.text_status = '{TextStatus.APPROVED}' AND a.text <> '' THEN a.text END AS words,
    COUNT(*), COUNT(a.number), SUM(a.number), MIN(a.id)
FROM delegates d
JOIN evaluation_response r ON r.invitation_id = d.id
JOIN evaluation_answer a ON a.response_id = r.id
GROUP BY d.course, a.item_id, chosen, rated, words
UNION ALL
SELECT 'asked', course, NULL, NULL, NULL, stage, COUNT(*), COUNT(answered_at), NULL, NULL
FROM delegates GROUP BY course, stage
UNION ALL
SELECT 'paired', course, NULL, NULL, outcome, NULL, COUNT(*), SUM(rated_before), SUM(rated_after), NULL
FROM paired WHERE rated_before IS NOT NULL AND rated_after IS NOT NULL GROUP BY course, outcome
UNION ALL
SELECT 'course', s.course, NULL, NULL, NULL, c.learning_outcomes, COUNT(CASE WHEN s.ran THEN 1 END), NULL, NULL, NULL
FROM sessions s JOIN courses_course c ON c.id = s.course GROUP BY s.course, c.learning_outcomes
) counted
"""


def _questions() -> dict:
    """Every question, by id: its kind, and the words, stage, options and place the results show."""
    return {
        item["pk"]: item
        for item in Item.objects.values("pk", "questionnaire__stage", "text", "kind", "choices", "position")
    }


def _placeholders(values: list) -> str:
    return ", ".join(["%s"] * len(values)) or "NULL"  # IN (NULL) matches nothing


def _figures(sessions) -> dict:
    """The counts behind the results, summed in the database: {course pk: _Figures} for each course of
    the sessions. Two queries."""
    questions = _questions()
    rating = [pk for pk, question in questions.items() if question["kind"] == ItemKind.CONFIDENCE]
    with_options = [pk for pk, question in questions.items() if question["kind"] in WITH_OPTIONS]
    ran = ExpressionWrapper(delivered(), output_field=BooleanField())
    sql, params = sessions.order_by().values("pk", "course", ran=ran).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            _COUNTED.format(sessions=sql, rating=_placeholders(rating), with_options=_placeholders(with_options)),
            (*params, *rating, *with_options),
        )
        counted = cursor.fetchall()
    figures = defaultdict(_Figures)
    outcomes = {}  # each course's learning outcomes, the words of its ratings
    for what, course, item, choices, outcome, words, *numbers in counted:
        # PostgreSQL sums whole numbers as decimals: the counts and sums are whole numbers again here.
        n, m, total, first_written = (None if value is None else int(value) for value in numbers)
        found = figures[course]
        if what == "course":
            found.runs, outcomes[course] = n, words
        elif what == "asked":
            found.counts[words] = {"invited": n, "answered": m}
        elif what == "paired":  # m and total: the sums of the pairs' ratings before and after
            found.confidence.append((outcome, n, m, total))
        else:
            question = questions[item]
            if question["kind"] in CHOSEN:
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
                        "numbers": m,
                        "total": total,
                    }
                )
            elif question["kind"] == ItemKind.CONFIDENCE and outcome is not None:  # rated, if not paired
                found.confidence.append((outcome, 0, None, None))
            if words:
                found.comments.append({"comment": words, "n": n, "first_written": first_written})
    for course, found in figures.items():  # each rating in the words of its own course's outcomes
        found.confidence = [(outcome, outcomes[course], *counts) for outcome, *counts in found.confidence]
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
