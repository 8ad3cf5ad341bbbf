"""The training sub-committee's writes.

Members, meetings and minutes: the training manager keeps the membership (who sits for which
agency, from when until when), records each meeting with its agenda, its papers (links to the
service's own pages, never copies), which agencies attended or sent apologies, and its minutes as
decisions and actions. An action's owner (or the training manager) closes it with its outcome.

Single-agency training audits run on the needs analysis's return engine: a round is a
`tna.TnaCycle` of kind audit, set up and opened by `tna.services.create_round` and `open_cycle`;
leads' answers, drafts, submission, reminders, escalation, reopening and versions are all
`tna.services`. This module adds what only the sub-committee does: choosing the questions, rating
each submitted answer red, amber or green with a comment, recording its findings, having the
audit report built for the Board, and answering agencies' requests for advice.
"""

import logging
from datetime import date

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.audit import log_action
from accounts.mail import queue_email
from accounts.selectors import partnership_context, training_managers
from common.errors import DomainError
from evaluation import services as evaluation_services
from evaluation.models import IssueStatus, PracticeIssue
from tna import services as tna_services
from tna.models import ReturnKind, ReturnStatus, TnaCycle, TnaReturn

from .models import (
    Action,
    ActionStatus,
    AdviceRequest,
    AnswerRating,
    AttendanceStatus,
    AuditFindings,
    AuditQuestion,
    CommitteePaper,
    Decision,
    DeliveredBy,
    IncomeSource,
    IssueHearing,
    Meeting,
    MeetingAttendance,
    MeetingPaper,
    Member,
    MemberRole,
    PaperKind,
    PaperStatus,
    PlanChange,
    ProgrammePlan,
    Rating,
    Receipt,
    SessionDelivery,
    YearFinance,
)
from .standard import install

logger = logging.getLogger(__name__)


class CommitteeError(DomainError):
    pass


def ensure_standard_questions() -> int:
    """The migration installs them; this puts back any that were removed (a test flush, say)."""
    return install(AuditQuestion)


def _manager(actor, what: str) -> None:
    if actor is None or not actor.is_training_manager:
        raise CommitteeError(f"Only the training manager can {what}.")


# --- Audit rounds -------------------------------------------------------------------------------


@transaction.atomic
def open_audit_round(
    *,
    actor,
    title: str,
    deadline: date,
    questions: list[AuditQuestion],
    instructions: str = "",
    extra_question: str = "",
    extra_hint: str = "",
    site_url: str = "",
) -> tuple[TnaCycle, int]:
    """Set up a round asking the chosen standard questions (and one of the sub-committee's own for
    this round, if given, asked last), and open it at once: every active agency's return is started
    and its leads emailed. (round, agencies told)"""
    _manager(actor, "open an audit round")
    today = timezone.localdate()
    if deadline <= today:
        raise CommitteeError("The deadline must be in the future", field="deadline")
    asked = [(q.text, q.hint) for q in sorted(questions, key=lambda q: q.number)]
    if extra_question.strip():
        asked.append((extra_question.strip(), extra_hint.strip()))
    try:
        cycle = tna_services.create_round(
            actor=actor,
            kind=ReturnKind.AUDIT,
            title=title,
            opens_on=today,
            deadline=deadline,
            questions=asked,
            instructions=instructions,
        )
        told = tna_services.open_cycle(actor=actor, cycle=cycle, site_url=site_url)
        cycle.refresh_from_db()
    except tna_services.TnaError as error:
        raise CommitteeError(error.message, field=error.field) from None
    return cycle, told


@transaction.atomic
def rate_answers(*, actor, tna_return: TnaReturn, ratings: dict[int, tuple[str, str]]) -> int:
    """The sub-committee's rating of each answer of a submitted return: {answer id: (rating, comment)}.
    Only a submitted return is rated (a draft may still change). Returns how many ratings changed."""
    _manager(actor, "rate an audit return")
    tna_return = TnaReturn.every_kind.select_for_update().get(pk=tna_return.pk)
    if tna_return.kind != ReturnKind.AUDIT:
        raise CommitteeError("Only an audit return is rated.")
    if tna_return.status != ReturnStatus.SUBMITTED:
        raise CommitteeError("Rate the answers once the agency has submitted them.")
    changed = 0
    now = timezone.now()
    for answer in tna_return.answers.select_related("question", "rating"):
        rating, comment = ratings.get(answer.pk, ("", ""))
        if not rating:
            continue
        if rating not in Rating.values:
            raise CommitteeError(f"Question {answer.question.number}: choose red, amber or green")
        comment = comment.strip()
        current = getattr(answer, "rating", None)
        if current is not None and (current.rating, current.comment) == (rating, comment):
            continue
        AnswerRating.objects.update_or_create(
            answer=answer, defaults={"rating": rating, "comment": comment, "rated_by": actor, "rated_at": now}
        )
        changed += 1
    if changed:
        log_action(actor=actor, action="rated audit return", obj=tna_return, changes={"ratings": changed})
    return changed


@transaction.atomic
def record_findings(*, actor, cycle: TnaCycle, text: str) -> AuditFindings:
    """What the sub-committee concluded from the round; the audit report prints it first."""
    _manager(actor, "record the sub-committee's findings")
    if cycle.kind != ReturnKind.AUDIT:
        raise CommitteeError("Findings are recorded for an audit round.")
    if not text.strip():
        raise CommitteeError("Enter the sub-committee's findings", field="text")
    findings, _ = AuditFindings.objects.update_or_create(
        cycle=cycle, defaults={"text": text.strip(), "recorded_by": actor, "recorded_at": timezone.now()}
    )
    log_action(actor=actor, action="recorded audit findings", obj=cycle)
    return findings


# --- Papers the worker builds --------------------------------------------------------------------


@transaction.atomic
def request_audit_report(*, actor, cycle: TnaCycle) -> CommitteePaper:
    """Ask the worker for the round's report to the Board; it is built once the request commits."""
    _manager(actor, "ask for the audit report")
    if cycle.kind != ReturnKind.AUDIT:
        raise CommitteeError("An audit report is built for an audit round.")
    paper = CommitteePaper.objects.create(
        kind=PaperKind.AUDIT_REPORT, cycle=cycle, title=f"Audit report: {cycle}", requested_by=actor
    )
    log_action(actor=actor, action="requested committee paper", obj=paper, changes={"paper": paper.title})
    transaction.on_commit(lambda: enqueue(paper.pk))
    return paper


def enqueue(paper_id: int) -> bool:
    from .tasks import build_paper

    try:
        build_paper.delay(paper_id)
        return True
    except Exception:  # the transport's errors vary; none may fail the request
        logger.warning("Could not queue committee paper %s", paper_id, exc_info=True)
        return False


def render_paper_html(paper: CommitteePaper) -> str:
    from common import pagecache

    from .selectors import audit_report, issues_paper

    # "run" names the document for the shared print layout (its <title>).
    context = {
        "paper": paper,
        "run": paper,
        **partnership_context(),
        "as_at": pagecache.as_at(),
    }
    if paper.kind == PaperKind.ISSUES:
        return render_to_string("committee/issues_paper.html", {**context, "report": issues_paper(since=paper.since)})
    return render_to_string("committee/audit_report.html", {**context, "report": audit_report(paper.cycle)})


def build_paper(paper_id: int) -> CommitteePaper | None:
    """Build the paper's PDF. Safe to run twice: a finished paper is left alone, and the claim
    (a conditional update) lets one worker at a time build it."""
    claimed = CommitteePaper.objects.filter(pk=paper_id, status=PaperStatus.QUEUED).update(status=PaperStatus.RUNNING)
    if not claimed:
        return None
    paper = CommitteePaper.objects.select_related("cycle").get(pk=paper_id)
    try:
        from common.pdf import render  # WeasyPrint is slow to import: only the worker needs it

        document = render(render_paper_html(paper))
        pdf = document.write_pdf()
    except Exception as error:
        CommitteePaper.objects.filter(pk=paper_id).update(
            status=PaperStatus.FAILED,
            error=f"The paper could not be built ({type(error).__name__}).",
            finished_at=timezone.now(),
        )
        raise
    if paper.file:
        paper.file.delete(save=False)
    paper.file.save(f"{paper.kind}-{paper.pk}.pdf", ContentFile(pdf), save=False)
    paper.status, paper.pages, paper.finished_at = PaperStatus.DONE, len(document.pages), timezone.now()
    paper.save(update_fields=["file", "status", "pages", "finished_at"])
    return paper


def open_paper(*, actor, paper: CommitteePaper):
    """The paper's PDF for `actor`, the download written to the audit trail."""
    try:
        pdf = paper.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise CommitteeError(f"The file of {paper.title} cannot be found. Ask for it again.") from None
    log_action(actor=actor, action="downloaded committee paper", obj=paper, changes={"paper": paper.title})
    return pdf


# --- Advice --------------------------------------------------------------------------------------


@transaction.atomic
def ask_advice(*, actor, question: str) -> AdviceRequest:
    """An agency lead asks the sub-committee for advice on their single-agency training; the
    training manager is emailed."""
    if not (actor.is_agency_lead and actor.agency_id):
        raise CommitteeError("Only an agency's lead can ask for advice for their agency.")
    question = question.strip()
    if not question:
        raise CommitteeError("Enter your question", field="question")
    if len(question) > 3000:
        raise CommitteeError("Keep your question to 3,000 characters", field="question")
    request = AdviceRequest.objects.create(agency_id=actor.agency_id, asked_by=actor, question=question)
    managers = training_managers()
    if managers:
        queue_email(
            to=[m.email for m in managers],
            subject=f"Advice asked for by {actor.agency.name}",
            template="committee_advice_asked",
            context={
                "request": request,
                "agency": actor.agency,
                "person": actor,
                "link": settings.SITE_URL + reverse("committee:advice-answer", args=[request.pk]),
            },
        )
    log_action(actor=actor, action="asked for advice", obj=request)
    return request


@transaction.atomic
def answer_advice(*, actor, request: AdviceRequest, answer: str) -> AdviceRequest:
    """The sub-committee's answer, emailed to whoever asked."""
    _manager(actor, "answer a request for advice")
    answer = answer.strip()
    if not answer:
        raise CommitteeError("Enter the answer", field="answer")
    request = AdviceRequest.objects.select_for_update(of=("self",)).select_related("asked_by").get(pk=request.pk)
    request.answer, request.answered_by, request.answered_at = answer, actor, timezone.now()
    request.save(update_fields=["answer", "answered_by", "answered_at"])
    if request.asked_by and request.asked_by.email:
        queue_email(
            to=request.asked_by.email,
            subject="The training sub-committee has answered your question",
            template="committee_advice_answered",
            context={"request": request},
        )
    log_action(actor=actor, action="answered advice request", obj=request)
    return request


# --- Members, meetings, decisions and actions ------------------------------------------------------


@transaction.atomic
def add_member(*, actor, person, role: str, joined_on: date, agency=None) -> Member:
    """A seat on the sub-committee. A member or deputy sits for an agency (the person's own, unless
    given); the chair and the training manager may sit for none."""
    _manager(actor, "change the sub-committee's membership")
    if role not in MemberRole.values:
        raise CommitteeError("Choose the member's role", field="role")
    if role in (MemberRole.MEMBER, MemberRole.DEPUTY):
        agency = agency or person.agency
        if agency is None:
            raise CommitteeError("Choose the agency this person sits for", field="agency")
    if Member.objects.filter(person=person, left_on__isnull=True).exists():
        raise CommitteeError(f"{person.full_name} is already a member", field="person")
    member = Member.objects.create(person=person, agency=agency, role=role, joined_on=joined_on)
    log_action(actor=actor, action="added sub-committee member", obj=member, changes={"role": role})
    return member


@transaction.atomic
def member_left(*, actor, member: Member, left_on: date) -> Member:
    _manager(actor, "change the sub-committee's membership")
    if left_on < member.joined_on:
        raise CommitteeError("A member cannot leave before they joined", field="left_on")
    member.left_on = left_on
    member.save(update_fields=["left_on"])
    log_action(actor=actor, action="sub-committee member left", obj=member, changes={"left on": str(left_on)})
    return member


@transaction.atomic
def create_meeting(*, actor, held_on: date, agenda: str) -> Meeting:
    _manager(actor, "record a meeting")
    if Meeting.objects.filter(held_on=held_on).exists():
        raise CommitteeError("There is already a meeting on this date", field="held_on")
    meeting = Meeting.objects.create(held_on=held_on, agenda=agenda.strip(), created_by=actor)
    log_action(actor=actor, action="recorded sub-committee meeting", obj=meeting)
    return meeting


def _own_page(path: str) -> str:
    """A paper is a page of this service: its address here (a full address on this site's own host
    is cut to its path), never another site's, which the Board could not trust to stay what was
    discussed."""
    from urllib.parse import urlsplit

    from django.urls import Resolver404, resolve

    path = path.strip()
    address = urlsplit(path)
    if address.scheme or address.netloc:
        allowed = {urlsplit(settings.SITE_URL).netloc.lower(), *(h.lower() for h in settings.ALLOWED_HOSTS)}
        if address.scheme not in ("http", "https") or address.netloc.lower() not in allowed:
            raise CommitteeError("Link to a page of this service, not another site", field="path")
        path = address.path + (f"?{address.query}" if address.query else "")
    if not path.startswith("/") or path.startswith("//"):
        raise CommitteeError("Enter the page's address on this service, starting with /", field="path")
    try:
        resolve(urlsplit(path).path)
    except Resolver404:
        raise CommitteeError("There is no page at that address on this service", field="path") from None
    return path


@transaction.atomic
def add_paper(*, actor, meeting: Meeting, title: str, path: str) -> MeetingPaper:
    _manager(actor, "add a paper to a meeting")
    if not title.strip():
        raise CommitteeError("Enter the paper's title", field="title")
    paper = MeetingPaper.objects.create(meeting=meeting, title=title.strip(), path=_own_page(path))
    log_action(actor=actor, action="added meeting paper", obj=meeting, changes={"paper": paper.title})
    return paper


@transaction.atomic
def record_attendance(*, actor, meeting: Meeting, attendance: dict) -> int:
    """Each agency's attendance: {agency: (status, who represented it)}. Replaces what was recorded."""
    _manager(actor, "record attendance")
    for agency, (status, who) in attendance.items():
        if status not in AttendanceStatus.values:
            raise CommitteeError(f"{agency.name}: choose attended, apologies or did not attend")
        MeetingAttendance.objects.update_or_create(
            meeting=meeting, agency=agency, defaults={"status": status, "represented_by": (who or "").strip()[:200]}
        )
    log_action(actor=actor, action="recorded meeting attendance", obj=meeting, changes={"agencies": len(attendance)})
    return len(attendance)


@transaction.atomic
def add_decision(*, actor, meeting: Meeting, text: str, decided_on: date | None = None) -> Decision:
    _manager(actor, "record a decision")
    if not text.strip():
        raise CommitteeError("Enter the decision", field="text")
    decision = Decision.objects.create(
        meeting=meeting, text=text.strip()[:500], decided_on=decided_on or meeting.held_on
    )
    log_action(actor=actor, action="recorded decision", obj=meeting, changes={"decision": decision.text})
    return decision


@transaction.atomic
def add_action(*, actor, meeting: Meeting, text: str, owner, due_on: date, agency=None) -> Action:
    """An action from the minutes, owned by a person for an agency (the owner's, unless given)."""
    _manager(actor, "record an action")
    if not text.strip():
        raise CommitteeError("Enter the action", field="text")
    if due_on < meeting.held_on:
        raise CommitteeError("The action cannot be due before the meeting", field="due_on")
    action = Action.objects.create(
        meeting=meeting, text=text.strip()[:500], owner=owner, agency=agency or owner.agency, due_on=due_on
    )
    if owner.email:
        queue_email(
            to=owner.email,
            subject=f"An action for you from the training sub-committee, due {due_on:%-d %B %Y}",
            template="committee_action",
            context={"action": action, "link": settings.SITE_URL + reverse("committee:actions")},
        )
    log_action(actor=actor, action="recorded action", obj=meeting, changes={"action": action.text})
    return action


@transaction.atomic
def close_action(*, actor, action: Action, outcome: str = "") -> Action:
    """The owner (or the training manager) closes an action, saying what was done."""
    action = Action.objects.select_for_update().get(pk=action.pk)
    if not (actor.pk == action.owner_id or actor.is_training_manager):
        raise CommitteeError("Only the action's owner or the training manager can close it.")
    if action.status == ActionStatus.DONE:
        raise CommitteeError("This action is already closed.")
    action.status, action.closed_at, action.closed_by = ActionStatus.DONE, timezone.now(), actor
    action.outcome = outcome.strip()
    action.save(update_fields=["status", "closed_at", "closed_by", "outcome"])
    log_action(actor=actor, action="closed action", obj=action)
    return action


# --- Practice issues at the audit and evaluation committee ----------------------------------------


def _hearing(issue: PracticeIssue) -> IssueHearing:
    hearing, _ = IssueHearing.objects.select_for_update().get_or_create(issue=issue)
    return hearing


def _move(actor, issue: PracticeIssue, status: str, note: str) -> None:
    """The issue's status is evaluation's: moved through its one service, with a line of history."""
    try:
        evaluation_services.change_issue_status(actor=actor, issue=issue, status=status, note=note)
    except evaluation_services.EvaluationError as error:
        raise CommitteeError(error.message) from None


@transaction.atomic
def take_issue_to_meeting(*, actor, issue: PracticeIssue, meeting: Meeting) -> IssueHearing:
    """A raised issue goes on a meeting's agenda (or is moved to another meeting before an action is agreed)."""
    _manager(actor, "take a practice issue to the committee")
    issue = PracticeIssue.objects.select_for_update().get(pk=issue.pk)
    if issue.status not in (IssueStatus.RAISED, IssueStatus.TAKEN):
        raise CommitteeError("An action is already agreed for this issue.")
    hearing = _hearing(issue)
    hearing.meeting = meeting
    hearing.save(update_fields=["meeting"])
    if issue.status == IssueStatus.RAISED:
        _move(actor, issue, IssueStatus.TAKEN, f"Taken to the {meeting}.")
    return hearing


@transaction.atomic
def agree_issue_action(*, actor, issue: PracticeIssue, action: str, owner_agency, due_on: date) -> IssueHearing:
    """The committee agreed an action: what, which agency owns it, by when."""
    _manager(actor, "record the action agreed")
    issue = PracticeIssue.objects.select_for_update().get(pk=issue.pk)
    if issue.status != IssueStatus.TAKEN:
        raise CommitteeError("Take the issue to a meeting before recording the action agreed.")
    if not action.strip():
        raise CommitteeError("Enter the action agreed", field="action")
    if owner_agency is None:
        raise CommitteeError("Choose the agency that owns the action", field="owner_agency")
    hearing = _hearing(issue)
    if hearing.meeting and due_on < hearing.meeting.held_on:
        raise CommitteeError("The action cannot be due before the meeting that agreed it", field="due_on")
    hearing.action, hearing.owner_agency, hearing.due_on = action.strip(), owner_agency, due_on
    hearing.save(update_fields=["action", "owner_agency", "due_on"])
    _move(actor, issue, IssueStatus.AGREED, f"Action agreed for {owner_agency.name}, due {due_on:%-d %B %Y}.")
    return hearing


@transaction.atomic
def close_issue(*, actor, issue: PracticeIssue, outcome: str) -> IssueHearing:
    """The agreed action is done: the outcome is recorded and the issue closed."""
    _manager(actor, "close a practice issue")
    issue = PracticeIssue.objects.select_for_update().get(pk=issue.pk)
    if issue.status != IssueStatus.AGREED:
        raise CommitteeError("Only an issue with an agreed action can be closed here.")
    if not outcome.strip():
        raise CommitteeError("Enter the outcome", field="outcome")
    hearing = _hearing(issue)
    hearing.outcome = outcome.strip()
    hearing.save(update_fields=["outcome"])
    _move(actor, issue, IssueStatus.CLOSED, "Closed: " + outcome.strip()[:200])
    return hearing


@transaction.atomic
def request_issues_paper(*, actor, since: date) -> CommitteePaper:
    """The committee's paper on practice issues: new since `since`, overdue, and closed since `since`."""
    _manager(actor, "ask for the practice issues paper")
    if since > timezone.localdate():
        raise CommitteeError("The paper covers a period up to today: choose a date in the past", field="since")
    paper = CommitteePaper.objects.create(
        kind=PaperKind.ISSUES,
        since=since,
        title=f"Practice issues since {since:%-d %B %Y}",
        requested_by=actor,
    )
    log_action(actor=actor, action="requested committee paper", obj=paper, changes={"paper": paper.title})
    transaction.on_commit(lambda: enqueue(paper.pk))
    return paper


# --- The programme plan ---------------------------------------------------------------------------


@transaction.atomic
def record_plan_change(*, actor, year, course, finding: str, change: str) -> PlanChange:
    """What evaluation found about a course and what the year's programme changes because of it."""
    _manager(actor, "record a change to the programme")
    if not finding.strip():
        raise CommitteeError("Enter what evaluation found", field="finding")
    if not change.strip():
        raise CommitteeError("Enter what was changed because of it", field="change")
    plan_change = PlanChange.objects.create(
        year=year, course=course, finding=finding.strip(), change=change.strip(), recorded_by=actor
    )
    log_action(actor=actor, action="recorded programme change", obj=year, changes={"course": course.title})
    return plan_change


@transaction.atomic
def approve_plan(*, actor, year, decision: Decision) -> ProgrammePlan:
    """Record which of the sub-committee's decisions approved the year's programme."""
    _manager(actor, "record the programme's approval")
    plan, _ = ProgrammePlan.objects.update_or_create(
        year=year, defaults={"decision": decision, "recorded_by": actor, "recorded_at": timezone.now()}
    )
    log_action(actor=actor, action="recorded programme approval", obj=year, changes={"decision": decision.text})
    return plan


# --- Money ----------------------------------------------------------------------------------------


@transaction.atomic
def set_trainer_day_rate(*, actor, year, rate) -> YearFinance:
    """The value the sub-committee puts on a trainer day given in kind, for the year's accounts."""
    _manager(actor, "set the value of a trainer day")
    if rate is None or rate < 0:
        raise CommitteeError("Enter the value of a trainer day in pounds (0 or more)", field="trainer_day_rate")
    finance, _ = YearFinance.objects.update_or_create(year=year, defaults={"trainer_day_rate": rate})
    log_action(actor=actor, action="set trainer day rate", obj=year, changes={"rate": str(rate)})
    return finance


@transaction.atomic
def record_receipt(
    *, actor, year, source: str, amount, received_on: date, agency=None, description: str = ""
) -> Receipt:
    """Money received for the year: a contribution names its agency; a grant or other income says what it is."""
    _manager(actor, "record money received")
    if source not in IncomeSource.values:
        raise CommitteeError("Choose where the money came from", field="source")
    if amount is None or amount <= 0:
        raise CommitteeError("Enter the amount received in pounds", field="amount")
    if source == IncomeSource.CONTRIBUTION and agency is None:
        raise CommitteeError("Choose the agency whose contribution this is", field="agency")
    if source != IncomeSource.CONTRIBUTION and not description.strip():
        raise CommitteeError("Say what the money is, for example the grant's name", field="description")
    receipt = Receipt.objects.create(
        year=year,
        source=source,
        agency=agency if source == IncomeSource.CONTRIBUTION else None,
        description=description.strip(),
        amount=amount,
        received_on=received_on,
        recorded_by=actor,
    )
    log_action(actor=actor, action="recorded money received", obj=year, changes={"amount": str(amount)})
    return receipt


@transaction.atomic
def record_delivery(
    *, actor, session, delivered_by: str, provider: str = "", cost=None, speakers: str = ""
) -> SessionDelivery:
    """Who delivered the session; a commissioned provider is named, with what it cost; a conference
    or briefing lists its speakers."""
    _manager(actor, "record who delivered a session")
    if delivered_by not in DeliveredBy.values:
        raise CommitteeError("Choose who delivered the session", field="delivered_by")
    cost = cost or 0
    if delivered_by == DeliveredBy.COMMISSIONED:
        if not provider.strip():
            raise CommitteeError("Enter the commissioned provider's name", field="provider")
        if cost < 0:
            raise CommitteeError("The cost cannot be negative", field="cost")
    else:
        provider, cost = "", 0
    delivery, _ = SessionDelivery.objects.update_or_create(
        session=session,
        defaults={
            "delivered_by": delivered_by,
            "provider": provider.strip(),
            "cost": cost,
            "speakers": speakers.strip(),
        },
    )
    log_action(actor=actor, action="recorded who delivered", obj=session, changes={"by": delivered_by})
    return delivery
