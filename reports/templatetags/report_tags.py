"""How figures are written in reports and on the dashboard."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import dateformat, timezone
from django.utils.safestring import mark_safe

from common.money import format_money

register = template.Library()

NOT_APPLICABLE = "not applicable"


@register.filter
def pct(value):
    """82 -> "82%"; None (a division by zero) -> "not applicable"."""
    return NOT_APPLICABLE if value is None else f"{value}%"


@register.filter
def money(value):
    """The one way money is written (common/money.py); None (nothing to divide by) -> "not applicable"."""
    if value is None:
        return NOT_APPLICABLE
    return format_money(value)


@register.filter
def num(value):
    """Whole numbers with thousands separators; parts of a day kept to two places (2.5 days, 19.25 days,
    and a year of two-hour briefings at 7 hours a day as 12.86)."""
    if value is None:
        return NOT_APPLICABLE
    if isinstance(value, Decimal):
        value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
        if value == value.to_integral():
            return f"{int(value):,}"
        return f"{value:,f}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"


@register.filter
def change(current, previous):
    """The change from last year, in words: "up 12", "down 3", "no change"."""
    if current is None or previous is None:
        return ""
    delta = current - previous
    if not delta:
        return "no change"
    return f"{'up' if delta > 0 else 'down'} {num(abs(delta))}"


@register.simple_tag
def rag_label(colour):
    return {"green": "Green", "amber": "Amber", "red": "Red", "grey": "No need recorded"}.get(colour, colour)


@register.filter
def as_at_time(value):
    """When the figures were last changed (common/pagecache.as_at), in UK time: "4 March 2026 10:42".
    The dashboard and every report print it the same way, so the two can be compared."""
    return dateformat.format(timezone.localtime(value), "j F Y H:i")


@register.filter
def num_or_blank(value):
    """A figure a Board may not have published (or this partnership not recorded): "not available"."""
    return "not available" if value is None else num(value)


@register.filter
def money_or_blank(value):
    return "not available" if value is None else format_money(value)


NO_RECORDS = "no records"


@register.simple_tag
def figure(headline, attribute, kind="num"):
    """One headline figure in a table cell: "no records" for a period the records do not reach, and
    "none recorded" for a cost nobody recorded."""
    if not headline.has_records:
        return NO_RECORDS
    value = getattr(headline, attribute)
    if kind == "money":
        return "none recorded" if value is None and not headline.costs_recorded else money(value)
    return pct(value) if kind == "pct" else num(value)


@register.simple_tag
def compared(current, earlier, attribute):
    """How a figure compares with the earlier period, in words that fit after the figure: "up 6 on
    the same months of 2025-26", or why no comparison is made."""
    label = earlier.period.label
    months = "the same months of " if current.period.part_year else ""
    if not earlier.has_records:
        return f"there are no records for {months}{label} to compare with"
    if not earlier.comparable or not current.comparable:
        begins = dateformat.format(current.records_begin, "j F Y")
        during = label if not earlier.comparable else current.period.label
        return f"the records begin on {begins}, part way through {during}, so no comparison is made"
    delta = getattr(current, attribute) - getattr(earlier, attribute)
    if not delta:
        return f"the same as {months}{label}"
    return f"{'up' if delta > 0 else 'down'} {num(abs(delta))} on {months}{label}"


@register.filter
def index(sequence, position):
    return sequence[position]


@register.filter
def of_kind(items, kind):
    """Evaluation results of one kind of question (agreement, single or multiple choice)."""
    return [item for item in items if item.kind == kind]


@register.filter
def css_string(value):
    """Text for inside a double-quoted CSS string (the page footer's content): quotes, backslashes and
    line breaks escaped, and "<" written as a CSS escape so the text cannot close the <style> element.
    HTML escaping would print "&#x27;" for an apostrophe there."""
    text = str(value or "")
    for raw, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\n", " "), ("\r", " "), ("<", "\\3c ")):
        text = text.replace(raw, escaped)
    return mark_safe(text)
