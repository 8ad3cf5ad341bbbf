"""The annual training needs analysis: setting up a year, opening its cycle, chasing agencies,
and the life of an agency's return, which this module alone writes.

A return's life:
- **started** when the cycle opens (every active agency gets one), or, for an agency added
  later, when its lead starts it (a POST) or an import brings its figures; never by reading a page;
- **draft**: each section saved is marked complete;
- **submitted** by the agency's lead (or the training manager) with the declaration, once every
  section is complete and the totals agree; it is then locked;
- **reopened** by the training manager with a reason, which the lead is emailed;
- **imported** from a CSV file by the training manager, through `import_needs` whichever page or
  command reads the file: every line is checked the same way, the needs section is marked complete,
  and the return is left **submitted**, recorded as imported by that person from that file. A
  submitted return whose figures the file changes is reopened and resubmitted by the import; one the
  file does not change is left as it is, so importing a file twice changes nothing.
Every submission, reopening and import is a numbered version with a snapshot and what changed.

The same engine serves every kind of round (`ReturnKind`): the year's needs analysis, and the
sub-committee's single-agency training audits, whose returns hold answers to the round's questions
instead of figures. Opening, starting, drafts, submission with the declaration, reminders,
escalation, reopening and versions are these functions for both; `KINDS` says what differs (the
sections, the words of the emails and where their links lead).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import selectors as accounts_selectors
from accounts.audit import log_action
from accounts.mail import queue_email
from accounts.models import Agency, TargetGroup, User
from accounts.selectors import training_managers
from common.csvfiles import CsvFileError, LineProblem, dict_reader
from common.errors import DomainError
from common.numbers import parse_whole_number
from courses.models import Course, Level
from courses.selectors.training_record import trained_and_in_date

from .models import (
    ReminderKind,
    ReminderLog,
    ReturnAnswer,
    ReturnKind,
    ReturnQuestion,
    ReturnStatus,
    ReturnVersion,
    SingleAgencyTraining,
    StaffCount,
    TnaCycle,
    TnaReturn,
    TrainingNeed,
    TrainingYear,
)
from .selectors import RETURN_LINE_COLUMNS

SECTIONS = ("staff", "needs", "single_agency")
SECTION_TITLES = {
    "staff": "About your agency",
    "needs": "Inter-agency training needs",
    "single_agency": "Single-agency training",
}
# The largest number a return's box accepts, on the page and in a file.
MOST = 9_999_999


class TnaError(DomainError):
    pass


@dataclass(frozen=True)
class KindRules:
    """What differs between kinds of return: the sections a return has, what it is called, the
    emails' templates (`<prefix>_invitation`, `_reminder`, `_reopened`, `_escalation`) and the pages
    their links lead to (by URL name: the return, the round's overview, the lead's way in)."""

    sections: tuple[str, ...]
    section_titles: dict
    noun: str
    templates: str
    return_page: str
    round_page: str
    way_in: str


KINDS = {
    ReturnKind.NEEDS: KindRules(
        sections=SECTIONS,
        section_titles=SECTION_TITLES,
        noun="training needs return",
        templates="tna",
        return_page="tna:return",
        round_page="tna:cycle",
        way_in="tna:index",
    ),
    ReturnKind.AUDIT: KindRules(
        sections=("answers",),
        section_titles={"answers": "Your answers"},
        noun="single-agency training audit return",
        templates="audit",
        return_page="committee:audit-return",
        round_page="committee:audit",
        way_in="committee:my-audit",
    ),
}


def rules_for(kind) -> KindRules:
    return KINDS[ReturnKind(kind)]


def leads_of(agency: Agency) -> list[User]:
    return accounts_selectors.leads_of(agency)


def _link(site_url, name, *args):
    return (site_url or settings.SITE_URL) + reverse(name, args=args)


# --- Setting up a year ------------------------------------------------------------------------


@transaction.atomic
def create_year_and_cycle(
    *,
    actor,
    name,
    starts_on,
    ends_on,
    children_in_need,
    central_costs,
    opens_on,
    deadline,
    instructions,
    reminder_offsets,
    escalate_after_days,
) -> TnaCycle:
    if not actor.is_training_manager:
        raise TnaError("Only the training manager can set up a training year.")
    if TrainingYear.objects.filter(name__iexact=name.strip()).exists():
        raise TnaError("A training year with this name already exists", field="name")
    if TrainingYear.objects.filter(starts_on__lte=ends_on, ends_on__gte=starts_on).exists():
        raise TnaError("These dates overlap another training year", field="starts_on")
    year = TrainingYear.objects.create(
        name=name.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        children_in_need=children_in_need or 0,
        central_costs=central_costs or 0,
    )
    cycle = TnaCycle.objects.create(
        year=year,
        opens_on=opens_on,
        deadline=deadline,
        instructions=instructions.strip(),
        reminder_offsets=reminder_offsets,
        escalate_after_days=escalate_after_days,
    )
    log_action(actor=actor, action="created training year", obj=year)
    return cycle


def set_cycle_dates(*, year: TrainingYear, opens_on: date, deadline: date) -> tuple[TnaCycle, bool, bool]:
    """The year's training needs analysis with these dates, as an import of training years brings
    them: created if the year has none, its dates corrected if they differ. (cycle, created, changed)"""
    if deadline <= opens_on:
        raise TnaError("The deadline must be after the date the analysis opens", field="deadline")
    cycle = TnaCycle.objects.filter(year=year).first()
    if cycle is None:
        return TnaCycle.objects.create(year=year, opens_on=opens_on, deadline=deadline), True, False
    if (cycle.opens_on, cycle.deadline) == (opens_on, deadline):
        return cycle, False, False
    cycle.opens_on, cycle.deadline = opens_on, deadline
    cycle.save(update_fields=["opens_on", "deadline"])
    return cycle, False, True


@transaction.atomic
def create_round(
    *,
    actor,
    kind: str,
    title: str,
    opens_on: date,
    deadline: date,
    questions: list[tuple[str, str]],
    instructions: str = "",
    reminder_offsets: list[int] | None = None,
    escalate_after_days: int = 14,
) -> TnaCycle:
    """A round of returns that is not the year's needs analysis (an audit): its title, dates and the
    questions every agency answers, copied in as (text, hint). Opened, chased and reopened like the
    needs analysis, by the same functions."""
    if not actor.is_training_manager:
        raise TnaError("Only the training manager can set up a round of returns.")
    if ReturnKind(kind) == ReturnKind.NEEDS:
        raise TnaError("The needs analysis belongs to a training year: set it up with the year.")
    if not title.strip():
        raise TnaError("Enter a title", field="title")
    if deadline <= opens_on:
        raise TnaError("The deadline must be after the date the round opens", field="deadline")
    if not questions:
        raise TnaError("Choose at least one question", field="questions")
    cycle = TnaCycle.rounds.create(
        kind=kind,
        title=title.strip()[:200],
        opens_on=opens_on,
        deadline=deadline,
        instructions=instructions.strip(),
        reminder_offsets=reminder_offsets if reminder_offsets is not None else [-7, 0, 7],
        escalate_after_days=escalate_after_days,
    )
    ReturnQuestion.objects.bulk_create(
        [
            ReturnQuestion(cycle=cycle, number=number, text=text[:300], hint=hint)
            for number, (text, hint) in enumerate(questions, start=1)
        ]
    )
    log_action(actor=actor, action=f"set up {ReturnKind(kind).label.lower()}", obj=cycle)
    return cycle


@transaction.atomic
def save_contributions(*, actor, year, amounts: dict) -> None:
    """Agencies' financial contributions for the year; an empty amount removes one."""
    from .models import AgencyContribution

    if not actor.is_training_manager:
        raise TnaError("Only the training manager can record contributions.")
    for agency, amount in amounts.items():
        if amount is None:
            AgencyContribution.objects.filter(year=year, agency=agency).delete()
        elif amount < 0:
            raise TnaError(f"{agency.name}: a contribution cannot be negative")
        else:
            AgencyContribution.objects.update_or_create(year=year, agency=agency, defaults={"amount": amount})
    log_action(
        actor=actor,
        action="recorded contributions",
        obj=year,
        changes={"agencies": sum(1 for a in amounts.values() if a)},
    )


# --- Opening the cycle --------------------------------------------------------------------


@transaction.atomic
def open_cycle(*, actor, cycle: TnaCycle, site_url: str = "") -> int:
    """Start every active agency's return and email its leads a link to it. Returns how many agencies were told."""
    what = ReturnKind(cycle.kind).label.lower()
    if not actor.is_training_manager:
        raise TnaError(f"Only the training manager can open a {what}.")
    cycle = TnaCycle.rounds.select_for_update().get(pk=cycle.pk)
    kind = rules_for(cycle.kind)
    if cycle.opened_at:
        raise TnaError(f"This {what} is already open.")
    cycle.opened_at = timezone.now()
    cycle.save(update_fields=["opened_at"])
    told = 0
    for agency in Agency.objects.filter(active=True):
        # Every active agency's return exists from now on, so reading it never has to create it.
        tna_return = start_return(agency=agency, cycle=cycle)
        leads = leads_of(agency)
        if not leads:
            continue
        queue_email(
            to=[lead.email for lead in leads],
            subject=f"{cycle}: please send your return by {cycle.deadline:%-d %B %Y}",
            template=f"{kind.templates}_invitation",
            context={"agency": agency, "cycle": cycle, "link": _link(site_url, kind.return_page, tna_return.pk)},
        )
        ReminderLog.objects.create(
            cycle=cycle,
            agency=agency,
            kind=ReminderKind.INVITATION,
            offset_days=0,
            sent_to=[lead.email for lead in leads],
        )
        told += 1
    log_action(actor=actor, action=f"opened {what}", obj=cycle, changes={"agencies told": told})
    return told


@transaction.atomic
def start_return(*, agency: Agency, cycle: TnaCycle, actor=None) -> TnaReturn:
    """The agency's return, created the first time. A needs return gets a line for every staff
    group, active inter-agency course and level, trained and in date prefilled from this system's
    own attendance records; an audit return an empty answer to each of the round's questions.
    With an `actor` (a lead starting it from the page), only the agency's lead or the training
    manager may, and only once the cycle is open."""
    if actor is not None:
        if not (actor.is_training_manager or (actor.is_agency_lead and actor.agency_id == agency.pk)):
            raise TnaError("Only the agency's lead can start its return.")
        if not cycle.is_open and not actor.is_training_manager:
            raise TnaError(f"This {ReturnKind(cycle.kind).label.lower()} is not open yet.")
    tna_return, created = TnaReturn.every_kind.get_or_create(cycle=cycle, agency=agency, defaults={"kind": cycle.kind})
    if created and cycle.kind == ReturnKind.AUDIT:
        ReturnAnswer.objects.bulk_create(
            [ReturnAnswer(tna_return=tna_return, question=q) for q in ReturnQuestion.objects.filter(cycle=cycle)]
        )
    elif created:
        StaffCount.objects.bulk_create(
            [StaffCount(tna_return=tna_return, target_group=g) for g in TargetGroup.objects.all()]
        )
        known = trained_and_in_date(agency=agency)
        TrainingNeed.objects.bulk_create(
            [
                TrainingNeed(
                    tna_return=tna_return,
                    course=c,
                    trained_in_date=known.get(c.pk, 0),
                    staff_in_scope=known.get(c.pk, 0),
                )
                for c in Course.objects.filter(active=True, inter_agency=True)
            ]
        )
        SingleAgencyTraining.objects.bulk_create(
            [SingleAgencyTraining(tna_return=tna_return, level=level) for level in Level.objects.all()]
        )
    return tna_return


# --- Saving sections (drafts) ---------------------------------------------------------------


def _editable(actor, tna_return: TnaReturn) -> TnaReturn:
    tna_return = (
        TnaReturn.every_kind.select_for_update(of=("self",))
        .select_related("cycle__year", "agency")
        .get(pk=tna_return.pk)
    )
    if tna_return.is_locked:
        raise TnaError("This return has been submitted, so it is locked. Ask the training manager to reopen it.")
    if not (actor.is_training_manager or (actor.is_agency_lead and actor.agency_id == tna_return.agency_id)):
        raise TnaError("Only the agency's lead can change this return.")
    return tna_return


def _done(tna_return: TnaReturn, section: str) -> None:
    if section not in tna_return.sections_done:
        tna_return.sections_done = [*tna_return.sections_done, section]
    tna_return.updated_at = timezone.now()
    tna_return.save(update_fields=["sections_done", "updated_at"])


@transaction.atomic
def save_staff_counts(*, actor, tna_return: TnaReturn, counts: dict[int, tuple[int, int]]) -> TnaReturn:
    """Section 1: staff and volunteers by target group (whole numbers, none negative)."""
    tna_return = _editable(actor, tna_return)
    for line in tna_return.staff_counts.all():
        staff, volunteers = counts.get(line.target_group_id, (0, 0))
        if staff < 0 or volunteers < 0:
            raise TnaError("Numbers cannot be negative")
        line.staff, line.volunteers = staff, volunteers
        line.save(update_fields=["staff", "volunteers"])
    if "needs" in tna_return.sections_done:
        _check_scope_within_total(tna_return)
    _done(tna_return, "staff")
    return tna_return


def _check_scope_within_total(tna_return: TnaReturn) -> None:
    """The rule that ties the sections together: no course has more staff in scope than the
    agency's staff and volunteers in 'About your agency'. Checked when either section is saved
    (once the other has been) and again at submit."""
    total = sum(s.staff + s.volunteers for s in tna_return.staff_counts.all())
    for need in tna_return.needs.select_related("course"):
        if need.staff_in_scope > total:
            raise TnaError(
                f"{need.course.title}: {need.staff_in_scope:,} staff in scope "
                f"is more than the {total:,} staff and volunteers "
                "you gave in 'About your agency'. Make the totals agree.",
                field=f"scope_{need.course_id}",
            )


def check_need(in_scope: int, trained: int, requested: int) -> tuple[str, str]:
    """The rule for one course's line of a return, on the page and in an imported file:
    (the problem that refuses it, a warning to show); either may be empty. Trained and in date
    cannot be more than staff in scope; more places than staff in scope is allowed, with a warning."""
    if min(in_scope, trained, requested) < 0:
        return "numbers cannot be negative", ""
    if max(in_scope, trained, requested) > MOST:
        return f"numbers cannot be more than {MOST:,}", ""
    if trained > in_scope:
        return (
            f"staff already trained and in date ({trained}) cannot be more than staff in scope ({in_scope})",
            "",
        )
    if requested > in_scope:
        places = f"{requested:,} place{'s' if requested != 1 else ''}"
        return "", f"you asked for {places} for {in_scope:,} staff in scope. Check this is right."
    return "", ""


@dataclass
class NeedsResult:
    tna_return: TnaReturn
    warnings: list[str] = field(default_factory=list)


@transaction.atomic
def save_needs(*, actor, tna_return: TnaReturn, needs: dict[int, tuple[int, int, int]]) -> NeedsResult:
    """Section 2: per course, staff in scope, already trained and in date (not more
    than in scope), and places requested. Requesting more places than staff in scope
    is allowed, with a warning."""
    tna_return = _editable(actor, tna_return)
    warnings = []
    lines = list(tna_return.needs.select_related("course"))
    for line in lines:
        in_scope, trained, requested = needs.get(line.course_id, (0, 0, 0))
        problem, warning = check_need(in_scope, trained, requested)
        if problem:
            raise TnaError(f"{line.course.title}: {problem}")
        if warning:
            warnings.append(f"{line.course.title}: {warning}")
        line.staff_in_scope, line.trained_in_date, line.places_requested = in_scope, trained, requested
        line.save(update_fields=["staff_in_scope", "trained_in_date", "places_requested"])
    if "staff" in tna_return.sections_done:
        _check_scope_within_total(tna_return)
    _done(tna_return, "needs")
    return NeedsResult(tna_return=tna_return, warnings=warnings)


@transaction.atomic
def save_single_agency(
    *, actor, tna_return: TnaReturn, lines: dict[int, tuple[int, int]], evaluation: str
) -> TnaReturn:
    """Section 3: single-agency training last year by level, and how the agency evaluates it."""
    tna_return = _editable(actor, tna_return)
    for line in tna_return.single_agency.select_related("level"):
        trained, percent = lines.get(line.level_id, (0, 0))
        if trained < 0 or percent < 0:
            raise TnaError("Numbers cannot be negative")
        if percent > 100:
            raise TnaError(f"{line.level}: the percentage in date cannot be more than 100")
        line.staff_trained, line.percent_in_date = trained, percent
        line.save(update_fields=["staff_trained", "percent_in_date"])
    if not evaluation.strip():
        raise TnaError("Describe how your agency evaluates its own training", field="evaluation")
    tna_return.single_agency_evaluation = evaluation.strip()
    tna_return.save(update_fields=["single_agency_evaluation"])
    _done(tna_return, "single_agency")
    return tna_return


@transaction.atomic
def save_answers(*, actor, tna_return: TnaReturn, answers: dict[int, str]) -> TnaReturn:
    """An audit return's answers, saved as a draft: any may be left blank until it is submitted.
    The section counts as complete once every question has an answer."""
    tna_return = _editable(actor, tna_return)
    if tna_return.kind != ReturnKind.AUDIT:
        raise TnaError("This return has no questions to answer.")
    lines = list(tna_return.answers.select_related("question"))
    for line in lines:
        text = (answers.get(line.question_id) or "").strip()
        if len(text) > 5000:
            raise TnaError(f"Question {line.question.number}: keep your answer to 5,000 characters")
        if text != line.text:
            line.text = text
            line.save(update_fields=["text"])
    if all(line.text for line in lines):
        _done(tna_return, "answers")
    else:
        tna_return.sections_done = [s for s in tna_return.sections_done if s != "answers"]
        tna_return.updated_at = timezone.now()
        tna_return.save(update_fields=["sections_done", "updated_at"])
    log_action(actor=actor, action="saved audit answers", obj=tna_return)
    return tna_return


# --- Submitting, reopening, versions --------------------------------------------------------


def snapshot(tna_return: TnaReturn) -> dict:
    if tna_return.kind == ReturnKind.AUDIT:
        return {"answers": {str(a.question.number): a.text for a in tna_return.answers.select_related("question")}}
    return {
        "staff": {
            str(s.target_group.number): [s.staff, s.volunteers]
            for s in tna_return.staff_counts.select_related("target_group")
        },
        "needs": {
            n.course.title: [n.staff_in_scope, n.trained_in_date, n.places_requested]
            for n in tna_return.needs.select_related("course")
        },
        "single_agency": {
            str(s.level.number): [s.staff_trained, s.percent_in_date]
            for s in tna_return.single_agency.select_related("level")
        },
        "evaluation": tna_return.single_agency_evaluation,
    }


def _diff(before: dict, after: dict) -> list[str]:
    changes = []
    for section in ("staff", "needs", "single_agency", "answers"):
        for key, value in after.get(section, {}).items():
            old = before.get(section, {}).get(key)
            if old != value:
                changes.append(f"{section.replace('_', ' ').capitalize()}, {key}: {old} → {value}")
    if before.get("evaluation") != after.get("evaluation") and before:
        changes.append("How training is evaluated was changed")
    return changes


def _version(tna_return, *, actor, action, reason="", imported_from="") -> ReturnVersion:
    last = tna_return.versions.first()
    after = snapshot(tna_return)
    return ReturnVersion.objects.create(
        tna_return=tna_return,
        number=(last.number + 1) if last else 1,
        action=action,
        by=actor,
        reason=reason,
        imported_from=imported_from,
        snapshot=after,
        changes=_diff(last.snapshot, after) if last else [],
    )


@transaction.atomic
def submit_return(*, actor, tna_return: TnaReturn, declaration: bool, site_url: str = "") -> TnaReturn:
    """Lock the return once every section is done, the totals agree and the lead has made the
    declaration; the agency's leads are emailed a receipt with a copy of what was submitted."""
    tna_return = _editable(actor, tna_return)
    kind = rules_for(tna_return.kind)
    missing = [s for s in kind.sections if s not in tna_return.sections_done]
    if missing:
        raise TnaError("Complete every section first: " + ", ".join(kind.section_titles[m] for m in missing))
    if not declaration:
        raise TnaError("Confirm the declaration to submit the return", field="declaration")
    if tna_return.kind == ReturnKind.NEEDS:
        _check_scope_within_total(tna_return)
    tna_return.status = ReturnStatus.SUBMITTED
    tna_return.submitted_at = timezone.now()
    tna_return.submitted_by = actor
    tna_return.imported_from = ""
    tna_return.save(update_fields=["status", "submitted_at", "submitted_by", "imported_from"])
    version = _version(tna_return, actor=actor, action="submitted")
    log_action(actor=actor, action=f"submitted {kind.noun}", obj=tna_return)
    if tna_return.kind == ReturnKind.NEEDS:
        _send_receipt(tna_return, actor=actor, version=version.number, site_url=site_url)
    return tna_return


def _send_receipt(tna_return: TnaReturn, *, actor, version: int, site_url: str) -> None:
    """The receipt of a submitted return, to each of the agency's leads (or the person who submitted
    it, when the agency has none): the figures as submitted, so the agency keeps its own copy."""
    needs = list(tna_return.needs.select_related("course__level"))
    shown = [n for n in needs if n.staff_in_scope or n.trained_in_date or n.places_requested]
    left_out = len(needs) - len(shown)
    for person in leads_of(tna_return.agency) or [actor]:
        queue_email(
            to=person.email,
            subject=f"Receipt: training needs return for {tna_return.cycle.year} submitted",
            template="tna_receipt",
            context={
                "person": person,
                "tna_return": tna_return,
                "submitted_by": actor.full_name or actor.email,
                "version": version,
                "staff": tna_return.staff_counts.select_related("target_group"),
                "needs": shown,
                "needs_left_out": f"{left_out} course{'s' if left_out != 1 else ''}" if left_out else "",
                "single": tna_return.single_agency.select_related("level"),
                "link": _link(site_url, "tna:return", tna_return.pk),
            },
        )


@transaction.atomic
def reopen_return(*, actor, tna_return: TnaReturn, reason: str, site_url: str = "") -> TnaReturn:
    if not actor.is_training_manager:
        raise TnaError("Only the training manager can reopen a return.")
    if not reason.strip():
        raise TnaError("Enter why the return is reopened", field="reason")
    tna_return = (
        TnaReturn.every_kind.select_for_update(of=("self",))
        .select_related("agency", "cycle__year")
        .get(pk=tna_return.pk)
    )
    kind = rules_for(tna_return.kind)
    if tna_return.status != ReturnStatus.SUBMITTED:
        raise TnaError("Only a submitted return can be reopened.")
    tna_return.status = ReturnStatus.REOPENED
    tna_return.save(update_fields=["status"])
    _version(tna_return, actor=actor, action="reopened", reason=reason.strip())
    log_action(actor=actor, action=f"reopened {kind.noun}", obj=tna_return, changes={"reason": reason.strip()})
    leads = leads_of(tna_return.agency)
    if leads:
        what = f"training needs return for {tna_return.cycle.year}" if kind.templates == "tna" else kind.noun
        queue_email(
            to=[lead.email for lead in leads],
            subject=f"Your {what} has been reopened",
            template=f"{kind.templates}_reopened",
            context={
                "tna_return": tna_return,
                "reason": reason.strip(),
                "link": _link(site_url, kind.return_page, tna_return.pk),
            },
        )
    return tna_return


# --- Reminders ------------------------------------------------------------------------------


def send_tna_reminders(*, now=None) -> int:
    """Beat task body: remind leads whose return is not submitted, at the offsets
    the training manager set around the deadline (only the latest one due, never
    twice), then escalate to the training manager. Submitted agencies are never reminded."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    sent = 0
    for cycle in TnaCycle.rounds.filter(opened_at__isnull=False).select_related("year"):
        kind = rules_for(cycle.kind)
        submitted = set(cycle.returns.filter(status=ReturnStatus.SUBMITTED).values_list("agency_id", flat=True))
        waiting = [a for a in Agency.objects.filter(active=True) if a.pk not in submitted]
        due = [o for o in sorted(cycle.reminder_offsets) if cycle.deadline + timedelta(days=o) <= today]
        with transaction.atomic():
            if due:
                offset = due[-1]
                for agency in waiting:
                    leads = leads_of(agency)
                    if (
                        not leads
                        or ReminderLog.objects.filter(
                            cycle=cycle, agency=agency, kind=ReminderKind.REMINDER, offset_days=offset
                        ).exists()
                    ):
                        continue
                    what = f"training needs return for {cycle.year}" if kind.templates == "tna" else str(cycle)
                    queue_email(
                        to=[lead.email for lead in leads],
                        subject=f"Reminder: {what} {'due' if offset <= 0 else 'overdue'}",
                        template=f"{kind.templates}_reminder",
                        context={
                            "agency": agency,
                            "cycle": cycle,
                            "overdue": offset > 0,
                            # The lead's way in: their return, or the page to start it.
                            "link": _link("", kind.way_in),
                        },
                    )
                    ReminderLog.objects.create(
                        cycle=cycle,
                        agency=agency,
                        kind=ReminderKind.REMINDER,
                        offset_days=offset,
                        sent_to=[lead.email for lead in leads],
                        sent_at=now,
                    )
                    sent += 1
            escalate_on = cycle.deadline + timedelta(days=cycle.escalate_after_days)
            late = [
                a
                for a in waiting
                if not ReminderLog.objects.filter(cycle=cycle, agency=a, kind=ReminderKind.ESCALATION).exists()
            ]
            if today >= escalate_on and late:
                managers = training_managers()
                queue_email(
                    to=[m.email for m in managers] or [settings.SUPPORT_EMAIL],
                    subject=(
                        f"{cycle}: {len(late)} {'agency has' if len(late) == 1 else 'agencies have'} not returned"
                    ),
                    template=f"{kind.templates}_escalation",
                    context={"cycle": cycle, "agencies": late, "link": _link("", kind.round_page, cycle.pk)},
                )
                for agency in late:
                    ReminderLog.objects.create(
                        cycle=cycle,
                        agency=agency,
                        kind=ReminderKind.ESCALATION,
                        offset_days=cycle.escalate_after_days,
                        sent_to=[m.email for m in managers],
                        sent_at=now,
                    )
                sent += 1
    return sent


# --- Importing returns from a file ------------------------------------------------------------

# The columns an import reads. "Training year" may be left out on the cycle's own import page (the
# page says which year); the columns an export adds after these are ignored.
IMPORT_COLUMNS = RETURN_LINE_COLUMNS[:6]
NUMBER_COLUMNS = IMPORT_COLUMNS[3:]
MOST_PROBLEMS = 500


ImportProblem = LineProblem


@dataclass
class ImportLine:
    line: int
    cycle: TnaCycle
    agency: Agency
    course: Course
    in_scope: int
    trained: int
    requested: int


@dataclass
class ImportedReturn:
    """What an import does to one agency's return."""

    agency: Agency
    cycle: TnaCycle
    was: str  # "Not started", "Draft", "Reopened" or "Submitted"
    importer: str
    file_name: str
    new_lines: int = 0
    changed_lines: int = 0
    unchanged_lines: int = 0
    version: int | None = None  # None: the return is left as it was

    def __str__(self):
        where = f"{self.agency.name}, {self.cycle.year.name}"
        if self.version is None:
            return f"{where}: already submitted with these figures, left as it is"
        how = {
            "Submitted": "submitted return reopened and resubmitted",
            "Reopened": "reopened return resubmitted",
            "Draft": "draft submitted",
            "Not started": "new return submitted",
        }[self.was]
        source = f" from {self.file_name}" if self.file_name else ""
        return f"{where}: {how} as version {self.version}, imported by {self.importer}{source}"


@dataclass
class NeedsImport:
    file_name: str = ""
    rows: int = 0
    lines: list[ImportLine] = field(default_factory=list)
    errors: list[ImportProblem] = field(default_factory=list)
    warnings: list[ImportProblem] = field(default_factory=list)
    returns: list[ImportedReturn] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def created(self) -> int:
        return sum(r.new_lines for r in self.returns)

    @property
    def updated(self) -> int:
        return sum(r.changed_lines for r in self.returns)

    @property
    def unchanged(self) -> int:
        return sum(r.unchanged_lines for r in self.returns)

    @property
    def saved(self) -> int:
        return len(self.lines) if self.written else 0


def _whole(raw: str) -> int:
    number = parse_whole_number(raw)
    if number < 0:
        raise ValueError(f"{number} is below 0: numbers cannot be negative")
    if number > MOST:
        raise ValueError(f"{number:,} is more than {MOST:,}")
    return number


def read_needs(text: str, *, cycle: TnaCycle | None = None) -> NeedsImport:
    """Check a file of needs, one line per agency, course and year, writing nothing. Every problem is
    listed with its line and column. The year must have a training needs analysis (none is invented);
    agencies and courses must exist; trained and in date cannot be more than staff in scope."""
    result = NeedsImport()
    try:
        reader = dict_reader(text)
    except CsvFileError as error:
        result.errors.append(ImportProblem(error.line, "", error.reason))
        return result
    header = [(h or "").strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    wanted = IMPORT_COLUMNS if cycle is None else IMPORT_COLUMNS[1:]
    missing = [c for c in wanted if c not in header]
    if not header:
        result.errors.append(ImportProblem(1, "", "The file is empty: the first line must name the columns"))
        return result
    if missing:
        result.errors.append(
            ImportProblem(
                1,
                "",
                f"Missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}. "
                "The first line must name the columns, as in the example file",
            )
        )
        return result
    years = {y.name.lower(): y for y in TrainingYear.objects.select_related("cycle")}
    agencies = {a.name.lower(): a for a in Agency.objects.all()}
    courses = {c.title.lower(): c for c in Course.objects.all()}
    seen: dict[tuple, int] = {}
    for number, row in enumerate(reader, start=2):
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        result.rows += 1
        problems: dict[str, str] = {}
        line_cycle = cycle
        name = (row.get("Training year") or "").strip()
        if cycle is None or name:
            year = years.get(name.lower())
            if year is None:
                problems["Training year"] = f"'{name}' is not a training year: import the training years first"
            elif cycle is not None and year.pk != cycle.year_id:
                problems["Training year"] = (
                    f"'{name}' is not {cycle.year.name}, the year this page imports into: "
                    "import other years from Import and export records"
                )
            elif getattr(year, "cycle", None) is None:
                problems["Training year"] = (
                    f"{year.name} has no training needs analysis: set it up under Training needs, "
                    "or import the training year with its TNA opening date and deadline"
                )
            else:
                line_cycle = year.cycle
        agency = agencies.get((row.get("Agency") or "").strip().lower())
        if agency is None:
            problems["Agency"] = (
                f"'{(row.get('Agency') or '').strip()}' is not a partner agency: import or add the agency first"
            )
        course = courses.get((row.get("Course") or "").strip().lower())
        if course is None:
            problems["Course"] = (
                f"'{(row.get('Course') or '').strip()}' is not a course in the catalogue: import or add it first"
            )
        values = {}
        for column in NUMBER_COLUMNS:
            try:
                values[column] = _whole(row.get(column))
            except ValueError as problem:
                problems[column] = str(problem)
        if len(values) == len(NUMBER_COLUMNS):
            problem, warning = check_need(*(values[c] for c in NUMBER_COLUMNS))
            if problem:
                problems["Trained and in date"] = problem
            elif warning:
                result.warnings.append(ImportProblem(number, "Places requested", warning))
        if problems:
            result.errors.extend(ImportProblem(number, column, message) for column, message in problems.items())
        else:
            key = (line_cycle.pk, agency.pk, course.pk)
            if key in seen:
                result.errors.append(
                    ImportProblem(number, "", f"this agency, course and year are already on line {seen[key]}")
                )
            else:
                seen[key] = number
                result.lines.append(ImportLine(number, line_cycle, agency, course, *values.values()))
        if len(result.errors) >= MOST_PROBLEMS:
            result.errors.append(
                ImportProblem(number, "", "stopped after 500 problems: correct these and check the file again")
            )
            break
    if result.rows == 0 and not result.errors:
        result.errors.append(ImportProblem(2, "", "There are no lines under the column names"))
    return result


def import_needs(*, actor, text: str, file_name: str = "", commit: bool, cycle: TnaCycle | None = None) -> NeedsImport:
    """Check a file of needs and, with `commit`, import it: all or nothing. Without `commit` the
    same writes are made and rolled back, so the preview says exactly what importing will do,
    version numbers included. Each return the file names is started if need be, its lines take
    the file's figures, its needs section is marked complete, and it is left submitted, recorded
    as imported by `actor` from `file_name`; a submitted return the file does not change is left
    as it is. `cycle` limits the file to one analysis (its "Training year" column is then optional)."""
    if actor is None or not actor.is_training_manager:
        raise TnaError("Only the training manager can import training needs returns.")
    file_name = (file_name or "").strip()[:255]
    result = read_needs(text, cycle=cycle)
    result.file_name = file_name
    if not result.ok:
        return result
    by_return: dict[tuple[int, int], list[ImportLine]] = defaultdict(list)
    for line in result.lines:
        by_return[(line.cycle.pk, line.agency.pk)].append(line)
    with transaction.atomic():
        for lines in sorted(by_return.values(), key=lambda ls: (ls[0].cycle.year.name, ls[0].agency.name)):
            result.returns.append(_import_return(actor=actor, lines=lines, file_name=file_name))
        if not commit:
            transaction.set_rollback(True)
    result.written = commit
    return result


def _import_return(*, actor, lines: list[ImportLine], file_name: str) -> ImportedReturn:
    cycle, agency = lines[0].cycle, lines[0].agency
    existed = TnaReturn.objects.filter(cycle=cycle, agency=agency).exists()
    tna_return = TnaReturn.objects.select_for_update().get(pk=start_return(agency=agency, cycle=cycle).pk)
    outcome = ImportedReturn(
        agency=agency,
        cycle=cycle,
        was=tna_return.progress if existed else "Not started",
        importer=actor.full_name or actor.email,
        file_name=file_name,
    )
    # Lines the agency has not filled in yet (prefilled when the return was started) take the file's
    # figures as new ones: only a section the lead saved has answers a file can change.
    answered = existed and "needs" in tna_return.sections_done
    current = {n.course_id: n for n in tna_return.needs.all()}
    for line in lines:
        figures = {
            "staff_in_scope": line.in_scope,
            "trained_in_date": line.trained,
            "places_requested": line.requested,
        }
        need = current.get(line.course.pk)
        if need is None:
            TrainingNeed.objects.create(tna_return=tna_return, course=line.course, **figures)
            outcome.new_lines += 1
        elif not answered:
            # The lines of a return the import itself started, or whose needs nobody has answered, are
            # the file's, not changes to anything.
            TrainingNeed.objects.filter(pk=need.pk).update(**figures)
            outcome.new_lines += 1
        elif any(getattr(need, name) != value for name, value in figures.items()):
            TrainingNeed.objects.filter(pk=need.pk).update(**figures)
            outcome.changed_lines += 1
        else:
            outcome.unchanged_lines += 1
    if tna_return.status == ReturnStatus.SUBMITTED and not (outcome.new_lines or outcome.changed_lines):
        return outcome
    before = tna_return.status
    if "needs" not in tna_return.sections_done:
        tna_return.sections_done = [*tna_return.sections_done, "needs"]
    now = timezone.now()
    tna_return.status = ReturnStatus.SUBMITTED
    tna_return.submitted_at = now
    tna_return.submitted_by = actor
    tna_return.imported_from = file_name
    tna_return.updated_at = now
    tna_return.save(
        update_fields=["sections_done", "status", "submitted_at", "submitted_by", "imported_from", "updated_at"]
    )
    reason = "Replaced the submitted figures" if before == ReturnStatus.SUBMITTED else ""
    version = _version(tna_return, actor=actor, action="imported", reason=reason, imported_from=file_name)
    outcome.version = version.number
    log_action(
        actor=actor,
        action="imported training needs return",
        obj=tna_return,
        changes={"file": file_name, "version": version.number, "was": outcome.was, "changes": version.changes},
    )
    return outcome
