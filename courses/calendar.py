"""Working days in England and Wales: weekends and bank holidays excluded.

Bank holidays come from the maintained `holidays` package, so new ones
(a coronation, a state funeral) arrive with an upgrade rather than an edit.
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=32)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 if end is not after start)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def working_days_before(day: date, n: int) -> date:
    """The date n working days before `day`."""
    while n > 0:
        day -= timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day
