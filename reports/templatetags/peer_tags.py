"""The comparison with other Boards, for the dashboard's and the annual report's shared section
(templates/reports/_peers*.html): `{% peer_comparison year this_year as peers %}` (this_year: the year's
headline statistics the page already has), then `{% peer_charts peers as charts %}`."""

from django import template

from .. import peers

register = template.Library()


@register.simple_tag(takes_context=True)
def peer_comparison(context, year, this_year=None):
    # The partnership's name as the page already has it (every page's and document's context), so
    # the record is not read a second time.
    name = context.get("partnership_name")
    return peers.peer_comparison(year, this_year, name=name) if year is not None else None


@register.simple_tag
def peer_charts(comparison):
    return peers.peer_charts(comparison) if comparison is not None else []
