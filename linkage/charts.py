"""Small SVG charts made on the server: no script, no CDN, readable when printed.

Each chart is returned as markup for a <figure>; the page shows the same numbers in a
table beside it, for screen readers and printing. Colours meet WCAG contrast on white.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

FONT = "system-ui, sans-serif"
PALETTE = ("#1f6f43", "#8a4b00", "#2b5c9e", "#7a2d8c", "#a3201d", "#4a544f")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]


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


def bar_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    width: int = 640,
    bar_height: int = 22,
    short: Callable[[float], str] = _short,
) -> str:
    """Horizontal grouped bars, one group per label: suits long Vietnamese names."""
    groups = max(len(labels), 1)
    per_group = bar_height * max(len(series), 1) + 10
    label_width = 170
    legend = 24 if len(series) > 1 else 0
    height = groups * per_group + 30 + legend
    top = max((v for s in series for v in s.values), default=0)
    scale_max = _nice_max(top)
    plot = width - label_width - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart" font-family="{FONT}">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in range(5):
        x = label_width + plot * tick / 4
        parts.append(
            f'<line x1="{x:.1f}" y1="{legend}" x2="{x:.1f}" y2="{height - 22}" '
            f'stroke="#c9d3ce" stroke-width="1"/>'
            f'<text x="{x:.1f}" y="{height - 6}" font-size="11" text-anchor="middle" '
            f'fill="#4a544f">{escape(short(scale_max * tick / 4))}</text>'
        )
    for index, label in enumerate(labels):
        y0 = legend + index * per_group + 5
        parts.append(
            f'<text x="{label_width - 8}" y="{y0 + per_group / 2:.1f}" font-size="12" '
            f'text-anchor="end" dominant-baseline="middle" fill="#1b1f1d">'
            f"{escape(label[:28])}</text>"
        )
        for position, item in enumerate(series):
            value = item.values[index] if index < len(item.values) else 0
            length = plot * (value / scale_max) if scale_max else 0
            y = y0 + position * bar_height
            parts.append(
                f'<rect x="{label_width}" y="{y}" width="{max(length, 0):.1f}" '
                f'height="{bar_height - 4}" fill="{PALETTE[position % len(PALETTE)]}"/>'
                f'<text x="{label_width + max(length, 0) + 4:.1f}" y="{y + bar_height / 2:.1f}" '
                f'font-size="11" dominant-baseline="middle" fill="#1b1f1d">'
                f"{escape(short(value))}</text>"
            )
    parts.extend(_legend(series, 8))
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    width: int = 640,
    height: int = 260,
    short: Callable[[float], str] = _short,
) -> str:
    """Lines over months (or any ordered labels), with a legend."""
    left, right, top_margin, bottom = 56, 32, 28, 40
    plot_w, plot_h = width - left - right, height - top_margin - bottom
    top = max((v for s in series for v in s.values), default=0)
    scale_max = _nice_max(top)
    count = max(len(labels), 1)
    step = plot_w / max(count - 1, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart" font-family="{FONT}">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in range(5):
        y = top_margin + plot_h - plot_h * tick / 4
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="#c9d3ce" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y:.1f}" font-size="11" text-anchor="end" '
            f'dominant-baseline="middle" fill="#4a544f">'
            f"{escape(short(scale_max * tick / 4))}</text>"
        )
    every = max(1, count // 8)
    for index, label in enumerate(labels):
        if index % every == 0 or index == count - 1:
            x = left + step * index
            parts.append(
                f'<text x="{x:.1f}" y="{height - bottom + 16}" font-size="11" '
                f'text-anchor="middle" fill="#4a544f">{escape(label)}</text>'
            )
    for position, item in enumerate(series):
        colour = PALETTE[position % len(PALETTE)]
        points = " ".join(
            f"{left + step * i:.1f},{top_margin + plot_h - plot_h * (v / scale_max):.1f}"
            for i, v in enumerate(item.values)
        )
        dash = "" if position == 0 else ' stroke-dasharray="6 3"'
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>'
        )
    parts.extend(_legend(series, 12))
    parts.append("</svg>")
    return "".join(parts)


def _legend(series: Sequence[Series], y: int) -> list[str]:
    if len(series) < 2:
        return []
    items, x = [], 8
    for position, item in enumerate(series):
        colour = PALETTE[position % len(PALETTE)]
        items.append(
            f'<rect x="{x}" y="{y - 8}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16}" y="{y + 2}" font-size="12" fill="#1b1f1d">'
            f"{escape(item.name)}</text>"
        )
        x += 24 + 7 * len(item.name)
    return items
