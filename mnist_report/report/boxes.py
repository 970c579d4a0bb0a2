"""A class's boxplot of distances beside the other classes', as inline SVG written here.

Every class page shows the same figure with another box picked out, so it is drawn by this
code rather than laid out by vl-convert once per class (345 classes would be 345 renders): a
few rects and lines, crisp at any width, readable without JavaScript and in print. The look
follows the atypical page's boxplots (draw.py's colours).
"""

from __future__ import annotations

import math

from markupsafe import Markup, escape

from ..analysis.stats import Box
from .draw import INK_COLOUR

WIDTH = 340  # px: the figure fits a 375 px phone, and scales with its card beyond
LABELS = 96  # px left of the plot for the rows' names
ROW = 18
PALE, PALE_EDGE = "#c6dbef", "#6b7b8c"  # the atypical page's box fill; an edge 4.6:1 on white


def _ticks(low: float, high: float) -> list[float]:
    """About five round values between low and high."""
    step = 10 ** math.floor(math.log10(max(high - low, 1e-9) / 4))
    step *= next(m for m in (1, 2, 5, 10) if (high - low) / (step * m) <= 5)
    return [i * step for i in range(math.ceil(low / step), math.floor(high / step) + 1)]


def _box(b: Box, y: float, x, own: bool) -> str:
    fill, edge, height = (INK_COLOUR, "#111", 12) if own else (PALE, PALE_EDGE, 8)
    top = y - height / 2
    return (
        f'<line x1="{x(b.whisker_low):.1f}" x2="{x(b.whisker_high):.1f}" y1="{y}" y2="{y}" stroke="{edge}"/>'
        f'<rect x="{x(b.q1):.1f}" y="{top}" width="{max(x(b.q3) - x(b.q1), 1):.1f}" height="{height}" '
        f'fill="{fill}" stroke="{edge}"/>'
        f'<line x1="{x(b.median):.1f}" x2="{x(b.median):.1f}" y1="{top}" y2="{top + height}" '
        f'stroke="{"#fff" if own else "#111"}" stroke-width="2"/>'
    )


def boxplots(boxes: list[tuple[str, Box]], mine: int, title: str, axis: str, others: str = "") -> Markup:
    """Each (name, Box) a row, the `mine`-th picked out; with `others` (a row's name), every box but
    `mine` is drawn in that one row as its median alone, a tick each (for many classes)."""
    low = min(b.whisker_low for _, b in boxes)
    high = max(b.whisker_high for _, b in boxes)
    span = (high - low) or 1.0

    def x(v: float) -> float:
        return LABELS + (v - low) / span * (WIDTH - LABELS - 12)

    rows = [boxes[mine]] if others else boxes
    height = ROW * (len(rows) + (1 if others else 0)) + 34
    parts = []
    for i, (name, b) in enumerate(rows):
        own = bool(others) or i == mine
        y = ROW * i + ROW / 2 + 4
        weight = ' font-weight="700"' if own else ""
        parts.append(f'<text x="{LABELS - 6}" y="{y + 4}" text-anchor="end"{weight}>{escape(name[:14])}</text>')
        parts.append(_box(b, y, x, own))
    if others:
        y = ROW * len(rows) + ROW / 2 + 4
        parts.append(f'<text x="{LABELS - 6}" y="{y + 4}" text-anchor="end">{escape(others)}</text>')
        ticks = "".join(f"M{x(b.median):.1f} {y - 5}v10" for i, (_, b) in enumerate(boxes) if i != mine)
        parts.append(f'<path d="{ticks}" stroke="{PALE_EDGE}" stroke-opacity="0.7"/>')
    base = height - 30
    parts.append(f'<line x1="{LABELS}" x2="{WIDTH - 12}" y1="{base}" y2="{base}" stroke="#666"/>')
    for t in _ticks(low, high):
        parts.append(
            f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{base}" y2="{base + 4}" stroke="#666"/>'
            f'<text x="{x(t):.1f}" y="{base + 16}" text-anchor="middle">{t:g}</text>'
        )
    parts.append(f'<text x="{(LABELS + WIDTH) / 2}" y="{height - 2}" text-anchor="middle">{escape(axis)}</text>')
    return Markup(
        f'<svg class="boxes" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
        f'aria-label="{escape(title)}" font-size="11" font-family="system-ui, sans-serif" fill="#222">'
        + "".join(parts)
        + "</svg>"
    )
