"""The annual training needs analysis: returns saved as drafts, submitted with a
declaration and locked, reopened with a reason, every version kept; agencies chased."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import log_action
from accounts.mail import queue_email
from accounts.models import Agency, TargetGroup, User
from accounts.roles import Role
from common.csvfiles import CsvFileError, dict_reader
from common.errors import DomainError
from courses.models import Attendance, AttendanceRecord, Course, Level

from .models import (
    ReminderKind,
    ReminderLog,
    ReturnStatus,
    ReturnVersion,
    SingleAgencyTraining,
    StaffCount,
    TnaCycle,
    TnaReturn,
    TrainingNeed,
)

SECTIONS = ("staff", "needs", "single_agency")
# "Already trained and in date" counts attendance within this many months.
IN_DATE_MONTHS = 36


class TnaError(DomainError):
    pass


def leads_of(agency: Agency) -> list[User]:
    return list(User.objects.filter(agency=agency, is_active=True, groups__name=str(Role.AGENCY_LEAD)))


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
    from .models import TrainingYear

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
    """Email every active agency's lead a link to their return. Returns how many agencies were told."""
    if not actor.is_training_manager:
        raise TnaError("Only the training manager can open a training needs analysis.")
    cycle = TnaCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.opened_at:
        raise TnaError("This training needs analysis is already open.")
    cycle.opened_at = timezone.now()
    cycle.save(update_fields=["opened_at"])
    told = 0
    for agency in Agency.objects.filter(active=True):
        leads = leads_of(agency)
        if not leads:
            continue
        tna_return = return_for(agency=agency, cycle=cycle)
        queue_email(
            to=[lead.email for lead in leads],
            subject=f"Training needs analysis {cycle.year}: please send your return by {cycle.deadline:%-d %B %Y}",
            template="tna_invitation",
            context={"agency": agency, "cycle": cycle, "link": _link(site_url, "tna:return", tna_return.pk)},
        )
        ReminderLog.objects.create(
            cycle=cycle,
            agency=agency,
            kind=ReminderKind.INVITATION,
            offset_days=0,
            sent_to=[lead.email for lead in leads],
        )
        told += 1
    log_action(actor=actor, action="opened training needs analysis", obj=cycle, changes={"agencies told": told})
    return told


def return_for(*, agency: Agency, cycle: TnaCycle) -> TnaReturn:
    """The agency's return, created with a line for every group, course and level the first time.
    Trained and in date is prefilled from this system's own attendance records."""
    tna_return, created = TnaReturn.objects.get_or_create(cycle=cycle, agency=agency)
    if created:
        StaffCount.objects.bulk_create(
            [StaffCount(tna_return=tna_return, target_group=g) for g in TargetGroup.objects.all()]
        )
        known = _trained_in_date(agency)
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


def _trained_in_date(agency: Agency) -> dict[int, int]:
    """course id -> how many of the agency's people attended it in the last 36 months."""
    since = timezone.now() - timedelta(days=IN_DATE_MONTHS * 30)
    rows = (
        AttendanceRecord.objects.filter(
            agency=agency, outcome__in=[Attendance.ATTENDED, Attendance.PARTIAL], session__ends_at__gte=since
        )
        .values_list("session__course_id", "person_id")
        .distinct()
    )
    counts: dict[int, int] = {}
    for course_id, _ in rows:
        counts[course_id] = counts.get(course_id, 0) + 1
    return counts


# --- Saving sections (drafts) ---------------------------------------------------------------


def _editable(actor, tna_return: TnaReturn) -> TnaReturn:
    tna_return = TnaReturn.objects.select_for_update().select_related("cycle__year", "agency").get(pk=tna_return.pk)
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
    _done(tna_return, "staff")
    return tna_return


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
        if min(in_scope, trained, requested) < 0:
            raise TnaError(f"{line.course.title}: numbers cannot be negative")
        if trained > in_scope:
            raise TnaError(
                f"{line.course.title}: staff already trained and in date ({trained}) "
                f"cannot be more than staff in scope ({in_scope})"
            )
        if requested > in_scope:
            warnings.append(
                f"{line.course.title}: you asked for {requested} places for {in_scope} staff in scope. "
                "Check this is right."
            )
        line.staff_in_scope, line.trained_in_date, line.places_requested = in_scope, trained, requested
        line.save(update_fields=["staff_in_scope", "trained_in_date", "places_requested"])
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


# --- Submitting, reopening, versions --------------------------------------------------------


def snapshot(tna_return: TnaReturn) -> dict:
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
    for section in ("staff", "needs", "single_agency"):
        for key, value in after.get(section, {}).items():
            old = before.get(section, {}).get(key)
            if old != value:
                changes.append(f"{section.replace('_', ' ').capitalize()}, {key}: {old} → {value}")
    if before.get("evaluation") != after.get("evaluation") and before:
        changes.append("How training is evaluated was changed")
    return changes


def _version(tna_return, *, actor, action, reason=""):
    last = tna_return.versions.first()
    after = snapshot(tna_return)
    ReturnVersion.objects.create(
        tna_return=tna_return,
        number=(last.number + 1) if last else 1,
        action=action,
        by=actor,
        reason=reason,
        snapshot=after,
        changes=_diff(last.snapshot, after) if last else [],
    )


@transaction.atomic
def submit_return(*, actor, tna_return: TnaReturn, declaration: bool) -> TnaReturn:
    """Lock the return once every section is done, the totals agree and the lead has made the declaration."""
    tna_return = _editable(actor, tna_return)
    missing = [s for s in SECTIONS if s not in tna_return.sections_done]
    if missing:
        names = {
            "staff": "About your agency",
            "needs": "Inter-agency training needs",
            "single_agency": "Single-agency training",
        }
        raise TnaError("Complete every section first: " + ", ".join(names[m] for m in missing))
    if not declaration:
        raise TnaError("Confirm the declaration to submit the return", field="declaration")
    total = sum(s.staff + s.volunteers for s in tna_return.staff_counts.all())
    for need in tna_return.needs.select_related("course"):
        if need.staff_in_scope > total:
            raise TnaError(
                f"{need.course.title}: {need.staff_in_scope} staff in scope "
                f"is more than the {total} staff and volunteers "
                "you gave in 'About your agency'. Make the totals agree."
            )
    tna_return.status = ReturnStatus.SUBMITTED
    tna_return.submitted_at = timezone.now()
    tna_return.submitted_by = actor
    tna_return.save(update_fields=["status", "submitted_at", "submitted_by"])
    _version(tna_return, actor=actor, action="submitted")
    log_action(actor=actor, action="submitted training needs return", obj=tna_return)
    return tna_return


@transaction.atomic
def reopen_return(*, actor, tna_return: TnaReturn, reason: str, site_url: str = "") -> TnaReturn:
    if not actor.is_training_manager:
        raise TnaError("Only the training manager can reopen a return.")
    if not reason.strip():
        raise TnaError("Enter why the return is reopened", field="reason")
    tna_return = TnaReturn.objects.select_for_update().select_related("agency", "cycle__year").get(pk=tna_return.pk)
    if tna_return.status != ReturnStatus.SUBMITTED:
        raise TnaError("Only a submitted return can be reopened.")
    tna_return.status = ReturnStatus.REOPENED
    tna_return.save(update_fields=["status"])
    _version(tna_return, actor=actor, action="reopened", reason=reason.strip())
    log_action(actor=actor, action="reopened training needs return", obj=tna_return, changes={"reason": reason.strip()})
    leads = leads_of(tna_return.agency)
    if leads:
        queue_email(
            to=[lead.email for lead in leads],
            subject=f"Your training needs return for {tna_return.cycle.year} has been reopened",
            template="tna_reopened",
            context={
                "tna_return": tna_return,
                "reason": reason.strip(),
                "link": _link(site_url, "tna:return", tna_return.pk),
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
    for cycle in TnaCycle.objects.filter(opened_at__isnull=False).select_related("year"):
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
                    tna_return = return_for(agency=agency, cycle=cycle)
                    queue_email(
                        to=[lead.email for lead in leads],
                        subject=(
                            f"Reminder: training needs return for {cycle.year} {'due' if offset <= 0 else 'overdue'}"
                        ),
                        template="tna_reminder",
                        context={
                            "agency": agency,
                            "cycle": cycle,
                            "overdue": offset > 0,
                            "link": _link("", "tna:return", tna_return.pk),
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
                managers = User.objects.filter(groups__name=str(Role.TRAINING_MANAGER), is_active=True)
                queue_email(
                    to=[m.email for m in managers] or [settings.SUPPORT_EMAIL],
                    subject=f"Training needs analysis {cycle.year}: {len(late)} agencies have not returned",
                    template="tna_escalation",
                    context={"cycle": cycle, "agencies": late, "link": _link("", "tna:cycle", cycle.pk)},
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


# --- Importing returns from a spreadsheet ---------------------------------------------------

IMPORT_COLUMNS = ["Agency", "Course", "Staff in scope", "Trained and in date", "Places requested"]


@dataclass
class ImportResult:
    lines: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    saved: int = 0


def import_returns(*, actor, cycle: TnaCycle, text: str, commit: bool) -> ImportResult:
    """Check (and with `commit`, save) a CSV of needs: all or nothing, every problem with its line number."""
    result = ImportResult()
    try:
        reader = dict_reader(text)
    except CsvFileError as error:
        result.errors.append(error.message)
        return result
    missing = [c for c in IMPORT_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        result.errors.append(f"Line 1: missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}")
        return result
    agencies = {a.name.lower(): a for a in Agency.objects.all()}
    courses = {c.title.lower(): c for c in Course.objects.all()}
    seen = set()
    for number, row in enumerate(reader, start=2):
        agency = agencies.get((row["Agency"] or "").strip().lower())
        course = courses.get((row["Course"] or "").strip().lower())
        problems = []
        if agency is None:
            problems.append(f"agency '{row['Agency']}' is not a partner agency")
        if course is None:
            problems.append(f"course '{row['Course']}' is not in the catalogue")
        values = []
        for column in IMPORT_COLUMNS[2:]:
            raw = (row[column] or "").strip()
            # ASCII digits only: "²" and other Unicode digits pass isdigit() but are not numbers.
            whole = raw.isascii() and raw.isdigit() and len(raw) <= 7
            if not whole:
                problems.append(f"{column} must be a whole number from 0 to 9,999,999, not '{raw[:20]}'")
            values.append(int(raw) if whole else 0)
        if not problems and values[1] > values[0]:
            problems.append("trained and in date cannot be more than staff in scope")
        key = (agency, course)
        if not problems and key in seen:
            problems.append("this agency and course are already on an earlier line")
        seen.add(key)
        if problems:
            result.errors.append(f"Line {number}: " + "; ".join(problems))
        else:
            result.lines.append(
                {
                    "agency": agency,
                    "course": course,
                    "in_scope": values[0],
                    "trained": values[1],
                    "requested": values[2],
                }
            )
    if commit and not result.errors:
        with transaction.atomic():
            for line in result.lines:
                tna_return = return_for(agency=line["agency"], cycle=cycle)
                if tna_return.is_locked:
                    raise TnaError(f"{line['agency']} has already submitted its return: reopen it first.")
                TrainingNeed.objects.update_or_create(
                    tna_return=tna_return,
                    course=line["course"],
                    defaults={
                        "staff_in_scope": line["in_scope"],
                        "trained_in_date": line["trained"],
                        "places_requested": line["requested"],
                    },
                )
                _done(tna_return, "needs")
                result.saved += 1
            log_action(actor=actor, action="imported training needs", obj=cycle, changes={"lines": result.saved})
    return result
