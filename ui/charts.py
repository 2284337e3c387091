"""Small server-rendered SVG charts: bars, lines and a donut. No JavaScript needed.

Each chart is a complete ``<svg>`` with a title and an aria label, escaped here, so a
template inserts it as is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

from markupsafe import Markup

PALETTE = ("#1f4e79", "#e0542b", "#2e7d32", "#b26a00", "#6a3d9a", "#00838f", "#8d6e63",
           "#c2185b")
WIDTH = 420


def _svg(height: int, label: str, body: str) -> Markup:
    # Every text placed in the SVG went through html.escape where it was written.
    markup = (f'<svg viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(label)}"'
              f' xmlns="http://www.w3.org/2000/svg"><title>{escape(label)}</title>{body}</svg>')
    return Markup(markup)  # noqa: S704


def _fmt(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ") if abs(value) >= 100 else f"{value:.3g}"


def bars(items: Sequence[tuple[str, float]], label: str, unit: str = "") -> Markup:
    """Horizontal bars, one per item, longest first as given."""
    if not items:
        return _svg(40, label, '<text x="8" y="24" font-size="13" fill="#5b6776">no data</text>')
    row, left, top = 22, 150, 6
    peak = max(v for _n, v in items) or 1
    parts = []
    for index, (name, value) in enumerate(items):
        y = top + index * row
        width = max(1.0, (WIDTH - left - 70) * value / peak)
        parts.append(
            f'<text x="{left - 6}" y="{y + 14}" font-size="11" text-anchor="end" '
            f'fill="#1d2733">{escape(name[:24])}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{width:.1f}" height="{row - 7}" '
            f'fill="{PALETTE[index % len(PALETTE)]}"><title>{escape(name)}: '
            f'{_fmt(value)}{escape(unit)}</title></rect>'
            f'<text x="{left + width + 4:.1f}" y="{y + 14}" font-size="11" fill="#1d2733">'
            f'{_fmt(value)}{escape(unit)}</text>')
    return _svg(top * 2 + row * len(items), label, "".join(parts))


def lines(labels: Sequence[str], series: Mapping[str, Sequence[float]], label: str) -> Markup:
    """One line per series over the same labels (days), with a legend."""
    height, left, right, top, bottom = 220, 40, 10, 10, 46
    peak = max((v for values in series.values() for v in values), default=0) or 1
    count = max(len(labels) - 1, 1)
    plot_w, plot_h = WIDTH - left - right, height - top - bottom

    def point(i: int, v: float) -> str:
        return f"{left + plot_w * i / count:.1f},{top + plot_h * (1 - v / peak):.1f}"

    parts = [f'<line x1="{left}" y1="{top + plot_h}" x2="{WIDTH - right}" y2="{top + plot_h}" '
             'stroke="#9aa5b1"/>',
             f'<text x="{left - 4}" y="{top + 8}" font-size="10" text-anchor="end">'
             f'{_fmt(peak)}</text>',
             f'<text x="{left - 4}" y="{top + plot_h}" font-size="10" text-anchor="end">0</text>']
    for i, name in enumerate(labels):
        if i % max(1, len(labels) // 7) == 0:
            parts.append(f'<text x="{left + plot_w * i / count:.1f}" y="{top + plot_h + 14}" '
                         f'font-size="10" text-anchor="middle">{escape(name)}</text>')
    for index, (name, values) in enumerate(series.items()):
        color = PALETTE[index % len(PALETTE)]
        path = " ".join(point(i, v) for i, v in enumerate(values))
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{path}">'
                     f'<title>{escape(name)}</title></polyline>')
        x = left + index * 130
        parts.append(f'<rect x="{x}" y="{height - 14}" width="10" height="10" fill="{color}"/>'
                     f'<text x="{x + 14}" y="{height - 5}" font-size="11">{escape(name)}</text>')
    return _svg(height, label, "".join(parts))


def donut(parts: Sequence[tuple[str, float]], label: str, centre: str) -> Markup:
    """A donut of the parts' shares, with ``centre`` written in the middle."""
    total = sum(v for _n, v in parts)
    radius, cx, cy, stroke = 60, 90, 85, 26
    circumference = 2 * math.pi * radius
    pieces = [f'<circle cx="{cx}" cy="{cy}" r="{radius}" fill="none" stroke="#e6ebf1" '
              f'stroke-width="{stroke}"/>']
    offset = 0.0
    for index, (name, value) in enumerate(parts):
        if total <= 0 or value <= 0:
            continue
        length = circumference * value / total
        color = PALETTE[index % len(PALETTE)]
        pieces.append(
            f'<circle cx="{cx}" cy="{cy}" r="{radius}" fill="none" stroke="{color}" '
            f'stroke-width="{stroke}" stroke-dasharray="{length:.2f} {circumference:.2f}" '
            f'stroke-dashoffset="{-offset:.2f}" transform="rotate(-90 {cx} {cy})">'
            f'<title>{escape(name)}: {_fmt(value)}</title></circle>')
        offset += length
    pieces.append(f'<text x="{cx}" y="{cy + 6}" font-size="18" font-weight="600" '
                  f'text-anchor="middle">{escape(centre)}</text>')
    for index, (name, value) in enumerate(parts):
        y = 30 + index * 20
        pieces.append(f'<rect x="190" y="{y}" width="11" height="11" '
                      f'fill="{PALETTE[index % len(PALETTE)]}"/><text x="206" y="{y + 10}" '
                      f'font-size="12">{escape(name)}: {_fmt(value)}</text>')
    return _svg(175, label, "".join(pieces))
