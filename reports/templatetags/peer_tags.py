"""The comparison with other Boards, for the dashboard's and the annual report's shared section
(templates/reports/_peers*.html): `{% peer_comparison year this_year as peers %}` (this_year: the year's
headline statistics the page already has), then `{% peer_charts peers as charts %}`."""

from django import template

from .. import peers

register = template.Library()


@register.simple_tag
def peer_comparison(year, this_year=None):
    return peers.peer_comparison(year, this_year) if year is not None else None


@register.simple_tag
def peer_charts(comparison):
    return peers.peer_charts(comparison) if comparison is not None else []
