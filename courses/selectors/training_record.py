"""A person's training record against the pathway: what their target group
requires, what they have done, and when it expires.

"Trained and in date" has one definition, here: training done on a day (the
last day of a session attended or partly attended) stays in date until the
same day `refresh_months` months later under the pathway rule that covers it,
for ever under a rule with no refresh period, and for `DEFAULT_REFRESH_MONTHS`
where no rule of the person's staff group covers the course. My training, an
agency's training summary and the training needs return's prefill all use it.

Built to serve one person or a whole agency with a fixed number of queries:
the rules, the people's attended register lines and their courses are each
loaded once and matched in Python.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from ..models import Attendance, AttendanceRecord, PathwayRule

DUE_SOON_DAYS = 92  # about three months
# Where no pathway rule covers a course: "at least every three years is the common minimum".
DEFAULT_REFRESH_MONTHS = 36


class Status:
    NOT_DONE = "Not done"
    OVERDUE = "Overdue"
    DUE_SOON = "Due soon"
    IN_DATE = "In date"


STATUS_COLOURS = {Status.NOT_DONE: "red", Status.OVERDUE: "red", Status.DUE_SOON: "yellow", Status.IN_DATE: "green"}


@dataclass
class Requirement:
    rule: PathwayRule
    done_on: date | None
    expires_on: date | None
    record: AttendanceRecord | None
    today: date | None = None

    @property
    def label(self) -> str:
        return self.rule.course.title if self.rule.course_id else str(self.rule.level)

    @property
    def status(self) -> str:
        if self.done_on is None:
            return Status.NOT_DONE
        if self.expires_on is None:
            return Status.IN_DATE
        today = self.today or timezone.localdate()
        if self.expires_on < today:
            return Status.OVERDUE
        if self.expires_on <= today + timedelta(days=DUE_SOON_DAYS):
            return Status.DUE_SOON
        return Status.IN_DATE

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[self.status]


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
    return timezone.localtime(record.session.ends_at).date()


def trained_and_in_date(*, agency, today: date | None = None) -> dict[int, int]:
    """course id -> how many people the agency sent to the course whose latest attendance
    (attended or partly attended) is still in date today. The refresh period is that of the
    pathway rule of the person's staff group for the course itself, else for its level (the
    shortest where there are several), else `DEFAULT_REFRESH_MONTHS`. Two queries."""
    today = today or timezone.localdate()
    records = (
        AttendanceRecord.objects.filter(agency=agency, outcome__in=[Attendance.ATTENDED, Attendance.PARTIAL])
        .select_related("session__course", "person")
        .order_by("-session__ends_at")
    )
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
    counts: dict[int, int] = {}
    for (_, course_id), record in latest.items():
        group = record.person.target_group_id
        periods = by_course.get((group, course_id)) or by_level.get((group, record.session.course.level_id))
        if periods is None:
            months = DEFAULT_REFRESH_MONTHS
        else:
            # "Never needs refreshing" (None) only when no rule asks for a refresher.
            months = min((p for p in periods if p), default=None)
        if is_in_date(trained_on(record), months, today):
            counts[course_id] = counts.get(course_id, 0) + 1
    return counts


def requirements_for(people, *, today: date | None = None) -> dict[int, list[Requirement]]:
    """person id -> the requirements of their target group, each matched with
    the most recent attended (or partly attended) training that meets it."""
    people = list(people)
    group_ids = {p.target_group_id for p in people if p.target_group_id}
    rules_by_group: dict[int, list[PathwayRule]] = {}
    for rule in PathwayRule.objects.filter(target_group_id__in=group_ids).select_related(
        "level", "course", "target_group"
    ):
        rules_by_group.setdefault(rule.target_group_id, []).append(rule)
    attended: dict[int, list[AttendanceRecord]] = {}
    records = (
        AttendanceRecord.objects.filter(
            person__in=[p.pk for p in people], outcome__in=[Attendance.ATTENDED, Attendance.PARTIAL]
        )
        .select_related("session__course")
        # What a requirement reads of its record (and pages show: the course's title), no more:
        # an agency's summary reads a record for each course each of its people attended.
        .only("person", "session__ends_at", "session__course__title", "session__course__level")
        .order_by("-session__ends_at")
    )
    for record in records:
        attended.setdefault(record.person_id, []).append(record)
    result = {}
    for person in people:
        requirements = []
        for rule in rules_by_group.get(person.target_group_id, []):
            match = next(
                (
                    r
                    for r in attended.get(person.pk, [])
                    if (rule.course_id and r.session.course_id == rule.course_id)
                    or (rule.level_id and r.session.course.level_id == rule.level_id)
                ),
                None,
            )
            done = trained_on(match) if match else None
            expires = in_date_until(done, rule.refresh_months) if done else None
            requirements.append(Requirement(rule=rule, done_on=done, expires_on=expires, record=match, today=today))
        result[person.pk] = requirements
    return result


def overall_status(requirements: list[Requirement]) -> str:
    """Red if anything is not done or overdue, amber if anything is due soon, green otherwise."""
    statuses = {r.status for r in requirements}
    if statuses & {Status.NOT_DONE, Status.OVERDUE}:
        return "red"
    if Status.DUE_SOON in statuses:
        return "amber"
    return "green"


def earliest_requirement_expiry(person_ids) -> dict:
    """person id -> the date their most urgent required training expires.

    None means a requirement was never done (the most urgent of all); a person
    whose target group requires nothing is left out. The waiting list uses this
    to offer places first to those whose training has expired or expires soonest.
    """
    from accounts.models import User

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
