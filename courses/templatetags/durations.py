"""The one way a length is written on a page or in a report: "2 hours", "Half a day", "1.5 days"."""

from django import template

from ..durations import days_figure, days_in_words, duration_in_words

register = template.Library()


@register.filter
def course_length(course) -> str:
    """A course's length: `{{ course|course_length }}`."""
    return duration_in_words(course.duration_days, hours=course.duration_hours)


@register.filter
def days(value) -> str:
    """A number of days (trainer days, training days): `{{ row.days|days }}`."""
    return days_in_words(value)


@register.filter
def day_number(value) -> str:
    """A number of days in a table cell: 3, 3.5, 19.25 (to two places at most)."""
    return days_figure(value)
