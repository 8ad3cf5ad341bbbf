"""A year of realistic evaluation for the demo partnership: before, straight-after and follow-up
answers for the delivered sessions, reviewed comments, a focus group, an observation and issues."""

import random
from datetime import date, timedelta

from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from courses.models import Attendance, Booking, Course, Session, SessionStatus

from . import services
from .models import (
    Answer,
    FocusGroup,
    Invitation,
    IssueChange,
    IssueStatus,
    ItemKind,
    Observation,
    ObservationValue,
    PracticeIssue,
    Response,
    Stage,
    TextStatus,
)
from .standard import install_observation_values

COMMENTS = [
    ("More time on the case studies, please: they were the most useful part.", TextStatus.APPROVED),
    ("Hearing how the police and health visitors see the same family was eye-opening.", TextStatus.APPROVED),
    ("I will use the graded care profile with the family I am worried about.", TextStatus.APPROVED),
    ("The room was cold and the afternoon dragged.", TextStatus.APPROVED),
    ("I now know who to ring at the front door and what they need from me.", TextStatus.APPROVED),
    ("Please share the slides afterwards.", TextStatus.PENDING),
    ("Our team leader should come to this too.", TextStatus.PENDING),
]


def _answer(rng, invitation, course, lift=0):
    response = Response.objects.create(
        invitation=invitation, submitted_at=invitation.sent_at + timedelta(days=rng.randint(0, 5))
    )
    outcomes = course.outcomes()
    for item in invitation.questionnaire.items.all():
        if item.kind == ItemKind.CONFIDENCE:
            for index in range(len(outcomes)):
                base = rng.randint(3, 6)
                Answer.objects.create(
                    response=response, item=item, outcome=index, number=min(10, base + lift + rng.randint(0, 1))
                )
        elif item.kind == ItemKind.AGREEMENT:
            Answer.objects.create(response=response, item=item, number=rng.choice([3, 4, 4, 4, 5, 5]))
        elif item.kind == ItemKind.SINGLE:
            Answer.objects.create(
                response=response, item=item, choices=[rng.choice(item.choices[:1] * 5 + item.choices)]
            )
        elif item.kind == ItemKind.MULTIPLE:
            picked = [c for c in item.choices[:-1] if rng.random() < 0.45] or [item.choices[-1]]
            Answer.objects.create(response=response, item=item, choices=picked)
        elif rng.random() < 0.3:
            text, status = rng.choice(COMMENTS)
            Answer.objects.create(response=response, item=item, text=text, text_status=status)
    invitation.answered_at = response.submitted_at
    invitation.save(update_fields=["answered_at"])


def seed(stdout=None) -> None:
    for course in Course.objects.all():
        services.settings_for(course)
    if not Invitation.objects.exists():
        _seed_answers(stdout)
    if stdout:
        stdout.write(f"Evaluation: {Invitation.objects.count()} invitations, {Response.objects.count()} responses")


def _seed_answers(stdout) -> None:
    rng = random.Random(2026)
    now = timezone.now()
    delivered = Session.objects.filter(status=SessionStatus.COMPLETED).select_related(
        "course__evaluation__before", "course__evaluation__immediate", "course__evaluation__follow_up"
    )
    for session in delivered:
        ce = session.course.evaluation
        for booking in Booking.objects.filter(session=session, attendance__outcome=Attendance.ATTENDED).select_related(
            "person"
        ):
            plan = [
                (Stage.BEFORE, ce.before, session.starts_at - timedelta(days=ce.before_days), 0.65, 0),
                (Stage.IMMEDIATE, ce.immediate, session.ends_at + timedelta(days=1), 0.75, 3),
            ]
            follow_at = session.ends_at + timedelta(weeks=ce.follow_up_weeks)
            if follow_at < now:
                plan.append((Stage.FOLLOW_UP, ce.follow_up, follow_at, 0.5, 0))
            for stage, questionnaire, sent, chance, lift in plan:
                if questionnaire is None:
                    continue
                invitation = Invitation.objects.create(
                    booking=booking, stage=stage, questionnaire=questionnaire, sent_at=sent
                )
                if rng.random() < chance:
                    _answer(rng, invitation, session.course, lift)
    manager = User.objects.filter(groups__name=str(Role.TRAINING_MANAGER)).order_by("pk").first()
    neglect = Course.objects.filter(title="Recognising and Responding to Neglect").first()
    if neglect:
        group = FocusGroup.objects.create(
            course=neglect,
            held_on=date.today() - timedelta(days=40),
            participants=7,
            recorded_by=manager,
            themes=(
                "Thresholds for referral still feel unclear to school staff.\n"
                "The graded care profile is being used, but not shared with health visitors.\n"
                "People want a refresher on chronic neglect."
            ),
            notes="Held online with staff from four agencies.",
        )
        issue = PracticeIssue.objects.create(
            title="School staff unsure of the threshold for a neglect referral",
            raised_by=manager,
            focus_group=group,
            description="Raised in the neglect focus group and in several follow-up answers.",
        )
        IssueChange.objects.create(
            issue=issue, status=IssueStatus.RAISED, changed_by=manager, note="Raised from the focus group."
        )
        issue.status = IssueStatus.TAKEN
        issue.save()
        IssueChange.objects.create(
            issue=issue,
            status=IssueStatus.TAKEN,
            changed_by=manager,
            note="On the audit and evaluation committee's agenda.",
        )
    observed = delivered.filter(trainers__isnull=False).distinct().order_by("-starts_at").first()
    if observed:
        observation = Observation.objects.create(
            session=observed,
            observed_on=observed.starts_at.date(),
            observer_name="Dr Ruth Adeyemi, designated doctor",
            recorded_by=manager,
            strengths=(
                "Clear use of a real (anonymised) case; "
                "the two trainers modelled challenging each other's agency views well."
            ),
            areas_to_develop="The afternoon exercise ran over; keep the referral pathway section to time.",
        )
        observation.trainers.set(observed.trainers.all())
        install_observation_values(ObservationValue)
        observation.values_seen.set(ObservationValue.objects.order_by("position")[:3])
