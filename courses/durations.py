"""How long a course is, in training days, and how that is said.

A course's length is recorded in days (in quarter days: 0.25, 0.5, 1, 1.5 ...) or, for a short
briefing, in hours. The partnership's length of a training day (`BookingPolicy.training_day_hours`,
seven hours unless the training manager changes it) turns hours into days, so a two-hour briefing
counts 2/7 of a training day in training days and trainer days. Charges are per day and per half
day, so for charging a length is rounded up to the next half day: a two-hour briefing is charged
as a half day, a day and a quarter as a day and a half.
"""

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

QUARTER = Decimal("0.25")
HALF = Decimal("0.5")
# Days worked out from hours keep four decimal places: 2/7 is 0.2857, and a year of briefings adds up
# to within a thousandth of a day of the exact figure.
DAY_PLACES = Decimal("0.0001")


def days_from_hours(hours: Decimal, training_day_hours: Decimal) -> Decimal:
    """A length in hours as training days."""
    return (Decimal(hours) / Decimal(training_day_hours)).quantize(DAY_PLACES, rounding=ROUND_HALF_UP)


def is_quarter_days(days: Decimal) -> bool:
    """Whether a length in days is a whole number of quarter days (0.25, 0.5, 1.75 ...)."""
    return (Decimal(days) / QUARTER) == int(Decimal(days) / QUARTER)


class ShareTooLong(ValueError):
    """A trainer's share longer than the session they shared."""


def trainer_share(share: Decimal | None, course_days: Decimal) -> Decimal | None:
    """A trainer's recorded share of a session: None for the whole session (no share, or a share as
    long as the course), ShareTooLong for more than the course's length."""
    if share is None:
        return None
    if share > course_days:
        raise ShareTooLong(f"is more than the course's length ({days_in_words(course_days).lower()})")
    return None if share == course_days else share


def charged_days(days: Decimal) -> Decimal:
    """The length charges count: rounded up to the next half day (a two-hour briefing is a half day)."""
    return (Decimal(days) / HALF).to_integral_value(rounding=ROUND_CEILING) * HALF


def _number(value: Decimal) -> str:
    value = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    return f"{value:f}"


def days_figure(days) -> str:
    """A number of days as a figure: 3, 3.5, 19.25, 12.86 (two places at most)."""
    if days is None:
        return ""
    return _number(days)


def days_in_words(days) -> str:
    """ "Half a day", "A quarter of a day", "1 day", "1.5 days", "19.25 days"."""
    if days is None:
        return ""
    days = Decimal(days)
    if days == HALF:
        return "Half a day"
    if days == QUARTER:
        return "A quarter of a day"
    if days == Decimal("0.75"):
        return "Three quarters of a day"
    text = _number(days)
    return f"{text} day" if text == "1" else f"{text} days"


def hours_in_words(hours) -> str:
    """ "2 hours", "1 hour", "1.5 hours", "45 minutes"."""
    hours = Decimal(hours)
    if hours < 1:
        return f"{int(hours * 60)} minutes"
    text = _number(hours)
    return f"{text} hour" if text == "1" else f"{text} hours"


def duration_in_words(days, *, hours=None) -> str:
    """A course's length as people say it: in hours when it was recorded in hours, else in days."""
    if hours:
        return hours_in_words(hours)
    return days_in_words(days)
