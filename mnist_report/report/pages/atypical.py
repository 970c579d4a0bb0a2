"""Atypical images (atypical.html): how far each image lies from its class's mean, and the oddest ones."""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import numpy as np
import polars as pl

from ...analysis import Analysis
from ...analysis.gallery import Gallery
from .. import images
from ..draw import GALLERY, INK_COLOUR, TITLE_WIDTH, finish, highlight_menu, many, name_axis, sprite_grid, wrap
from ..page import Figure, Named
from . import classes

ORDER = 50
FILE = "atypical.html"
TITLE = "Atypical {nouns}"
SUMMARY = "how far each image lies from its {noun}'s mean, and the oddest ones"

# Vega-Lite's names of the parts of the figure's concatenation: the boxplots, and the gallery under them.
UPPER, LOWER = "concat_0_", "concat_1_"


@dataclass(frozen=True)
class Facts:
    median_distance: float  # of every image to its class mean
    least_variable: Named  # the class with the smallest median distance, and that median
    most_variable: Named
    n_outliers: int  # images beyond the boxplots' whiskers
    n_outliers_drawn: int
    farthest: dict  # instance, name, distance: the image farthest from its class mean
    root_pixels: str  # the square root of the pixel count: the Euclidean distance over it is the RMS distance


def facts(analysis: Analysis) -> Facts:
    ds, names = analysis.dataset, analysis.dataset.class_names
    stats = analysis.distance_stats.sort("median", "label")
    farthest = int(np.argmax(analysis.distances))
    return Facts(
        median_distance=float(np.median(analysis.distances)),
        least_variable=Named(stats["name"][0], float(stats["median"][0])),
        most_variable=Named(stats["name"][-1], float(stats["median"][-1])),
        n_outliers=analysis.outliers.height,
        n_outliers_drawn=analysis.outliers_drawn.height,
        farthest={
            "instance": int(ds.instances[farthest]),
            "name": names[ds.labels[farthest]],
            "distance": float(analysis.distances[farthest]),
        },
        root_pixels=f"{np.sqrt(analysis.centroids[0].size):.3g}",
    )


def distance_boxplots(analysis: Analysis, highlight: str | None = None, part: str = "") -> alt.LayerChart:
    """Each class's distances to its mean image as a boxplot, the outliers as points with their instance.
    (`part`: its place in a concatenation, as Vega-Lite names its scales.)"""
    noun = analysis.dataset.class_noun[0]
    order = analysis.present_names
    row = 12 if many(analysis) else 26  # many classes: thin rows, a page long rather than ten
    # Boxes a share of their row (the band's inner padding), so they follow the rows' height as drawn.
    y = alt.Y(
        "name:N",
        sort=order,
        title=noun.capitalize(),
        scale=alt.Scale(paddingInner=0.35),
        axis=name_axis(order, f"{part}y", row, across=False, padding=0.35),
    )
    x_title = f"RMS distance to the {noun}'s mean image"
    tooltip = [
        alt.Tooltip("name:N", title=noun.capitalize()),
        alt.Tooltip("n:Q", title="Images", format=","),
        alt.Tooltip("median:Q", title="Median", format=".1f"),
        alt.Tooltip("q1:Q", title="Lower quartile", format=".1f"),
        alt.Tooltip("q3:Q", title="Upper quartile", format=".1f"),
        alt.Tooltip("max:Q", title="Largest", format=".1f"),
    ]
    opacity = (
        alt.OpacityValue(**alt.condition(highlight, alt.value(1.0), alt.value(0.25)))
        if highlight
        else alt.OpacityValue(1.0)
    )
    stats, link = classes.linked(analysis, analysis.distance_stats)  # a box opens its class's page
    base = alt.Chart(stats).encode(y=y, tooltip=tooltip, opacity=opacity, **link)
    whiskers = base.mark_rule(color="#333").encode(
        x=alt.X("whisker_low:Q", title=wrap(x_title), scale=alt.Scale(zero=False)), x2=alt.X2("whisker_high:Q")
    )
    boxes = base.mark_bar(color="#c6dbef", stroke="#333").encode(x=alt.X("q1:Q"), x2=alt.X2("q3:Q"))
    medians = base.mark_tick(color="#333", thickness=2).encode(x=alt.X("median:Q"))
    outliers = (
        alt.Chart(analysis.outliers_drawn)
        .mark_point(size=18, color=INK_COLOUR, filled=False)
        .encode(
            x=alt.X("distance:Q"),
            y=y,
            opacity=opacity,
            tooltip=[
                alt.Tooltip("instance:Q", title="Instance"),
                alt.Tooltip("name:N", title=noun.capitalize()),
                alt.Tooltip("distance:Q", title="Distance", format=".1f"),
            ],
        )
    )
    return alt.layer(whiskers, boxes, medians, outliers).properties(width=6 * GALLERY, height=row * len(order))


def extremes_grid(
    analysis: Analysis, gallery: Gallery, title: str, highlight: str | None = None, part: str = ""
) -> alt.LayerChart:
    """Rows: classes; columns: rank. Each picture's tooltip gives its instance and distance."""
    noun = analysis.dataset.class_noun[0].capitalize()
    order = analysis.present_names
    table = gallery.table
    cells = [(order.index(name), rank - 1) for name, rank in zip(table["name"], table["rank"], strict=True)]
    return sprite_grid(
        table,
        [images.ink_rgb(image) for image in gallery.images],
        cells,
        len(order),
        6,
        GALLERY,
        x=alt.X("rank:O", title=wrap(title), axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("name:N", sort=order, title=noun, axis=name_axis(order, f"{part}y", GALLERY, across=False, size=14)),
        tooltip=[
            alt.Tooltip("instance:Q", title="Instance"),
            alt.Tooltip("name:N", title=noun),
            alt.Tooltip("rank:Q", title="Rank"),
            alt.Tooltip("distance:Q", title="Distance", format=".1f"),
        ],
        highlight=highlight,
        size=("width", f"{part}height"),
    )


def pictures(
    analysis: Analysis, gallery: Gallery, columns: int, cell: int, highlight: str | None = None, part: str = ""
) -> alt.LayerChart:
    """A gallery in reading order, `columns` to a row; each picture's tooltip names its class, instance and distance."""
    noun = analysis.dataset.class_noun[0].capitalize()
    table = gallery.table.with_columns(
        (pl.int_range(pl.len()) % columns).alias("col"), (pl.int_range(pl.len()) // columns).alias("row")
    )
    rows = -(-table.height // columns)
    return sprite_grid(
        table,
        [images.ink_rgb(image) for image in gallery.images],
        list(zip(table["row"], table["col"], strict=True)),
        rows,
        columns,
        cell,
        x=alt.X("col:O", axis=None),
        y=alt.Y("row:O", axis=None),
        tooltip=[
            alt.Tooltip("name:N", title=noun),
            alt.Tooltip("instance:Q", title="Instance"),
            alt.Tooltip("distance:Q", title="Distance", format=".1f"),
        ],
        highlight=highlight,
        size=("width", f"{part}height"),
    )


def atypical(analysis: Analysis) -> alt.VConcatChart:
    """Boxplots above the least typical images, with one control picking a class in both."""
    noun = analysis.dataset.class_noun[0]
    names = analysis.present_names
    focus, highlight = highlight_menu(names, noun)
    boxes = distance_boxplots(analysis, highlight, UPPER).properties(
        title=wrap(f"Distance of each image to its {noun}'s mean", TITLE_WIDTH, 14)
    )
    if many(analysis):  # a row per class would run for pages: the least typical whatever their class
        least = pictures(analysis, analysis.farthest, 6, GALLERY, highlight, part=LOWER)
        title = f"The {analysis.farthest.table.height} least typical images, farthest first"
    else:
        least = extremes_grid(
            analysis, analysis.least_typical, "Rank (1 = farthest from the mean)", highlight, part=LOWER
        )
        title = "The six least typical images"
    return finish(alt.vconcat(boxes, least.properties(title=wrap(title, TITLE_WIDTH, 14))).add_params(focus))


def most_typical(analysis: Analysis) -> alt.LayerChart:
    """The images nearest their class's mean, the counterpart of the least typical (with many classes, the nearest of each)."""
    if many(analysis):
        nearest = analysis.most_typical
        first = nearest.table["rank"].to_numpy() == 1
        return finish(
            pictures(analysis, Gallery(nearest.images[first], nearest.table.filter(pl.col("rank") == 1)), 10, 34)
        )
    return finish(extremes_grid(analysis, analysis.most_typical, "Rank (1 = nearest the mean)"))


def figures(analysis: Analysis, f: Facts) -> list[Figure]:
    noun, nouns = analysis.dataset.class_noun
    boxes = (
        f"Top: each {noun}'s distances to its mean image (box: middle half; line: median; whiskers: up to 1.5 times the box; "
        f"circles: beyond). Bottom: the six images farthest from their {noun}'s mean. Use the menu to pick out one {noun}.",
        f"Boxplots of distance to the mean image per {noun}, above a grid of the six least typical images of each {noun}.",
    )
    typical = (
        f"For contrast: the six images nearest their {noun}'s mean.",
        f"Grid of the six most typical images of each {noun}: plain, centred, ordinary {nouns}.",
    )
    if many(analysis):
        n = analysis.farthest.table.height
        boxes = (
            f"Top: each {noun}'s distances to its mean image (box: middle half; line: median; whiskers: up to 1.5 times the box; "
            f"circles: beyond). Bottom: the {n} images farthest from their {noun}'s mean, whatever their {noun}. "
            f"Use the menu to pick out one {noun}.",
            f"Boxplots of distance to the mean image per {noun}, above a grid of the {n} least typical images.",
        )
        typical = (
            f"For contrast: the image nearest its {noun}'s mean, for each {noun}. Hover an image for its {noun}.",
            f"A grid of {len(analysis.present)} images, the most typical of each {noun}.",
        )
    # The two galleries are compared by eye: drawn together, their pictures have one size.
    return [
        Figure("atypical", atypical(analysis), *boxes, grow=1.6, together="galleries"),
        Figure("typical", most_typical(analysis), *typical, grow=1.6, together="galleries"),
    ]


CHARTS = (atypical, most_typical, distance_boxplots)
