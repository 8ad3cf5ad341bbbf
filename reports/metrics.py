"""Every figure the Board sees, in one place: the PDF reports and the on-screen dashboard both
read these functions, so a number can never differ between them.

Rules that hold for every figure:
- A period is a training year (or any two dates); a session belongs to the period its first
  date falls in, in local time.
- A training year in progress is reported to date: its period ends today, and every earlier year
  beside it covers the same months (like for like). An earlier period the records do not reach is
  "no records"; one they reach only part of is not compared ("records begin on ...").
- Central costs are recorded for a whole year: a period that is part of a year carries its share of
  them by calendar days, so a cost per delegate never divides a whole year's costs by part of a
  year's attendance. Nothing recorded is "none recorded", never £0.
- A session is *delivered* once it has ended and was not cancelled.
- Charges belong to the period of their session's first date, not the day they were raised
  (`courses.selectors.charges.charges_of_period`): a session recorded late counts in its own year.
- Percentages are rounded half up (82.5% shows as 83%) by `tna.selectors.percent`, and a
  division by zero is `None`, shown as "not applicable", never 0%.
- Each function runs a fixed number of queries, whatever the size of the partnership.
"""

import operator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce

from django.db.models import BooleanField, Count, DecimalField, ExpressionWrapper, F, Min, Q, Sum
from django.utils import timezone

from accounts.models import Agency
from accounts.selectors import members_of
from common.rows import Among, raw_rows
from courses.models import (
    Attendance,
    AttendanceRecord,
    Booking,
    BookingStatus,
    BookingTally,
    Course,
    RegisterTally,
    Session,
    SessionStatus,
)
from courses.selectors.charges import charges_of_period
from courses.selectors.delivered import delivered
from pool import selectors as pool_selectors
from tna.models import AgencyContribution, ReturnStatus, SingleAgencyTraining, TrainingYear
from tna.selectors import NeedRow, attendance_against_need, percent, rag
from tna.selectors import totals as need_totals

ZERO = Decimal("0")
ATTENDED = (Attendance.ATTENDED, Attendance.PARTIAL)


@dataclass(frozen=True)
class Period:
    label: str
    starts_on: date
    ends_on: date
    year: TrainingYear | None = None
    # The end of the whole year when the period is only part of it: the year to date, or the same
    # months of an earlier year.
    whole_ends_on: date | None = None

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        tz = timezone.get_current_timezone()
        return datetime.combine(self.starts_on, time.min, tz), datetime.combine(
            self.ends_on + timedelta(days=1), time.min, tz
        )

    @property
    def part_year(self) -> bool:
        return self.whole_ends_on is not None and self.ends_on < self.whole_ends_on

    @property
    def share_of_year(self) -> Decimal:
        """The period's calendar days ÷ the whole year's (1 for a whole year)."""
        if not self.part_year:
            return Decimal(1)
        return Decimal((self.ends_on - self.starts_on).days + 1) / Decimal(
            (self.whole_ends_on - self.starts_on).days + 1
        )

    @property
    def heading(self) -> str:
        """ "2025-26", or for part of a year "2025-26 to 1 December 2025"."""
        return f"{self.label} to {self.ends_on:%-d %B %Y}" if self.part_year else self.label

    @classmethod
    def of_year(cls, year: TrainingYear, *, today: date | None = None) -> "Period":
        """The training year; a year in progress runs from its start to today."""
        today = today or timezone.localdate()
        if year.starts_on <= today < year.ends_on:
            return cls(year.name, year.starts_on, today, year, whole_ends_on=year.ends_on)
        return cls(year.name, year.starts_on, year.ends_on, year)


def _shift_year(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def periods_with_previous(
    year: TrainingYear, *, count: int = 3, today: date | None = None, years: list[TrainingYear] | None = None
) -> list[Period]:
    """The year and the two before it, oldest first: recorded training years where they
    exist, otherwise the same dates a year earlier (labelled like "2024-25"). For a year in
    progress each earlier period covers the same months as the year to date. One query, none when
    given every training year (`years`)."""
    today = today or timezone.localdate()
    current = Period.of_year(year, today=today)
    earlier = (
        [y for y in years if y.starts_on < year.ends_on]
        if years is not None
        else TrainingYear.objects.filter(starts_on__lt=year.ends_on)
    )
    known = {(y.starts_on, y.ends_on): y for y in earlier}
    periods = []
    for back in range(count - 1, 0, -1):
        starts, ends = _shift_year(year.starts_on, -back), _shift_year(year.ends_on, -back)
        match = known.get((starts, ends))
        label = match.name if match else f"{starts.year}-{str(ends.year)[-2:]}"
        if current.part_year:
            periods.append(Period(label, starts, _shift_year(current.ends_on, -back), match, whole_ends_on=ends))
        elif starts <= today < ends:  # beside a year still to come, the year in progress is to date
            periods.append(Period(label, starts, today, match, whole_ends_on=ends))
        else:
            periods.append(Period(label, starts, ends, match))
    return [*periods, current]


def records_begin() -> date | None:
    """The first day the service holds any session for: earlier periods have no records. One query."""
    first = Session.objects.aggregate(first=Min("starts_at"))["first"]
    return timezone.localdate(first) if first else None


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _ratio(part, whole, places: str = "0.1") -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


# --- Headline statistics -------------------------------------------------------------------------


# The four costs recorded against a session.
SESSION_COSTS = F("venue_cost") + F("trainer_fees") + F("catering_cost") + F("materials_cost")


@dataclass
class Headline:
    period: Period
    events_delivered: int = 0
    events_cancelled: int = 0
    training_days: Decimal = ZERO
    courses: int = 0
    capacity: int = 0
    attendance: int = 0
    walk_ins: int = 0
    booked_attendees: int = 0
    registrations: int = 0
    no_shows: int = 0
    cancellations: int = 0
    late_cancellations: int = 0
    session_costs: Decimal = ZERO
    # The year's central costs as recorded (None: none recorded, or no training year for the period),
    # and the period's share of them.
    central_costs_year: Decimal | None = None
    central_costs: Decimal = ZERO
    children_in_need: int = 0
    # "full", "partial" (the records begin inside the period) or "none" (they begin after it).
    coverage: str = "full"
    records_begin: date | None = None

    @property
    def has_records(self) -> bool:
        return self.coverage != "none"

    @property
    def comparable(self) -> bool:
        return self.coverage == "full"

    @property
    def average_delegates(self) -> Decimal | None:
        """Attendance ÷ events delivered."""
        return _ratio(self.attendance, self.events_delivered)

    @property
    def fill_rate(self) -> int | None:
        """Attendance (walk-ins included) ÷ places offered on delivered events."""
        return percent(self.attendance, self.capacity)

    @property
    def attendance_rate(self) -> int | None:
        """Booked delegates who came ÷ places booked at the time of the event (walk-ins left out)."""
        return percent(self.booked_attendees, self.registrations)

    @property
    def registrations_with_cancellations(self) -> int:
        """Every booking made for a delivered event: places booked at the time, and those cancelled."""
        return self.registrations + self.cancellations

    @property
    def attendance_rate_of_registrations(self) -> int | None:
        """Attendance (walk-ins included) ÷ registrations, cancellations included: the rate some Boards publish."""
        return percent(self.attendance, self.registrations_with_cancellations)

    @property
    def on_time_cancellations(self) -> int:
        return self.cancellations - self.late_cancellations

    @property
    def cancellation_rate(self) -> int | None:
        """Delegates' cancellations ÷ registrations, cancellations included."""
        return percent(self.cancellations, self.registrations_with_cancellations)

    @property
    def costs_recorded(self) -> bool:
        return bool(self.session_costs or self.central_costs_year)

    @property
    def total_cost(self) -> Decimal | None:
        """Event costs plus the period's share of central costs; None when no cost was recorded."""
        if not self.costs_recorded:
            return None
        return _money(self.session_costs + self.central_costs)

    def _per(self, whole) -> Decimal | None:
        return None if self.total_cost is None else _ratio(self.total_cost, whole, "0.01")

    @property
    def cost_per_event(self) -> Decimal | None:
        return self._per(self.events_delivered)

    @property
    def cost_per_training_day(self) -> Decimal | None:
        return self._per(self.training_days)

    @property
    def cost_per_delegate(self) -> Decimal | None:
        return self._per(self.attendance)

    @property
    def events_per_1000_children_in_need(self) -> Decimal | None:
        return _ratio(self.events_delivered * 1000, self.children_in_need)


def _coverage(period: Period, begins: date | None) -> str:
    if begins is None or begins > period.ends_on:
        return "none"
    return "partial" if begins > period.starts_on else "full"


_LOOK_UP = object()


def headline(period: Period, *, begins=_LOOK_UP) -> Headline:
    """The headline statistics for one period. `begins` is when the records begin (`records_begin`),
    looked up when not given. Three queries, and one for `begins`."""
    return headlines_of([period], begins=begins)[0]


def _in_period(period: Period, prefix: str = "") -> Q:
    """A session whose first date falls in the period; `prefix` reaches it from a related model."""
    begin, finish = period.bounds
    return Q(**{f"{prefix}starts_at__gte": begin, f"{prefix}starts_at__lt": finish})


def _session_sums(sessions, count: int) -> tuple[list[dict], list[set], dict[int, list[int]]]:
    """Each of `count` periods' sessions summed (`sessions`: one row per session, its id, course, places,
    delivered or not, cancelled or not, days and costs, then whether it falls in each period: a session
    may fall in more than one when periods overlap), each period's courses delivered, and which periods
    each delivered session falls in."""
    sums = [dict(delivered=0, cancelled=0, days=0, capacity=0, costs=0) for _ in range(count)]
    courses = [set() for _ in range(count)]
    periods_of: dict[int, list[int]] = {}
    for pk, course, capacity, done, cancelled, days, costs, *flags in sessions:
        within = [i for i, inside in enumerate(flags) if inside]
        if cancelled:
            for i in within:
                sums[i]["cancelled"] += 1
        if not done:
            continue
        periods_of[pk] = within
        for i in within:
            found = sums[i]
            found["delivered"] += 1
            found["days"] += days
            found["capacity"] += capacity
            found["costs"] += costs
            courses[i].add(course)
    return sums, courses, periods_of


def _counted_by_session(queryset, periods_of: dict[int, list[int]], count: int, keys: list[str]) -> list[dict]:
    """Each of `count` periods' sums of `keys` over `queryset`'s rows (the session's id, then a whole number
    for each key), each session's figures added to the periods it falls in (`periods_of`)."""
    found = [dict.fromkeys(keys, 0) for _ in range(count)]
    for session, *figures in raw_rows(queryset):
        # A session a write made delivered between the two reads is left out, as the sessions read found it.
        for i in periods_of.get(session, ()):
            sums = found[i]
            for key, n in zip(keys, figures, strict=True):
                sums[key] += n
    return found


def headlines_of(periods: list[Period], *, begins=_LOOK_UP) -> list[Headline]:
    """The headline statistics for each of the periods, in the same three queries however many
    periods there are (the periods' sessions, one row each with the periods it falls in; then the
    register lines and the bookings of those delivered, per session, as the database keeps them counted),
    and one for `begins` when it is not given."""
    if begins is _LOOK_UP:
        begins = records_begin()
    now = timezone.now()
    of_periods = reduce(operator.or_, (_in_period(p) for p in periods))
    done = delivered(now=now)
    flags = {f"in{i}": ExpressionWrapper(_in_period(p), output_field=BooleanField()) for i, p in enumerate(periods)}
    sessions = (
        Session.objects.filter(of_periods)
        .annotate(
            **flags,
            done=ExpressionWrapper(done, output_field=BooleanField()),
            cancelled=ExpressionWrapper(Q(status=SessionStatus.CANCELLED), output_field=BooleanField()),
            days=F("course__duration_days"),
            costs=ExpressionWrapper(SESSION_COSTS, output_field=DecimalField(max_digits=14, decimal_places=2)),
        )
        .values_list("pk", "course", "capacity", "done", "cancelled", "days", "costs", *flags)
        .order_by()
    )
    s, courses, periods_of = _session_sums(sessions, len(periods))
    # The register lines and bookings of the sessions delivered in the periods, as the database counts them
    # per session (the tallies in courses.models, a few rows each), each session's read once however many
    # periods it falls in; PostgreSQL is handed the sessions' ids as one list, read first, and goes through
    # the tallies' index by session.
    among_delivered = Among("session", Session.objects.filter(of_periods & done).values("pk"))
    attended = Q(outcome__in=ATTENDED)
    lines = (
        RegisterTally.objects.filter(among_delivered)
        .values("session")
        .annotate(
            attended=Sum("lines", filter=attended, default=0),
            walk_ins=Sum("lines", filter=attended & Q(walk_in=True), default=0),
            booked_attended=Sum("lines", filter=attended & Q(booked=True), default=0),
            no_shows=Sum("lines", filter=Q(outcome=Attendance.NO_SHOW), default=0),
        )
        .order_by()
    )
    a = _counted_by_session(lines, periods_of, len(periods), ["attended", "walk_ins", "booked_attended", "no_shows"])
    # The event went ahead, so each cancelled booking was the delegate's (or made for them).
    cancelled = Q(status=BookingStatus.CANCELLED)
    bookings = (
        BookingTally.objects.filter(among_delivered)
        .values("session")
        .annotate(
            registrations=Sum("bookings", filter=Q(status=BookingStatus.CONFIRMED), default=0),
            cancelled=Sum("bookings", filter=cancelled, default=0),
            late=Sum("bookings", filter=cancelled & Q(late_cancellation=True), default=0),
        )
        .order_by()
    )
    b = _counted_by_session(bookings, periods_of, len(periods), ["registrations", "cancelled", "late"])
    heads = []
    for i, period in enumerate(periods):
        year = period.year
        # Nought is what a training year holds until its central costs are entered: not recorded.
        central_year = _money(year.central_costs) if year and year.central_costs else None
        heads.append(
            Headline(
                period=period,
                events_delivered=s[i]["delivered"],
                events_cancelled=s[i]["cancelled"],
                training_days=s[i]["days"] or ZERO,
                courses=len(courses[i]),
                capacity=s[i]["capacity"],
                attendance=a[i]["attended"],
                walk_ins=a[i]["walk_ins"],
                booked_attendees=a[i]["booked_attended"],
                registrations=b[i]["registrations"],
                no_shows=a[i]["no_shows"],
                cancellations=b[i]["cancelled"],
                late_cancellations=b[i]["late"],
                session_costs=_money(s[i]["costs"]),
                central_costs_year=central_year,
                central_costs=_money(central_year * period.share_of_year) if central_year else ZERO,
                children_in_need=year.children_in_need if year else 0,
                coverage=_coverage(period, begins),
                records_begin=begins,
            )
        )
    return heads


def headlines(
    year: TrainingYear, *, today: date | None = None, years: list[TrainingYear] | None = None
) -> list[Headline]:
    """This year beside the two before it, oldest first (like for like when the year is in
    progress). Five queries, four when given every training year (`years`)."""
    return headlines_of(periods_with_previous(year, today=today, years=years))


# --- Attendance and trainer days by agency, beside the two previous years -----------------------------


@dataclass
class AgencyYears:
    """One agency's figure in each of the periods, oldest first."""

    label: str
    values: list


def attendance_by_agency(periods: list[Period]) -> list[AgencyYears]:
    """Attendance on delivered events (walk-ins included) by the delegate's agency, in each period.
    One query."""
    counts = {}
    for i, period in enumerate(periods):
        begin, finish = period.bounds
        counts[f"p{i}"] = Count(
            "pk",
            filter=Q(session__starts_at__gte=begin, session__starts_at__lt=finish, session__ends_at__lte=timezone.now())
            & ~Q(session__status=SessionStatus.CANCELLED),
        )
    first, last = periods[0].bounds[0], periods[-1].bounds[1]
    rows = (
        AttendanceRecord.objects.filter(
            outcome__in=ATTENDED, session__starts_at__gte=first, session__starts_at__lt=last
        )
        .values("agency__name")
        .annotate(**counts)
        .order_by("agency__name")
    )
    found = [
        AgencyYears(r["agency__name"] or "No agency recorded", [r[f"p{i}"] for i in range(len(periods))]) for r in rows
    ]
    return [row for row in found if any(row.values)]


@dataclass
class TrainerDays:
    days: Decimal = ZERO
    trainers: int = 0


def trainer_days_by_agency(periods: list[Period]) -> list[AgencyYears]:
    """Trainer days each agency's trainers delivered and how many of its trainers delivered, in each
    period (from the pool's delivery log). Two queries per period, and one for the names."""
    by_period = []
    for period in periods:
        days = pool_selectors.days_by_agency(period.starts_on, period.ends_on)
        trainers = pool_selectors.trainers_by_agency(period.starts_on, period.ends_on)
        by_period.append(
            {k: TrainerDays(days.get(k, (0, ZERO))[1], trainers.get(k, 0)) for k in set(days) | set(trainers)}
        )
    ids = {k for found in by_period for k in found}
    names = dict(Agency.objects.filter(pk__in=[k for k in ids if k]).values_list("pk", "name"))
    rows = [
        AgencyYears(names.get(k, "No agency recorded"), [found.get(k, TrainerDays()) for found in by_period])
        for k in ids
    ]
    return sorted(rows, key=lambda row: (row.label == "No agency recorded", row.label))


# --- Attendance against the training needs analysis ---------------------------------------------


@dataclass
class NeedTable:
    by: str
    rows: list[NeedRow]
    total: NeedRow


def need_against_attendance(year: TrainingYear, *, by: str) -> NeedTable:
    rows = attendance_against_need(year, by=by)
    return NeedTable(by=by, rows=rows, total=need_totals(rows))


# --- Partner contribution --------------------------------------------------------------------------


@dataclass
class PartnerRow:
    agency: Agency
    committed_days: Decimal | None = None
    delivered_days: Decimal = ZERO
    sessions: int = 0
    financial: Decimal | None = None
    charges_raised: Decimal = ZERO
    charges_waived: Decimal = ZERO
    places_earned: int = 0
    places_used: int = 0

    @property
    def percent_delivered(self) -> int | None:
        return percent(self.delivered_days, self.committed_days)

    @property
    def rag(self) -> str:
        return rag(self.percent_delivered)


@dataclass
class PartnerDays:
    """The partnership's trainer days in the period: agreed (each agency's share of its commitment)
    and delivered by agencies' trainers, the totals `partner_contribution` prints under its rows."""

    committed_days: Decimal = ZERO
    delivered_days: Decimal = ZERO

    @property
    def percent_delivered(self) -> int | None:
        return percent(self.delivered_days, self.committed_days)


@dataclass
class Partners(PartnerDays):
    """Each agency's row, and the totals under them."""

    rows: list[PartnerRow] = field(default_factory=list)
    financial: Decimal = ZERO
    charges_raised: Decimal = ZERO
    charges_waived: Decimal = ZERO


def partner_days(period: Period, *, years: list[TrainingYear] | None = None) -> PartnerDays:
    """Trainer days delivered against agreed over every agency, from the pool's own figures (the
    same as `partner_contribution`'s totals, without each agency's money, charges and places). Three
    queries, two when given every training year (`years`)."""
    delivered = pool_selectors.days_by_agency(period.starts_on, period.ends_on)
    committed = pool_selectors.commitment_for_period(period.starts_on, period.ends_on, years=years)
    return PartnerDays(
        committed_days=sum(committed.values(), ZERO),
        # Days given by trainers of no agency are nobody's contribution.
        delivered_days=sum((days for agency_id, (_, days) in delivered.items() if agency_id is not None), ZERO),
    )


def partner_contribution(period: Period, *, agency_id=None) -> Partners:
    """Trainer days against commitments (from the pool), money agreed in the training year, and
    charges raised and waived for sessions in the period, per agency. Eight queries."""
    pool_rows = {r.agency.pk: r for r in pool_selectors.agency_contributions(period.starts_on, period.ends_on)}
    money = (
        dict(AgencyContribution.objects.filter(year=period.year).values_list("agency_id", "amount"))
        if period.year
        else {}
    )
    charges = {
        row["agency_id"]: row
        for row in charges_of_period(period.starts_on, period.ends_on)
        .values("agency_id")
        .annotate(raised=Sum("amount"), waived=Sum("amount", filter=Q(waived_at__isnull=False)))
    }
    ids = set(pool_rows) | set(money) | set(charges)
    if agency_id is not None:
        ids &= {agency_id}
    rows = []
    for agency in Agency.objects.filter(pk__in=ids).order_by("name"):
        p, c = pool_rows.get(agency.pk), charges.get(agency.pk, {})
        rows.append(
            PartnerRow(
                agency=agency,
                committed_days=p.committed_days if p else None,
                delivered_days=p.delivered_days if p else ZERO,
                sessions=p.sessions if p else 0,
                financial=money.get(agency.pk),
                charges_raised=_money(c.get("raised")),
                charges_waived=_money(c.get("waived")),
                places_earned=p.places_earned if p else 0,
                places_used=p.places_used if p else 0,
            )
        )
    return Partners(
        rows=rows,
        committed_days=sum((r.committed_days or ZERO for r in rows), ZERO),
        delivered_days=sum((r.delivered_days for r in rows), ZERO),
        financial=_money(sum((r.financial or ZERO for r in rows), ZERO)),
        charges_raised=_money(sum((r.charges_raised for r in rows), ZERO)),
        charges_waived=_money(sum((r.charges_waived for r in rows), ZERO)),
    )


# --- Single-agency training --------------------------------------------------------------------------


@dataclass
class SingleAgencyRow:
    level: str
    agencies: int
    staff_trained: int
    percent_in_date: int | None


def single_agency_training(year: TrainingYear) -> list[SingleAgencyRow]:
    """What agencies trained themselves, by level, from submitted returns: staff trained, and the
    share in date weighted by staff trained. One query."""
    rows = (
        SingleAgencyTraining.objects.filter(
            tna_return__cycle__year=year, tna_return__status=ReturnStatus.SUBMITTED, staff_trained__gt=0
        )
        .values("level__number", "level__name")
        .annotate(
            agencies=Count("tna_return__agency", distinct=True),
            staff=Sum("staff_trained"),
            weighted=Sum(F("staff_trained") * F("percent_in_date")),
        )
        .order_by("level__number")
    )
    return [
        SingleAgencyRow(
            f"Level {r['level__number']}: {r['level__name']}",
            r["agencies"],
            r["staff"],
            percent(Decimal(r["weighted"]) / 100, r["staff"]),
        )
        for r in rows
    ]


# --- Courses delivered (the appendix) ------------------------------------------------------------------


@dataclass
class CourseRun:
    course: Course
    runs: int = 0
    cancelled: int = 0
    days: Decimal = ZERO
    delegates: int = 0
    places: int = 0
    costs: Decimal = ZERO
    trainer_agencies: list[str] = field(default_factory=list)

    @property
    def fill_rate(self) -> int | None:
        """Delegates ÷ places offered on the delivered runs."""
        return percent(self.delegates, self.places)

    @property
    def cost_per_run(self) -> Decimal | None:
        """Costs recorded against the delivered runs ÷ runs (central costs are not shared out by course);
        None when no cost was recorded."""
        if not self.costs:
            return None
        return _ratio(self.costs, self.runs, "0.01")


def course_runs(period: Period, course: Course) -> CourseRun | None:
    found = courses_delivered(period, course=course)
    return found[0] if found else None


def courses_delivered(period: Period, *, course: Course | None = None) -> list[CourseRun]:
    """Each course with its runs, days, delegates, places offered, costs and the agencies its trainers
    came from. Four queries."""
    begin, finish = period.bounds
    in_period = Session.objects.filter(starts_at__gte=begin, starts_at__lt=finish)
    if course is not None:
        in_period = in_period.filter(course=course)
    sessions = list(
        in_period.select_related("course__level")
        .prefetch_related("trainers__agency")
        .annotate(delegates=Count("attendance", filter=Q(attendance__outcome__in=ATTENDED)))
        .order_by("course__level__number", "course__title")
    )
    now = timezone.now()
    by_course: dict[int, CourseRun] = {}
    for session in sessions:
        run = by_course.setdefault(session.course_id, CourseRun(course=session.course))
        if session.status == SessionStatus.CANCELLED:
            run.cancelled += 1
            continue
        if session.ends_at > now:
            continue
        run.runs += 1
        run.days += session.course.duration_days
        run.delegates += session.delegates
        run.places += session.capacity
        run.costs += session.total_cost
        for trainer in session.trainers.all():
            name = trainer.agency.name if trainer.agency_id else "No agency"
            if name not in run.trainer_agencies:
                run.trainer_agencies.append(name)
    for run in by_course.values():
        run.trainer_agencies.sort()
    return [r for r in by_course.values() if r.runs or r.cancelled]


# --- The whole annual report ---------------------------------------------------------------------------


@dataclass
class AnnualReport:
    year: TrainingYear
    period: Period
    headlines: list[Headline]
    need_by_agency: NeedTable
    need_by_level: NeedTable
    need_by_course: NeedTable
    partners: Partners
    single_agency: list[SingleAgencyRow]
    courses: list[CourseRun]
    attendance_by_agency: list[AgencyYears] = field(default_factory=list)
    trainer_days_by_agency: list[AgencyYears] = field(default_factory=list)
    quality_by_course: list = field(default_factory=list)
    practice_issues: list = field(default_factory=list)
    sub_committee: "SubCommittee | None" = None

    @property
    def this_year(self) -> Headline:
        return self.headlines[-1]

    @property
    def previous(self) -> Headline:
        return self.headlines[-2]

    @property
    def not_started(self) -> bool:
        return self.year.starts_on > timezone.localdate()


def annual_report(year: TrainingYear, *, progress=None) -> AnnualReport:
    """Every section of the annual training report. `progress(percent)` is told as sections finish."""
    step = progress or (lambda n: None)
    heads = headlines(year)
    period = heads[-1].period
    step(20)
    by_agency, by_level, by_course = (need_against_attendance(year, by=b) for b in ("agency", "level", "course"))
    step(40)
    partners = partner_contribution(period)
    step(55)
    single = single_agency_training(year)
    courses = courses_delivered(period)
    periods = [h.period for h in heads]
    by_agency_years = attendance_by_agency(periods)
    trainer_days = trainer_days_by_agency(periods)
    step(70)
    return AnnualReport(
        year=year,
        period=period,
        headlines=heads,
        need_by_agency=by_agency,
        need_by_level=by_level,
        need_by_course=by_course,
        partners=partners,
        single_agency=single,
        courses=courses,
        attendance_by_agency=by_agency_years,
        trainer_days_by_agency=trainer_days,
        quality_by_course=quality_by_course(period),
        practice_issues=practice_issues(period),
        sub_committee=sub_committee(year, period),
    )


def quality_by_course(period: Period) -> list:
    """Each course's evaluation results in the period (courses with nobody asked are left out)."""
    from evaluation import selectors as evaluation_selectors

    return evaluation_selectors.results_by_course(period.starts_on, period.ends_on)


def practice_issues(period: Period) -> list:
    """Practice issues raised in training in the period, with their status, for the audit committee."""
    from evaluation import selectors as evaluation_selectors

    return evaluation_selectors.practice_issues_raised(period.starts_on, period.ends_on)


@dataclass
class SubCommittee:
    """The training sub-committee's year, as the annual report prints it: each agency's attendance
    ("3 of 4 meetings"), the practice issues taken to the audit and evaluation committee, the
    changes evaluation led to, requests for advice, and the money (income against spending, with
    trainer days given in kind). Every figure is the committee app's own selector's."""

    attendance: list
    meetings: int
    issues: object
    changes: list
    advice: object
    money: object

    @property
    def has_records(self) -> bool:
        return bool(self.meetings or self.issues.raised or self.issues.agreed or self.issues.closed or self.changes)


def sub_committee(year: TrainingYear, period: Period) -> SubCommittee:
    from committee import selectors as committee

    attendance = committee.agency_attendance(starts_on=period.starts_on, ends_on=period.ends_on)
    return SubCommittee(
        attendance=attendance,
        meetings=committee.meetings_held(starts_on=period.starts_on, ends_on=period.ends_on),
        issues=committee.issue_counts(starts_on=period.starts_on, ends_on=period.ends_on),
        changes=committee.changes_from_evaluation(year),
        advice=committee.advice_counts(starts_on=period.starts_on, ends_on=period.ends_on),
        money=committee.money_statement(year, today=period.ends_on),
    )


# --- An agency's report --------------------------------------------------------------------------------


@dataclass
class AgencyReport:
    year: TrainingYear
    period: Period
    agency: Agency
    need_by_course: NeedTable
    late_cancellations: int
    charges_raised: Decimal
    charges_waived: Decimal
    charges_by_kind: list[tuple[str, int, Decimal]]
    pathway: dict
    staff_counted: int
    partners: Partners

    @property
    def pathway_green(self) -> int | None:
        return percent(self.pathway.get("green", 0), self.staff_counted)


def agency_need(year: TrainingYear, agency: Agency) -> NeedTable:
    """The agency's return against its staff's bookings and attendance, per course, over the whole
    training year (places booked on events still to come count as booked). Attendance on a course the
    agency requested no places for is shown, but is not need met. Four queries."""
    from tna.models import TrainingNeed
    from tna.selectors import place_booked, year_bounds

    begin, finish = year_bounds(year)
    in_year = Q(session__starts_at__gte=begin, session__starts_at__lt=finish)
    requested = dict(
        TrainingNeed.objects.filter(
            tna_return__cycle__year=year, tna_return__status=ReturnStatus.SUBMITTED, tna_return__agency=agency
        )
        .values_list("course")
        .annotate(n=Sum("places_requested"))
        .values_list("course", "n")
    )
    booked = dict(
        Booking.objects.filter(in_year, agency=agency)
        .exclude(session__status=SessionStatus.CANCELLED)
        .filter(place_booked())
        .values_list("session__course")
        .annotate(n=Count("id"))
        .values_list("session__course", "n")
    )
    attended = {
        course: (a, n)
        for course, a, n in AttendanceRecord.objects.filter(in_year, agency=agency)
        .values_list("session__course")
        .annotate(a=Count("id", filter=Q(outcome__in=ATTENDED)), n=Count("id", filter=Q(outcome=Attendance.NO_SHOW)))
        .values_list("session__course", "a", "n")
    }
    titles = dict(Course.objects.filter(pk__in=set(requested) | set(booked) | set(attended)).values_list("pk", "title"))
    rows = []
    for pk, title in sorted(titles.items(), key=lambda item: item[1]):
        a, n = attended.get(pk, (0, 0))
        asked = requested.get(pk) or 0
        rows.append(
            NeedRow(
                label=title,
                requested=asked,
                booked=booked.get(pk, 0),
                attended=a,
                no_shows=n,
                attended_unrequested=0 if asked else a,
            )
        )
    return NeedTable(by="course", rows=rows, total=need_totals(rows))


def agency_report(year: TrainingYear, agency: Agency, *, progress=None) -> AgencyReport:
    from courses.selectors.training_record import overall_status, requirements_for

    step = progress or (lambda n: None)
    period = Period.of_year(year)
    begin, finish = period.bounds
    need = agency_need(year, agency)
    step(30)
    late = Booking.objects.filter(
        agency=agency,
        session__starts_at__gte=begin,
        session__starts_at__lt=finish,
        status=BookingStatus.CANCELLED,
        late_cancellation=True,
    ).count()
    charges = list(
        charges_of_period(period.starts_on, period.ends_on, agency=agency)
        .values("kind")
        .annotate(n=Count("pk"), total=Sum("amount"), waived=Sum("amount", filter=Q(waived_at__isnull=False)))
        .order_by("kind")
    )
    from courses.models import ChargeKind

    step(50)
    staff = list(members_of(agency).filter(is_active=True, target_group__isnull=False).only("pk", "target_group_id"))
    requirements = requirements_for(staff)
    pathway = {"green": 0, "amber": 0, "red": 0}
    counted = 0
    for person in staff:
        if requirements.get(person.pk):
            pathway[overall_status(requirements[person.pk])] += 1
            counted += 1
    step(70)
    return AgencyReport(
        year=year,
        period=period,
        agency=agency,
        need_by_course=need,
        late_cancellations=late,
        charges_raised=_money(sum((c["total"] or ZERO for c in charges), ZERO)),
        charges_waived=_money(sum((c["waived"] or ZERO for c in charges), ZERO)),
        charges_by_kind=[(ChargeKind(c["kind"]).label, c["n"], _money(c["total"])) for c in charges],
        pathway=pathway,
        staff_counted=counted,
        partners=partner_contribution(period, agency_id=agency.pk),
    )


# --- A charges statement ---------------------------------------------------------------------------------


@dataclass
class ChargesStatement:
    agency: Agency
    period: Period
    charges: list
    raised: Decimal
    waived: Decimal

    @property
    def due(self) -> Decimal:
        return _money(self.raised - self.waived)


def charges_statement(agency: Agency, starts_on: date, ends_on: date) -> ChargesStatement:
    """Every charge to the agency for sessions in the period, with who, what, why, and whether waived. One query."""
    period = Period(f"{starts_on:%-d %B %Y} to {ends_on:%-d %B %Y}", starts_on, ends_on)
    charges = list(
        charges_of_period(starts_on, ends_on, agency=agency)
        .select_related("person", "session__course")
        .order_by("session__starts_at", "raised_at", "pk")
    )
    raised = _money(sum((c.amount for c in charges), ZERO))
    waived = _money(sum((c.amount for c in charges if c.waived_at), ZERO))
    return ChargesStatement(agency=agency, period=period, charges=charges, raised=raised, waived=waived)
