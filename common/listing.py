"""The management lists: a filter form, a sortable paginated table, and CSV of what the filters show."""

import csv

from django.http import HttpResponse
from django.shortcuts import render
from django_tables2 import RequestConfig

PER_PAGE = 50


def table_page(request, *, table, filterset, template: str, csv_filename: str, context: dict | None = None):
    if request.GET.get("export") == "csv":
        return csv_response(table, csv_filename)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(request, template, {"table": table, "filter": filterset, **(context or {})})


def csv_response(table, filename: str) -> HttpResponse:
    return rows_csv_response(table.as_values(), filename)


def rows_csv_response(rows, filename: str) -> HttpResponse:
    """A CSV download of `rows` (the first is the header)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    for row in rows:
        writer.writerow(row)
    return response
