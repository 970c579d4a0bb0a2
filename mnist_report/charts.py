"""One function per figure: `Analysis -> alt.Chart`. Pure, no I/O, usable in a notebook.

Image grids are one `image` mark per picture (see images.py) with a colour key
drawn as a real Vega legend, so they paint fast and stay accurate; rect heatmaps
are kept for single small grids where each cell's tooltip matters.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import polars as pl

from . import images
from .analysis import Analysis, Gallery

# Sizes in px, chosen so every figure fits the 340 px a 375 px phone leaves it.
CELL = 64  # one image of the first-images gallery (4 across)
MEAN = 56  # one mean image (5 across)
GALLERY = 50  # one image in the 6-wide galleries
SMALL = 30  # one panel of the 10x10 grids
INK = "#1f4e79"  # bars and points: dark enough for 4.5:1 contrast on white
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


# Channels are written as Altair classes (alt.X("q1:Q"), alt.OpacityValue(1)), never as shorthand
# strings or alt.value(): Altair resolves those through a schema lookup of about 7 ms each.

# The shared look, built once. Set as an attribute, not with chart.configure_*(): each of
# those deep-copies the whole chart, a quarter of the time spent making the charts.
CONFIG = alt.Config(
    font=FONT, background="white", view=alt.ViewConfig(stroke=None),
    axis=alt.AxisConfig(labelFontSize=12, titleFontSize=12, labelColor="#222", titleColor="#222", domainColor="#666", tickColor="#666", gridColor="#e5e5e5"),
    # Legends sit under their chart, so a figure is no wider than a phone allows.
    legend=alt.LegendConfig(labelFontSize=12, titleFontSize=12, labelColor="#222", titleColor="#222",
                            orient="bottom", direction="horizontal", gradientLength=200),
    title=alt.TitleConfig(fontSize=14, color="#222", anchor="start"),
)


def _finish(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The shared look; every public function returns through here (the chart is its own, just made)."""
    chart.config = CONFIG
    return chart


def _noun(analysis: Analysis, plural: bool = False) -> str:
    return analysis.dataset.class_noun[plural]


def _ink_color(field: str, title: str) -> alt.Color:
    """Ink 0-255 on the same white-to-black ramp as the pictures (images.GREY)."""
    return alt.Color(f"{field}:Q", title=title, scale=alt.Scale(domain=[0, 255], range=list(images.GREY), interpolate="rgb"),
                     legend=alt.Legend(values=[0, 64, 128, 192, 255]))


def _ink_key(title: str) -> alt.Chart:
    """An invisible layer whose only job is the grey legend for ink pictures."""
    return alt.Chart(pl.DataFrame({"v": [0, 255]})).mark_point(opacity=0).encode(color=_ink_color("v", title))


def _ordered_pairs(analysis: Analysis) -> pl.DataFrame:
    """Every ordered pair of present classes: i, j (their places in present_names), row, col, distance."""
    present, names = analysis.present, analysis.present_names
    return pl.DataFrame(
        [(i, j, names[i], names[j], float(analysis.pair_distances[present[i], present[j]]))
         for i in range(len(present)) for j in range(len(present)) if i != j],
        schema=["i", "j", "row", "col", "distance"], orient="row",
    )


def class_counts(analysis: Analysis) -> alt.Chart:
    """How many images each class has, with the share in the tooltip."""
    noun = _noun(analysis)
    data = analysis.counts.with_columns((pl.col("share") * 100).round(1).alias("percent"))
    base = alt.Chart(data).encode(
        y=alt.Y("name:N", sort=list(analysis.dataset.class_names), title=noun.capitalize()),
        x=alt.X("count:Q", title="Images"),
        tooltip=[alt.Tooltip("name:N", title=noun.capitalize()), alt.Tooltip("count:Q", title="Images", format=","),
                 alt.Tooltip("percent:Q", title="Share (%)")],
    )
    bars = base.mark_bar(color=INK)
    text = base.mark_text(align="left", dx=3, color="#222").encode(text=alt.Text("count:Q", format=","))
    return _finish((bars + text).properties(width="container", height=22 * len(data)))


def first_images(analysis: Analysis) -> alt.Chart:
    """The first images of the input in reading order, with label and instance number."""
    gallery = analysis.first
    columns = 4
    data = _gallery_rows(gallery).with_columns(
        (pl.int_range(pl.len()) % columns).alias("col"),
        (pl.int_range(pl.len()) // columns).alias("row"),
        pl.format("#{} · {}", pl.col("instance"), pl.col("name")).alias("caption"),
    )
    noun = _noun(analysis).capitalize()
    base = alt.Chart(data).encode(
        x=alt.X("col:O", axis=None),
        y=alt.Y("row:O", axis=None),
        tooltip=[alt.Tooltip("instance:Q", title="Instance"), alt.Tooltip("name:N", title=noun)],
    )
    size = f"width / {columns} - 16"  # CELL at phone size, more where the page grows the view
    pictures = base.mark_image(width=alt.expr(size), height=alt.expr(size), smooth=False).encode(url=alt.Url("url:N"))
    captions = base.mark_text(baseline="top", dy=alt.expr(f"({size}) / 2 + 2"), fontSize=11, color="#222").encode(text=alt.Text("caption:N"))
    rows = -(-len(data) // columns)
    return _finish((pictures + captions).properties(width=columns * (CELL + 16), height=rows * (CELL + 22)))


def first_image_pixels(analysis: Analysis) -> alt.Chart:
    """The first image as its 784 rows of the tidy table: one cell per pixel, with its x, y and value."""
    image = analysis.first.images[0]
    first = analysis.first.table.row(0, named=True)
    ys, xs = np.indices(image.shape)
    data = pl.DataFrame({"x": xs.ravel(), "y": ys.ravel(), "value": image.ravel().astype(np.int64)})
    sample = analysis.tidy_sample
    y_sample = int(sample["y"][0])
    cell = 10
    side = image.shape[0]
    x = alt.X("x:Q", title="x (column)", scale=alt.Scale(domain=[0, side], nice=False), axis=alt.Axis(values=list(range(0, side + 1, 4))))
    y = alt.Y("y:Q", title="y (row)", scale=alt.Scale(domain=[0, side], nice=False, reverse=True), axis=alt.Axis(values=list(range(0, side + 1, 4))))
    pixels = alt.Chart(data).transform_calculate(x1="datum.x + 1", y1="datum.y + 1").mark_rect().encode(
        x=x, x2=alt.X2("x1:Q"), y=y, y2=alt.Y2("y1:Q"),
        color=_ink_color("value", "Value"),
        tooltip=[alt.Tooltip("x:Q"), alt.Tooltip("y:Q"), alt.Tooltip("value:Q", title="Value")],
    )
    outline = {"x": int(sample["x"].min()), "x1": int(sample["x"].max()) + 1, "y": y_sample, "y1": y_sample + 1}
    marker = alt.Chart(pl.DataFrame([outline])).mark_rect(fill=None, stroke="#d9480f", strokeWidth=2).encode(x=x, x2=alt.X2("x1:Q"), y=y, y2=alt.Y2("y1:Q"))
    chart = (pixels + marker).properties(width=28 * cell, height=28 * cell, title=f"Instance {first['instance']} ({first['name']}), pixel by pixel")
    return _finish(chart)


def pixel_histogram(analysis: Analysis, zeros: bool = True) -> alt.Chart:
    """How often each pixel value occurs; without the zeros (`zeros=False`) the rest can be seen."""
    counts = analysis.pixel_counts
    data = pl.DataFrame({"value": np.arange(256), "count": counts, "percent": counts / counts.sum() * 100})
    if not zeros:
        data = data.filter(pl.col("value") > 0)
    chart = alt.Chart(data).transform_calculate(end="datum.value + 1").mark_bar(color=INK).encode(
        x=alt.X("value:Q", title="Pixel value (0 = background, 255 = full ink)", scale=alt.Scale(domain=[0 if zeros else 1, 256], nice=False)),
        x2=alt.X2("end:Q"),
        y=alt.Y("count:Q", title="Pixels", axis=alt.Axis(format="~s")),
        y2=alt.datum(0),  # with both x ends given, a bar needs its base too
        tooltip=[alt.Tooltip("value:Q", title="Value"), alt.Tooltip("count:Q", title="Pixels", format=","),
                 alt.Tooltip("percent:Q", title="Share (%)", format=".3f")],
    )
    return _finish(chart.properties(width="container", height=200))


def centroids(analysis: Analysis) -> alt.Chart:
    """The mean image of each class, dark on white."""
    noun = _noun(analysis).capitalize()
    present = analysis.present
    table = pl.DataFrame({"name": analysis.present_names, "count": [int(analysis.counts["count"][k]) for k in present],
                          "url": [images.ink_url(analysis.centroids[k]) for k in present]})
    tooltip = [alt.Tooltip("name:N", title=noun), alt.Tooltip("count:Q", title="Images averaged", format=",")]
    return _finish(alt.layer(_named_pictures(table, tooltip), _ink_key("Mean ink")))


def _named_pictures(table: pl.DataFrame, tooltip: list) -> alt.LayerChart:
    """Pictures (`url`) five to a row, each with its `name` under it; they follow the view's size where it grows."""
    data = table.with_columns((pl.int_range(pl.len()) % 5).alias("col"), (pl.int_range(pl.len()) // 5).alias("row"))
    size = "width / 5 - 8"  # MEAN at phone size, more where the page grows the view
    base = alt.Chart(data).encode(x=alt.X("col:O", axis=None), y=alt.Y("row:O", axis=None), tooltip=tooltip)
    pictures = base.mark_image(width=alt.expr(size), height=alt.expr(size), smooth=False).encode(url=alt.Url("url:N"))
    captions = base.mark_text(baseline="top", dy=alt.expr(f"({size}) / 2 + 2"), fontSize=12, color="#222").encode(text=alt.Text("name:N"))
    return (pictures + captions).properties(width=5 * (MEAN + 8), height=-(-data.height // 5) * (MEAN + 24))


def distance_boxplots(analysis: Analysis, highlight: str | None = None) -> alt.LayerChart:
    """Each class's distances to its centroid as a boxplot, the outliers as points with their instance."""
    noun = _noun(analysis).capitalize()
    order = analysis.present_names
    stats = analysis.distance_stats
    y = alt.Y("name:N", sort=order, title=noun)
    x_title = f"RMS distance to the {_noun(analysis)}'s mean image"
    tooltip = [alt.Tooltip("name:N", title=noun), alt.Tooltip("n:Q", title="Images", format=","),
               alt.Tooltip("median:Q", title="Median", format=".1f"), alt.Tooltip("q1:Q", title="Lower quartile", format=".1f"),
               alt.Tooltip("q3:Q", title="Upper quartile", format=".1f"), alt.Tooltip("max:Q", title="Largest", format=".1f")]
    opacity = alt.OpacityValue(**alt.condition(highlight, alt.value(1.0), alt.value(0.25))) if highlight else alt.OpacityValue(1.0)
    base = alt.Chart(stats).encode(y=y, tooltip=tooltip, opacity=opacity)
    whiskers = base.mark_rule(color="#333").encode(x=alt.X("whisker_low:Q", title=x_title, scale=alt.Scale(zero=False)), x2=alt.X2("whisker_high:Q"))
    boxes = base.mark_bar(size=16, color="#c6dbef", stroke="#333").encode(x=alt.X("q1:Q"), x2=alt.X2("q3:Q"))
    medians = base.mark_tick(color="#333", size=16, thickness=2).encode(x=alt.X("median:Q"))
    outliers = alt.Chart(analysis.outliers_drawn).mark_point(size=18, color=INK, filled=False).encode(
        x=alt.X("distance:Q"), y=y, opacity=opacity,
        tooltip=[alt.Tooltip("instance:Q", title="Instance"), alt.Tooltip("name:N", title=noun), alt.Tooltip("distance:Q", title="Distance", format=".1f")],
    )
    return alt.layer(whiskers, boxes, medians, outliers).properties(width=6 * GALLERY, height=26 * len(order))


def _extremes(analysis: Analysis, gallery: Gallery, title: str, highlight: str | None = None, grows: bool = True) -> alt.LayerChart:
    """Rows: classes; columns: rank. Each picture's tooltip gives its instance and distance."""
    noun = _noun(analysis).capitalize()
    order = analysis.present_names
    table = gallery.table
    cells = [(order.index(name), rank - 1) for name, rank in zip(table["name"], table["rank"])]
    return _sprite_grid(
        table, [images.ink_rgb(image) for image in gallery.images], cells, len(order), 6, GALLERY,
        x=alt.X("rank:O", title=title, axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("name:N", sort=order, title=noun, axis=alt.Axis(labelFontSize=14)),
        tooltip=[alt.Tooltip("instance:Q", title="Instance"), alt.Tooltip("name:N", title=noun), alt.Tooltip("rank:Q", title="Rank"),
                 alt.Tooltip("distance:Q", title="Distance", format=".1f")],
        highlight=highlight, grows=grows,
    )


def _sprite_grid(table: pl.DataFrame, panels: list[np.ndarray], cells: list[tuple[int, int]], rows: int, cols: int, cell: int,
                 x: alt.X, y: alt.Y, tooltip: list, highlight: str | None = None, grows: bool = True) -> alt.LayerChart:
    """A grid of pictures drawn as one sprite image, under one invisible cell per row of `table`.

    The cells carry the axes, the tooltips and the highlight (dimming the rest), so the
    browser draws one picture instead of dozens. `cells` gives each panel's (row, col).
    With `grows` the sheet follows the view's size (report.js may enlarge it); inside a
    concatenation there is no such view-wide size, so there it keeps its own.
    """
    gap = 2
    width, height = (alt.expr("width"), alt.expr("height")) if grows else (cols * cell, rows * cell)
    sheet = alt.Chart(pl.DataFrame({"url": [images.sprite_url(panels, cells, rows, cols, gap)]})).mark_image(
        width=width, height=height, align="left", baseline="top", smooth=False,
    ).encode(url=alt.Url("url:N"), x=alt.XValue(0), y=alt.YValue(0))
    band = alt.Scale(paddingInner=0, paddingOuter=0)
    veil = alt.FillOpacityValue(**alt.condition(highlight, alt.value(0.0), alt.value(0.75))) if highlight else alt.FillOpacityValue(0.0)
    # A nearly transparent fill still catches the pointer; the veil dims what the highlight leaves out.
    overlay = alt.Chart(table).mark_rect(fill="white").encode(
        x=x.scale(band), y=y.scale(band), fillOpacity=veil, opacity=alt.OpacityValue(1), tooltip=tooltip,
    )
    return alt.layer(sheet, overlay).properties(width=cols * cell, height=rows * cell)


def atypical(analysis: Analysis) -> alt.VConcatChart:
    """Boxplots above the least typical images, with one control picking a class in both."""
    names = analysis.present_names
    focus = alt.param(
        name="focus", value=None,
        bind=alt.binding_select(options=[None, *names], labels=["all", *names], name=f"Highlight {_noun(analysis)}: "),
    )
    highlight = "focus === null || datum.name === focus"
    boxes = distance_boxplots(analysis, highlight).properties(title=f"Distance of each image to its {_noun(analysis)}'s mean")
    least = _extremes(analysis, analysis.least_typical, "Rank (1 = farthest from the mean)", highlight, grows=False)
    return _finish(alt.vconcat(boxes, least.properties(title="The six least typical images")).add_params(focus))


def most_typical(analysis: Analysis) -> alt.LayerChart:
    """The images nearest their class's mean, the counterpart of the least typical."""
    return _finish(_extremes(analysis, analysis.most_typical, "Rank (1 = nearest the mean)"))


def pair_differences(analysis: Analysis) -> alt.LayerChart:
    """Row class's mean minus column class's mean: red where the row's class has more ink, blue where the column's has."""
    noun = _noun(analysis)
    present, order = analysis.present, analysis.present_names
    c = analysis.centroids
    limit = float(max((np.abs(c[a] - c[b]).max() for a in present for b in present if a != b), default=1.0)) or 1.0
    table = _ordered_pairs(analysis)
    pairs = list(zip(table["i"], table["j"]))
    panels = [images.diverging_rgb(c[present[i]] - c[present[j]], limit) for i, j in pairs]
    grid = _sprite_grid(
        table.select("row", "col", "distance"), panels, pairs, len(order), len(order), SMALL,
        x=alt.X("col:N", sort=order, title=f"Column {noun} (blue: darker here)", axis=alt.Axis(orient="top", labelAngle=0, labelFontSize=13)),
        y=alt.Y("row:N", sort=order, title=f"Row {noun} (red: darker here)", axis=alt.Axis(labelFontSize=13)),
        tooltip=[alt.Tooltip("row:N", title=f"Row {noun}"), alt.Tooltip("col:N", title=f"Column {noun}"),
                 alt.Tooltip("distance:Q", title="RMS difference", format=".1f")],
    )
    return _finish(alt.layer(grid, _diverging_key(limit, "Row minus column")))


def pair_distances(analysis: Analysis) -> alt.Chart:
    """The RMS distance between every two class means: small numbers are pairs easy to confuse."""
    noun = _noun(analysis)
    order = analysis.present_names
    table = _ordered_pairs(analysis)
    base = alt.Chart(table.select("row", "col", "distance")).encode(
        x=alt.X("col:N", sort=order, title=None, axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("row:N", sort=order, title=None),
        tooltip=[alt.Tooltip("row:N", title=noun.capitalize()), alt.Tooltip("col:N", title=f"versus {noun}"),
                 alt.Tooltip("distance:Q", title="RMS distance", format=".1f")],
    )
    cells = base.mark_rect().encode(color=alt.Color("distance:Q", title="Distance between means", scale=alt.Scale(scheme="yelloworangered", reverse=True)))
    text = base.mark_text(fontSize=10).encode(
        text=alt.Text("distance:Q", format=".0f"),
        color=alt.ColorValue(**alt.condition(alt.datum.distance < float(table["distance"].median() or 0), alt.value("white"), alt.value("#111"))),
    )
    return _finish((cells + text).properties(width=len(order) * SMALL, height=len(order) * SMALL))


def _gallery_rows(gallery: Gallery) -> pl.DataFrame:
    return gallery.table.with_columns(pl.Series("url", [images.ink_url(image) for image in gallery.images]))


# --- train and test ------------------------------------------------------------------------

SPLIT_COLOURS = {"train": INK, "test": "#c25100"}  # blue and orange: told apart by colour-blind readers, 4.5:1 on white


def _split_colour(title: str = "Split") -> alt.Color:
    return alt.Color("split:N", title=title, scale=alt.Scale(domain=list(SPLIT_COLOURS), range=list(SPLIT_COLOURS.values())))


def split_shares(analysis: Analysis) -> alt.Chart:
    """Each class's share of its split, training and test side by side."""
    noun = _noun(analysis).capitalize()
    data = analysis.comparison.table.filter(pl.col("count") > 0).with_columns((pl.col("share") * 100).alias("percent"))
    chart = alt.Chart(data).mark_bar().encode(
        y=alt.Y("name:N", sort=analysis.present_names, title=noun),
        yOffset=alt.YOffset("split:N", sort=list(SPLIT_COLOURS)),
        x=alt.X("percent:Q", title="Share of the split's images (%)"),
        color=_split_colour(),
        tooltip=[alt.Tooltip("name:N", title=noun), alt.Tooltip("split:N", title="Split"), alt.Tooltip("count:Q", title="Images", format=","),
                 alt.Tooltip("percent:Q", title="Share (%)", format=".2f")],
    )
    return _finish(chart.properties(width="container", height=alt.Step(11)))


def split_ink(analysis: Analysis) -> alt.LayerChart:
    """Mean ink of each class in each split, joined by a line: long lines are classes drawn differently."""
    noun = _noun(analysis).capitalize()
    data = analysis.comparison.table.filter(pl.col("count") > 0)
    y = alt.Y("name:N", sort=analysis.present_names, title=noun)
    x_title = "Mean ink per pixel (0-255)"
    line = alt.Chart(data).mark_rule(color="#888").encode(y=y, x=alt.X("min(mean_ink):Q", title=x_title, scale=alt.Scale(zero=False)), x2=alt.X2("max(mean_ink):Q"))
    dots = alt.Chart(data).mark_point(filled=True, size=70).encode(
        y=y, x=alt.X("mean_ink:Q", title=x_title), color=_split_colour(), shape=alt.Shape("split:N", sort=list(SPLIT_COLOURS), legend=None),
        tooltip=[alt.Tooltip("name:N", title=noun), alt.Tooltip("split:N", title="Split"), alt.Tooltip("mean_ink:Q", title="Mean ink", format=".1f")],
    )
    return _finish((line + dots).properties(width="container", height=alt.Step(24)))


def split_differences(analysis: Analysis) -> alt.LayerChart:
    """Each class's mean training image minus its mean test image, red where training has more ink."""
    comparison = analysis.comparison
    both = [k for k in analysis.present if not np.isnan(comparison.shift[k])]
    diffs = [analysis.centroids[k] - comparison.test_centroids[k] for k in both]
    limit = float(max((np.abs(d).max() for d in diffs), default=1.0)) or 1.0
    table = pl.DataFrame({"name": [analysis.dataset.class_names[k] for k in both], "shift": [float(comparison.shift[k]) for k in both],
                          "url": [images.data_url(images.diverging_rgb(d, limit)) for d in diffs]})
    tooltip = [alt.Tooltip("name:N", title=_noun(analysis).capitalize()), alt.Tooltip("shift:Q", title="RMS difference", format=".1f")]
    return _finish(alt.layer(_named_pictures(table, tooltip), _diverging_key(limit, "Training minus test")))


def split_distances(analysis: Analysis) -> alt.LayerChart:
    """Distance to the training mean image per class, training and test boxplots side by side."""
    noun = _noun(analysis).capitalize()
    data = analysis.comparison.boxes
    y = alt.Y("name:N", sort=analysis.present_names, title=noun)
    offset = alt.YOffset("split:N", sort=list(SPLIT_COLOURS))
    tooltip = [alt.Tooltip("name:N", title=noun), alt.Tooltip("split:N", title="Split"), alt.Tooltip("n:Q", title="Images", format=","),
               alt.Tooltip("median:Q", title="Median", format=".1f"), alt.Tooltip("q1:Q", title="Lower quartile", format=".1f"),
               alt.Tooltip("q3:Q", title="Upper quartile", format=".1f")]
    base = alt.Chart(data).encode(y=y, yOffset=offset, tooltip=tooltip)
    x_title = f"RMS distance to the {_noun(analysis)}'s mean training image"
    whiskers = base.mark_rule().encode(x=alt.X("whisker_low:Q", title=x_title, scale=alt.Scale(zero=False)), x2=alt.X2("whisker_high:Q"), color=_split_colour())
    boxes = base.mark_bar(size=8, stroke="#333", strokeWidth=0.5).encode(x=alt.X("q1:Q"), x2=alt.X2("q3:Q"), color=_split_colour())
    medians = base.mark_tick(color="white", size=8, thickness=2).encode(x=alt.X("median:Q"))
    return _finish(alt.layer(whiskers, boxes, medians).properties(width="container", height=alt.Step(12)))


def _diverging_key(limit: float, title: str) -> alt.Chart:
    """An invisible layer whose only job is the red/blue legend of difference pictures."""
    return alt.Chart(pl.DataFrame({"v": [-limit, limit]})).mark_point(opacity=0).encode(
        color=alt.Color("v:Q", title=title, scale=alt.Scale(domain=[-limit, 0, limit], range=list(images.DIVERGING), interpolate="rgb"),
                        legend=alt.Legend(format=".0f")))


# --- classifiers and the map ----------------------------------------------------------------

# Paul Tol's "muted" scheme, designed to stay distinct for colour-blind readers, with a dark grey for a tenth class.
CLASS_COLOURS = ("#332288", "#88ccee", "#44aa99", "#117733", "#999933", "#ddcc77", "#cc6677", "#882255", "#aa4499", "#555555")


def class_accuracy(analysis: Analysis) -> alt.LayerChart:
    """Share of each class's scored images each classifier gets right."""
    from .classifiers import NAMES, TITLES

    noun = _noun(analysis).capitalize()
    c = analysis.classifiers
    names = analysis.dataset.class_names
    rows = [(TITLES[clf], names[k], float(acc) * 100) for clf in NAMES for k, acc in enumerate(c.class_accuracy(clf)) if not np.isnan(acc)]
    data = pl.DataFrame(rows, orient="row", schema=["classifier", "name", "percent"])
    order = [TITLES[n] for n in NAMES]
    colour = alt.Color("classifier:N", title="Classifier", sort=order, scale=alt.Scale(domain=order, range=[INK, "#c25100", "#2a7f3f"]),
                       legend=alt.Legend(direction="vertical", labelLimit=300))
    y = alt.Y("name:N", sort=[n for n in analysis.present_names if n in set(data["name"])], title=noun)
    line = alt.Chart(data).mark_rule(color="#bbb").encode(y=y, x=alt.X("min(percent):Q", title="Scored right (%)", scale=alt.Scale(zero=False)), x2=alt.X2("max(percent):Q"))
    dots = alt.Chart(data).mark_point(filled=True, size=70).encode(
        y=y, x=alt.X("percent:Q"), color=colour, shape=alt.Shape("classifier:N", sort=order, legend=None),
        tooltip=[alt.Tooltip("name:N", title=noun), alt.Tooltip("classifier:N", title="Classifier"), alt.Tooltip("percent:Q", title="Right (%)", format=".1f")],
    )
    return _finish((line + dots).properties(width="container", height=alt.Step(24)))


def projection_map(analysis: Analysis) -> alt.LayerChart:
    """The images on their first two principal axes, coloured by class, each class mean marked with its name."""
    noun = _noun(analysis).capitalize()
    p = analysis.projection
    names = list(analysis.dataset.class_names)
    colour = alt.Color("name:N", title=noun, sort=names, scale=alt.Scale(domain=names, range=list(CLASS_COLOURS[:len(names)])))
    share = [f"{100 * e:.1f}%" for e in p.explained]
    x = alt.X("x:Q", title=f"First principal axis ({share[0]} of the variance)", axis=alt.Axis(labels=False, ticks=False))
    y = alt.Y("y:Q", title=f"Second axis ({share[1]})", axis=alt.Axis(labels=False, ticks=False))
    points = alt.Chart(p.points).mark_circle(size=12, opacity=0.6).encode(
        x=x, y=y, color=colour,
        tooltip=[alt.Tooltip("instance:Q", title="Instance", format=","), alt.Tooltip("name:N", title=noun)],
    )
    halo = alt.Chart(p.centres).mark_text(fontSize=15, fontWeight="bold", stroke="white", strokeWidth=4).encode(x=x, y=y, text=alt.Text("name:N"))
    centres = alt.Chart(p.centres).mark_text(fontSize=15, fontWeight="bold", color="#111").encode(
        x=x, y=y, text=alt.Text("name:N"), tooltip=[alt.Tooltip("name:N", title=f"Mean image of {noun.lower()}")])
    return _finish(alt.layer(points, halo, centres).properties(width=320, height=320))
