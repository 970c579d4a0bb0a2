"""Charts that fit their card: the arithmetic report.js and report.css share, worked out at build time.

A chart is built at a phone's size (factor 1). In the browser every plot size it states (its
width and height, a facet's or a concatenation's child sizes) is multiplied by one factor, chosen
so the whole drawing, axes and legends included, is as wide as its card: smaller than built on
a 320 px phone, larger on a wide page up to the figure's `grow`. Axes and legends keep their
size, so the drawing's width and height follow the factor in a straight line; two layouts by
vl-convert (as built, and at another factor) give both lines. report.js then needs no guess
of how much room the axes take, and report.css reserves the height the card's width gives
before anything draws, so the page does not jump.
"""

from __future__ import annotations

import re

from .page import Figure

# Size signals Vega-Lite gives the plots of a facet or a concatenation; a single view's are the spec's own width and height.
SIZE_SIGNAL = re.compile(r"^(child_?|concat_\d+_)(width|height|Width|Height)$")


def sizes(spec: dict) -> list[str]:
    """The names of the sizes report.js multiplies: "width"/"height" for the spec's own, or signal names."""
    own = [key for key in ("width", "height") if isinstance(spec.get(key), (int, float))]
    signals = [
        s["name"]
        for s in spec.get("signals", [])
        if SIZE_SIGNAL.match(s["name"]) and isinstance(s.get("value"), (int, float)) and "update" not in s
    ]
    return own + signals


def scaled(spec: dict, factor: float) -> dict:
    """The spec with every plot size multiplied by `factor`, rounded down as report.js's fit() does."""
    names, out = set(sizes(spec)), dict(spec)
    for key in ("width", "height"):
        if key in names:
            out[key] = int(spec[key] * factor)
    if "signals" in spec:
        out["signals"] = [dict(s, value=int(s["value"] * factor)) if s["name"] in names else s for s in spec["signals"]]
    return out


def box(figure: Figure, spec: dict, width: float, height: float) -> str:
    """CSS custom properties for the figure's .view: its drawn size as built (--w1, --h1), and for a chart
    that fits its card, how the drawing's width (--s px per unit of factor) and height (--k px per px of
    width) follow the factor between --lo and --hi. `width` and `height` are the drawing's as built."""
    import vl_convert

    height = int(height) if height == int(height) else height
    out = f"--h1:{height}px"
    if any("bind" in signal for signal in spec.get("signals", [])):
        out += ";--menus:1"  # vega-embed adds a row of menus under the chart, whose height report.css sets
    if not any(name.lower().endswith("width") for name in sizes(spec)) or (figure.shrink >= 1 and figure.grow <= 1):
        return out  # a "container" width fits by itself
    # A second layout, larger: smaller, a title or a legend wider than the plot would bend the lines.
    other = max(figure.grow, 1.5)
    drawn = vl_convert.vega_to_scenegraph(scaled(spec, other))
    slope = (drawn["width"] - width) / (other - 1)  # px of drawing per unit of factor
    if slope <= 0:  # nothing in the drawing follows the factor
        return out
    k = (drawn["height"] - height) / (drawn["width"] - width)
    return (
        f"{out};--w1:{width:g}px;--s:{slope:.4f};--lo:{figure.shrink:g};--hi:{figure.grow:g};--k:{k:.6f}"
        f";--dl:{(figure.shrink - 1) * slope * k:.2f}px;--dh:{(figure.grow - 1) * slope * k:.2f}px"
    )
