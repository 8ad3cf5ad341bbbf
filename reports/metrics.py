"""Every figure the Board sees, in one place: the PDF reports and the on-screen dashboard both
read these functions, so a number can never differ between them.

Rules that hold for every figure:
- A period is a training year (or any two dates); a session belongs to the period its first
  date falls in, in local time.
- A session is *delivered* once it has ended and was not cancelled.
- Charges belong to the period of their session's first date, not the day they were raised
  (`courses.selectors.charges.charges_of_period`): a session recorded late counts in its own year.
- Percentages are rounded half up (82.5% shows as 83%) by `tna.selectors.percent`, and a
  division by zero is `None`, shown as "not applicable", never 0%.
- Each function runs a fixed number of queries, whatever the size of the partnership.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Agency
from accounts.selectors import members_of
from courses.models import Attendance, AttendanceRecord, Booking, BookingStatus, Course, Session, SessionStatus
from courses.selectors.charges import charges_of_period
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

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        tz = timezone.get_current_timezone()
        return datetime.combine(self.starts_on, time.min, tz), datetime.combine(
            self.ends_on + timedelta(days=1), time.min, tz
        )

    @classmethod
    def of_year(cls, year: TrainingYear) -> "Period":
        return cls(year.name, year.starts_on, year.ends_on, year)


def _shift_year(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def periods_with_previous(year: TrainingYear, *, count: int = 3) -> list[Period]:
    """The year and the two before it, oldest first: recorded training years where they
    exist, otherwise the same dates a year earlier (labelled like "2024-25"). One query."""
    known = {(y.starts_on, y.ends_on): y for y in TrainingYear.objects.filter(starts_on__lt=year.ends_on)}
    periods = []
    for back in range(count - 1, -1, -1):
        starts, ends = _shift_year(year.starts_on, -back), _shift_year(year.ends_on, -back)
        match = known.get((starts, ends))
        label = match.name if match else f"{starts.year}-{str(ends.year)[-2:]}"
        periods.append(Period(label, starts, ends, match))
    return periods


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _ratio(part, whole, places: str = "0.1") -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


# --- Headline statistics -------------------------------------------------------------------------


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
    late_cancellations: int = 0
    session_costs: Decimal = ZERO
    central_costs: Decimal = ZERO
    children_in_need: int = 0

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
    def total_cost(self) -> Decimal:
        return _money(self.session_costs + self.central_costs)

    @property
    def cost_per_event(self) -> Decimal | None:
        return _ratio(self.total_cost, self.events_delivered, "0.01")

    @property
    def cost_per_training_day(self) -> Decimal | None:
        return _ratio(self.total_cost, self.training_days, "0.01")

    @property
    def cost_per_delegate(self) -> Decimal | None:
        return _ratio(self.total_cost, self.attendance, "0.01")

    @property
    def events_per_1000_children_in_need(self) -> Decimal | None:
        return _ratio(self.events_delivered * 1000, self.children_in_need)


def _delivered(begin, finish):
    return Q(starts_at__gte=begin, starts_at__lt=finish, ends_at__lte=timezone.now()) & ~Q(
        status=SessionStatus.CANCELLED
    )


def headline(period: Period) -> Headline:
    """The headline statistics for one period. Three queries."""
    begin, finish = period.bounds
    delivered = _delivered(begin, finish)
    in_period = Q(starts_at__gte=begin, starts_at__lt=finish)
    costs = F("venue_cost") + F("trainer_fees") + F("catering_cost") + F("materials_cost")
    s = Session.objects.aggregate(
        delivered=Count("pk", filter=delivered),
        cancelled=Count("pk", filter=in_period & Q(status=SessionStatus.CANCELLED)),
        days=Sum("course__duration_days", filter=delivered),
        courses=Count("course", filter=delivered, distinct=True),
        capacity=Sum("capacity", filter=delivered),
        costs=Coalesce(
            Sum(costs, filter=delivered), Value(ZERO), output_field=DecimalField(max_digits=14, decimal_places=2)
        ),
    )
    delivered_sessions = Session.objects.filter(delivered)
    a = AttendanceRecord.objects.filter(session__in=delivered_sessions).aggregate(
        attended=Count("pk", filter=Q(outcome__in=ATTENDED)),
        walk_ins=Count("pk", filter=Q(outcome__in=ATTENDED, walk_in=True)),
        booked_attended=Count("pk", filter=Q(outcome__in=ATTENDED, booking__isnull=False)),
        no_shows=Count("pk", filter=Q(outcome=Attendance.NO_SHOW)),
    )
    b = Booking.objects.filter(session__in=delivered_sessions).aggregate(
        registrations=Count("pk", filter=Q(status=BookingStatus.CONFIRMED)),
        late=Count("pk", filter=Q(status=BookingStatus.CANCELLED, late_cancellation=True)),
    )
    year = period.year
    return Headline(
        period=period,
        events_delivered=s["delivered"],
        events_cancelled=s["cancelled"],
        training_days=s["days"] or ZERO,
        courses=s["courses"],
        capacity=s["capacity"] or 0,
        attendance=a["attended"],
        walk_ins=a["walk_ins"],
        booked_attendees=a["booked_attended"],
        registrations=b["registrations"],
        no_shows=a["no_shows"],
        late_cancellations=b["late"],
        session_costs=_money(s["costs"]),
        central_costs=_money(year.central_costs) if year else ZERO,
        children_in_need=year.children_in_need if year else 0,
    )


def headlines(year: TrainingYear) -> list[Headline]:
    """This year beside the two before it, oldest first. Ten queries."""
    return [headline(p) for p in periods_with_previous(year)]


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
class Partners:
    rows: list[PartnerRow]
    committed_days: Decimal = ZERO
    delivered_days: Decimal = ZERO
    financial: Decimal = ZERO
    charges_raised: Decimal = ZERO
    charges_waived: Decimal = ZERO

    @property
    def percent_delivered(self) -> int | None:
        return percent(self.delivered_days, self.committed_days)


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
    trainer_agencies: list[str] = field(default_factory=list)


def course_runs(period: Period, course: Course) -> CourseRun | None:
    found = courses_delivered(period, course=course)
    return found[0] if found else None


def courses_delivered(period: Period, *, course: Course | None = None) -> list[CourseRun]:
    """Each course with its runs, days, delegates and the agencies its trainers came from. Four queries."""
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
    quality: object | None = None

    @property
    def this_year(self) -> Headline:
        return self.headlines[-1]

    @property
    def previous(self) -> Headline:
        return self.headlines[-2]


def annual_report(year: TrainingYear, *, progress=None) -> AnnualReport:
    """Every section of the annual training report. `progress(percent)` is told as sections finish."""
    step = progress or (lambda n: None)
    period = Period.of_year(year)
    heads = headlines(year)
    step(20)
    by_agency, by_level, by_course = (need_against_attendance(year, by=b) for b in ("agency", "level", "course"))
    step(40)
    partners = partner_contribution(period)
    step(55)
    single = single_agency_training(year)
    courses = courses_delivered(period)
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
        quality=quality(period),
    )


def quality(period: Period):
    """Evaluation figures (response rates, confidence before and after, practice change) when the
    evaluation app provides them; None leaves the section out."""
    try:
        from evaluation import selectors as evaluation_selectors
    except ImportError:
        return None
    summary = getattr(evaluation_selectors, "board_summary", None)
    return summary(period.starts_on, period.ends_on) if summary else None


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
    """The agency's return against its staff's bookings and attendance, per course. Four queries."""
    from courses.models import HOLDS_PLACE
    from tna.models import TrainingNeed

    begin, finish = Period.of_year(year).bounds
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
        .filter(Q(status__in=HOLDS_PLACE) | Q(attendance__isnull=False))
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
        rows.append(
            NeedRow(label=title, requested=requested.get(pk) or 0, booked=booked.get(pk, 0), attended=a, no_shows=n)
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
