"""Days written the one way (courses.durations): `{{ row.days|days }}` in a sentence ("Half a day",
"19.25 days") and `{{ row.days|day_number }}` in a table cell ("19.25"). A course's own length is
`{{ course.duration_in_words }}` ("2 hours", "Half a day", "1 day", "1.5 days")."""

from django import template

from ..durations import days_figure, days_in_words

register = template.Library()


@register.filter
def days(value) -> str:
    """A number of days (trainer days, training days): `{{ row.days|days }}`."""
    return days_in_words(value)


@register.filter
def day_number(value) -> str:
    """A number of days in a table cell: 3, 3.5, 19.25 (to two places at most)."""
    return days_figure(value)
