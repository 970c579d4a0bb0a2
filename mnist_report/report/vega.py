"""A figure made ready for a page: its Vega spec (compiled from the chart's Vega-Lite by vl-convert,
so the browser skips the compiler), a static image for readers without JavaScript, and the
height its view reserves so the page does not jump as it draws."""

from __future__ import annotations

import json
import re
import struct
from dataclasses import dataclass

from .page import Figure


@dataclass(frozen=True)
class Rendered:
    """A figure resolved for writing: its spec, and its static image for readers without JavaScript."""

    figure: Figure
    spec: dict  # Vega, compiled from the chart's Vega-Lite
    static: bytes
    box: str  # CSS custom properties giving the .view its drawn size before it draws (see _box)

    @property
    def static_name(self) -> str:
        return f"figures/{self.figure.id}.{self.figure.static}"


def resolve(figure: Figure, chart: dict) -> Rendered:
    """The figure made ready from `chart`, its Vega-Lite (figure.chart.to_dict(), made by the caller: figures.py keys its cache by it)."""
    import vl_convert

    # Compiled to Vega here, so the browser skips the Vega-Lite compiler: 10-18% sooner painted.
    spec = vl_convert.vegalite_to_vega(chart)
    text = json.dumps(chart)
    if '"width": "container"' in text:
        # "container" width has no container in a static render: give it a page-like width.
        fixed = json.loads(text.replace('"width": "container"', '"width": 640'))
        static = vl_convert.vegalite_to_svg(fixed) if figure.static == "svg" else vl_convert.vegalite_to_png(fixed)
    else:  # the same picture as from the Vega-Lite, without compiling it again
        static = vl_convert.vega_to_svg(spec) if figure.static == "svg" else vl_convert.vega_to_png(spec)
    static = _stable_ids(static).encode() if figure.static == "svg" else static
    return Rendered(figure, spec, static, _box(figure, spec, _height(static)))


def _height(static: bytes) -> float:
    """The height of a static image, SVG or PNG (drawn at scale 1: one pixel per CSS px)."""
    if static.startswith(b"\x89PNG"):
        return struct.unpack(">I", static[20:24])[0]
    return float(re.search(rb"<svg[^>]*?\sheight=\"([\d.]+)\"", static).group(1))


def _box(figure: Figure, spec: dict, height: float) -> str:
    """The drawn height of a chart, known here so its .view can reserve it and the page does not jump.

    `height` is the chart's height as built, --h1: that of its static image, whose layout
    (all but a "container" width) is the page's. A figure that grows is laid out again at the
    largest size report.js may give it, --dh taller; its axes and legends keep their size, so in
    between the height follows the plot's width in a straight line, --k px per px, which
    report.css applies to the width the page leaves beyond the plot's built width (--w). Menus
    bound to the chart take one more row (--menus), whose height report.css sets.
    """
    import vl_convert

    height = int(height) if height == int(height) else height
    box = f"--h1:{height}px"
    if figure.grow > 1:
        # the same arithmetic as report.js's grow()
        grown = dict(spec, width=int(spec["width"] * figure.grow), height=int(spec["height"] * figure.grow))
        more = vl_convert.vega_to_scenegraph(grown)["height"] - height
        box += f";--w:{spec['width']}px;--dh:{more}px;--k:{more / (grown['width'] - spec['width']):.6f}"
    if any("bind" in signal for signal in spec.get("signals", [])):
        box += ";--menus:1"  # vega-embed adds a row of menus under the chart
    return box


def _stable_ids(svg: str) -> str:
    """Number gradient ids from 0 in each file: Vega counts them per process, which breaks reproducible builds."""
    numbers: dict[str, str] = {}
    return re.sub(r"gradient_\d+", lambda m: numbers.setdefault(m.group(), f"gradient_{len(numbers)}"), svg)
