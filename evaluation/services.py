"""Sending invitations at the right moments, taking answers, editing questionnaires (new versions
once answered), and the committee's practice issues. Every sweep is safe to run twice: an
invitation is unique per booking and stage, and a reminder is counted as it is sent."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import log_action
from accounts.mail import queue_email
from common.errors import DomainError, LinkExpired
from courses.models import Attendance, AttendanceRecord, Booking, BookingStatus, Course, Session, SessionStatus

from .models import (
    Answer,
    CourseEvaluation,
    FocusGroup,
    Invitation,
    IssueChange,
    IssueStatus,
    Item,
    ItemKind,
    Observation,
    PracticeIssue,
    Questionnaire,
    Response,
    Stage,
    TextStatus,
)

SALT = "evaluation.invitation"
STANDARD_NAMES = {
    Stage.BEFORE: "Confidence before the course",
    Stage.IMMEDIATE: "Course evaluation",
    Stage.FOLLOW_UP: "Follow-up on practice",
}


class EvaluationError(DomainError):
    pass


def current_version(name: str) -> Questionnaire | None:
    return Questionnaire.objects.filter(name=name, next_version__isnull=True).order_by("-version").first()


def ensure_standard_questionnaires() -> None:
    """The migration installs them; this puts them back if they were removed (a test flush, say)."""
    from .standard import install

    install(Questionnaire, Item)


def settings_for(course: Course) -> CourseEvaluation:
    """The course's evaluation settings, starting from the standard questionnaires."""
    found = CourseEvaluation.objects.filter(course=course).select_related("before", "immediate", "follow_up").first()
    if found:
        return found
    ensure_standard_questionnaires()
    defaults = {stage: current_version(name) for stage, name in STANDARD_NAMES.items()}
    try:
        with transaction.atomic():
            return CourseEvaluation.objects.create(
                course=course,
                before=defaults[Stage.BEFORE],
                immediate=defaults[Stage.IMMEDIATE],
                follow_up=defaults[Stage.FOLLOW_UP],
            )
    except IntegrityError:  # made at the same moment by another process
        return CourseEvaluation.objects.get(course=course)


@transaction.atomic
def save_course_evaluation(*, actor, evaluation: CourseEvaluation, **values) -> CourseEvaluation:
    """Change which questionnaires a course asks and when, with an audit entry of what changed."""
    if not actor.is_training_manager:
        raise EvaluationError("Only the training manager can change a course's evaluation.")
    stored = CourseEvaluation.objects.select_for_update().get(pk=evaluation.pk)
    changes = {
        name: [str(getattr(stored, name) or ""), str(value or "")]
        for name, value in values.items()
        if getattr(stored, name) != value
    }
    for name, value in values.items():
        setattr(stored, name, value)
    try:
        stored.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise EvaluationError(messages[0], field=field if field != "__all__" else None) from exc
    stored.save()
    if changes:
        log_action(actor=actor, action="changed course evaluation", obj=stored.course, changes=changes)
    return stored


# --- Links ----------------------------------------------------------------------------------------


def token_for(invitation: Invitation) -> str:
    if invitation.attendance_id:
        return signing.dumps({"i": invitation.pk, "a": invitation.attendance_id}, salt=SALT)
    return signing.dumps({"i": invitation.pk, "b": invitation.booking_id}, salt=SALT)


def link_for(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("evaluation:answer", args=[token_for(invitation)])


def invitation_from_token(token: str) -> Invitation:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise EvaluationError("This link is not valid. Use the link in your most recent email.")
    invitation = (
        Invitation.objects.select_related(
            "booking__person", "booking__session__course", "attendance__person", "attendance__session__course"
        )
        .select_related("questionnaire")
        .filter(pk=data.get("i"), booking_id=data.get("b"), attendance_id=data.get("a"))
        .first()
    )
    if invitation is None:
        raise EvaluationError("This questionnaire is no longer open.")
    if not invitation.answered_at:
        refuse_if_closed(invitation)
    return invitation


def refuse_if_closed(invitation: Invitation, now: datetime | None = None) -> None:
    """A questionnaire takes answers until its stage closes (`Invitation.closes_at`)."""
    if not invitation.is_closed(now):
        return
    session = invitation.session
    course = session.course.title
    if invitation.stage == Stage.BEFORE:
        raise LinkExpired(
            f"This questionnaire asked how confident you felt before {course}. The course started on "
            f"{timezone.localtime(session.starts_at):%-d %B %Y}, so it has closed.",
            what_to_do="There is nothing you need to do. Once the course is over we will email you a short "
            "questionnaire about how it went.",
        )
    raise LinkExpired(
        f"This questionnaire about {course} closed on {timezone.localtime(invitation.closes_at):%-d %B %Y}, "
        "four weeks after we asked you, so it no longer takes answers.",
        what_to_do="There is nothing you need to do. If you want to tell the training team something about the "
        "course, email them.",
    )


# --- Invitations and reminders (beat) ----------------------------------------------------------


SUBJECTS = {
    Stage.BEFORE: "Before your course: {course}",
    Stage.IMMEDIATE: "How was {course}? Tell us in two minutes",
    Stage.FOLLOW_UP: "{course}: has it made a difference?",
}


def _invite(delegate, stage: str, questionnaire: Questionnaire, now: datetime) -> Invitation | None:
    """Ask `delegate` (a booking, or a walk-in's register line) one questionnaire."""
    walk_in = isinstance(delegate, AttendanceRecord)
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                booking=None if walk_in else delegate,
                attendance=delegate if walk_in else None,
                stage=stage,
                questionnaire=questionnaire,
                sent_at=now,
            )
            queue_email(
                to=delegate.person.email,
                subject=SUBJECTS[stage].format(course=delegate.session.course.title),
                template=f"evaluation_{stage}",
                context={"person": delegate.person, "session": delegate.session, "link": link_for(invitation)},
            )
            return invitation
    except IntegrityError:  # already invited: another sweep got there first
        return None


def _asks_straight_after(ce: CourseEvaluation | None, delegate_id: int, asked) -> bool:
    """Someone who attended (booked, or a walk-in by their register line) is asked straight after the
    course once, if the course asks at all."""
    return bool(ce and ce.immediate_id and (delegate_id, Stage.IMMEDIATE) not in asked)


def close_follow_ups(session: Session, booking_ids, walk_in_ids=()) -> list[str]:
    """For the close-register confirmation: how many of those newly recorded as attended (booked, and
    walk-ins by their register line) will be asked to evaluate the course when the register closes, by
    the rule `due_invitations` follows (nobody is asked twice)."""
    ce = CourseEvaluation.objects.filter(course_id=session.course_id).first()
    immediate = Invitation.objects.filter(stage=Stage.IMMEDIATE)
    asked = set(immediate.filter(booking_id__in=booking_ids).values_list("booking_id", "stage"))
    asked_walk_ins = set(immediate.filter(attendance_id__in=walk_in_ids).values_list("attendance_id", "stage"))
    n = sum(1 for booking_id in booking_ids if _asks_straight_after(ce, booking_id, asked)) + sum(
        1 for record_id in walk_in_ids if _asks_straight_after(ce, record_id, asked_walk_ins)
    )
    return [f"{n} {'person' if n == 1 else 'people'} will be asked to evaluate the course"]


def due_invitations(now: datetime):
    """(delegate, stage, questionnaire) for everyone whose moment has come and who has not been asked: a
    delegate is a booking, or a walk-in's register line (asked after the course like everyone who
    attended; never before it, as they had no booking). A fixed number of queries."""
    settings_by_course = {}
    for ce in CourseEvaluation.objects.select_related("before", "immediate", "follow_up"):
        settings_by_course[ce.course_id] = ce
    asked = set(Invitation.objects.filter(booking__isnull=False).values_list("booking_id", "stage"))
    asked_walk_ins = set(Invitation.objects.filter(attendance__isnull=False).values_list("attendance_id", "stage"))
    due = []
    confirmed = (
        Booking.objects.filter(status=BookingStatus.CONFIRMED, session__starts_at__gt=now)
        .exclude(session__status=SessionStatus.CANCELLED)
        .select_related("person", "session__course")
    )
    for booking in confirmed:
        ce = settings_by_course.get(booking.session.course_id)
        if ce and ce.before and (booking.pk, Stage.BEFORE) not in asked:
            if now >= booking.session.starts_at - timedelta(days=ce.before_days) or ce.before_days == 0:
                due.append((booking, Stage.BEFORE, ce.before))
    attended = Booking.objects.filter(
        attendance__outcome__in=[Attendance.ATTENDED, Attendance.PARTIAL], session__register_closed_at__isnull=False
    ).select_related("person", "session__course")
    walk_ins = AttendanceRecord.objects.filter(
        walk_in=True,
        booking__isnull=True,
        outcome__in=[Attendance.ATTENDED, Attendance.PARTIAL],
        session__register_closed_at__isnull=False,
    ).select_related("person", "session__course")
    delegates = [(booking, asked) for booking in attended] + [(record, asked_walk_ins) for record in walk_ins]
    for delegate, already in delegates:
        session = delegate.session
        ce = settings_by_course.get(session.course_id)
        if ce is None:
            continue
        if _asks_straight_after(ce, delegate.pk, already) and now - session.register_closed_at < timedelta(days=28):
            due.append((delegate, Stage.IMMEDIATE, ce.immediate))
        follow_at = session.ends_at + timedelta(weeks=ce.follow_up_weeks)
        if (
            ce.follow_up
            and (delegate.pk, Stage.FOLLOW_UP) not in already
            and follow_at <= now < follow_at + timedelta(days=28)
        ):
            due.append((delegate, Stage.FOLLOW_UP, ce.follow_up))
    return due


def send_due_invitations(now: datetime | None = None) -> int:
    """Beat: ask everyone whose moment has come. Before: the set days before the course (or at
    once when booked); straight after: when the register is closed, those who attended; follow-up:
    the set weeks after the course. A moment missed by more than four weeks is let go."""
    now = now or timezone.now()
    return sum(
        1 for delegate, stage, questionnaire in due_invitations(now) if _invite(delegate, stage, questionnaire, now)
    )


def send_reminders(now: datetime | None = None) -> int:
    """Beat: remind those who have not answered, every set number of days, up to the course's limit."""
    now = now or timezone.now()
    sent = 0
    open_invitations = (
        Invitation.objects.filter(answered_at__isnull=True)
        .select_related(
            "booking__person", "booking__session__course", "attendance__person", "attendance__session__course"
        )
        .exclude(booking__session__status=SessionStatus.CANCELLED)
    )
    settings_by_course = {ce.course_id: ce for ce in CourseEvaluation.objects.all()}
    for invitation in open_invitations:
        ce = settings_by_course.get(invitation.session.course_id)
        if ce is None or invitation.reminders_sent >= ce.max_reminders:
            continue
        if invitation.is_closed(now):
            continue  # the stage has closed: the link would no longer work
        last = invitation.last_reminded_at or invitation.sent_at
        if now - last < timedelta(days=ce.reminder_days):
            continue
        with transaction.atomic():
            # Count the reminder first, conditionally, so two sweeps cannot both send it.
            updated = Invitation.objects.filter(
                pk=invitation.pk, reminders_sent=invitation.reminders_sent, answered_at__isnull=True
            ).update(reminders_sent=invitation.reminders_sent + 1, last_reminded_at=now)
            if not updated:
                continue
            queue_email(
                to=invitation.person.email,
                subject="Reminder: " + SUBJECTS[invitation.stage].format(course=invitation.session.course.title),
                template=f"evaluation_{invitation.stage}",
                context={
                    "person": invitation.person,
                    "session": invitation.session,
                    "link": link_for(invitation),
                    "reminder": True,
                },
            )
            sent += 1
    return sent


# --- Answers ------------------------------------------------------------------------------------


@transaction.atomic
def submit(*, invitation: Invitation, answers: list[dict], now: datetime | None = None) -> Response:
    """Store one delegate's answers, all or none; a link answers once, until its stage closes
    (`now`: the moment of answering, for recording answers given earlier)."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("booking__session__course", "attendance__session__course")
        .get(pk=invitation.pk)
    )
    if invitation.answered_at:
        raise EvaluationError("You have already answered this questionnaire. Thank you.")
    refuse_if_closed(invitation, now)
    response = Response.objects.create(invitation=invitation, **({"submitted_at": now} if now else {}))
    for answer in answers:
        text = (answer.get("text") or "").strip()
        Answer.objects.create(
            response=response,
            item=answer["item"],
            outcome=answer.get("outcome"),
            number=answer.get("number"),
            choices=answer.get("choices") or [],
            text=text,
            text_status=TextStatus.PENDING if text else "",
        )
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["answered_at"])
    return response


@transaction.atomic
def review_text(*, actor, answer: Answer, status: str) -> Answer:
    if not actor.is_training_manager:
        raise EvaluationError("Only the training manager reviews free-text answers.")
    if status not in (TextStatus.APPROVED, TextStatus.EXCLUDED):
        raise EvaluationError("Choose whether the answer can appear in reports.")
    answer.text_status = status
    answer.save(update_fields=["text_status"])
    return answer


# --- Editing questionnaires ----------------------------------------------------------------------


@transaction.atomic
def editable(*, actor, questionnaire: Questionnaire) -> Questionnaire:
    """The questionnaire to change: itself if nobody has been asked it, otherwise a new version
    (with the same questions) that the courses using it switch to."""
    if not actor.is_training_manager:
        raise EvaluationError("Only the training manager can change questionnaires.")
    if not questionnaire.is_current:
        raise EvaluationError("This is an old version. Change the current one.")
    if not questionnaire.invitations.exists():
        return questionnaire
    new = Questionnaire.objects.create(
        name=questionnaire.name,
        purpose=questionnaire.purpose,
        stage=questionnaire.stage,
        version=questionnaire.version + 1,
        previous=questionnaire,
    )
    for item in questionnaire.items.all():
        Item.objects.create(
            questionnaire=new,
            position=item.position,
            kind=item.kind,
            text=item.text,
            hint=item.hint,
            choices=item.choices,
            required=item.required,
        )
    for field in ("before", "immediate", "follow_up"):
        CourseEvaluation.objects.filter(**{field: questionnaire}).update(**{field: new})
    log_action(
        actor=actor, action="made a new questionnaire version", obj=new, changes={"from version": questionnaire.version}
    )
    return new


@transaction.atomic
def add_item(
    *, actor, questionnaire: Questionnaire, kind: str, text: str, hint: str = "", choices=(), required: bool = True
) -> Item:
    target = editable(actor=actor, questionnaire=questionnaire)
    choices = [c.strip() for c in choices if c.strip()]
    if kind in (ItemKind.SINGLE, ItemKind.MULTIPLE) and len(choices) < 2:
        raise EvaluationError("Give at least two options, one per line.", field="choices")
    position = (target.items.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    return Item.objects.create(
        questionnaire=target,
        position=position,
        kind=kind,
        text=text.strip(),
        hint=hint.strip(),
        choices=choices if kind in (ItemKind.SINGLE, ItemKind.MULTIPLE) else [],
        required=required,
    )


@transaction.atomic
def remove_item(*, actor, item: Item) -> Questionnaire:
    target = editable(actor=actor, questionnaire=item.questionnaire)
    target.items.filter(position=item.position, text=item.text).delete()
    return target


# --- Focus groups, observations and practice issues ----------------------------------------------


@transaction.atomic
def record_focus_group(*, actor, **values) -> FocusGroup:
    group = FocusGroup.objects.create(recorded_by=actor, **values)
    log_action(actor=actor, action="recorded focus group", obj=group)
    return group


@transaction.atomic
def record_observation(*, actor, session, trainers, values_seen=(), **values) -> Observation:
    if trainers and not set(t.pk for t in trainers) <= set(session.trainers.values_list("pk", flat=True)):
        raise EvaluationError("Choose trainers who delivered this session.", field="trainers")
    observation = Observation.objects.create(session=session, recorded_by=actor, **values)
    observation.trainers.set(trainers)
    observation.values_seen.set(values_seen)
    log_action(
        actor=actor, action="recorded observation", obj=session, changes={"observer": values.get("observer_name")}
    )
    return observation


@transaction.atomic
def raise_issue(
    *, actor, title: str, description: str, answer=None, focus_group=None, observation=None
) -> PracticeIssue:
    issue = PracticeIssue.objects.create(
        title=title.strip(),
        description=description.strip(),
        raised_by=actor,
        answer=answer,
        focus_group=focus_group,
        observation=observation,
    )
    IssueChange.objects.create(issue=issue, status=IssueStatus.RAISED, changed_by=actor, note="Raised.")
    log_action(actor=actor, action="raised practice issue", obj=issue)
    return issue


@transaction.atomic
def change_issue_status(*, actor, issue: PracticeIssue, status: str, note: str) -> PracticeIssue:
    issue = PracticeIssue.objects.select_for_update().get(pk=issue.pk)
    if status not in IssueStatus.values:
        raise EvaluationError("Choose a status.", field="status")
    if status == issue.status:
        raise EvaluationError(f"The issue is already {issue.get_status_display().lower()}.", field="status")
    if not note.strip():
        raise EvaluationError("Say what happened, for the issue's history.", field="note")
    issue.status = status
    issue.save(update_fields=["status"])
    IssueChange.objects.create(issue=issue, status=status, changed_by=actor, note=note.strip())
    log_action(actor=actor, action="changed practice issue", obj=issue, changes={"status": IssueStatus(status).label})
    return issue


@dataclass
class Gate:
    message: str
    link: str


def certificate_holds(records) -> dict[int, Gate]:
    """Certificates held back until the delegate answers the course evaluation, where the course
    asks for that. Walk-ins (no booking) are never held. Two queries."""
    booking_ids = [r.booking_id for r in records if r.booking_id]
    if not booking_ids:
        return {}
    gated_courses = set(
        CourseEvaluation.objects.filter(certificate_needs_evaluation=True, immediate__isnull=False).values_list(
            "course_id", flat=True
        )
    )
    if not gated_courses:
        return {}
    invitations = {
        i.booking_id: i for i in Invitation.objects.filter(booking_id__in=booking_ids, stage=Stage.IMMEDIATE)
    }
    holds = {}
    for record in records:
        if not record.booking_id or record.session.course_id not in gated_courses:
            continue
        invitation = invitations.get(record.booking_id)
        if invitation is None:
            holds[record.pk] = Gate(
                "Your certificate is released once you answer the course evaluation, which we are emailing you.", ""
            )
        elif not invitation.answered_at:
            holds[record.pk] = Gate(
                "Answer the course evaluation to get your certificate.",
                reverse("evaluation:answer", args=[token_for(invitation)]),
            )
    return holds
