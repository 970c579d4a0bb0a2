"""A figure made ready for a page: its Vega spec (compiled from the chart's Vega-Lite by vl-convert,
so the browser skips the compiler), a static image for readers without JavaScript, and the
height its view reserves so the page does not jump as it draws."""

from __future__ import annotations

import json
import re
import struct
from dataclasses import dataclass

from . import fit
from .page import Figure


@dataclass(frozen=True)
class Rendered:
    """A figure resolved for writing: its spec, and its static image for readers without JavaScript."""

    figure: Figure
    spec: dict  # Vega, compiled from the chart's Vega-Lite
    static: bytes
    box: str  # CSS custom properties giving the .view its drawn size before it draws (see fit.box)

    @property
    def static_name(self) -> str:
        return f"figures/{self.figure.id}.{self.figure.static}"

    @property
    def fits(self) -> bool:
        """Whether report.js sizes it to its card: fit.box gave it a built width (--w1) to scale from."""
        return "--w1:" in self.box

    @property
    def spec_name(self) -> str:
        """Where the folder site keeps a spec too large to inline (see render.spec_files)."""
        return f"figures/{self.figure.id}.spec.js"


def resolve(figure: Figure, chart: dict) -> Rendered:
    """The figure made ready from `chart`, its Vega-Lite (figure.chart.to_dict(), made by the caller: figures.py keys its cache by it)."""
    import vl_convert

    # Compiled to Vega here, so the browser skips the Vega-Lite compiler: 10-18% sooner painted.
    spec = vl_convert.vegalite_to_vega(chart)
    # Vega names its view by the spec's description, and the drawn chart replaces the page's own name
    # for it (aria-label) with that, "Vega visualization" by default: each chart keeps its alt text.
    spec["description"] = figure.alt
    text = json.dumps(chart)
    if '"width": "container"' in text:
        # "container" width has no container in a static render: give it a page-like width.
        fixed = json.loads(text.replace('"width": "container"', '"width": 640'))
        static = vl_convert.vegalite_to_svg(fixed) if figure.static == "svg" else vl_convert.vegalite_to_png(fixed)
    else:  # the same picture as from the Vega-Lite, without compiling it again
        static = vl_convert.vega_to_svg(spec) if figure.static == "svg" else vl_convert.vega_to_png(spec)
    static = _stable_ids(static).encode() if figure.static == "svg" else static
    return Rendered(figure, spec, static, fit.box(figure, spec, *_size(static)))


def _size(static: bytes) -> tuple[float, float]:
    """The width and height of a static image, SVG or PNG (drawn at scale 1: one pixel per CSS px)."""
    if static.startswith(b"\x89PNG"):
        return struct.unpack(">II", static[16:24])
    svg = re.search(rb"<svg[^>]*>", static).group()
    return tuple(float(re.search(rb"\s" + side + rb"=\"([\d.]+)\"", svg).group(1)) for side in (b"width", b"height"))


def _stable_ids(svg: str) -> str:
    """Number gradient ids from 0 in each file: Vega counts them per process, which breaks reproducible builds."""
    numbers: dict[str, str] = {}
    return re.sub(r"gradient_\d+", lambda m: numbers.setdefault(m.group(), f"gradient_{len(numbers)}"), svg)
