"""Server-rendered SVG charts that need no JavaScript.

Every chart is an ``<svg role="img">`` labelled by its own ``<title>`` and ``<desc>``, prints
in black and white, and never relies on colour alone: bars carry their values as text,
series are told apart by fill patterns and marker shapes as well as colour, and heat-map
cells print their numbers. Pages put a data table beside each chart as the text alternative.
Presentation uses SVG attributes, never ``style`` (the Content Security Policy forbids
inline styles).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

FONT = 'font-family="system-ui, Arial, sans-serif"'
BLACK = "#0b0c0c"
GREY = "#505a5f"

# Colour, pattern kind and marker for each series, in order; GOV.UK palette colours with
# enough contrast against white for graphical objects (WCAG 1.4.11).
SERIES_STYLES: list[tuple[str, str, str]] = [
    ("#1d70b8", "solid", "circle"),
    ("#d4351c", "hatch", "square"),
    ("#00703c", "dots", "triangle"),
    ("#4c2c92", "cross", "diamond"),
    ("#b58840", "vertical", "circle"),
    ("#505a5f", "solid", "square"),
]


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]


def _text(value: object) -> str:
    return escape(str(value), quote=True)


def _label_width(labels: Sequence[str], font_size: int, minimum: int = 120) -> int:
    """Room for the longest label, estimated at 0.58 of the font size per character."""
    longest = max((len(label) for label in labels), default=0)
    return max(minimum, min(int(longest * font_size * 0.58) + 16, 480))


def _nice_maximum(value: float) -> float:
    """A round top for an axis with four whole-number steps."""
    if value <= 4:
        return 4
    step = 10 ** (len(str(int(value / 4))) - 1)
    return float(-(-value // (4 * step)) * 4 * step)


def _open_svg(chart_id: str, width: int, height: int, title: str, description: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" id="{_text(chart_id)}" '
        f'viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{_text(chart_id)}-title {_text(chart_id)}-desc">',
        f'<title id="{_text(chart_id)}-title">{_text(title)}</title>',
        f'<desc id="{_text(chart_id)}-desc">{_text(description)}</desc>',
    ]


def _patterns(chart_id: str) -> str:
    parts = ["<defs>"]
    for index, (colour, kind, _marker) in enumerate(SERIES_STYLES):
        pattern_id = f"{chart_id}-pattern-{index}"
        parts.append(
            f'<pattern id="{_text(pattern_id)}" width="8" height="8" '
            'patternUnits="userSpaceOnUse">'
            f'<rect width="8" height="8" fill="{colour}"/>'
        )
        if kind == "hatch":
            parts.append('<path d="M0,8 L8,0" stroke="#ffffff" stroke-width="2"/>')
        elif kind == "dots":
            parts.append('<circle cx="4" cy="4" r="1.6" fill="#ffffff"/>')
        elif kind == "cross":
            parts.append('<path d="M0,0 L8,8 M8,0 L0,8" stroke="#ffffff" stroke-width="1.2"/>')
        elif kind == "vertical":
            parts.append('<path d="M4,0 L4,8" stroke="#ffffff" stroke-width="2"/>')
        parts.append("</pattern>")
    parts.append("</defs>")
    return "".join(parts)


def _fill(chart_id: str, index: int) -> str:
    return f"url(#{chart_id}-pattern-{index % len(SERIES_STYLES)})"


def _format(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def bar_chart(
    chart_id: str, title: str, description: str, rows: Sequence[tuple[str, float]]
) -> Markup:
    """Horizontal bars, one per row, each labelled with its value."""
    label_width = _label_width([label for label, _value in rows], 15)
    bar_space, row_height = 400, 28
    width = label_width + bar_space + 70
    height = max(row_height * len(rows) + 20, 60)
    largest = max((value for _label, value in rows), default=0) or 1
    parts = _open_svg(chart_id, width, height, title, description)
    parts.append(_patterns(chart_id))
    if not rows:
        parts.append(f'<text x="10" y="30" {FONT} font-size="16" fill="{BLACK}">No data</text>')
    for index, (label, value) in enumerate(rows):
        y = 10 + index * row_height
        bar = bar_space * value / largest
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 18}" text-anchor="end" {FONT} '
            f'font-size="15" fill="{BLACK}">{_text(label)}</text>'
            f'<rect x="{label_width}" y="{y + 4}" width="{bar:.1f}" height="{row_height - 8}" '
            f'fill="{_fill(chart_id, 0)}" stroke="{BLACK}" stroke-width="0.5"/>'
            f'<text x="{label_width + bar + 6:.1f}" y="{y + 18}" {FONT} font-size="15" '
            f'font-weight="bold" fill="{BLACK}">{_format(value)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_bar_chart(
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
) -> Markup:
    """Horizontal stacked bars: one bar per category, one patterned segment per series,
    with a legend and the total at the end of each bar."""
    label_width = _label_width(categories, 14)
    bar_space, row_height = 380, 30
    legend_rows = (len(series) + 2) // 3
    width = label_width + bar_space + 70
    height = row_height * len(categories) + 30 + legend_rows * 24
    totals = [sum(item.values[index] for item in series) for index in range(len(categories))]
    largest = max(totals, default=0) or 1
    parts = _open_svg(chart_id, width, height, title, description)
    parts.append(_patterns(chart_id))
    for index, label in enumerate(categories):
        y = 10 + index * row_height
        x = float(label_width)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 19}" text-anchor="end" {FONT} '
            f'font-size="14" fill="{BLACK}">{_text(label)}</text>'
        )
        for series_index, item in enumerate(series):
            value = item.values[index]
            if not value:
                continue
            segment = bar_space * value / largest
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 4}" width="{segment:.1f}" height="{row_height - 8}" '
                f'fill="{_fill(chart_id, series_index)}" stroke="{BLACK}" stroke-width="0.5">'
                f"<title>{_text(label)}: {_text(item.name)} {_format(value)}</title></rect>"
            )
            x += segment
        parts.append(
            f'<text x="{x + 6:.1f}" y="{y + 19}" {FONT} font-size="14" font-weight="bold" '
            f'fill="{BLACK}">{_format(totals[index])}</text>'
        )
    legend_top = 20 + row_height * len(categories)
    for series_index, item in enumerate(series):
        column, row = series_index % 3, series_index // 3
        x = 10 + column * 240
        y = legend_top + row * 24
        parts.append(
            f'<rect x="{x}" y="{y}" width="18" height="18" fill="{_fill(chart_id, series_index)}" '
            f'stroke="{BLACK}" stroke-width="0.5"/>'
            f'<text x="{x + 24}" y="{y + 14}" {FONT} font-size="14" fill="{BLACK}">'
            f"{_text(item.name)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == "triangle":
        return (
            f'<path d="M{x:.1f},{y - 5:.1f} L{x + 5:.1f},{y + 4:.1f} L{x - 5:.1f},{y + 4:.1f} Z" '
            f'fill="{colour}"/>'
        )
    if shape == "diamond":
        return (
            f'<path d="M{x:.1f},{y - 5:.1f} L{x + 5:.1f},{y:.1f} L{x:.1f},{y + 5:.1f} '
            f'L{x - 5:.1f},{y:.1f} Z" fill="{colour}"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{colour}"/>'


DASHES = ["", ' stroke-dasharray="8 4"', ' stroke-dasharray="2 3"', ' stroke-dasharray="10 3 2 3"']


def line_chart(
    chart_id: str,
    title: str,
    description: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
) -> Markup:
    """Lines over time, told apart by colour, dash pattern and marker shape, each named at
    its last point."""
    left, top, plot_width, plot_height = 50, 20, 560, 220
    width, height = left + plot_width + 170, top + plot_height + 50
    largest = _nice_maximum(max((value for item in series for value in item.values), default=0))
    step = plot_width / max(len(x_labels) - 1, 1)
    parts = _open_svg(chart_id, width, height, title, description)
    for tick in range(5):
        value = largest * tick / 4
        y = top + plot_height - plot_height * tick / 4
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_width}" y2="{y:.1f}" '
            f'stroke="#b1b4b6" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" {FONT} font-size="12" '
            f'fill="{GREY}">{_format(value)}</text>'
        )
    for index, label in enumerate(x_labels):
        x = left + index * step
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot_height + 20}" text-anchor="middle" {FONT} '
            f'font-size="12" fill="{BLACK}">{_text(label)}</text>'
        )
    label_positions = _spread(
        [
            top + plot_height - plot_height * (item.values[-1] if item.values else 0) / largest
            for item in series
        ],
        gap=16,
    )
    for series_index, item in enumerate(series):
        colour, _pattern, marker = SERIES_STYLES[series_index % len(SERIES_STYLES)]
        points = [
            (left + index * step, top + plot_height - plot_height * value / largest)
            for index, value in enumerate(item.values)
        ]
        if not points:
            continue
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        dash = DASHES[series_index % len(DASHES)]
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>'
        )
        parts.extend(_marker(marker, x, y, colour) for x, y in points)
        last_x = points[-1][0]
        parts.append(
            f'<text x="{last_x + 10:.1f}" y="{label_positions[series_index] + 4:.1f}" {FONT} '
            f'font-size="13" font-weight="bold" fill="{colour}">'
            f"{_text(item.name)} ({_format(item.values[-1])})</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _spread(positions: Sequence[float], gap: float) -> list[float]:
    """Move label positions apart so no two are closer than ``gap``, keeping their order."""
    order = sorted(range(len(positions)), key=lambda index: positions[index])
    placed = list(positions)
    previous: float | None = None
    for index in order:
        if previous is not None and placed[index] < previous + gap:
            placed[index] = previous + gap
        previous = placed[index]
    return placed


def heat_map(
    chart_id: str,
    title: str,
    description: str,
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    values: Sequence[Sequence[float]],
) -> Markup:
    """A grid shaded by value, every cell printing its number (so shade is never the only
    cue)."""
    label_width = _label_width(row_labels, 13)
    cell_width, cell_height, header = 70, 26, 40
    width = label_width + cell_width * len(column_labels) + 10
    height = header + cell_height * len(row_labels) + 10
    largest = max((value for row in values for value in row), default=0) or 1
    parts = _open_svg(chart_id, width, height, title, description)
    for column, label in enumerate(column_labels):
        x = label_width + column * cell_width + cell_width / 2
        parts.append(
            f'<text x="{x:.1f}" y="{header - 12}" text-anchor="middle" {FONT} font-size="13" '
            f'font-weight="bold" fill="{BLACK}">{_text(label)}</text>'
        )
    for row, label in enumerate(row_labels):
        y = header + row * cell_height
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 18}" text-anchor="end" {FONT} font-size="13" '
            f'fill="{BLACK}">{_text(label)}</text>'
        )
        for column in range(len(column_labels)):
            value = values[row][column]
            share = value / largest
            # Light to dark blue; text flips to white on dark cells for contrast.
            shade = int(255 - 200 * share)
            fill = f"rgb({shade - 30 if shade > 30 else 0},{shade},{255 - int(40 * share)})"
            text_colour = "#ffffff" if share > 0.55 else BLACK
            x = label_width + column * cell_width
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell_width - 2}" height="{cell_height - 2}" '
                f'fill="{fill if value else "#ffffff"}" stroke="#b1b4b6" stroke-width="1"/>'
                f'<text x="{x + cell_width / 2 - 1:.1f}" y="{y + 17}" text-anchor="middle" '
                f'{FONT} font-size="13" fill="{text_colour}">{_format(value)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
