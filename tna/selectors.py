"""Reads for the training needs analysis: returns in scope, the overview, demand
against supply, and attendance against need (which the Board's report reuses)."""

import math
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.models import Agency
from common.rows import Among, raw_rows
from common.todo import TodoItem
from courses.models import HOLDS_PLACE, Attendance, AttendanceRecord, Booking, Course, Session, SessionStatus

from .models import ReminderLog, ReturnStatus, TnaCycle, TnaReturn, TrainingNeed, TrainingYear


def get_return_for_user(user, pk: int) -> TnaReturn:
    """An agency's return: its lead and the training manager; 404 for everyone else."""
    tna_return = TnaReturn.objects.select_related("agency", "cycle__year", "submitted_by").filter(pk=pk).first()
    if tna_return is None or not (
        user.is_training_manager or (user.is_agency_lead and user.agency_id == tna_return.agency_id)
    ):
        raise Http404("No such return")
    return tna_return


def current_training_year(*, today: date | None = None) -> TrainingYear | None:
    """The training year every page, report and export means by "this year" when none is chosen:
    the year whose dates contain today; else (between years, or after the last) the latest that has
    started; else (before the first) the next one to start. None only when there is no year at all."""
    today = today or timezone.localdate()
    return (
        TrainingYear.objects.filter(starts_on__lte=today, ends_on__gte=today).order_by("-starts_on").first()
        or TrainingYear.objects.filter(starts_on__lte=today).order_by("-starts_on").first()
        or TrainingYear.objects.filter(starts_on__gt=today).order_by("starts_on").first()
    )


def year_bounds(year: TrainingYear):
    """From the start of the year's first day to the start of the day after its last, local time."""
    from datetime import datetime, time, timedelta

    tz = timezone.get_current_timezone()
    return datetime.combine(year.starts_on, time.min, tz), datetime.combine(
        year.ends_on + timedelta(days=1), time.min, tz
    )


def percent(part, whole) -> int | None:
    """Rounded half up, as the Board's reports show them (82.5% is 83%)."""
    if not whole:
        return None
    return int((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def rag(percentage: int | None) -> str:
    if percentage is None:
        return "grey"
    if percentage >= settings.TNA_RAG_GREEN:
        return "green"
    if percentage >= settings.TNA_RAG_AMBER:
        return "amber"
    return "red"


@dataclass
class AgencyStatus:
    agency: Agency
    status: str
    tna_return: TnaReturn | None
    last_reminder: ReminderLog | None


def overview(cycle: TnaCycle, *, today: date | None = None) -> list[AgencyStatus]:
    """Each active agency's status: not started, draft, submitted, late (past the deadline and not
    submitted) or reopened. Three queries."""
    returns = {r.agency_id: r for r in TnaReturn.every_kind.filter(cycle=cycle).select_related("submitted_by")}
    reminders = {}
    for log in ReminderLog.objects.filter(cycle=cycle).order_by("sent_at"):
        reminders[log.agency_id] = log
    late = (today or timezone.localdate()) > cycle.deadline
    rows = []
    for agency in Agency.objects.filter(active=True).order_by("name"):
        tna_return = returns.get(agency.pk)
        if tna_return and tna_return.status == ReturnStatus.SUBMITTED:
            status = "Submitted"
        elif tna_return and tna_return.status == ReturnStatus.REOPENED:
            status = "Reopened"
        elif late:
            status = "Late"
        elif tna_return and tna_return.sections_done:
            status = "Draft"
        else:
            status = "Not started"
        rows.append(
            AgencyStatus(agency=agency, status=status, tna_return=tna_return, last_reminder=reminders.get(agency.pk))
        )
    return rows


# The returns' lines as CSV: the training manager's download of an analysis and the records export
# write these columns; the first six are what an import reads back.
RETURN_LINE_COLUMNS = [
    "Training year",
    "Agency",
    "Course",
    "Staff in scope",
    "Trained and in date",
    "Places requested",
    "Status",
    "Submitted on",
    "Submitted by",
    "Imported from",
]


def return_lines(*, cycle: TnaCycle | None = None, year: TrainingYear | None = None, submitted_only=False):
    """Each line of the returns of an analysis (or of a year, or of every year), one per agency and
    course, keyed by RETURN_LINE_COLUMNS, in agency and course order. One query."""
    needs = TrainingNeed.objects.select_related(
        "tna_return__cycle__year", "tna_return__agency", "tna_return__submitted_by", "course"
    )
    if cycle is not None:
        needs = needs.filter(tna_return__cycle=cycle)
    if year is not None:
        needs = needs.filter(tna_return__cycle__year=year)
    if submitted_only:
        needs = needs.filter(tna_return__status=ReturnStatus.SUBMITTED)
    order = ("tna_return__cycle__year__starts_on", "tna_return__agency__name", "course__title")
    for need in needs.order_by(*order).iterator(chunk_size=2000):
        r = need.tna_return
        yield {
            "Training year": r.cycle.year.name,
            "Agency": r.agency.name,
            "Course": need.course.title,
            "Staff in scope": need.staff_in_scope,
            "Trained and in date": need.trained_in_date,
            "Places requested": need.places_requested,
            "Status": r.progress,
            "Submitted on": f"{timezone.localtime(r.submitted_at):%d/%m/%Y}" if r.submitted_at else "",
            "Submitted by": (r.submitted_by.full_name or r.submitted_by.email) if r.submitted_by_id else "",
            "Imported from": r.imported_from,
        }


@dataclass
class Demand:
    course: Course
    requested: int
    offered: int
    typical_capacity: int

    @property
    def shortfall(self) -> int:
        return max(self.requested - self.offered, 0)

    @property
    def extra_sessions(self) -> int:
        return math.ceil(self.shortfall / self.typical_capacity) if self.shortfall else 0


def demand_against_supply(cycle: TnaCycle) -> list[Demand]:
    """Places requested in submitted returns per course, against the places the year's planned sessions offer."""
    year = cycle.year
    requested = dict(
        TrainingNeed.objects.filter(tna_return__cycle=cycle, tna_return__status=ReturnStatus.SUBMITTED)
        .values_list("course")
        .annotate(n=Sum("places_requested"))
        .values_list("course", "n")
    )
    sessions = (
        Session.objects.filter(starts_at__gte=year_bounds(year)[0], starts_at__lt=year_bounds(year)[1])
        .exclude(status=SessionStatus.CANCELLED)
        .values("course")
        .annotate(places=Sum("capacity"), runs=Count("id"))
    )
    offered = {row["course"]: (row["places"], row["runs"]) for row in sessions}
    rows = []
    for course in (
        Course.objects.filter(Q(pk__in=requested) | Q(pk__in=offered))
        .select_related("level")
        .order_by("level__number", "title")
    ):
        places, runs = offered.get(course.pk, (0, 0))
        rows.append(
            Demand(
                course=course,
                requested=requested.get(course.pk) or 0,
                offered=places or 0,
                typical_capacity=(places // runs) if runs else 20,
            )
        )
    return rows


@dataclass
class NeedRow:
    label: str
    requested: int = 0
    booked: int = 0
    attended: int = 0
    no_shows: int = 0
    # Of those attended, staff on courses their agency requested no places for: shown, but not need met.
    attended_unrequested: int = 0

    @property
    def attended_toward_need(self) -> int:
        return self.attended - self.attended_unrequested

    @property
    def met(self) -> int | None:
        """Attendance on courses the agency requested places for ÷ places requested."""
        return percent(self.attended_toward_need, self.requested)

    @property
    def status(self) -> str:
        return rag(self.met)


def place_booked() -> Q:
    """A booking that counts as a place booked against need: it holds a place, or its delegate is on the
    register (asked per booking, so only the bookings that no longer hold a place look at the register)."""
    return Q(status__in=HOLDS_PLACE) | Exists(AttendanceRecord.objects.filter(booking=OuterRef("pk")))


def attendance_against_need(year: TrainingYear, *, by: str = "agency") -> list[NeedRow]:
    """Places requested (submitted returns), booked, attended and not attended in the
    training year, per agency or per course or per level; the share of need met is attended /
    requested, where attended counts a delegate only on a course their agency requested places
    for (attendance on other courses is shown beside it). A fixed number of queries whatever the data."""
    need_key, record_key = {
        "agency": ("tna_return__agency", "agency"),
        "course": ("course", "session__course"),
        "level": ("course__level", "session__course__level"),
    }[by]
    # Datetime bounds rather than __date, so the index on starts_at is used.
    begin, finish = year_bounds(year)
    in_year = Q(session__starts_at__gte=begin, session__starts_at__lt=finish)
    # No ordering: the model's (by level and course title) would join both for nothing.
    submitted = TrainingNeed.objects.filter(
        tna_return__cycle__year=year, tna_return__status=ReturnStatus.SUBMITTED
    ).order_by()
    # Places requested per agency and course, read once: summed by the row's key, and the pairs with any
    # place requested (the courses each agency asked for).
    requested: dict = {}
    requested_pairs = set()
    for agency, course, key, n in raw_rows(  # several hundred rows of ids and counts
        submitted.values_list("tna_return__agency", "course", need_key).annotate(n=Sum("places_requested"))
    ):
        requested[key] = requested.get(key, 0) + (n or 0)
        if n:
            requested_pairs.add((agency, course))
    booked = dict(
        Booking.objects.filter(in_year)
        .exclude(session__status=SessionStatus.CANCELLED)
        .filter(place_booked())
        .values_list(record_key)
        .annotate(n=Count("id"))
        .values_list(record_key, "n")
    )
    # The year's sessions handed to PostgreSQL as one list, read first: it reads their lines through the index by
    # session; asked to join, it reads every register line of the partnership and keeps the year's.
    keys = tuple(dict.fromkeys((record_key, "agency", "session__course")))  # record_key may be "agency"
    of_year = Among("session", Session.objects.filter(starts_at__gte=begin, starts_at__lt=finish).values("pk"))
    attendance = (
        # No ordering: the model's (by the person's name) would join every person for nothing.
        AttendanceRecord.objects.filter(of_year)
        .order_by()
        .values(*keys)
        .annotate(
            # Lines counted by their session (never empty), not their ids: the index by session holds all this needs.
            attended=Count("session", filter=Q(outcome__in=[Attendance.ATTENDED, Attendance.PARTIAL])),
            no_shows=Count("session", filter=Q(outcome=Attendance.NO_SHOW)),
        )
        .order_by()
    )
    attended: dict = {}
    columns = (*keys, "attended", "no_shows")
    for row in raw_rows(attendance):  # several hundred rows of ids and counts
        row = dict(zip(columns, row, strict=True))
        a, unrequested = row["attended"], (row["agency"], row["session__course"]) not in requested_pairs
        total, u, n = attended.get(row[record_key], (0, 0, 0))
        attended[row[record_key]] = (total + a, u + (a if unrequested else 0), n + row["no_shows"])
    labels = _labels(by, set(requested) | set(booked) | set(attended))
    rows = []
    for key, label in sorted(labels.items(), key=lambda item: item[1]):
        a, u, n = attended.get(key, (0, 0, 0))
        rows.append(
            NeedRow(
                label=label,
                requested=requested.get(key) or 0,
                booked=booked.get(key, 0),
                attended=a,
                no_shows=n,
                attended_unrequested=u,
            )
        )
    return rows


def _labels(by: str, keys) -> dict:
    keys = {k for k in keys if k is not None}
    if by == "agency":
        return dict(Agency.objects.filter(pk__in=keys).values_list("pk", "name"))
    if by == "course":
        return dict(Course.objects.filter(pk__in=keys).values_list("pk", "title"))
    from courses.models import Level

    return {level.pk: str(level) for level in Level.objects.filter(pk__in=keys)}


def totals(rows: list[NeedRow]) -> NeedRow:
    return NeedRow(
        label="All",
        requested=sum(r.requested for r in rows),
        booked=sum(r.booked for r in rows),
        attended=sum(r.attended for r in rows),
        no_shows=sum(r.no_shows for r in rows),
        attended_unrequested=sum(r.attended_unrequested for r in rows),
    )


# --- Cycles in progress, and what waits for people ----------------------------------------------


def cycle_stage(cycle: TnaCycle, *, today: date | None = None) -> str:
    """Where an analysis stands: "Being prepared" until it is opened, "Open" while its training year
    has not ended (returns can still be submitted, reopened and corrected), "Past" after."""
    if not cycle.is_open:
        return "Being prepared"
    return "Open" if cycle.year.ends_on >= (today or timezone.localdate()) else "Past"


@dataclass
class CycleRow:
    cycle: TnaCycle
    stage: str
    submitted: int
    returns: int


def cycles_by_stage(*, today: date | None = None) -> tuple[list[CycleRow], list[CycleRow]]:
    """Every analysis, as (in progress: open or being prepared, soonest deadline first; past:
    latest first), each with how many of its returns are submitted. Two queries."""
    today = today or timezone.localdate()
    counts = {
        row["cycle"]: row
        for row in TnaReturn.objects.values("cycle").annotate(
            n=Count("id"), submitted=Count("id", filter=Q(status=ReturnStatus.SUBMITTED))
        )
    }
    current, past = [], []
    for cycle in TnaCycle.objects.select_related("year").order_by("deadline"):
        found = counts.get(cycle.pk, {})
        row = CycleRow(
            cycle=cycle,
            stage=cycle_stage(cycle, today=today),
            submitted=found.get("submitted", 0),
            returns=found.get("n", 0),
        )
        (past if row.stage == "Past" else current).append(row)
    return current, list(reversed(past))


def open_cycles(*, today: date | None = None):
    """Analyses opened whose training year has not ended: where returns are still chased."""
    return TnaCycle.objects.filter(opened_at__isnull=False, year__ends_on__gte=today or timezone.localdate())


def todo_for(user, *, today: date | None = None) -> list[TodoItem]:
    """For the training manager, each open analysis's returns that are late (past the deadline and
    not submitted) or reopened; for an agency lead, their return to submit and its deadline.
    Two queries."""
    today = today or timezone.localdate()
    items = []
    if user.is_training_manager:
        rows = (
            TnaReturn.objects.filter(cycle__in=open_cycles(today=today), agency__active=True)
            .values("cycle", "cycle__year__name", "cycle__deadline")
            .annotate(
                late=Count("id", filter=~Q(status=ReturnStatus.SUBMITTED) & Q(cycle__deadline__lt=today)),
                reopened=Count("id", filter=Q(status=ReturnStatus.REOPENED)),
            )
            .order_by("cycle__deadline")
        )
        for row in rows:
            url = reverse("tna:cycle", args=[row["cycle"]])
            name = row["cycle__year__name"]
            items.append(
                TodoItem(
                    count=row["late"],
                    singular=f"training needs return for {name} is late",
                    plural=f"training needs returns for {name} are late",
                    url=url,
                    overdue=True,
                )
            )
            items.append(
                TodoItem(
                    count=row["reopened"] if row["cycle__deadline"] >= today else 0,
                    singular=f"reopened training needs return for {name} is waiting to be submitted again",
                    plural=f"reopened training needs returns for {name} are waiting to be submitted again",
                    url=url,
                )
            )
    if user.is_agency_lead and user.agency_id:
        tna_return = (
            TnaReturn.objects.filter(cycle__in=open_cycles(today=today), agency_id=user.agency_id)
            .exclude(status=ReturnStatus.SUBMITTED)
            .select_related("cycle__year")
            .order_by("cycle__deadline")
            .first()
        )
        if tna_return is not None:
            cycle = tna_return.cycle
            late = cycle.deadline < today
            items.append(
                TodoItem(
                    count=1,
                    singular=(
                        f"training needs return for {cycle.year} to submit"
                        + (": the deadline was " if late else " by ")
                        + f"{cycle.deadline:%-d %B %Y}"
                    ),
                    plural="",
                    url=reverse("tna:return", args=[tna_return.pk]),
                    overdue=late,
                )
            )
    return items
