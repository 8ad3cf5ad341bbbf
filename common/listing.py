"""The management lists: a filter form, a sortable paginated table, and CSV of what the filters show."""

import functools
import html
import inspect
from datetime import datetime, time, timedelta

import django_filters
import django_tables2 as tables
from django import forms
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.forms.renderers import DjangoTemplates
from django.http import HttpResponse
from django.shortcuts import render
from django.template import Context
from django.template.base import render_value_in_context
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.html import conditional_escape, escape, format_html, strip_tags
from django.utils.http import urlencode
from django.utils.safestring import SafeData, SafeString, mark_safe
from django_filters import fields as filter_fields
from django_filters.constants import EMPTY_VALUES
from django_tables2 import RequestConfig
from django_tables2 import utils as tables_utils
from django_tables2.columns.base import LinkTransform
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.columns.manytomanycolumn import ManyToManyColumn
from django_tables2.data import TableQuerysetData
from django_tables2.rows import BoundRow

from .csvfiles import csv_download
from .dates import written

PER_PAGE = 50
# A linked cell of a table looks like every other link of the service (GOV.UK Frontend's link style).
LINK = {"a": {"class": "govuk-link"}}
# The context values are printed in, as `{{ value }}` in a template prints them (local time, localized, escaped).
_PRINTED = Context()


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


# --- Filter forms --------------------------------------------------------------------------------


def _formatted(value):
    """`{{ value|stringformat:'s' }}`: the value as text, escaped unless it was already safe."""
    text = "%s" % (str(value) if isinstance(value, tuple) else value)  # noqa: UP031 (as the filter does)
    return text if isinstance(value, SafeData) else html.escape(text)


def _attributes(attrs) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _printed(value) -> str:
    """`{{ value }}`: most values are already markup or plain text, printed without the template's detour."""
    kind = type(value)
    if kind is SafeString:
        return value
    if kind is str:
        return html.escape(value)
    if kind is int and not settings.USE_THOUSAND_SEPARATOR:  # a whole number, as Django localizes it then
        return str(value)
    return render_value_in_context(value, _PRINTED)


def _input(widget) -> str:
    """django/forms/widgets/input.html (and text.html and date.html, which include it)."""
    value = f' value="{_formatted(widget["value"])}"' if widget["value"] is not None else ""
    kind, name = _printed(widget["type"]), _printed(widget["name"])
    return f'<input type="{kind}" name="{name}"{value}{_attributes(widget["attrs"])}>'


_OPTION = "django/forms/widgets/select_option.html"


def _select(widget) -> str | None:
    """django/forms/widgets/select.html, its options drawn by select_option.html (None for other options)."""
    out = [f'<select name="{_printed(widget["name"])}"{_attributes(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_printed(group_name)}">')
        for option in options:
            if option["template_name"] != _OPTION:
                return None
            out.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attributes(option["attrs"])}>'
                # The option's template ends with a new line, which its include keeps.
                f"{_printed(option['label'])}</option>\n"
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


_WIDGETS = {
    "django/forms/widgets/input.html": _input,
    "django/forms/widgets/text.html": _input,
    "django/forms/widgets/date.html": _input,
    "django/forms/widgets/select.html": _select,
}


class FilterFormRenderer(DjangoTemplates):
    """Draws a filter form's text boxes and drop-downs in Python, exactly as Django's widget templates draw
    them: the templates include a template per option and per attribute, which cost more than the rest
    of a list's filters. Any other widget is drawn by its template."""

    def render(self, template_name, context, request=None):
        draw = _WIDGETS.get(template_name)
        drawn = draw(context["widget"]) if draw else None
        return drawn if drawn is not None else super().render(template_name, context, request)


FILTER_FORM_RENDERER = FilterFormRenderer()


def _drawn_select(name, values, attrs, choices) -> str | None:
    """select.html and its options as `_select` draws them, straight from the choices: Django first builds
    a dictionary of attributes and more for each option (some sixty agencies). None for options in groups."""
    out = [f'<select name="{_printed(name)}"{_attributes(attrs)}>']
    has_selected = False
    for value, label in choices:
        if isinstance(label, (list, tuple)):
            return None
        if value is None:
            value = ""
        selected = not has_selected and str(value) in values  # as Django marks the first match only
        has_selected |= selected
        chosen = " selected" if selected else ""
        out.append(f'\n  <option value="{_formatted(value)}"{chosen}>{_printed(label)}</option>\n')
    out.append("\n</select>")
    return "".join(out)


class _DrawnSelect(forms.Select):
    """A filter's drop-down, drawn by `_drawn_select` when its form is drawn by FilterFormRenderer (by
    Django's templates otherwise)."""

    def render(self, name, value, attrs=None, renderer=None):
        drawn = None
        if isinstance(renderer, FilterFormRenderer) and not self.allow_multiple_selected:
            drawn = _drawn_select(name, self.format_value(value), self.build_attrs(self.attrs, attrs), self.choices)
        return mark_safe(drawn) if drawn is not None else super().render(name, value, attrs, renderer)


class _ListedModelChoices(filter_fields.ModelChoiceIterator):
    """A drop-down's records read with one ordinary query. Django reads them through `iterator()`, which on
    PostgreSQL opens a server-side cursor (three round trips) for a list of a few dozen names."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        for record in self.queryset.all():
            yield self.choice(record)


def govuk_filter_form(filterset):
    """A list's filter form in GOV.UK Frontend's styles (drop-downs and text boxes), drawn by
    FilterFormRenderer."""
    form = filterset.form
    for field in form.fields.values():
        field.widget.attrs["class"] = "govuk-select" if isinstance(field.widget, forms.Select) else "govuk-input"
        if type(field.widget) is forms.Select:
            field.widget.__class__ = _DrawnSelect
        if type(field) is filter_fields.ModelChoiceField:
            field.iterator = _ListedModelChoices
            field.widget.choices = field.choices
    form.renderer = FILTER_FORM_RENDERER


# --- Cells -----------------------------------------------------------------------------------------

# What django-tables2 offers a column's render function, a link's address function, by name.
_CELL_ARGUMENTS = frozenset(("value", "record", "column", "bound_column", "bound_row", "table"))
# Digits: what both a number's and a slug's place in an address accept.
_MARKER = "9081726354"


def addresses_for(name: str):
    """reverse(name, args=[value]) for the many rows of one page: the address is worked out once, with
    a marker where the value goes, and each row's value put in its place. Only for a view whose one
    argument is a number or a slug, which an address carries as they are."""
    before, _, after = reverse(name, args=[_MARKER]).partition(_MARKER)
    return lambda value: f"{before}{value}{after}"


class RecordLink:
    """`linkify=RecordLink("app:view")`: each row links to the view of its record, by primary key (or
    `RecordLink("app:view")(record, table)` in a cell's own markup). The address is worked out once per
    table (`addresses_for`) rather than once per row, as a page of 50 rows otherwise would. A row read
    with `values()` carries its primary key as "pk"."""

    def __init__(self, viewname: str):
        self.viewname = viewname

    def __call__(self, record, table):
        addresses = table.__dict__.setdefault("_record_addresses", {})
        if self.viewname not in addresses:
            addresses[self.viewname] = addresses_for(self.viewname)
        return addresses[self.viewname](record["pk"] if type(record) is dict else record.pk)


def _date_cell(value, format, bound_column):
    """`{{ value|date:format|default:default }}` as django-tables2's date columns print it (in local time)."""
    value = timezone.template_localtime(value)
    if format in formats.FORMAT_SETTINGS:  # a named format, looked up in the language's formats
        shown = date_filter(value, format)
    elif value in (None, ""):
        shown = ""
    else:  # a format written out, as the date filter would use it (without looking it up first)
        try:
            shown = written(value, format)
        except AttributeError:  # not a date: the date filter writes nothing
            shown = ""
    return SafeString(_printed(shown or bound_column.default))


class DateColumn(tables.DateColumn):
    """django-tables2's date column, written in Python: its template (`value|date:format|default:default`)
    was compiled afresh for every row. The CSV keeps django-tables2's value (the ISO date)."""

    def __init__(self, format=None, short=True, *args, **kwargs):
        super().__init__(format, short, *args, **kwargs)
        self.format = format or ("SHORT_DATE_FORMAT" if short else "DATE_FORMAT")

    def render(self, value, bound_column):
        return _date_cell(value, self.format, bound_column)


class DateTimeColumn(tables.DateTimeColumn):
    """As DateColumn, for a date and time (in local time)."""

    def __init__(self, format=None, short=True, *args, **kwargs):
        super().__init__(format, short, *args, **kwargs)
        self.format = format or ("SHORT_DATETIME_FORMAT" if short else "DATETIME_FORMAT")

    def render(self, value, bound_column):
        return _date_cell(value, self.format, bound_column)


# What a choice field's `get_<name>_display` calls, unless the model writes its own.
_FIELD_DISPLAY = models.Model._get_FIELD_display


def _caller(fn):
    """`fn` called as django-tables2's `call_with_appropriate` calls it (only the arguments it names, or
    None when it names one that is not offered), its signature read once."""
    names, catch_all = tables_utils.signature(fn)
    if catch_all:
        return lambda arguments: fn(**arguments)
    if not set(names) <= _CELL_ARGUMENTS:
        return lambda arguments: None
    if names == ("value",):
        return lambda arguments: fn(value=arguments["value"])
    return lambda arguments: fn(**{name: arguments[name] for name in names})


def _link_attributes(link):
    """The `<a>` attributes before the address (with a space after them), when they are the same for every
    row; else None."""
    attrs = link.attrs or {}
    if type(link) is not LinkTransform or not callable(link.url) or "href" in attrs:
        return None
    if any(callable(value) or isinstance(value, dict) for value in attrs.values()):
        return None
    before = tables_utils.AttributeDict(attrs).as_html()
    return SafeString(f"{before} ") if before else SafeString("")


class _Cells:
    """How one column's cells are worked out, as django-tables2's `BoundRow.get_cell` does it (a choice
    field shows its label, an empty value the column's default, then `render_<name>`, then the link),
    with what does not change from row to row worked out once per table."""

    def __init__(self, bound_column):
        self.bound_column = bound_column
        self.column = column = bound_column.column
        self.accessor = tables_utils.Accessor(bound_column.accessor)
        self.bits = self.accessor.bits
        self.empty_values = column.empty_values
        self.many_to_many = isinstance(column, ManyToManyColumn)
        self.link_text = isinstance(column, BaseLinkColumn) and column.text is not None
        self.shows_value = getattr(bound_column.render, "__func__", None) is tables.Column.render
        self.render = _caller(bound_column.render)
        self.link = bound_column.link
        names, catch_all = tables_utils.signature(bound_column.render)
        # A column that never shows its default, whose render reads only the record, need not look its
        # value up (a many-to-many accessor, say, that the render reads through its prefetched rows).
        self.needs_value = bool(
            self.empty_values or self.many_to_many or self.shows_value or self.link or catch_all or "value" in names
        )
        self.link_prefix = _link_attributes(self.link) if self.link else None
        self.address = _caller(self.link.url) if self.link_prefix is not None else None
        self.choices = {}  # record type -> whether the value is a choice field's (shown by its label)
        self.labels = {}  # (model, field name) -> the field's name on the model and its labels, see _labels
        # Most cells show their value, or a render that reads only the value or the record, and link
        # nowhere: those are drawn without gathering every argument django-tables2 offers.
        self.direct = None
        if not self.link and not catch_all:
            render = bound_column.render
            if self.shows_value:
                self.direct = lambda record, value: value
            elif names == ("value",):
                self.direct = lambda record, value: render(value=value)
            elif names == ("record",):
                self.direct = lambda record, value: render(record=record)
            elif set(names) == {"value", "record"}:
                self.direct = lambda record, value: render(value=value, record=record)

    def _has_choices(self, record):
        kind = type(record)
        if kind not in self.choices:
            try:
                field = self.accessor.get_field(record)
            except FieldDoesNotExist:
                field = None
            self.choices[kind] = bool(getattr(field, "choices", ()))
        return self.choices[kind]

    def _labels(self, instance, name):
        """A choice field's name on the instance and its labels by value, when the instance's
        `get_<name>_display` is Django's own (the labels read once per table, not once per cell); else None."""
        key = (type(instance), name)
        if key not in self.labels:
            method = inspect.getattr_static(type(instance), f"get_{name}_display", None)
            labels = None
            if isinstance(method, functools.partialmethod) and method.func is _FIELD_DISPLAY:
                field = method.keywords["field"]
                labels = field.attname, dict(make_hashable(field.flatchoices))
            self.labels[key] = labels
        return self.labels[key]

    def _resolve(self, record):
        """`Accessor.resolve`, by attribute straight away on model instances (it tries a dictionary
        lookup first, an exception per step), and by the accessor's whole name on a row read with
        `values()` (as it does); anything else, or a failed step, goes its way."""
        if type(record) is dict:
            return record[self.accessor] if self.accessor in record else self.accessor.resolve(record)
        current = record
        for bit in self.bits:
            if not isinstance(current, models.Model):
                return self.accessor.resolve(record)
            try:
                current = getattr(current, bit)
            except AttributeError:
                return self.accessor.resolve(record)
            if callable(current):
                return self.accessor.resolve(record)
            if current is None:
                break
        return current

    def __call__(self, row, record):
        if not self.needs_value:
            return self._render(row, record, None)
        value = None
        resolved = False
        if self._has_choices(record):
            if len(self.bits) == 1:
                penultimate, remainder = record, self.bits[0]
            else:
                penultimate, remainder = self.accessor.penultimate(record)
            labels = self._labels(penultimate, remainder)
            if labels is not None:
                attname, choices = labels
                raw = getattr(penultimate, attname)
                value, resolved = force_str(choices.get(make_hashable(raw), raw), strings_only=True), True
            else:
                display = getattr(penultimate, f"get_{remainder}_display", None)
                if isinstance(penultimate, models.Model) and display:
                    value, resolved = display(), True
        if not resolved:
            try:
                value = self._resolve(record)
            except Exception:
                # As django-tables2: a link column with its own text still links a missing value.
                if self.link_text:
                    return self._render(row, record, None)
        if value in self.empty_values or (self.many_to_many and not value.exists()):
            return self.bound_column.default
        return self._render(row, record, value)

    def _render(self, row, record, value):
        if self.direct is not None:
            return self.direct(record, value)
        bound_column = self.bound_column
        arguments = {
            "value": value,
            "record": record,
            "column": self.column,
            "bound_column": bound_column,
            "bound_row": row,
            "table": row.table,
        }
        content = value if self.shows_value else self.render(arguments)
        if not self.link:
            return content
        if self.address is None:
            return self.link(content, **arguments)
        address = self.address(arguments)
        if address is None:
            return content
        # As LinkTransform writes it: the attributes, then the address.
        return SafeString(
            f'<a {self.link_prefix}href="{conditional_escape(address)}">{conditional_escape(content)}</a>'
        )


class ValuesRows(TableQuerysetData):
    """A table's rows read with `values(*fields)`: a dictionary for each row instead of a model instance
    and one for each related record it shows, which cost more than the rest of a row. The cells find
    their values by their accessors' whole names ("agency__name"). The rows are counted by their primary
    keys alone: counting the values would join every table they read from."""

    def __init__(self, queryset, fields):
        super().__init__(queryset.prefetch_related(None).values(*fields))
        self.counted = queryset.values("pk")

    def __len__(self):
        if getattr(self, "_length", None) is None:
            self._length = self.counted.count() if hasattr(self.table, "paginator") else len(self.data)
        return self._length


def shown_records(table) -> list:
    """The records a table draws: its page's, or every row's when it is not paginated (the CSV). What a
    table reads for its rows alone (a many-to-many's names, a figure per row) is read for these."""
    return [row.record for row in table.paginated_rows]


def table_body(table) -> SafeString:
    """The body rows of a table as includes/table.html lays them out, built in one pass.

    Each cell has its column's class and heading (a table that stacks on a phone shows the heading before
    the cell). Both depend only on the column, so they are worked out once per column, and so is how each
    column finds and renders its cells; a template loop over every cell cost more than the cells."""
    columns = list(table.columns)
    starts = [
        format_html(
            '\n          <td class="govuk-table__cell {}"{}>',
            # As the template printed it before: a column without a class gave "None".
            str(column.attrs["td"]["class"]),
            format_html(' data-label="{}"', strip_tags(str(column.header))) if column.header else "",
        )
        for column in columns
    ]
    cells = [_Cells(column) for column in columns]
    out = []
    for row in table.paginated_rows:
        out.append('\n      <tr class="govuk-table__row">\n        ')
        if type(row) is BoundRow:
            record = row.record
            contents = [cell(row, record) for cell in cells]
        else:
            contents = [row.get_cell(column.name) for column in columns]
        for start, content in zip(starts, contents, strict=True):
            out.append(start)
            out.append(_printed(content))
            out.append("</td>\n        ")
        out.append("\n      </tr>\n    ")
    return SafeString("".join(out))


def table_head(table) -> SafeString:
    """The headings of a table as includes/table.html lays them out: a sortable column's heading links to
    the list sorted by it (the other query parameters kept, as django-tables2's `querystring_replace`
    writes the address) and says how the list is sorted now. Built in Python, each column's sort worked
    out once: the template asked django-tables2 for it several times a column."""
    if not table.show_header:
        return SafeString("")
    query = dict(table.request.GET)
    sort_field = table.prefixed_order_by_field
    out = ['\n  <thead class="govuk-table__head">\n    <tr class="govuk-table__row">\n      ']
    for column in table.columns:
        header = _printed(column.header)
        heading = f'\n        <th scope="col" class="govuk-table__header {_printed(column.attrs["th"]["class"])}"'
        if column.orderable:
            alias = column.order_by_alias
            sort = ("descending" if alias.is_descending else "ascending") if column.is_ordered else "none"
            address = escape("?" + urlencode({**query, sort_field: alias.next}, doseq=True))
            out.append(f'{heading} aria-sort="{sort}">\n          ')
            out.append(f'\n            <a class="govuk-link" href="{address}">{header}</a>\n          ')
        else:
            out.append(f"{heading}>\n          {header}")
        out.append("\n        </th>\n      ")
    out.append("\n    </tr>\n  </thead>\n  ")
    return SafeString("".join(out))


def table_page(request, *, table, filterset, template: str, csv_filename: str, context: dict | None = None):
    """A management list: its page (the table drawn by includes/table.html, with what `table_head` and
    `table_body` build), or with `?export=csv` the CSV of every row the filters show."""
    if request.GET.get("export") == "csv":
        return csv_response(table, csv_filename)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    # includes/table.html prints the headings and rows from here (built when the page is drawn).
    table.head_html = functools.partial(table_head, table)
    table.body_html = functools.partial(table_body, table)
    return render(request, template, {"table": table, "filter": filterset, **(context or {})})


def csv_response(table, filename: str) -> HttpResponse:
    return rows_csv_response(table.as_values(), filename)


def rows_csv_response(rows, filename: str) -> HttpResponse:
    """A CSV download of `rows` (the first is the header), cells a spreadsheet would run made safe."""
    response, writer = csv_download(filename)
    writer.writerows(rows)
    return response
