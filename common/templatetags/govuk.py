"""Template tags for GOV.UK Frontend components the forms share.

`error_summary_items` lists what the error summary links to. Each link must land on the first input of
its field as the page draws it: crispy-forms-gds numbers radios and checkboxes from 1
(`id_<name>_1`), gives the parts of a date `<id>_0`, `<id>_1`..., and every other field its `auto_id`.
Forms drawn by hand with `{{ field }}` use Django's own numbering, which starts radios at 0.
"""

from django import forms, template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from common.dates import written
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
def whole(value):
    """A count as the service writes it everywhere: 1200 -> "1,200"; an empty value stays empty."""
    if value is None or value == "":
        return ""
    return f"{int(value):,}"


@register.filter(expects_localtime=True)
def written_as(value, format):
    """`{{ session.starts_at|written_as:"j F Y" }}`: the `date` filter, faster (common.dates.written)."""
    return written(value, format)
