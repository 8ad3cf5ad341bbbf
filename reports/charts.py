"""The Board report's charts (drawn by common/svg.py)."""

from common.svg import column_trend, horizontal_bars


def need_chart(table, *, limit: int = 18):
    rows = [(r.label, [r.requested, r.attended_toward_need]) for r in table.rows if r.requested or r.attended][:limit]
    return horizontal_bars(
        title="Places requested against attendance, by agency",
        description=(
            "For each agency, the places requested in its training needs return "
            "and the number of its staff who attended the courses it asked for."
        ),
        series=["Places requested", "Attended courses asked for"],
        rows=rows,
    )


def trend_chart(headlines):
    """Events and attendance for the periods the records reach (a period with no records is not drawn as
    nought)."""
    headlines = [h for h in headlines if h.has_records]
    if not headlines:
        return ""
    return column_trend(
        title="Events delivered and total attendance"
        + (" over three years" if len(headlines) == 3 else f" in {', '.join(h.period.heading for h in headlines)}"),
        description="; ".join(
            f"{h.period.heading}: {h.events_delivered} events, {h.attendance} attendees" for h in headlines
        ),
        periods=[h.period.heading for h in headlines],
        series=["Events delivered", "Total attendance"],
        values=[[h.events_delivered for h in headlines], [h.attendance for h in headlines]],
    )
