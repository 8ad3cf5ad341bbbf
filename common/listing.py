"""The management lists: a filter form, a sortable paginated table, and CSV of what the filters show."""

from django.http import HttpResponse
from django.shortcuts import render
from django_tables2 import RequestConfig

from .csvfiles import csv_download

PER_PAGE = 50
# A linked cell of a table looks like every other link of the service (GOV.UK Frontend's link style).
LINK = {"a": {"class": "govuk-link"}}


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
