"""Where the partnership stands among other Boards.

The research behind this service compared eight Boards by courses delivered, training days, courses
per 1,000 children in need and cost per course. The training manager records other Boards' published
headline figures for a year (on a form, or from a CSV file in the format below), and exports this
partnership's own figures in the same format for other Boards to import.

The format, one line per Board and year: Board, Year ("2025-26"), Children in need, Courses or events,
Training days, Attendance, Total cost. A figure a Board did not publish is left empty.

The comparison puts this partnership's figures (from its own records: `reports.metrics.headline` for
the training year, the year's children in need and total cost) among the other Boards' for the same
year, by four measures: events per 1,000 children in need, training days per 1,000 children in need,
cost per event and cost per delegate. The median is the median of the other Boards that published
what the measure needs (this partnership left out), so it says where the others stand.
"""

import re
import statistics
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from accounts.audit import log_action
from accounts.selectors import partnership
from common.csvfiles import CsvFileError, LineProblem, dict_reader
from common.errors import DomainError
from common.money import format_money
from common.svg import ranked_bars
from tna.models import TrainingYear

from . import metrics
from .models import PeerFigures

COLUMNS = ["Board", "Year", "Children in need", "Courses or events", "Training days", "Attendance", "Total cost"]
REQUIRED = ("Board", "Year")
FIELDS = {
    "Children in need": "children_in_need",
    "Courses or events": "events",
    "Training days": "training_days",
    "Attendance": "attendance",
    "Total cost": "total_cost",
}
_YEAR = re.compile(r"(\d{4})\s*[-/–]\s*(\d{2}|\d{4})")


class PeerError(DomainError):
    pass


def partnership_name() -> str:
    """This partnership's name, as its own export prints it (the record the training manager edits)."""
    return partnership().name


def year_label(year: TrainingYear) -> str:
    """A training year as Boards print it: "2025-26" (from its dates, whatever it is called here)."""
    return f"{year.starts_on.year}-{(year.starts_on.year + 1) % 100:02d}"


# --- Reading values, on the form and in a file ------------------------------------------------------


def clean_year(value: str) -> str:
    """ "2025-26", "2025/26", "2025-2026" -> "2025-26"."""
    match = _YEAR.fullmatch((value or "").strip())
    if not match:
        raise PeerError(f"'{value}' is not a year like 2025-26")
    first, second = int(match.group(1)), match.group(2)
    if int(second) % 100 != (first + 1) % 100 or (len(second) == 4 and int(second) != first + 1):
        raise PeerError(f"'{value}' is not a year like 2025-26: the second year must follow the first")
    if not 1990 <= first <= date.today().year + 1:
        raise PeerError(f"'{value}' is outside the years figures are recorded for")
    return f"{first}-{(first + 1) % 100:02d}"


def _whole(value: str) -> int | None:
    value = (value or "").strip().replace(",", "")
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):
        raise PeerError(f"'{value}' is not a whole number of 0 or more")
    number = int(value)
    if number > 10_000_000:
        raise PeerError(f"{number:,} is more than 10,000,000")
    return number


def _decimal(value: str, *, what: str, places: str) -> Decimal | None:
    text = (value or "").strip().replace(",", "").replace("£", "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise PeerError(f"'{value}' is not {what}") from None
    if not number.is_finite() or number < 0:
        raise PeerError(f"'{value}' is not {what}")
    if number >= 10_000_000:
        raise PeerError(f"{value} is more than 10,000,000")
    return number.quantize(Decimal(places), rounding=ROUND_HALF_UP)


READERS = {
    "children_in_need": _whole,
    "events": _whole,
    "attendance": _whole,
    "training_days": lambda v: _decimal(v, what="a number of days, like 19.25", places="0.01"),
    "total_cost": lambda v: _decimal(v, what="an amount of money, like 42000 or £42,000.00", places="0.01"),
}


# --- Writing: the form and the import ---------------------------------------------------------------


def _require_manager(actor) -> None:
    if not actor.is_training_manager:
        raise PeerError("Only the training manager records other Boards' figures.")


def _check_board(board: str) -> str:
    board = " ".join((board or "").split())
    if not board:
        raise PeerError("Enter the Board's name", field="board")
    if len(board) > 200:
        raise PeerError("Enter the Board's name in 200 characters or fewer", field="board")
    if board.lower() == partnership_name().lower():
        raise PeerError("This is this partnership's own name: its figures come from its own records", field="board")
    return board


@transaction.atomic
def save_peer_figures(*, actor, figures: PeerFigures | None = None, board: str, year: str, **values) -> PeerFigures:
    """Record (or correct) one Board's figures for one year. A Board has one set of figures a year."""
    _require_manager(actor)
    board = _check_board(board)
    try:
        year = clean_year(year)
    except PeerError as error:
        raise PeerError(error.message, field="year") from None
    clash = PeerFigures.objects.filter(board__iexact=board, year=year)
    if figures is not None:
        clash = clash.exclude(pk=figures.pk)
    if clash.exists():
        raise PeerError(f"{board}'s figures for {year} are already recorded: change them instead", field="board")
    for name, value in values.items():
        if name not in READERS:
            raise PeerError(f"Unknown figure {name}")
        if value is not None and value < 0:
            raise PeerError("Figures cannot be negative", field=name)
    creating = figures is None
    figures = figures or PeerFigures()
    figures.board, figures.year = board, year
    for name, value in values.items():
        setattr(figures, name, value)
    figures.save()
    log_action(
        actor=actor,
        action="recorded peer figures" if creating else "changed peer figures",
        obj=figures,
        changes={name: str(value) for name, value in values.items()},
    )
    return figures


@transaction.atomic
def delete_peer_figures(*, actor, figures: PeerFigures) -> None:
    _require_manager(actor)
    log_action(actor=actor, action="removed peer figures", obj=figures)
    figures.delete()


@dataclass
class PeerImport:
    """What a file holds and what importing it does (or did)."""

    rows: list[dict] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def _read_line(line: int, row: dict) -> tuple[dict, list[LineProblem]]:
    values, problems = {}, []
    for column, reader in (("Board", _check_board), ("Year", clean_year)):
        try:
            values[column] = reader(row.get(column) or "")
        except PeerError as error:
            problems.append(LineProblem(line, column, error.message))
    for column, name in FIELDS.items():
        try:
            values[name] = READERS[name](row.get(column) or "")
        except PeerError as error:
            problems.append(LineProblem(line, column, error.message))
    return values, problems


@transaction.atomic
def import_peer_figures(*, actor, text: str, commit: bool) -> PeerImport:
    """Read a file of Boards' figures: every problem is listed with its line and column, and nothing
    is written unless there are none. A Board and year already recorded takes the file's figures.
    With commit=False it only says what would happen (the preview)."""
    _require_manager(actor)
    result = PeerImport()
    try:
        reader = dict_reader(text)
    except CsvFileError as error:
        result.problems.append(LineProblem(error.line, "", error.reason))
        return result
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in REQUIRED if c not in header]
    if not header or missing:
        named = ", ".join(COLUMNS)
        result.problems.append(
            LineProblem(
                1, "", f"The first line must name the columns: {named} (missing: {', '.join(missing or REQUIRED)})"
            )
        )
        return result
    seen: dict[tuple[str, str], int] = {}
    for line, row in enumerate(reader, start=2):
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        values, problems = _read_line(line, row)
        result.problems += problems
        if problems:
            continue
        key = (values["Board"].lower(), values["Year"])
        if key in seen:
            result.problems.append(LineProblem(line, "", f"the same Board and year are already on line {seen[key]}"))
            continue
        seen[key] = line
        result.rows.append(values)
    if not result.rows and not result.problems:
        result.problems.append(LineProblem(2, "", "the file has no figures under its first line"))
    if result.problems:
        return result
    years = {r["Year"] for r in result.rows}
    existing = {(f.board.lower(), f.year): f for f in PeerFigures.objects.filter(year__in=years)}
    for values in result.rows:
        figures = existing.get((values["Board"].lower(), values["Year"]))
        figures_values = {name: values[name] for name in FIELDS.values()}
        if figures is None:
            result.created += 1
            if commit:
                figures = PeerFigures.objects.create(board=values["Board"], year=values["Year"], **figures_values)
                log_action(actor=actor, action="imported peer figures", obj=figures)
        elif any(getattr(figures, name) != value for name, value in figures_values.items()):
            result.updated += 1
            if commit:
                for name, value in figures_values.items():
                    setattr(figures, name, value)
                figures.save()
                log_action(actor=actor, action="imported peer figures", obj=figures)
        else:
            result.unchanged += 1
    result.written = commit
    return result


# --- This partnership's own figures, in the same format ---------------------------------------------


def own_figures(year: TrainingYear) -> dict:
    """This partnership's line for the year, as other Boards import it. Four queries."""
    h = metrics.headline(metrics.Period.of_year(year))
    return {
        "Board": partnership_name(),
        "Year": year_label(year),
        "Children in need": year.children_in_need or "",
        "Courses or events": h.events_delivered,
        "Training days": h.training_days.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize(),
        "Attendance": h.attendance,
        "Total cost": h.total_cost,
    }


# --- The comparison ---------------------------------------------------------------------------------


def _ratio(part, whole, places="0.1") -> Decimal | None:
    if part is None or not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


@dataclass
class PeerRow:
    board: str
    children_in_need: int | None
    events: int | None
    training_days: Decimal | None
    attendance: int | None
    total_cost: Decimal | None
    ours: bool = False

    @property
    def events_per_1000(self) -> Decimal | None:
        return _ratio(None if self.events is None else self.events * 1000, self.children_in_need)

    @property
    def days_per_1000(self) -> Decimal | None:
        return _ratio(None if self.training_days is None else self.training_days * 1000, self.children_in_need)

    @property
    def cost_per_event(self) -> Decimal | None:
        return _ratio(self.total_cost, self.events, "0.01")

    @property
    def cost_per_delegate(self) -> Decimal | None:
        return _ratio(self.total_cost, self.attendance, "0.01")


MEASURES = [
    ("events_per_1000", "Events per 1,000 children in need", False),
    ("days_per_1000", "Training days per 1,000 children in need", False),
    ("cost_per_event", "Cost per event", True),
    ("cost_per_delegate", "Cost per delegate", True),
]


@dataclass
class Measure:
    key: str
    title: str
    money: bool
    median: Decimal | None


@dataclass
class PeerComparison:
    year: TrainingYear
    label: str
    rows: list[PeerRow]
    measures: list[Measure]
    in_progress: bool = False

    @property
    def others(self) -> list[PeerRow]:
        return [r for r in self.rows if not r.ours]

    @property
    def ours(self) -> PeerRow:
        return next(r for r in self.rows if r.ours)


def _median(values) -> Decimal | None:
    values = [v for v in values if v is not None]
    if not values:
        return None
    return Decimal(statistics.median(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def peer_comparison(
    year: TrainingYear, this_year: "metrics.Headline | None" = None, *, name: str | None = None
) -> PeerComparison:
    """This partnership among the other Boards whose figures are recorded for the same year, Boards
    in name order with this partnership among them. `this_year` is the year's headline statistics
    when the page has them already (`metrics.headlines(year)[-1]`), `name` this partnership's name
    when the page has read it. Six queries, two when given the figures, one when given the name too."""
    label = year_label(year)
    h = this_year or metrics.headline(metrics.Period.of_year(year))
    ours = PeerRow(
        name or partnership_name(),
        year.children_in_need or None,
        h.events_delivered,
        h.training_days,
        h.attendance,
        h.total_cost if h.total_cost else None,
        ours=True,
    )
    rows = [
        PeerRow(f.board, f.children_in_need, f.events, f.training_days, f.attendance, f.total_cost)
        for f in PeerFigures.objects.filter(year=label).order_by("board")
    ]
    rows = sorted([*rows, ours], key=lambda r: r.board.lower())
    measures = [
        Measure(key, title, money, _median(getattr(r, key) for r in rows if not r.ours))
        for key, title, money in MEASURES
    ]
    return PeerComparison(year, label, rows, measures, in_progress=year.ends_on >= timezone.localdate())


def peer_charts(comparison: PeerComparison) -> list:
    """One chart per measure: each Board's figure as a bar, this partnership's marked in words and in
    weight as well as in colour, and the other Boards' median as a line."""
    charts = []
    for measure in comparison.measures:
        rows = [(r.board, getattr(r, measure.key), r.ours) for r in comparison.rows]
        figures = "; ".join(
            f"{board}{' (this partnership)' if ours else ''}: "
            f"{'not available' if value is None else _figure(value, measure.money)}"
            for board, value, ours in rows
        )
        median = (
            f" Median of the other Boards: {_figure(measure.median, measure.money)}."
            if measure.median is not None
            else ""
        )
        charts.append(
            ranked_bars(
                title=f"{measure.title}, {comparison.label}",
                description=f"{figures}.{median}",
                rows=rows,
                median=measure.median,
                money=measure.money,
                marker=" (this partnership)",
            )
        )
    return charts


def _figure(value, money: bool) -> str:
    if money:
        return format_money(value)
    return f"{Decimal(value).normalize():f}"
