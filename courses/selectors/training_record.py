"""A person's training record against the pathway: what their target group
requires, what they have done, and when it expires.

"Trained and in date" has one definition, here. The rules:

- Training counts from a day: the last day of a session attended, or the day training done
  elsewhere was completed. It stays in date until the same day `refresh_months` months later under
  the pathway rule that covers it, for ever under a rule with no refresh period, and for
  `DEFAULT_REFRESH_MONTHS` where no rule of the person's staff group covers the course.
- "Left early" does not meet a requirement unless the Board's policy says it does
  (`BookingPolicy.partial_attendance_meets_requirement`, off by default): the certificate says
  "attended part of", and the record agrees.
- Training at a higher level meets a requirement for a lower one (Level 3 meets Level 1 and 2);
  a requirement for a named course is met only by that course.
- Training done elsewhere (single-agency courses, e-learning) is recorded by the person at a level
  with its evidence, and counts once their agency lead confirms it (`ExternalTraining`).

My training, an agency's training summary, the waiting list order, prerequisites and the training
needs return's prefill all use these functions.

Built to serve one person or a whole agency with a fixed number of queries:
the rules, the people's attended register lines and their courses are each
loaded once and matched in Python.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from common.rows import Among

from ..models import (
    Attendance,
    AttendanceRecord,
    BookingPolicy,
    Course,
    ExternalTraining,
    ExternalTrainingStatus,
    PathwayRule,
)

DUE_SOON_DAYS = 92  # about three months
# Where no pathway rule covers a course: "at least every three years is the common minimum".
DEFAULT_REFRESH_MONTHS = 36


class Status:
    NOT_DONE = "Not done"
    OVERDUE = "Overdue"
    DUE_SOON = "Due soon"
    IN_DATE = "In date"


STATUS_COLOURS = {Status.NOT_DONE: "red", Status.OVERDUE: "red", Status.DUE_SOON: "yellow", Status.IN_DATE: "green"}


def counted_outcomes(policy: BookingPolicy | None = None) -> tuple[str, ...]:
    """The register outcomes that meet a requirement (and a prerequisite): attended, and "left
    early" only where the policy says so."""
    policy = policy or BookingPolicy.current()
    if policy.partial_attendance_meets_requirement:
        return (Attendance.ATTENDED, Attendance.PARTIAL)
    return (Attendance.ATTENDED,)


@dataclass
class Requirement:
    rule: PathwayRule
    done_on: date | None
    expires_on: date | None
    # The register line that meets it, as `requirements_for` read it (`_LINE`).
    line: tuple | None
    status: str  # see `_status`
    # Confirmed training done elsewhere that meets the requirement (when no register line does better).
    external: ExternalTraining | None = None
    # Courses that would meet it (filled by `courses_meeting`).
    courses: tuple = ()

    @property
    def label(self) -> str:
        return self.rule.course.title if self.rule.course_id else str(self.rule.level)

    @property
    def record_id(self) -> int | None:
        """The register line that meets the requirement (None when nothing, or training done elsewhere, does)."""
        return self.line[0] if self.line else None

    @property
    def met_by(self) -> str:
        """What meets the requirement, in words ("" when nothing does)."""
        if self.line is not None:
            return self.line[4]  # the course's title
        if self.external is not None:
            return f"{self.external.title} ({self.external.provider})"
        return ""

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[self.status]


def _status(done_on: date | None, expires_on: date | None, today: date) -> str:
    """A requirement's status today, from when it was done and the last day it is in date."""
    if done_on is None:
        return Status.NOT_DONE
    if expires_on is None:
        return Status.IN_DATE
    if expires_on < today:
        return Status.OVERDUE
    if expires_on <= today + timedelta(days=DUE_SOON_DAYS):
        return Status.DUE_SOON
    return Status.IN_DATE


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def in_date_until(done_on: date, refresh_months: int | None) -> date | None:
    """The last day training done on `done_on` is in date under a rule refreshed every
    `refresh_months` months; None when it never needs refreshing."""
    return _add_months(done_on, refresh_months) if refresh_months else None


def is_in_date(done_on: date, refresh_months: int | None, today: date) -> bool:
    until = in_date_until(done_on, refresh_months)
    return until is None or until >= today


def trained_on(record: AttendanceRecord) -> date:
    """The day training counts from: the local date its session ended."""
    return day_ended(record.session.ends_at)


def day_ended(ends_at: datetime, zone: tzinfo | None = None) -> date:
    """The local date of a session's end (`trained_on`). `zone`, the current time zone, read once by a
    caller with many lines: it is a thread-local's, slow to reach for every one."""
    return ends_at.astimezone(zone or timezone.get_current_timezone()).date()


def _latest_in_date(records, *, today: date) -> dict[tuple[int, int], date | None]:
    """(person id, course id) -> the last day the person's latest counted attendance of the course
    is in date (None: never needs refreshing), for those still in date today. `records` are register
    lines newest first, with the session's course and the person loaded. One query (the rules)."""
    latest: dict[tuple[int, int], AttendanceRecord] = {}
    for record in records:
        latest.setdefault((record.person_id, record.session.course_id), record)
    groups = {r.person.target_group_id for r in latest.values() if r.person.target_group_id}
    by_course: dict[tuple[int, int], list[int | None]] = {}
    by_level: dict[tuple[int, int], list[int | None]] = {}
    for rule in PathwayRule.objects.filter(target_group_id__in=groups):
        if rule.course_id:
            by_course.setdefault((rule.target_group_id, rule.course_id), []).append(rule.refresh_months)
        else:
            by_level.setdefault((rule.target_group_id, rule.level_id), []).append(rule.refresh_months)
    in_date: dict[tuple[int, int], date | None] = {}
    for key, record in latest.items():
        group = record.person.target_group_id
        periods = by_course.get((group, key[1])) or by_level.get((group, record.session.course.level_id))
        if periods is None:
            months = DEFAULT_REFRESH_MONTHS
        else:
            # "Never needs refreshing" (None) only when no rule asks for a refresher.
            months = min((p for p in periods if p), default=None)
        if is_in_date(trained_on(record), months, today):
            in_date[key] = in_date_until(trained_on(record), months)
    return in_date


def trained_and_in_date(*, agency, today: date | None = None) -> dict[int, int]:
    """course id -> how many people the agency sent to the course whose latest attendance
    (attended, or left early where the policy counts it) is still in date today. The refresh period
    is that of the pathway rule of the person's staff group for the course itself, else for its
    level (the shortest where there are several), else `DEFAULT_REFRESH_MONTHS`. Three queries."""
    today = today or timezone.localdate()
    records = (
        AttendanceRecord.objects.filter(agency=agency, outcome__in=counted_outcomes())
        .select_related("session__course", "person")
        .order_by("-session__ends_at")
    )
    counts: dict[int, int] = {}
    for _, course_id in _latest_in_date(records, today=today):
        counts[course_id] = counts.get(course_id, 0) + 1
    return counts


@dataclass(frozen=True)
class InDate:
    done_on: date
    until: date | None


def in_date_for_course(*, person, course, today: date | None = None) -> InDate | None:
    """Whether `person` is in date for `course` itself today, by the same rule as the agency's
    figures: when they did it and until when it counts (None when they are not in date)."""
    today = today or timezone.localdate()
    records = list(
        AttendanceRecord.objects.filter(person=person, session__course=course, outcome__in=counted_outcomes())
        .select_related("session__course", "person")
        .order_by("-session__ends_at")[:1]
    )
    found = _latest_in_date(records, today=today)
    if not found:
        return None
    return InDate(done_on=trained_on(records[0]), until=found[(person.pk, course.pk)])


def _meets(rule: PathwayRule, course_id: int | None, level_number: int | None) -> bool:
    """Whether training on a course (or at a level) meets `rule`: the named course itself, or any
    training at the rule's level or higher."""
    if rule.course_id:
        return course_id is not None and course_id == rule.course_id
    return level_number is not None and level_number >= rule.level.number


def requirements_for(people, *, today: date | None = None, among=None, elsewhere=None) -> dict[int, list[Requirement]]:
    """person id -> the requirements of their target group, each matched with the most recent
    training that meets it: a register line that counts (`counted_outcomes`) on the named course or
    at the rule's level or higher, or confirmed training done elsewhere at that level or higher.
    `people` have `pk` and `target_group_id`; `among`, a query of their ids, picks their register
    lines and training done elsewhere in the database (a whole agency's hundreds of ids need not be sent
    as values). `elsewhere`, the people's training done elsewhere when the caller lists it anyway (with
    its level, any status), saves reading the confirmed part of it again. Four queries whatever the
    number of people (three with `elsewhere`).

    A whole agency is worked out here (hundreds of people, a requirement or two each), so what is the same
    for many of them is worked out once: the courses that meet each rule, the local day of each session's
    end, the last day in date of each day under each refresh period."""
    today = today or timezone.localdate()  # one day for every status the requirements give
    people = list(people)
    ids = [p.pk for p in people] if among is None else among
    group_ids = {p.target_group_id for p in people if p.target_group_id}
    rules_by_group: dict[int, list[PathwayRule]] = {}
    for rule in PathwayRule.objects.filter(target_group_id__in=group_ids).select_related(
        "level", "course", "target_group"
    ):
        rules_by_group.setdefault(rule.target_group_id, []).append(rule)
    # The register lines are read as plain rows, newest first (an agency's summary reads a line for each
    # course each of its people attended), with no more than a requirement shows of them.
    attended: dict[int, list[tuple]] = {}
    levels: dict[int, int] = {}  # course id -> its level's number
    for row in (
        AttendanceRecord.objects.filter(
            Q(person__in=ids) if isinstance(ids, list) else Among("person", ids), outcome__in=counted_outcomes()
        )
        .order_by("-session__ends_at")
        .values_list(*_LINE)
    ):
        attended.setdefault(row[1], []).append(row)
        levels[row[3]] = row[5]
    if elsewhere is None:
        elsewhere = ExternalTraining.objects.filter(person__in=ids, status=ExternalTrainingStatus.CONFIRMED)
        elsewhere = elsewhere.select_related("level")
    external: dict[int, list[ExternalTraining]] = {}
    for done in sorted(elsewhere, key=lambda e: (-e.completed_on.toordinal(), e.pk)):  # the latest first
        if done.status == ExternalTrainingStatus.CONFIRMED:
            external.setdefault(done.person_id, []).append(done)
    # group id -> its rules, each with the ids of the courses read that meet it
    pathway = {
        group: [(rule, frozenset(c for c, number in levels.items() if _meets(rule, c, number))) for rule in rules]
        for group, rules in rules_by_group.items()
    }
    zone = timezone.get_current_timezone()  # see `day_ended`
    days: dict = {}  # a session's end -> the local day training counts from
    until: dict = {}  # (day, refresh period) -> the last day in date
    result = {}
    for person in people:
        rules = pathway.get(person.target_group_id, ())
        if rules and isinstance(person, User) and not person._meta.get_field("target_group").is_cached(person):
            person.target_group = rules[0][0].target_group  # read with the rules: the pages show the group
        requirements = []
        lines, elsewheres = attended.get(person.pk, ()), external.get(person.pk, ())
        for rule, courses in rules:
            # a row's course is its fourth column, its session's end its third
            match = next((r for r in lines if r[3] in courses), None) if lines else None
            done = elsewhere = None
            if match:
                done = days.get(match[2]) or days.setdefault(match[2], day_ended(match[2], zone))
            if elsewheres:
                elsewhere = next((e for e in elsewheres if _meets(rule, None, e.level.number)), None)
            if elsewhere is not None and (done is None or elsewhere.completed_on > done):
                match, done = None, elsewhere.completed_on
            else:
                elsewhere = None
            expires = None
            if done and rule.refresh_months:
                key = (done, rule.refresh_months)
                expires = until.get(key) or until.setdefault(key, in_date_until(done, rule.refresh_months))
            requirements.append(
                Requirement(
                    rule=rule,
                    done_on=done,
                    expires_on=expires,
                    line=match,
                    status=_status(done, expires, today),
                    external=elsewhere,
                )
            )
        result[person.pk] = requirements
    return result


# A `requirements_for` row: the register line, its person, its session's end, the course, its title and its
# level's number.
_LINE = (
    "pk",
    "person",
    "session__ends_at",
    "session__course",
    "session__course__title",
    "session__course__level__number",
)


def courses_meeting(requirements: list[Requirement]) -> None:
    """Fill the `courses` of each requirement not in date (the courses are offered to put it right):
    the active courses that would meet it. For a level, the courses at the lowest level at or above it
    that has any (no Level 1 course runs here, so the Level 2 courses are shown for Level 1). One query,
    none when every requirement is in date."""
    requirements = [r for r in requirements if r.status != Status.IN_DATE]
    if not requirements:
        return
    active = list(Course.objects.filter(active=True).select_related("level").order_by("level__number", "title"))
    for requirement in requirements:
        rule = requirement.rule
        if rule.course_id:
            requirement.courses = tuple(c for c in active if c.pk == rule.course_id)
            continue
        higher = [c for c in active if c.level.number >= rule.level.number]
        lowest = higher[0].level.number if higher else None
        requirement.courses = tuple(c for c in higher if c.level.number == lowest)


def overall_status(requirements: list[Requirement]) -> str:
    """Red if anything is not done or overdue, amber if anything is due soon, green otherwise."""
    statuses = {r.status for r in requirements}
    if statuses & {Status.NOT_DONE, Status.OVERDUE}:
        return "red"
    if Status.DUE_SOON in statuses:
        return "amber"
    return "green"


class StaffMember:
    """One of an agency's people as the training summary lists them: what the summary shows, no more
    (a whole agency is read, so not as a full user)."""

    __slots__ = ("pk", "full_name", "job_title", "target_group_id", "target_group_number", "requirements", "rag")

    def __init__(self, pk, full_name, job_title, target_group_id, target_group_number):
        self.pk = pk
        self.full_name = full_name
        self.job_title = job_title
        self.target_group_id = target_group_id
        self.target_group_number = target_group_number


@dataclass
class AgencyTrainingSummary:
    """An agency's active people (`StaffMember`), each with `requirements` and `rag` set, and how many are
    red, amber and green."""

    people: list
    counts: dict[str, int]


def agency_training_summary(agency, *, today: date | None = None) -> AgencyTrainingSummary:
    """The agency's training summary: every active confirmed member against their group's
    requirements. The one definition of "red staff" for the summary page and the lead's home page.
    Five queries."""
    from accounts.selectors import members_of

    staff = members_of(agency).filter(is_active=True)
    people = [
        StaffMember(*row)
        for row in staff.order_by("full_name", "pk").values_list(  # one order for namesakes
            "pk", "full_name", "job_title", "target_group", "target_group__number"
        )
    ]
    records = requirements_for(people, today=today, among=staff.order_by().values("pk"))  # ids in any order
    counts = {"red": 0, "amber": 0, "green": 0}
    for person in people:
        person.requirements = records[person.pk]
        person.rag = overall_status(person.requirements) if person.requirements else "green"
        counts[person.rag] += 1
    return AgencyTrainingSummary(people=people, counts=counts)


def earliest_requirement_expiry(person_ids) -> dict:
    """person id -> the date their most urgent required training expires.

    None means a requirement was never done (the most urgent of all); a person
    whose target group requires nothing is left out. The waiting list uses this
    to offer places first to those whose training has expired or expires soonest.
    """
    people = User.objects.filter(pk__in=list(person_ids)).only("pk", "target_group_id")
    result = {}
    for person_id, requirements in requirements_for(people).items():
        if not requirements:
            continue
        if any(r.done_on is None for r in requirements):
            result[person_id] = None
        else:
            result[person_id] = min((r.expires_on for r in requirements if r.expires_on), default=date.max)
    return result
