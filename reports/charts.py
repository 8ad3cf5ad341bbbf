"""The Board report's charts (drawn by common/svg.py)."""

from common.svg import column_trend, horizontal_bars


def need_chart(table, *, limit: int = 18):
    rows = [(r.label, [r.requested, r.attended]) for r in table.rows if r.requested or r.attended][:limit]
    return horizontal_bars(
        title="Places requested against attendance, by agency",
        description=(
            "For each agency, the places requested in its training needs return "
            "and the number of its staff who attended."
        ),
        series=["Places requested", "Attended"],
        rows=rows,
    )


def trend_chart(headlines):
    return column_trend(
        title="Events delivered and total attendance over three years",
        description="; ".join(
            f"{h.period.label}: {h.events_delivered} events, {h.attendance} attendees" for h in headlines
        ),
        periods=[h.period.label for h in headlines],
        series=["Events delivered", "Total attendance"],
        values=[[h.events_delivered for h in headlines], [h.attendance for h in headlines]],
    )
