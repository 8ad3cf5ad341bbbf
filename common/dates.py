"""Dates and times written as Django's `date` and `time` filters write them, for pages that write many.

Django reads a format afresh for every value it writes, and builds a formatter each time: a good part
of the time of a page listing a hundred dates. Here each format is read once per process, into a
function per format character (the day and month names looked up once per language); a format with
a character the service's pages do not use (or an escape) is left to Django.
"""

import functools
from datetime import date, datetime

from django.utils import dateformat
from django.utils.dates import MONTHS, MONTHS_3, WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import get_language

# Each character as django.utils.dateformat writes it, given the names in the language in use.
_DATE_PARTS = {
    "D": lambda d, names: names["D"][d.weekday()],
    "l": lambda d, names: names["l"][d.weekday()],
    "j": lambda d, names: str(d.day),
    "d": lambda d, names: f"{d.day:02d}",
    "n": lambda d, names: str(d.month),
    "m": lambda d, names: f"{d.month:02d}",
    "M": lambda d, names: names["M"][d.month],
    "b": lambda d, names: names["b"][d.month],
    "F": lambda d, names: names["F"][d.month],
    "Y": lambda d, names: f"{d.year:04d}",
    "y": lambda d, names: f"{d.year % 100:02d}",
}
_TIME_PARTS = {
    "H": lambda d, names: f"{d.hour:02d}",
    "i": lambda d, names: f"{d.minute:02d}",
}


@functools.cache
def _names_in(language: str | None) -> dict:
    # The names are translations: looked up once per language rather than for every date.
    return {
        "D": [str(WEEKDAYS_ABBR[day]) for day in range(7)],
        "l": [str(WEEKDAYS[day]) for day in range(7)],
        "M": [""] + [str(MONTHS_3[month]).title() for month in range(1, 13)],
        "b": [""] + [str(MONTHS_3[month]) for month in range(1, 13)],
        "F": [""] + [str(MONTHS[month]) for month in range(1, 13)],
    }


@functools.lru_cache(maxsize=128)
def _parts(format: str, with_time: bool):
    """The pieces of `format` (a function per character, text for the rest), or None if it uses
    anything else, which is left to Django (a time's characters are only a datetime's)."""
    known = {**_DATE_PARTS, **_TIME_PARTS} if with_time else _DATE_PARTS
    parts = []
    for character in format:
        if character in known:
            parts.append(known[character])
        elif character.isalpha() or character == "\\":
            return None
        else:
            parts.append(character)
    return tuple(parts)


def written(value, format: str) -> str:
    """`value` (a date, or a datetime already in local time) as the `date` filter writes it in
    `format`: "Monday 3 March 2027", "Mon 3 Mar 2027", "09:30". Nothing is written as ""."""
    if value is None or value == "":
        return ""
    kind = type(value)
    parts = _parts(format, kind is datetime) if kind in (date, datetime) else None
    if parts is None:
        return dateformat.format(value, format)
    names = _names_in(get_language())
    return "".join(part if type(part) is str else part(value, names) for part in parts)
