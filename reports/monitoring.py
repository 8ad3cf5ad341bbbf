"""The monitoring report: take-up and attendance for a quarter (or any period), beside the period
just before it and the same period a year earlier, and the reasons people gave for cancelling.

Some Boards report to their sub-committee every quarter: "take-up was 77% compared to 88% for the
previous quarter and 91% for the comparable period last year". The figures are the headline
statistics of `reports.metrics.headline`, read for each of the three periods, so a quarter's figures
are the annual report's figures for those dates. Rules:

- The previous period is the same number of whole months just before (a quarter's previous
  quarter), or, for dates that are not whole months, the same number of days just before.
- The comparable period last year is the same dates a year earlier.
- Reasons for cancelling are the reasons people chose when they cancelled a place on a session that
  starts in the period (the session was not cancelled, and the place was not passed to a colleague);
  cancellations without a reason are counted as "No reason given".
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count

from accounts.selectors import partnership_context
from common.svg import column_trend
from courses.models import Booking, BookingStatus, ReasonGiven, SessionStatus

from . import metrics

NO_REASON = "No reason given"


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _whole_months(starts_on: date, ends_on: date) -> int | None:
    """How many whole calendar months the dates cover, or None when they do not start on the 1st
    and end on a month's last day."""
    if starts_on.day != 1 or ends_on.day != calendar.monthrange(ends_on.year, ends_on.month)[1]:
        return None
    return (ends_on.year - starts_on.year) * 12 + ends_on.month - starts_on.month + 1


def previous_period(starts_on: date, ends_on: date) -> tuple[date, date]:
    months = _whole_months(starts_on, ends_on)
    if months:
        start = _add_months(starts_on, -months)
        return start, starts_on - timedelta(days=1)
    length = (ends_on - starts_on).days + 1
    return starts_on - timedelta(days=length), starts_on - timedelta(days=1)


def year_earlier(starts_on: date, ends_on: date) -> tuple[date, date]:
    if _whole_months(starts_on, ends_on):
        end_month = _add_months(ends_on.replace(day=1), -12)
        return _add_months(starts_on, -12), end_month.replace(
            day=calendar.monthrange(end_month.year, end_month.month)[1]
        )
    return _add_months(starts_on, -12), _add_months(ends_on, -12)


def period_label(starts_on: date, ends_on: date) -> str:
    """ "July to September 2026", "December 2026 to February 2027", or "3 to 16 August 2026"."""
    if _whole_months(starts_on, ends_on):
        if starts_on.year == ends_on.year:
            if starts_on.month == ends_on.month:
                return f"{starts_on:%B %Y}"
            return f"{starts_on:%B} to {ends_on:%B %Y}"
        return f"{starts_on:%B %Y} to {ends_on:%B %Y}"
    return f"{starts_on:%-d %B %Y} to {ends_on:%-d %B %Y}"


def kind_of_period(starts_on: date, ends_on: date) -> str:
    """What the report calls the period: "quarter" for three whole months, else "period"."""
    return "quarter" if _whole_months(starts_on, ends_on) == 3 else "period"


@dataclass
class Reason:
    label: str
    count: int


@dataclass
class Comparison:
    """One figure for the period, the period before and the period a year earlier."""

    label: str
    definition: str
    now: object
    previous: object
    last_year: object
    percent: bool = False


@dataclass
class Monitoring:
    period: metrics.Period
    previous: metrics.Period
    last_year: metrics.Period
    kind: str
    figures: list[metrics.Headline]
    reasons: list[Reason] = field(default_factory=list)
    cancellations: int = 0

    @property
    def this(self) -> metrics.Headline:
        return self.figures[0]

    @property
    def take_up(self) -> Comparison:
        now, previous, last_year = (h.fill_rate for h in self.figures)
        return Comparison("Take-up", "attendance (walk-ins included) ÷ places offered", now, previous, last_year, True)

    def comparisons(self) -> list[Comparison]:
        h = self.figures
        return [
            self.take_up,
            Comparison(
                "Attendance rate",
                "booked delegates who came ÷ places booked",
                *(x.attendance_rate for x in h),
                percent=True,
            ),
            Comparison("Learning events delivered", "", *(x.events_delivered for x in h)),
            Comparison("Events cancelled", "", *(x.events_cancelled for x in h)),
            Comparison("Places offered", "capacity of delivered events", *(x.capacity for x in h)),
            Comparison("Attendance", "walk-ins included", *(x.attendance for x in h)),
            Comparison("Walk-ins", "came without a booking", *(x.walk_ins for x in h)),
            Comparison("Did not attend", "booked and did not come", *(x.no_shows for x in h)),
            Comparison("Late cancellations", "within the notice period", *(x.late_cancellations for x in h)),
            Comparison("Training days delivered", "", *(x.training_days for x in h)),
        ]

    @property
    def reasons_given(self) -> int:
        return sum(r.count for r in self.reasons if r.label != NO_REASON)


def cancellation_reasons(period: metrics.Period) -> tuple[list[Reason], int]:
    """The reasons given for cancelling places on sessions starting in the period, most given first
    (ties in the list's order), with "No reason given" last; and how many such cancellations. One query."""
    begin, finish = period.bounds
    counts = dict(
        Booking.objects.filter(
            status=BookingStatus.CANCELLED,
            cancelled_at__isnull=False,
            session__starts_at__gte=begin,
            session__starts_at__lt=finish,
            substitutes__isnull=True,
        )
        .exclude(session__status=SessionStatus.CANCELLED)
        .values_list("reason_given")
        .annotate(n=Count("pk"))
        .order_by()
    )
    given = sorted(
        ((value, n) for value, n in counts.items() if value in ReasonGiven.values),
        key=lambda item: (-item[1], ReasonGiven.values.index(item[0])),
    )
    reasons = [Reason(ReasonGiven(value).label, n) for value, n in given]
    if counts.get(""):
        reasons.append(Reason(NO_REASON, counts[""]))
    return reasons, sum(counts.values())


def monitoring(starts_on: date, ends_on: date) -> Monitoring:
    """The monitoring report's figures for the period and its two comparisons. Five queries."""
    before = previous_period(starts_on, ends_on)
    earlier = year_earlier(starts_on, ends_on)
    periods = [
        metrics.Period(period_label(starts_on, ends_on), starts_on, ends_on),
        metrics.Period(period_label(*before), *before),
        metrics.Period(period_label(*earlier), *earlier),
    ]
    reasons, cancellations = cancellation_reasons(periods[0])
    return Monitoring(
        period=periods[0],
        previous=periods[1],
        last_year=periods[2],
        kind=kind_of_period(starts_on, ends_on),
        figures=metrics.headlines_of(periods),
        reasons=reasons,
        cancellations=cancellations,
    )


def take_up_sentence(report: Monitoring) -> str:
    """ "Take-up was 77% compared to 88% for the previous quarter and 91% for the comparable period
    last year", written for whichever of the three figures are missing."""
    t, kind = report.take_up, report.kind
    previous = (
        f"no events were delivered in the previous {kind}"
        if t.previous is None
        else f"{t.previous}% for the previous {kind}"
    )
    last_year = (
        "no events were delivered in the comparable period last year"
        if t.last_year is None
        else f"{t.last_year}% for the comparable period last year"
    )
    if t.now is None:
        return f"No events were delivered in this {kind}, so there is no take-up to report ({previous}; {last_year})."
    if t.previous is None or t.last_year is None:
        return f"Take-up was {t.now}%; {previous}, and {last_year}."
    return f"Take-up was {t.now}% compared to {previous} and {last_year}."


def take_up_chart(report: Monitoring):
    """Take-up and the attendance rate in the periods that delivered events, as columns with their
    figures printed. A period with no events is left out (a column of 0% would say it had some) and
    said in the description; None when no period delivered any."""
    take_up, rate = report.take_up, report.comparisons()[1]
    periods = list(
        zip(
            [f"This {report.kind}", f"Previous {report.kind}", "A year earlier"],
            (report.period, report.previous, report.last_year),
            (take_up.now, take_up.previous, take_up.last_year),
            (rate.now, rate.previous, rate.last_year),
        )
    )
    shown = [p for p in periods if p[2] is not None]
    if not shown:
        return None
    return column_trend(
        title=f"Take-up and attendance rate: this {report.kind}, the one before and a year earlier",
        description="; ".join(
            f"{label} ({period.label}): "
            + (
                "no events delivered"
                if t is None
                else f"take-up {t}%, attendance rate {'none' if a is None else f'{a}%'}"
            )
            for label, period, t, a in periods
        ),
        periods=[label for label, *_ in shown],
        series=["Take-up (%)", "Attendance rate (%)"],
        values=[[t for _, _, t, _ in shown], [a for _, _, _, a in shown]],
    )


def render_html(run) -> str:
    """The monitoring report's document, for the worker to print."""
    from django.template.loader import render_to_string

    from common import pagecache

    starts_on, ends_on = date.fromisoformat(run.parameters["from"]), date.fromisoformat(run.parameters["to"])
    as_at = pagecache.as_at()  # read before the figures: they include every change committed by then
    report = monitoring(starts_on, ends_on)
    return render_to_string(
        "reports/monitoring.html",
        {
            "run": run,
            "report": report,
            "sentence": take_up_sentence(report),
            "chart": take_up_chart(report),
            **partnership_context(),
            "as_at": as_at,
        },
    )
