from django import template

from ..tables import status_tag as _status_tag

register = template.Library()


@register.simple_tag
def status_tag(status):
    return _status_tag(status)
