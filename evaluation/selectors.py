"""Evaluation results, in aggregate only. A group smaller than EVALUATION_MIN_GROUP shows "too few
responses" instead of figures, so nobody can be picked out. A fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from common.todo import TodoItem
from courses.models import Session
from courses.selectors.delivered import delivered
from tna.selectors import percent

from .models import AGREEMENT_SCALE, Answer, Invitation, ItemKind, Stage, TextStatus

TOO_FEW = "too few responses"


def _mean(values) -> Decimal | None:
    values = list(values)
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


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


ANSWER_FIELDS = (
    "item__text",
    "item__kind",
    "item__choices",
    "item__questionnaire__stage",
    "outcome",
    "number",
    "choices",
    "text",
    "text_status",
    "response__invitation__booking_id",
    "response__invitation__booking__session__course__learning_outcomes",
)


def delivered_of(sessions):
    """Of `sessions`, those delivered (a session still to come has no results)."""
    return sessions.filter(delivered())


def results(sessions) -> Results:
    """Response rates by stage, agreement averages, choice shares, the before/after change in
    confidence per learning outcome (delegates who answered both), and approved comments."""
    # Bookings' invitations and walk-ins' (who came without a booking and are asked after the course).
    of_sessions = Q(booking__session__in=sessions) | Q(attendance__session__in=sessions)
    invitations = Invitation.objects.filter(of_sessions)
    counts = {
        row["stage"]: row
        for row in invitations.values("stage").annotate(
            invited=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False))
        )
    }
    answers = list(
        Answer.objects.filter(
            Q(response__invitation__booking__session__in=sessions)
            | Q(response__invitation__attendance__session__in=sessions)
        ).values(*ANSWER_FIELDS)
    )
    return _results(delivered_of(sessions).count(), counts, answers)


def results_by_course(starts_on: date, ends_on: date) -> list[tuple]:
    """(course, Results) for each course with a session in the period whose delegates were asked,
    in title order: the annual report's quality section. Four queries whatever the number of courses."""
    from courses.models import Course

    sessions = sessions_in(starts_on=starts_on, ends_on=ends_on)
    # A walk-in's invitation belongs to the course through their register line, not a booking.
    counts = defaultdict(dict)
    for row in (
        Invitation.objects.filter(Q(booking__session__in=sessions) | Q(attendance__session__in=sessions))
        .annotate(course=Coalesce("booking__session__course", "attendance__session__course"))
        .values("course", "stage")
        .annotate(invited=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
        .order_by()
    ):
        counts[row["course"]][row["stage"]] = row
    answers = defaultdict(list)
    for row in (
        Answer.objects.filter(
            Q(response__invitation__booking__session__in=sessions)
            | Q(response__invitation__attendance__session__in=sessions)
        )
        .annotate(
            course=Coalesce(
                "response__invitation__booking__session__course", "response__invitation__attendance__session__course"
            )
        )
        .values("course", *ANSWER_FIELDS)
    ):
        answers[row["course"]].append(row)
    runs = dict(
        delivered_of(sessions)
        .filter(course__in=list(counts))
        .values_list("course")
        .annotate(n=Count("pk"))
        .values_list("course", "n")
    )
    courses = Course.objects.filter(pk__in=list(counts)).order_by("title")
    return [(course, _results(runs.get(course.pk, 0), counts[course.pk], answers[course.pk])) for course in courses]


def _results(session_count: int, counts: dict, answers: list[dict]) -> Results:
    rates = [
        StageRate(stage, counts.get(stage, {}).get("invited", 0), counts.get(stage, {}).get("answered", 0))
        for stage in Stage.values
    ]
    # Confidence: pair each delegate's before and after (straight-after) rating per outcome.
    ratings = defaultdict(dict)  # (outcome text) -> booking -> {stage: number}
    outcome_order = []
    for a in answers:
        if a["item__kind"] != ItemKind.CONFIDENCE or a["number"] is None or a["outcome"] is None:
            continue
        outcomes = [
            o.strip()
            for o in (a["response__invitation__booking__session__course__learning_outcomes"] or "").splitlines()
            if o.strip()
        ]
        if a["outcome"] >= len(outcomes):
            continue
        text = outcomes[a["outcome"]]
        if text not in outcome_order:
            outcome_order.append(text)
        ratings[text].setdefault(a["response__invitation__booking_id"], {})[a["item__questionnaire__stage"]] = a[
            "number"
        ]
    confidence = []
    for text in outcome_order:
        pairs = [v for v in ratings[text].values() if Stage.BEFORE in v and Stage.IMMEDIATE in v]
        confidence.append(
            OutcomeChange(
                text, len(pairs), _mean(v[Stage.BEFORE] for v in pairs), _mean(v[Stage.IMMEDIATE] for v in pairs)
            )
        )
    # Agreement and choice items, by question.
    by_item = defaultdict(list)
    for a in answers:
        if a["item__kind"] in (ItemKind.AGREEMENT, ItemKind.SINGLE, ItemKind.MULTIPLE):
            by_item[
                (a["item__questionnaire__stage"], a["item__text"], a["item__kind"], tuple(a["item__choices"] or ()))
            ].append(a)
    items = []
    for (_stage, text, kind, options), rows in sorted(by_item.items(), key=lambda kv: Stage.values.index(kv[0][0])):
        result = ItemResult(text=text, kind=kind, responses=len(rows))
        if kind == ItemKind.AGREEMENT:
            result.average = _mean(r["number"] for r in rows if r["number"] is not None)
        else:
            counted = defaultdict(int)
            for r in rows:
                for choice in r["choices"]:
                    counted[choice] += 1
            result.shares = [(option, counted[option], percent(counted[option], len(rows))) for option in options]
        items.append(result)
    approved = [a["text"].strip() for a in answers if a["text"] and a["text_status"] == TextStatus.APPROVED]
    # Comments show from the threshold of people who wrote them; the same words from two of them (or one
    # answer seen twice) are quoted once.
    comments = list(dict.fromkeys(approved)) if enough(len(approved)) else []
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
