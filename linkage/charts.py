"""Small SVG charts made on the server: no script, no CDN, readable on a phone and on paper.

Each chart comes in two drawings of the same numbers: a wide one (600 units across) and a
narrow one (300 units, labels above the bars, fewer month labels). The page shows the wide one
in a box at least `NARROW_BELOW` CSS px wide and the narrow one below that (a container query in
app.css), so a text of `FONT_SIZE` units is never drawn smaller than 12 CSS px. Lines differ by
dash pattern and marker as well as colour, so two series with equal values stay visible; a
month not yet over is drawn lighter and named as such. The legend, in HTML beneath, says what
each series counts; the page shows the same numbers in a table beside the chart.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from flask_babel import gettext as _

FONT = "system-ui, sans-serif"
FONT_SIZE = 13  # user units: >= 12 CSS px in both drawings (see the module docstring)
PALETTE = ("#1f6f43", "#8a4b00", "#2b5c9e", "#7a2d8c", "#a3201d", "#4a544f")
# one (dash pattern, marker) per series: told apart without colour, and visible when equal
LINE_STYLES = (("", "circle"), ("9 5", "square"), ("2 4", "triangle"), ("14 4 3 4", "diamond"))
WIDE, NARROW = 600, 300  # widths of the two drawings, in user units
NARROW_BELOW = 560  # CSS px: a box narrower than this shows the narrow drawing (app.css)
CHAR = 0.6  # width of an average character, in font sizes (for fitting labels)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # None: nothing to draw (a month not yet begun)
    counts: str = ""  # what the series counts, one line for the legend


def _nice_max(value: float) -> float:
    """A round axis maximum at or above `value` whose quarters (the grid lines) are round
    too: 1.2 x 10^n gives 0.3, 0.6, 0.9, 1.2."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 1.2, 1.6, 2, 2.4, 3, 4, 6, 8, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10.0 * magnitude


UNITS_EN = ((1e9, "B"), (1e6, "M"), (1e3, "k"))
UNITS_VI = ((1e9, " tỷ"), (1e6, " tr"), (1e3, " N"))  # tỷ, triệu, nghìn


def short_number(value: float, units: Sequence[tuple[float, str]] = UNITS_EN, comma=False) -> str:
    """12_500_000 -> '12.5M' (or '12,5 tr' with Vietnamese units and a decimal comma): axis
    labels stay short on a phone."""
    text = f"{value:g}"
    for size, suffix in units:
        if abs(value) >= size:
            text = f"{value / size:.1f}".rstrip("0").rstrip(".") + suffix
            break
    return text.replace(".", ",") if comma else text


def _short(value: float) -> str:
    return short_number(value)


def _fit(text: str, width: float) -> str:
    """`text` cut to what `width` units hold at FONT_SIZE, with an ellipsis when cut."""
    room = max(int(width / (FONT_SIZE * CHAR)), 4)
    return text if len(text) <= room else text[: room - 1].rstrip() + "…"


def _text(x: float, y: float, content: str, anchor: str = "start", **extra: str) -> str:
    attributes = "".join(f' {name.replace("_", "-")}="{value}"' for name, value in extra.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{FONT_SIZE}" text-anchor="{anchor}"'
        f"{attributes}>{escape(content)}</text>"
    )


def _open(width: int, height: float, title: str, variant: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" '
        f'role="img" aria-label="{escape(title)}" class="chart chart-{variant}" '
        f'font-family="{FONT}" fill="#1b1f1d">',
        f"<title>{escape(title)}</title>",
    ]


def _top(series: Sequence[Series]) -> float:
    return max((v for s in series for v in s.values if v is not None), default=0)


def bar_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    narrow: bool = False,
    bar_height: int = 20,
    short: Callable[[float], str] = _short,
) -> str:
    """Horizontal grouped bars, one group per label: suits long Vietnamese names. The wide
    drawing puts the names left of the bars, the narrow one above them."""
    width = NARROW if narrow else WIDE
    label_width = 0 if narrow else 180
    name_room = FONT_SIZE + 6 if narrow else 0
    per_group = name_room + bar_height * max(len(series), 1) + 10
    axis = FONT_SIZE + 12
    height = max(len(labels), 1) * per_group + axis
    scale_max = _nice_max(_top(series))
    value_room = 8 + FONT_SIZE * CHAR * 6  # a value label beside the longest bar
    plot = width - label_width - value_room - 4
    parts = _open(width, height, title, "narrow" if narrow else "wide")
    for tick in range(5):
        x = label_width + plot * tick / 4
        anchor = "start" if tick == 0 and narrow else "middle"
        parts.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - axis:.1f}" '
            f'stroke="#c9d3ce" stroke-width="1"/>'
            + _text(x, height - 6, short(scale_max * tick / 4), anchor, fill="#4a544f")
        )
    for index, label in enumerate(labels):
        y0 = index * per_group + 5
        if narrow:
            parts.append(_text(0, y0 + FONT_SIZE, _fit(label, width)))
        else:
            parts.append(
                _text(
                    label_width - 8,
                    y0 + per_group / 2,
                    _fit(label, label_width - 10),
                    "end",
                    dominant_baseline="middle",
                )
            )
        for position, item in enumerate(series):
            value = item.values[index] if index < len(item.values) else None
            length = max(plot * ((value or 0) / scale_max), 0)
            y = y0 + name_room + position * bar_height
            parts.append(
                f'<rect x="{label_width}" y="{y}" width="{length:.1f}" '
                f'height="{bar_height - 4}" fill="{PALETTE[position % len(PALETTE)]}"/>'
                + _text(
                    label_width + length + 4,
                    y + (bar_height - 4) / 2,
                    "–" if value is None else short(value),
                    dominant_baseline="middle",
                )
            )
    parts.append("</svg>")
    return "".join(parts)


def _marker(shape: str, x: float, y: float, colour: str, hollow: bool = False) -> str:
    fill = "#ffffff" if hollow else colour
    paint = f'fill="{fill}" stroke="{colour}" stroke-width="1.5"'
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" {paint}/>'
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" {paint}/>'
    if shape == "triangle":
        points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}"
        return f'<polygon points="{points}" {paint}/>'
    points = (
        f"{x:.1f},{y - 5.5:.1f} {x + 5.5:.1f},{y:.1f} {x:.1f},{y + 5.5:.1f} {x - 5.5:.1f},{y:.1f}"
    )
    return f'<polygon points="{points}" {paint}/>'


def line_style(position: int) -> tuple[str, str, str]:
    """(colour, dash pattern, marker shape) of the series at `position`."""
    dash, shape = LINE_STYLES[position % len(LINE_STYLES)]
    return PALETTE[position % len(PALETTE)], dash, shape


def _polyline(
    points: list[tuple[float, float]], colour: str, dash: str, width: float, extra=""
) -> str:
    text = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    pattern = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<polyline points="{text}" fill="none" stroke="{colour}" '
        f'stroke-width="{width}"{pattern}{extra}/>'
    )


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    narrow: bool = False,
    partial_at: int | None = None,
    partial_label: str = "",
    short: Callable[[float], str] = _short,
) -> str:
    """Lines over months (or any ordered labels). `partial_at`: the index of a month not yet
    over, drawn lighter with hollow markers in a shaded band named `partial_label`; a value
    of None (a month not yet begun) is not drawn."""
    width = NARROW if narrow else WIDE
    height = 240 if narrow else 280
    left, right = FONT_SIZE * CHAR * 6 + 8, 14
    top_margin, bottom = FONT_SIZE + 14, FONT_SIZE + 16
    plot_w, plot_h = width - left - right, height - top_margin - bottom
    scale_max = _nice_max(_top(series))
    count = max(len(labels), 1)
    step = plot_w / max(count - 1, 1)
    parts = _open(width, height, title, "narrow" if narrow else "wide")

    def x_of(index: int) -> float:
        return left + step * index

    def y_of(value: float) -> float:
        return top_margin + plot_h - plot_h * (value / scale_max)

    if partial_at is not None and 0 <= partial_at < len(labels):
        start = max(x_of(partial_at) - step / 2, left)
        end = min(x_of(partial_at) + step / 2, width - right)
        parts.append(
            f'<rect x="{start:.1f}" y="{top_margin}" width="{end - start:.1f}" '
            f'height="{plot_h}" fill="#e8ecea"/>'
            + _text(
                max(end, left + len(partial_label) * FONT_SIZE * CHAR),
                top_margin - 8,
                _fit(partial_label, width * 0.6),
                "end",
            )
        )
    else:
        partial_at = None
    for tick in range(5):
        y = top_margin + plot_h - plot_h * tick / 4
        parts.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="#c9d3ce" stroke-width="1"/>'
            + _text(
                left - 6,
                y,
                short(scale_max * tick / 4),
                "end",
                dominant_baseline="middle",
                fill="#4a544f",
            )
        )
    longest = max((len(label) for label in labels), default=1)
    fits = max(int(plot_w / (longest * FONT_SIZE * CHAR + 12)), 1)
    every = max(1, math.ceil(count / fits))
    for index, label in enumerate(labels):
        if index % every == 0:
            parts.append(_text(x_of(index), height - 8, label, "middle", fill="#4a544f"))
    # the first series is drawn widest and under the others: equal series show both styles
    for position, item in enumerate(series):
        colour, dash, shape = line_style(position)
        stroke = 4 if position == 0 else 2.5
        points = {i: (x_of(i), y_of(v)) for i, v in enumerate(item.values[:count]) if v is not None}
        run: list[tuple[float, float]] = []  # consecutive complete months, one polyline each
        for i in range(count + 1):
            if i in points and i != partial_at:
                run.append(points[i])
                continue
            if len(run) > 1:
                parts.append(_polyline(run, colour, dash, stroke))
            run = []
        if partial_at in points and partial_at - 1 in points:
            segment = [points[partial_at - 1], points[partial_at]]
            parts.append(_polyline(segment, colour, "3 3", 2, ' stroke-opacity="0.7"'))
        for i, (x, y) in points.items():
            parts.append(_marker(shape, x, y, colour, hollow=i == partial_at))
    parts.append("</svg>")
    return "".join(parts)


def _legend_key(position: int, kind: str) -> str:
    """A small drawing of the series' line (dash and marker) or bar colour."""
    colour, dash, shape = line_style(position)
    inner = (
        f'<rect x="4" y="2" width="28" height="12" fill="{colour}"/>'
        if kind == "bar"
        else _polyline([(2, 8), (34, 8)], colour, dash, 4 if position == 0 else 2.5)
        + _marker(shape, 18, 8, colour)
    )
    return (
        f'<svg class="legend-key" viewBox="0 0 36 16" width="36" height="16" '
        f'aria-hidden="true" focusable="false">{inner}</svg>'
    )


def _same_as(series: Sequence[Series], position: int) -> str | None:
    """The name of an earlier series with exactly the same values, if any."""
    values = list(series[position].values)
    for other in series[:position]:
        if list(other.values) == values and any(v for v in values if v is not None):
            return other.name
    return None


def legend(series: Sequence[Series], kind: str = "line") -> str:
    """The legend in HTML: each series' key, name and what it counts; a series equal to an
    earlier one says so (its line lies on the other's)."""
    if not series or (len(series) == 1 and not series[0].counts):
        return ""
    items = []
    for position, item in enumerate(series):
        text = f"<strong>{escape(item.name)}</strong>"
        if item.counts:
            text += f": {escape(item.counts)}"
        same = _same_as(series, position) if kind == "line" else None
        if same:
            note = _(
                "equal to “%(other)s” in every month: the two lines lie on each other", other=same
            )
            text += f' <span class="chart-note">({escape(note)})</span>'
        items.append(f"<li>{_legend_key(position, kind)} {text}</li>")
    return f'<ul class="chart-legend">{"".join(items)}</ul>'


def chart_markup(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    kind: str = "bar",
    partial_at: int | None = None,
    partial_label: str = "",
    partial_note: str = "",
    short: Callable[[float], str] = _short,
    **options: int,
) -> str:
    """Both drawings of a chart in a box that shows one by its width, then the legend and,
    for a month not yet over, a note saying so."""
    if kind == "line":
        extra: dict = {"partial_at": partial_at, "partial_label": partial_label}
        drawings = [
            line_chart(labels, series, title=title, narrow=n, short=short, **extra)
            for n in (False, True)
        ]
    else:
        drawings = [
            bar_chart(labels, series, title=title, narrow=n, short=short, **options)
            for n in (False, True)
        ]
    note = ""
    if kind == "line" and partial_at is not None and partial_note:
        note = f'<p class="chart-partial">{escape(partial_note)}</p>'
    return f'<div class="chart-box">{"".join(drawings)}</div>{legend(series, kind)}{note}'
