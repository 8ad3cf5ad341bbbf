"""The management lists: a filter form, a sortable paginated table, and CSV of what the filters show."""

import functools
from datetime import datetime, time, timedelta

import django_filters
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django_filters.constants import EMPTY_VALUES
from django_tables2 import RequestConfig
from django_tables2 import utils as tables_utils

from .csvfiles import csv_download

PER_PAGE = 50
# A linked cell of a table looks like every other link of the service (GOV.UK Frontend's link style).
LINK = {"a": {"class": "govuk-link"}}


@functools.lru_cache(maxsize=2048)
def _signature(function, bound: bool):
    return _uncached_signature(function.__get__(object()) if bound else function)


def _remembered_signature(fn):
    """django-tables2 reads the signature of a column's render function again for every cell
    (`inspect.signature`: a large share of the time a 50-row table took to render). A function's
    signature does not change, so it is read once per function."""
    function = getattr(fn, "__func__", None)
    try:
        return _signature(function, True) if function is not None else _signature(fn, False)
    except TypeError:  # not hashable: read it as django-tables2 would
        return _uncached_signature(fn)


_uncached_signature = tables_utils.signature
tables_utils.signature = _remembered_signature


class DayFilter(django_filters.DateFilter):
    """A date typed in a filter, compared with a date and time field by the bounds of that day in
    local time: `bound="from"` keeps what happened on or after the day, `bound="to"` on or before
    it. A `__date` lookup would convert every row's time and so could not use the field's index."""

    def __init__(self, *args, bound: str, **kwargs):
        if bound not in ("from", "to"):
            raise ValueError('bound must be "from" or "to"')
        self.bound = bound
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        tz = timezone.get_current_timezone()
        if self.bound == "from":
            return qs.filter(**{f"{self.field_name}__gte": datetime.combine(value, time.min, tz)})
        return qs.filter(**{f"{self.field_name}__lt": datetime.combine(value + timedelta(days=1), time.min, tz)})


def table_page(request, *, table, filterset, template: str, csv_filename: str, context: dict | None = None):
    if request.GET.get("export") == "csv":
        return csv_response(table, csv_filename)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(request, template, {"table": table, "filter": filterset, **(context or {})})


def csv_response(table, filename: str) -> HttpResponse:
    return rows_csv_response(table.as_values(), filename)


def rows_csv_response(rows, filename: str) -> HttpResponse:
    """A CSV download of `rows` (the first is the header), cells a spreadsheet would run made safe."""
    response, writer = csv_download(filename)
    writer.writerows(rows)
    return response
