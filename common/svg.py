"""Charts as inline SVG, drawn on the server: the same markup works in the browser and in the PDF.
Shared by the apps (reports, evaluation); each app says what to draw.

Every chart carries a <title> and <desc> for screen readers, prints its figures as text beside
the bars (a chart never holds a number the reader cannot see), and uses colours from the GOV.UK
palette that keep their contrast in print.
"""

from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils.safestring import mark_safe

from .money import format_money

COLOURS = ["#1d70b8", "#f47738", "#00703c", "#912b88"]
TEXT = "#0b0c0c"
GRID = "#b1b4b6"
FONT = 'font-family="Arial, Liberation Sans, Helvetica, sans-serif"'


def _number(value) -> str:
    if isinstance(value, Decimal):
        value = value.normalize()
        return f"{value:,f}" if value != value.to_integral() else f"{int(value):,}"
    return f"{value:,}"


def _open(title: str, description: str, width: int, height) -> list[str]:
    # Ids from the title, so two charts on one page never share one.
    uid = "chart-" + "".join(c for c in title.lower() if c.isalnum())[:40]
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'aria-labelledby="{uid}-t {uid}-d">',
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(description)}</desc>',
    ]


def _legend(series: list[str], y: int, x0: int = 0) -> list[str]:
    parts, x = [], x0
    for i, name in enumerate(series):
        parts.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{COLOURS[i % len(COLOURS)]}"/>')
        parts.append(f'<text x="{x + 18}" y="{y}" font-size="12" fill="{TEXT}" {FONT}>{escape(name)}</text>')
        x += 30 + 7 * len(name)
    return parts


def wrap_label(label: str, *, width: int = 36, lines: int = 2) -> list[str]:
    """The label on up to `lines` lines of about `width` characters, broken between words, so two long
    names that begin alike ("Northshire County Council Children's Services" and "... Education and
    Inclusion") stay told apart; only a label longer than that is shortened, at its end."""
    words, out, line = label.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    out.append(line)
    if len(out) > lines:
        out = out[: lines - 1] + [" ".join(out[lines - 1 :])]
    if len(out[-1]) > width:
        out[-1] = out[-1][: width - 1].rstrip() + "…"
    return out


def horizontal_bars(*, title: str, description: str, series: list[str], rows: list[tuple[str, list]], width: int = 680):
    """One group of bars per row (for example need and attendance for each agency)."""
    label_width, bar_height, gap, line_height = 230, 12, 10, 13
    group_height = max(bar_height * len(series), 2 * line_height) + gap
    top = 30
    height = top + group_height * len(rows) + 10
    biggest = max([v for _, values in rows for v in values if v is not None] + [1])
    scale = (width - label_width - 60) / float(biggest)
    parts = _open(title, description, width, height)
    parts += _legend(series, 14)
    for r, (label, values) in enumerate(rows):
        y = top + r * group_height
        lines = wrap_label(label)
        first = y + (group_height - gap) / 2 + 4 - (len(lines) - 1) * line_height / 2
        spans = "".join(
            f'<tspan x="{label_width - 8}" y="{first + i * line_height:.1f}">{escape(text)}</tspan>'
            for i, text in enumerate(lines)
        )
        parts.append(f'<text font-size="11" text-anchor="end" fill="{TEXT}" {FONT}>{spans}</text>')
        for i, value in enumerate(values):
            length = max(0.0, float(value or 0) * scale)
            by = y + i * bar_height
            parts.append(
                f'<rect x="{label_width}" y="{by}" width="{length:.1f}" height="{bar_height - 2}" '
                f'fill="{COLOURS[i % len(COLOURS)]}"/>'
            )
            parts.append(
                f'<text x="{label_width + length + 4:.1f}" y="{by + bar_height - 3}" font-size="10" '
                f'fill="{TEXT}" {FONT}>'
                f"{_number(value or 0)}</text>"
            )
    parts.append(f'<line x1="{label_width}" y1="{top - 4}" x2="{label_width}" y2="{height - 6}" stroke="{GRID}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def column_trend(
    *,
    title: str,
    description: str,
    periods: list[str],
    series: list[str],
    values: list[list],
    width: int = 680,
    height: int = 230,
):
    """Columns per period, one per series (for example events and attendance over three years).
    Each series has its own scale, so small and large figures can sit together; the figures
    are printed on the columns."""
    top, bottom, left = 30, 30, 10
    plot = height - top - bottom
    group = (width - left) / max(1, len(periods))
    column = min(60.0, (group - 30) / max(1, len(series)))
    parts = _open(title, description, width, height)
    parts += _legend(series, 14)
    peaks = [max([float(v or 0) for v in s] + [1.0]) for s in values]
    for p, period in enumerate(periods):
        x0 = left + p * group + (group - column * len(series)) / 2
        for i, s in enumerate(values):
            value = s[p] or 0
            h = plot * float(value) / peaks[i] * 0.85
            x = x0 + i * column
            y = top + plot - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{column - 6:.1f}" height="{h:.1f}" '
                f'fill="{COLOURS[i % len(COLOURS)]}"/>'
            )
            parts.append(
                f'<text x="{x + (column - 6) / 2:.1f}" y="{y - 4:.1f}" font-size="11" text-anchor="middle" '
                f'fill="{TEXT}" {FONT}>'
                f"{_number(value)}</text>"
            )
        parts.append(
            f'<text x="{left + p * group + group / 2:.1f}" y="{height - 10}" font-size="12" text-anchor="middle" '
            f'fill="{TEXT}" {FONT}>'
            f"{escape(period)}</text>"
        )
    parts.append(f'<line x1="{left}" y1="{top + plot}" x2="{width}" y2="{top + plot}" stroke="{GRID}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def ranked_bars(
    *,
    title: str,
    description: str,
    rows: list[tuple[str, object, bool]],
    median=None,
    money: bool = False,
    marker: str = "",
    width: int = 680,
):
    """One bar per row (label, value, highlighted), with the figure printed at its end and an
    optional median drawn as a dashed line with its value. A highlighted row is told apart in three
    ways, so colour is never the only sign: its label ends with `marker` and is bold, and its bar
    is filled in a second colour with a dark outline. A row without a value says "not available"."""
    label_width, bar_height, gap, top, line_height = 260, 16, 6, 34, 11
    # Whole labels, wrapped: each row is as tall as its label needs.
    labels = [_wrap(label + (marker if highlighted else ""), 42) for label, _, highlighted in rows]
    pitches = [max(bar_height, line_height * len(lines) + 2) + gap for lines in labels]
    bottom = top + sum(pitches)
    height = bottom + 24
    values = [float(v) for _, v, _ in rows if v is not None] + ([float(median)] if median is not None else [])
    biggest = max(values + [1.0])
    scale = (width - label_width - 90) / biggest

    def written(value) -> str:
        if money:
            return format_money(value)
        return _number(value)

    parts = _open(title, description, width, height)
    parts.append(f'<text x="0" y="14" font-size="12" font-weight="bold" fill="{TEXT}" {FONT}>{escape(title)}</text>')
    # The median first, so the bars and their figures are drawn over it.
    if median is not None:
        x = label_width + float(median) * scale
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{bottom}" stroke="{TEXT}" stroke-width="1.5" '
            'stroke-dasharray="4 3"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{bottom + 14}" font-size="10.5" text-anchor="middle" fill="{TEXT}" {FONT}>'
            f"Median of the other Boards: {escape(written(median))}</text>"
        )
    y_row = top
    for (_, value, highlighted), lines, pitch in zip(rows, labels, pitches):
        middle = y_row + (pitch - gap) / 2
        y = middle - bar_height / 2
        y_row += pitch
        weight = ' font-weight="bold"' if highlighted else ""
        for n, line in enumerate(lines):
            dy = (n - (len(lines) - 1) / 2) * line_height
            parts.append(
                f'<text x="{label_width - 8}" y="{middle + 4 + dy:.1f}" font-size="10.5" '
                f'text-anchor="end" fill="{TEXT}"{weight} {FONT}>{escape(line)}</text>'
            )
        if value is None:
            parts.append(
                f'<text x="{label_width + 4}" y="{y + bar_height - 4:.1f}" font-size="10" fill="{TEXT}" {FONT}>'
                "not available</text>"
            )
            continue
        length = max(1.0, float(value) * scale)
        fill, stroke = (COLOURS[1], f' stroke="{TEXT}" stroke-width="2"') if highlighted else (COLOURS[0], "")
        parts.append(
            f'<rect x="{label_width}" y="{y:.1f}" width="{length:.1f}" height="{bar_height}" fill="{fill}"{stroke}/>'
        )
        parts.append(
            f'<text x="{label_width + length + 5:.1f}" y="{y + bar_height - 4:.1f}" font-size="10.5" fill="{TEXT}"'
            f"{weight} {FONT}>{escape(written(value))}</text>"
        )
    parts.append(f'<line x1="{label_width}" y1="{top - 6}" x2="{label_width}" y2="{height - 22}" stroke="{GRID}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _wrap(text: str, width: int) -> list[str]:
    """Words on lines of at most `width` characters (a long word stays whole), so two long names that
    share their first words are never cut to look the same."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines
