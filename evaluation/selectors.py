"""Evaluation results, in aggregate only. A group smaller than EVALUATION_MIN_GROUP shows "too few
responses" instead of figures, so nobody can be picked out. A fixed number of queries."""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from courses.models import Course, Session
from tna.selectors import percent

from .models import AGREEMENT_SCALE, Answer, Invitation, Item, ItemKind, Stage, TextStatus

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
    sessions: int
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
    # The bounds of the days in local time rather than `__date`, so the index on starts_at is used.
    tz = timezone.get_current_timezone()
    if starts_on:
        sessions = sessions.filter(starts_at__gte=datetime.combine(starts_on, time.min, tz))
    if ends_on:
        sessions = sessions.filter(starts_at__lt=datetime.combine(ends_on + timedelta(days=1), time.min, tz))
    return sessions


def results(sessions) -> Results:
    """Response rates by stage, agreement averages, choice shares, the before/after change in
    confidence per learning outcome (delegates who answered both), and approved comments."""
    invitations = Invitation.objects.filter(booking__session__in=sessions)
    counts = {
        row["stage"]: row
        for row in invitations.values("stage").annotate(
            invited=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False))
        )
    }
    rates = [
        StageRate(stage, counts.get(stage, {}).get("invited", 0), counts.get(stage, {}).get("answered", 0))
        for stage in Stage.values
    ]
    # One row per answer holds only the answer's own columns: each question's text, kind, options
    # and stage, and each course's learning outcomes, are read once (two queries) rather than
    # repeated on thousands of rows, and an answer's options (JSON) are read only for questions
    # that have options. The same figures, at a fraction of the cost for a well-answered course.
    rows = list(
        Answer.objects.filter(response__invitation__booking__session__in=sessions).values_list(
            "item_id",
            "outcome",
            "number",
            Cast("choices", TextField()),
            "text",
            "text_status",
            "response__invitation__booking_id",
            "response__invitation__booking__session__course_id",
        )
    )
    questions = {
        q["pk"]: q
        for q in Item.objects.filter(pk__in={r[0] for r in rows}).values(
            "pk", "text", "kind", "choices", "questionnaire__stage"
        )
    }
    outcomes_of = {
        pk: [o.strip() for o in (text or "").splitlines() if o.strip()]
        for pk, text in Course.objects.filter(pk__in={r[7] for r in rows}).values_list("pk", "learning_outcomes")
    }
    # One pass over the answers: a year's worth for the Board's report is tens of thousands.
    # Confidence: pair each delegate's before and after (straight-after) rating per outcome.
    ratings = defaultdict(dict)  # (outcome text) -> booking -> {stage: number}
    outcome_order = []
    by_item = defaultdict(list)  # agreement and choice questions -> [(number, choices)]
    comments = []
    with_options = (ItemKind.SINGLE, ItemKind.MULTIPLE)
    for item_id, outcome, number, choices, text, text_status, booking_id, course_id in rows:
        question = questions[item_id]
        kind, stage = question["kind"], question["questionnaire__stage"]
        if kind == ItemKind.CONFIDENCE:
            outcomes = outcomes_of[course_id]
            if number is not None and outcome is not None and outcome < len(outcomes):
                said = outcomes[outcome]
                if said not in outcome_order:
                    outcome_order.append(said)
                ratings[said].setdefault(booking_id, {})[stage] = number
        elif kind == ItemKind.AGREEMENT or kind in with_options:
            key = (stage, question["text"], kind, tuple(question["choices"] or ()))
            by_item[key].append((number, json.loads(choices) if kind in with_options and choices else []))
        if text and text_status == TextStatus.APPROVED:
            comments.append(text)
    confidence = []
    for text in outcome_order:
        pairs = [v for v in ratings[text].values() if Stage.BEFORE in v and Stage.IMMEDIATE in v]
        confidence.append(
            OutcomeChange(
                text, len(pairs), _mean(v[Stage.BEFORE] for v in pairs), _mean(v[Stage.IMMEDIATE] for v in pairs)
            )
        )
    items = []
    for (_stage, text, kind, options), rows in sorted(by_item.items(), key=lambda kv: Stage.values.index(kv[0][0])):
        result = ItemResult(text=text, kind=kind, responses=len(rows))
        if kind == ItemKind.AGREEMENT:
            result.average = _mean(number for number, _ in rows if number is not None)
        else:
            counted = defaultdict(int)
            for _, choices in rows:
                for choice in choices:
                    counted[choice] += 1
            result.shares = [(option, counted[option], percent(counted[option], len(rows))) for option in options]
        items.append(result)
    return Results(
        sessions=sessions.count(),
        rates=rates,
        confidence=confidence,
        items=items,
        comments=comments if enough(len(comments)) else [],
    )


def agreement_label(average: Decimal | None) -> str:
    if average is None:
        return ""
    return AGREEMENT_SCALE[int(average.quantize(Decimal("1"), rounding=ROUND_HALF_UP)) - 1]


def board_summary(starts_on: date, ends_on: date) -> Results | None:
    """The year's evaluation results for the Board's annual report; None when nobody was asked."""
    found = results(sessions_in(starts_on=starts_on, ends_on=ends_on))
    return found if any(rate.invited for rate in found.rates) else None
