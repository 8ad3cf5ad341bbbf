"""Template tags for GOV.UK Frontend components the forms share.

`error_summary_items` lists what the error summary links to. Each link must land on the first input of
its field as the page draws it: crispy-forms-gds numbers radios and checkboxes from 1
(`id_<name>_1`), gives the parts of a date `<id>_0`, `<id>_1`..., and every other field its `auto_id`.
Forms drawn by hand with `{{ field }}` use Django's own numbering, which starts radios at 0.
"""

from django import forms, template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.dates import MONTHS, MONTHS_3, WEEKDAYS, WEEKDAYS_ABBR
from django.utils.formats import date_format
from django.utils.html import format_html, strip_tags
from django.utils.translation import get_language

from common.money import format_money

register = template.Library()

_fixed_urls: dict[tuple[str, str, str], str] = {}


@register.simple_tag
def fixed_url(name: str) -> str:
    """The address of a page that takes no arguments: the layout's links and the menu. It is the same
    for every request, so it is worked out once per process (for each script prefix and URLconf)
    rather than on every page."""
    key = (get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF, name)
    url = _fixed_urls.get(key)
    if url is None:
        url = _fixed_urls[key] = reverse(name)
    return url


# Digits: what both a number's and a slug's place in an address accept.
_MARKER = "9081726354"


def addresses_for(name: str):
    """reverse(name, args=[value]) for the many rows of one page: the address is worked out once, with
    a marker where the value goes, and each row's value put in its place. Only for a page whose one
    argument is a number or a slug, which an address carries as they are."""
    before, _, after = reverse(name, args=[_MARKER]).partition(_MARKER)
    return lambda value: f"{before}{value}{after}"


def _first_input_id(field, *, crispy: bool) -> str:
    widget = field.field.widget
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return f"id_{field.html_name}_1" if crispy else f"{field.auto_id}_0"
    if isinstance(widget, forms.MultiWidget):
        return f"{field.auto_id}_0"
    return field.auto_id


def _form_items(form, *, crispy: bool, label: str = "") -> list[tuple[str, str]]:
    if not form or not form.is_bound or not form.errors:
        return []
    prefix = f"{label}: " if label else ""
    fields = form.visible_fields()
    items = []
    # An error about the form as a whole points at its first question, where the person starts again.
    first = _first_input_id(fields[0], crispy=crispy) if fields else "main-content"
    items += [(first, prefix + str(error)) for error in form.non_field_errors()]
    for field in fields:
        items += [(_first_input_id(field, crispy=crispy), prefix + str(error)) for error in field.errors]
    hidden = [field for field in form.hidden_fields() if field.errors]
    items += [(first, prefix + f"{field.label}: {error}") for field in hidden for error in field.errors]
    return items


@register.simple_tag
def error_summary_items(form=None, formset=None, errors=None, target="main-content", crispy=True, row_label="Row"):
    """(id to link to, message) for every error on the page: the form's own, then each row of a formset,
    then any `errors` that are not a form's (a file's problems, say), which all point at `target`, or
    each at its own element when `target` has "{n}" in it (the problem's number, from 1)."""
    items = _form_items(form, crispy=crispy)
    if formset and formset.is_bound:
        seen = {message for _, message in items}
        for error in formset.non_form_errors():
            if str(error) not in seen:
                items.append((target, str(error)))
        for number, row in enumerate(formset.forms, start=1):
            for anchor, message in _form_items(row, crispy=crispy, label=f"{row_label} {number}"):
                if message.split(": ", 1)[-1] not in seen:
                    items.append((anchor, message))
    # A target with "{n}" names each problem's own element (a table's rows: problem-1, problem-2 ...).
    items += [(target.replace("{n}", str(number)), str(error)) for number, error in enumerate(errors or (), start=1)]
    return items


@register.filter
def in_error(field):
    """A field drawn by hand, with GOV.UK's error styling and its error messages announced with it."""
    if not field.errors:
        return field
    classes = field.field.widget.attrs.get("class", "")
    error_class = {
        "govuk-select": "govuk-select--error",
        "govuk-input": "govuk-input--error",
        "govuk-textarea": "govuk-textarea--error",
    }
    extra = [error_class[name] for name in classes.split() if name in error_class]
    return field.as_widget(
        attrs={"class": " ".join([classes, *extra]).strip(), "aria-describedby": f"{field.auto_id}-error"}
    )


@register.filter
def money(value):
    """Money as the service writes it everywhere (common/money.py); an empty value stays empty."""
    if value is None or value == "":
        return ""
    return format_money(value)


@register.filter
def body_rows(table):
    """A table's rows for includes/table.html, each a list of (class, data-label attribute, cell), read in
    one pass.

    The template asked each cell for its column's attributes (`column.attrs.td.class`), which
    django-tables2 works out afresh every time (merging the table's and the column's attributes
    and sorting the classes): for 50 rows of 7 columns, 350 times for 7 answers. The class of a
    column's cells depends only on the column (no table here computes attributes from the row),
    so it is worked out once per column."""
    columns = list(table.columns)
    # As the template printed it before: a column without a class gave "None".
    classes = [str(column.attrs["td"]["class"]) for column in columns]
    # Each cell carries its column's heading, which a table that stacks on a phone shows before it.
    labels = [
        format_html(' data-label="{}"', strip_tags(str(column.header))) if column.header else "" for column in columns
    ]
    names = [column.name for column in columns]
    for row in table.paginated_rows:
        yield [(css, label, row.get_cell(name)) for css, label, name in zip(classes, labels, names, strict=True)]


@register.filter
def whole(value):
    """A count as the service writes it everywhere: 1200 -> "1,200"; an empty value stays empty."""
    if value is None or value == "":
        return ""
    return f"{int(value):,}"


# The parts of a date the service's pages write, each as django.utils.dateformat writes it, given
# the day and month names in the language in use.
_DATE_PARTS = {
    "D": lambda d, names: names["D"][d.weekday()],
    "l": lambda d, names: names["l"][d.weekday()],
    "j": lambda d, names: str(d.day),
    "M": lambda d, names: names["M"][d.month],
    "F": lambda d, names: names["F"][d.month],
    "Y": lambda d, names: f"{d.year:04d}",
    "H": lambda d, names: f"{d.hour:02d}",
    "i": lambda d, names: f"{d.minute:02d}",
}
_date_writers = {}
_date_names = {}


def _names_in(language: str) -> dict:
    # The names are translations, looked up once per language rather than for every date.
    names = _date_names.get(language)
    if names is None:
        names = _date_names[language] = {
            "D": [str(WEEKDAYS_ABBR[day]) for day in range(7)],
            "l": [str(WEEKDAYS[day]) for day in range(7)],
            "M": [""] + [str(MONTHS_3[month]).title() for month in range(1, 13)],
            "F": [""] + [str(MONTHS[month]) for month in range(1, 13)],
        }
    return names


def _date_writer(format: str):
    if any(char.isalpha() and char not in _DATE_PARTS for char in format) or "\\" in format:
        return lambda value: date_format(value, format)
    parts = [_DATE_PARTS.get(char, lambda d, names, char=char: char) for char in format]

    def write(value):
        names = _names_in(get_language())
        return "".join([part(value, names) for part in parts])

    return write


def written(value, format: str) -> str:
    """A date or time (in local time) as Django's `date` and `time` filters write it in `format`:
    "Monday 3 March 2027", "Mon 3 Mar 2027", "09:30". Django reads the format afresh for every
    value, a good part of the time of a page listing a hundred dates; here each format is read
    once per process, and a format with parts the service's pages do not use is left to Django."""
    if value is None or value == "":
        return ""
    writer = _date_writers.get(format)
    if writer is None:
        writer = _date_writers[format] = _date_writer(format)
    return writer(value)


@register.filter(expects_localtime=True)
def written_as(value, format):
    """`{{ session.starts_at|written_as:"j F Y" }}`: the `date` filter, faster (see `written`)."""
    return written(value, format)
