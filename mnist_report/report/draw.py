"""What every chart of the report shares: sizes, colours, the look, colour keys and picture grids.

Image grids are one `image` mark per picture, or one sprite for many (see images.py), with a
colour key drawn as a real Vega legend, so they paint fast and stay accurate; rect heatmaps are
kept for single small grids where each cell's tooltip matters. Chart functions themselves live
with their page (pages/), pure and usable in a notebook (`mnist_report.charts`).

Channels are written as Altair classes (alt.X("q1:Q"), alt.OpacityValue(1)), never as shorthand
strings or alt.value(): Altair resolves those through a schema lookup of about 7 ms each.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import polars as pl

from . import images

# Sizes in px, chosen so every figure fits the 340 px a 375 px phone leaves it.
CELL = 64  # one image of the first-images gallery (4 across)
MEAN = 56  # one mean image (5 across)
GALLERY = 50  # one image in the 6-wide galleries
SMALL = 30  # one panel of the 10x10 grids
INK_COLOUR = "#1f4e79"  # bars and points: dark enough for 4.5:1 contrast on white
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
SPLIT_COLOURS = {
    "train": INK_COLOUR,
    "test": "#c25100",
}  # blue and orange: told apart by colour-blind readers, 4.5:1 on white
# A chart's title wraps at this many px: it starts at the chart's left edge, so it may span the axes too.
TITLE_WIDTH = 260
# Class names longer than this many px are cut with an ellipsis on axes; the marks' tooltips give them whole.
LABEL_LIMIT = 100
# Beyond this many classes a figure with a cell per pair of classes (the grid of differences, a confusion table)
# no longer fits a page readably: a heat map in an order that keeps similar classes together, and ranked lists, take its place.
MANY = 20
# ColorBrewer's YlOrRd, dark for near: heat maps of distances, drawn as rects or as one picture (images.heat_rgb).
HEAT = ("#800026", "#bd0026", "#e31a1c", "#fc4e2a", "#fd8d3c", "#feb24c", "#fed976", "#ffeda0", "#ffffcc")
# Paul Tol's "muted" scheme, designed to stay distinct for colour-blind readers, with a dark grey for a tenth class.
CLASS_COLOURS = (
    "#332288",
    "#88ccee",
    "#44aa99",
    "#117733",
    "#999933",
    "#ddcc77",
    "#cc6677",
    "#882255",
    "#aa4499",
    "#555555",
)

# The shared look, built once. Set as an attribute, not with chart.configure_*(): each of
# those deep-copies the whole chart, a quarter of the time spent making the charts.
_LABELS = {"labelFontSize": 12, "titleFontSize": 12, "labelColor": "#222", "titleColor": "#222"}  # of axes and legends
CONFIG = alt.Config(
    font=FONT,
    background="white",
    view=alt.ViewConfig(stroke=None),
    axis=alt.AxisConfig(**_LABELS, domainColor="#666", tickColor="#666", gridColor="#e5e5e5"),
    # Legends sit under their chart, so a figure is no wider than a phone allows.
    legend=alt.LegendConfig(**_LABELS, orient="bottom", direction="horizontal", gradientLength=150),
    title=alt.TitleConfig(fontSize=14, color="#222", anchor="start"),
)


# Widths of characters in DejaVu Sans (the system-ui font of a Debian browser, and among the widest), in em.
_EM = {
    **dict.fromkeys("'ijlIJ", 0.29),
    **dict.fromkeys(",. /:;|\\f-", 0.35),
    **dict.fromkeys("t()[]!r", 0.41),
    **dict.fromkeys("mwMW%@", 1.0),
}


def text_width(text: str, size: float = 12, bold: bool = False) -> float:
    """About how wide `text` is drawn, in px: enough to choose a layout, erring wide (bold is an eighth wider)."""
    em = sum(_EM.get(c, 1.0 if ord(c) > 0x2000 else 0.72 if c.isupper() else 0.64) for c in str(text))
    return em * size * (1.13 if bold else 1.0)


def wrap(text: str, width: float = 180, size: float = 12, bold: bool = True) -> str | list[str]:
    """`text` in lines no wider than `width` px (Vega draws a list as lines), so a title is never wider than
    the plot a phone leaves it; a word longer than a line keeps a line of its own."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and text_width(f"{lines[-1]} {word}", size, bold) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines[0] if len(lines) == 1 else lines


def name_axis(
    names, scale: str, cell: float, across: bool, size: int = 12, lines: int = 1, padding: float = 0, **options
) -> alt.Axis:
    """An axis naming classes, a band of `cell` px each as built, for a chart drawn larger or smaller (fit.py).

    The font follows the band (a signal of the drawn chart), so two names never overlap; along x
    (`across`), names wider than their band stand on end; names longer than LABEL_LIMIT px are cut
    with an ellipsis, the marks' tooltips giving them whole. `scale` is the Vega scale's name ("x");
    `padding` its paddingInner: a name may take the whole step, not just the band its mark fills.
    """
    em = max((text_width(line, 1) for n in names for line in str(n).split("\n")), default=1.0)  # px per px of font
    band = f"bandwidth('{scale}') / {1 - padding:g}" if padding else f"bandwidth('{scale}')"
    upright = across and em * size <= cell - 2
    font = (
        f"min({size}, ({band} - 2) / {em:.3f})" if upright else f"min({size}, ({band} - 1) / {1.25 * lines - 0.25:g})"
    )
    angle = {"labelAngle": 0 if upright else -90} if across else {}
    if lines > 1:  # names of several lines, split where they hold a line break
        options |= {"labelExpr": "split(datum.label, '\\n')", "labelLineHeight": alt.expr(f"1.25 * {font}")}
    return alt.Axis(labelFontSize=alt.expr(font), labelLimit=LABEL_LIMIT, **angle, **options)


def finish(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The shared look; every public chart function returns through here (the chart is its own, just made)."""
    chart.config = CONFIG
    return chart


def ink_colour(field: str, title: str) -> alt.Color:
    """Ink 0-255 on the same white-to-black ramp as the pictures (images.GREY)."""
    return alt.Color(
        f"{field}:Q",
        title=title,
        scale=alt.Scale(domain=[0, 255], range=list(images.GREY), interpolate="rgb"),
        legend=alt.Legend(values=[0, 64, 128, 192, 255]),
    )


def ink_key(title: str) -> alt.Chart:
    """An invisible layer whose only job is the grey legend for ink pictures."""
    return alt.Chart(pl.DataFrame({"v": [0, 255]})).mark_point(opacity=0).encode(color=ink_colour("v", title))


def diverging_key(limit: float, title: str) -> alt.Chart:
    """An invisible layer whose only job is the red/blue legend of difference pictures."""
    return (
        alt.Chart(pl.DataFrame({"v": [-limit, limit]}))
        .mark_point(opacity=0)
        .encode(
            color=alt.Color(
                "v:Q",
                title=title,
                scale=alt.Scale(domain=[-limit, 0, limit], range=list(images.DIVERGING), interpolate="rgb"),
                legend=alt.Legend(format=".0f"),
            )
        )
    )


def many(analysis) -> bool:
    """Whether the dataset has more classes than per-pair grids can show (MANY)."""
    return len(analysis.present) > MANY


def heat_colour(field: str, title: str, low: float, high: float) -> alt.Color:
    """Distances from `low` (dark red) to `high` (pale), the same ramp as images.heat_rgb."""
    return alt.Color(
        f"{field}:Q",
        title=title,
        scale=alt.Scale(domain=[low, high], range=list(HEAT), interpolate="rgb"),
        legend=alt.Legend(format=".0f"),
    )


def split_colour(title: str = "Split") -> alt.Color:
    return alt.Color(
        "split:N", title=title, scale=alt.Scale(domain=list(SPLIT_COLOURS), range=list(SPLIT_COLOURS.values()))
    )


def named_pictures(table: pl.DataFrame, tooltip: list, columns: int = 5, size: int = MEAN) -> alt.LayerChart:
    """Pictures (`url`) `columns` to a row, each with its `name` under it (cut to the picture's width, whole
    in the tooltip); they follow the view's size where it grows."""
    data = table.with_columns(
        (pl.int_range(pl.len()) % columns).alias("col"), (pl.int_range(pl.len()) // columns).alias("row")
    )
    side = f"width / {columns} - 8"  # `size` at phone size, more where the page grows the view
    font = 12 if size >= MEAN else 10
    base = alt.Chart(data).encode(x=alt.X("col:O", axis=None), y=alt.Y("row:O", axis=None), tooltip=tooltip)
    pictures = base.mark_image(width=alt.expr(side), height=alt.expr(side), smooth=False).encode(url=alt.Url("url:N"))
    captions = base.mark_text(
        baseline="top",
        dy=alt.expr(f"({side}) / 2 + 2"),
        fontSize=font,
        color="#222",
        limit=alt.expr(f"{side} + 6"),  # a name longer than its picture is cut, whole in the tooltip
    ).encode(text=alt.Text("name:N"))
    return (pictures + captions).properties(
        width=columns * (size + 8), height=-(-data.height // columns) * (size + 2 * font)
    )


def sprite_grid(
    table: pl.DataFrame,
    panels: list[np.ndarray],
    cells: list[tuple[int, int]],
    rows: int,
    cols: int,
    cell: int,
    x: alt.X,
    y: alt.Y,
    tooltip: list,
    highlight: str | None = None,
    size: tuple[str, str] = ("width", "height"),
) -> alt.LayerChart:
    """A grid of pictures drawn as one sprite image, under one invisible cell per row of `table`.

    The cells carry the axes, the tooltips and the highlight (dimming the rest), so the
    browser draws one picture instead of dozens. `cells` gives each panel's (row, col).
    The sheet follows the plot's size as drawn (fit.py), the signals `size` names: inside a
    concatenation each part has a height of its own (Vega-Lite's "concat_1_height").
    """
    gap = 2
    # Cells keep the pictures' shape: `cell` wide, as tall as the pictures' height to width makes them.
    tall = round(cell * panels[0].shape[0] / panels[0].shape[1]) if len(panels) else cell
    width, height = (alt.expr(side) for side in size)
    sheet = (
        alt.Chart(pl.DataFrame({"url": [images.sprite_url(panels, cells, rows, cols, gap)]}))
        .mark_image(
            width=width,
            height=height,
            align="left",
            baseline="top",
            smooth=False,
        )
        .encode(url=alt.Url("url:N"), x=alt.XValue(0), y=alt.YValue(0))
    )
    band = alt.Scale(paddingInner=0, paddingOuter=0)
    veil = (
        alt.FillOpacityValue(**alt.condition(highlight, alt.value(0.0), alt.value(0.75)))
        if highlight
        else alt.FillOpacityValue(0.0)
    )
    # A nearly transparent fill still catches the pointer; the veil dims what the highlight leaves out.
    overlay = (
        alt.Chart(table)
        .mark_rect(fill="white")
        .encode(
            x=x.scale(band),
            y=y.scale(band),
            fillOpacity=veil,
            opacity=alt.OpacityValue(1),
            tooltip=tooltip,
        )
    )
    return alt.layer(sheet, overlay).properties(width=cols * cell, height=rows * tall)


def dumbbell(
    data: pl.DataFrame,
    y: alt.Y,
    field: str,
    title: str,
    colour: alt.Color,
    shape: alt.Shape,
    tooltip: list,
    line: str = "#888",
) -> alt.LayerChart:
    """One dot per group (split, classifier) in each class's row, on a line from the smallest to the largest:
    long lines mark the classes where the groups differ. Dots and line share the axis title, so a screen reader's
    description of a dot names its value by it ("Scored right (%): 87.2", not the column's name)."""
    spans = (
        alt.Chart(data)
        .mark_rule(color=line)
        .encode(y=y, x=alt.X(f"min({field}):Q", title=title, scale=alt.Scale(zero=False)), x2=alt.X2(f"max({field}):Q"))
    )
    dots = (
        alt.Chart(data)
        .mark_point(filled=True, size=70)
        .encode(
            y=y,
            x=alt.X(f"{field}:Q", title=title),
            color=colour,
            shape=shape,
            tooltip=tooltip,
        )
    )
    return (spans + dots).properties(width="container", height=alt.Step(24))


def legend_columns(names, width: float = 250, size: int = 12, limit: float = LABEL_LIMIT) -> int:
    """Columns for a legend of `names` (cut at `limit` px) under a chart, so it is never wider than `width` px."""
    entry = max((min(text_width(n, size), limit) for n in names), default=0) + 16 + 10  # symbol, label, gap
    return max(1, min(len(names), int(width // entry)))


def highlight_menu(names, noun: str) -> tuple[alt.Parameter, str]:
    """A menu, which the keyboard reaches, that brings out one class: the parameter to add to the chart and
    the test its marks' opacity takes ("all" chosen: every mark passes)."""
    focus = alt.param(
        name="focus",
        value=None,
        bind=alt.binding_select(options=[None, *names], labels=["all", *names], name=f"Highlight {noun}: "),
    )
    return focus, "focus === null || datum.name === focus"


SMALLEST = 0.7  # about the smallest a phone draws a chart that fits its card, as a share of its built size


def placed_labels(
    points: pl.DataFrame,
    names: str,
    domain: dict,
    width: float,
    height: float,
    size: int = 15,
    beside: bool = False,
    grow: float = 1.0,
):
    """Where to write each point's name so that no two names overlap: `points` (x, y and the `names`
    column) with the name's centre as a pixel offset from its point (ox, oy: `label_at` draws it), and
    `shown`: false for a name with no free place near its point (its point names it on hover). Laid
    out on the plot built `width` x `height` px, drawn SMALLEST times that on a phone (larger, the points
    move apart and each name keeps its place beside its own), whose scales span `domain` ({"x": (low,
    high), "y": ...}, y upwards): on the point where that is free, else just above, below or beside
    it, or farther out. `beside`: never on a point, nor on any other point (the points are dots a
    name would hide). A name twice or three times as far as beside its point is `far`: `leaders`
    draws a line from the point to where it meets the name's box (lox, loy). `grow`: how many times
    its built size the chart may be drawn (its Figure's grow); a place must be free at that size and
    halfway there too, since the points move apart while the names keep their size and distance."""
    width, height, grow = width * SMALLEST, height * SMALLEST, grow / SMALLEST
    (x0, x1), (y0, y1) = domain["x"], domain["y"]
    sx, sy = width / (x1 - x0), height / (y1 - y0)
    dot = 5  # half a dot's side, in px
    places = [((x - x0) * sx, (y1 - y) * sy) for x, y in points.select("x", "y").iter_rows()]
    scales = sorted({1.0, (1 + grow) / 2, grow})
    # Boxes taken, as (point, offset, half sizes): a point's own dot when names must not cover points.
    placed = [(px, py, 0.0, 0.0, dot, dot) for px, py in places] if beside else []
    out = []
    for name, (px, py) in zip(points[names], places, strict=True):
        w, h = text_width(name, size, bold=True) + 4, size + 4
        for ring, dx, dy in list(_NEARBY(w, h))[1 if beside else 0 :]:
            box = (px, py, dx, dy, w / 2, h / 2)
            if all(_fits(box, g, width, height) and not any(_meet(box, other, g) for other in placed) for g in scales):
                placed.append(box)
                t = 1 - min(w / 2 / abs(dx) if dx else 1, h / 2 / abs(dy) if dy else 1)  # where the box begins
                out.append((dx, dy, True, ring > 1, t * dx, t * dy))
                break
        else:
            out.append((0.0, 0.0, False, False, 0.0, 0.0))
    columns = zip(*out, strict=True) if out else ((),) * 6
    kinds = {
        "ox": pl.Float64,
        "oy": pl.Float64,
        "shown": pl.Boolean,
        "far": pl.Boolean,
        "lox": pl.Float64,
        "loy": pl.Float64,
    }
    return points.with_columns(
        pl.Series(name, values, dtype=kind) for (name, kind), values in zip(kinds.items(), columns, strict=True)
    )


def label_at(mark: alt.Chart, **text) -> alt.Chart:
    """`mark` (a chart of placed_labels' rows) as names written at their places: on their points, moved by
    (ox, oy) px, so that a chart drawn larger keeps each name beside its point."""
    return mark.mark_text(dx=alt.expr("datum.ox"), dy=alt.expr("datum.oy"), **text)


def leaders(named: pl.DataFrame, x: alt.X, y: alt.Y) -> list[alt.Chart]:
    """Thin lines from each point to its name where placed_labels put the name farther than beside it
    (without one, a name in a crowd reads as naming the nearest other point); none where none is far."""
    far = named.filter(pl.col("far"))
    if far.is_empty():
        return []
    line = alt.Chart(far).mark_rule(
        color="#666", strokeWidth=1, x2Offset=alt.expr("datum.lox"), y2Offset=alt.expr("datum.loy")
    )
    return [line.encode(x=x, y=y, x2=alt.X2(x.shorthand.split(":")[0]), y2=alt.Y2(y.shorthand.split(":")[0]))]


def _NEARBY(w: float, h: float):
    """Offsets to try, nearest first, with their ring: on the point (0), then around it (1), then twice
    and three times as far (2, 3)."""
    yield 0, 0.0, 0.0
    for far in (1, 2, 3):
        for dx, dy in (
            (0, -h),
            (0, h),
            (w / 2 + 6, 0),
            (-w / 2 - 6, 0),
            (w / 2, -h),
            (-w / 2, -h),
            (w / 2, h),
            (-w / 2, h),
        ):
            yield far, dx * far, dy * far


def _fits(box, g: float, width: float, height: float) -> bool:
    """Whether a placed box lies inside the plot drawn `g` times as large."""
    px, py, dx, dy, hw, hh = box
    return hw <= px * g + dx <= width * g - hw and hh <= py * g + dy <= height * g - hh


def _meet(a, b, g: float) -> bool:
    """Whether two placed boxes overlap on the plot drawn `g` times as large (points move, offsets stay)."""
    return abs(a[0] * g + a[2] - b[0] * g - b[2]) < a[4] + b[4] and abs(a[1] * g + a[3] - b[1] * g - b[3]) < a[5] + b[5]
