"""Dates written the one way: `written` (common/dates.py) writes what Django's `date` and
`time` filters write, for every format, day and month."""

from datetime import date, datetime, timedelta

import pytest
from django.template import Context, Template
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import time as time_filter
from django.utils import timezone, translation

from common.dates import written

FORMATS = ["l j F Y", "D j M Y", "j M Y", "j F Y", "H:i", "j M Y, H:i", "d/m/Y", "N jS F Y \\a\\t H:i"]


@pytest.mark.parametrize("format", FORMATS)
def test_every_day_of_a_year_is_written_as_django_writes_it(format):
    start = timezone.make_aware(datetime(2027, 1, 1, 0, 5))
    with translation.override("en-gb"):
        for days in range(0, 366):
            value = timezone.localtime(start + timedelta(days=days, hours=days % 24, minutes=days % 60))
            django = time_filter(value, format) if format == "H:i" else date_filter(value, format)
            assert written(value, format) == django


def test_a_date_without_a_time_and_nothing_are_written_too():
    assert written(date(2027, 3, 1), "l j F Y") == "Monday 1 March 2027"
    assert written(None, "j M Y") == ""


def test_the_filter_writes_in_local_time():
    # 23:30 in London on a summer's day is 22:30 UTC.
    value = timezone.make_aware(datetime(2027, 7, 1, 22, 30), timezone.get_fixed_timezone(0))
    page = Template('{% load govuk %}{{ when|written_as:"j M Y, H:i" }}').render(Context({"when": value}))
    assert page == "1 Jul 2027, 23:30"
