"""How figures are written in reports and on the dashboard."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import dateformat, timezone

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
