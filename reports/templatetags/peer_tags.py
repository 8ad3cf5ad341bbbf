"""The comparison with other Boards, for the dashboard's and the annual report's shared section
(templates/reports/_peers*.html): `{% peer_comparison year as peers %}`, then `{% peer_charts peers as charts %}`."""

from django import template

from .. import peers

register = template.Library()


@register.simple_tag
def peer_comparison(year):
    return peers.peer_comparison(year) if year is not None else None


@register.simple_tag
def peer_charts(comparison):
    return peers.peer_charts(comparison) if comparison is not None else []
