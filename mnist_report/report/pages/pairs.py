"""Pairs of classes (pairs.html): which classes are easy or hard to tell apart by their mean images."""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import numpy as np
import polars as pl

from ...analysis import Analysis
from .. import images
from ..draw import HEAT, SMALL, diverging_key, finish, heat_colour, many, name_axis, named_pictures, sprite_grid, wrap
from ..page import Figure
from ..words import vocabulary
from . import classes

ORDER = 60
FILE = "pairs.html"
TITLE = "Pairs of {nouns}"
SUMMARY = "which {nouns} are easy or hard to tell apart"

N_PAIRS = 5  # pairs listed as hardest and easiest
N_CLOSEST = 12  # with many classes, the closest pairs shown as difference images, and listed
RECTS = 60  # up to this many classes the heat map is one rect per pair (with a tooltip); beyond, one picture


def _cell(analysis: Analysis) -> int:
    """A panel's side as built: SMALL, or less where that many panels would not fit a phone's 300 px."""
    return max(6, min(SMALL, 300 // len(analysis.present)))


@dataclass(frozen=True)
class Facts:
    many: bool  # more classes than a grid per pair can show: a heat map and the closest pairs instead
    hardest: list[dict]  # a, b, name_a, name_b, distance: the closest mean images (N_PAIRS, or N_CLOSEST when many)
    easiest: list[dict]  # the N_PAIRS farthest, farthest first
    n_pairs: int


def facts(analysis: Analysis) -> Facts:
    hardest = analysis.pairs.head(N_CLOSEST if many(analysis) else N_PAIRS).to_dicts()
    return Facts(many(analysis), hardest, analysis.pairs.tail(N_PAIRS).reverse().to_dicts(), analysis.pairs.height)


def _ordered_pairs(analysis: Analysis) -> pl.DataFrame:
    """Every ordered pair of present classes: i, j (their places in present_names), row, col, distance."""
    present, names = analysis.present, analysis.present_names
    return pl.DataFrame(
        [
            (i, j, names[i], names[j], float(analysis.pair_distances[present[i], present[j]]))
            for i in range(len(present))
            for j in range(len(present))
            if i != j
        ],
        schema=["i", "j", "row", "col", "distance"],
        orient="row",
    )


def pair_differences(analysis: Analysis) -> alt.LayerChart:
    """Row class's mean minus column class's mean: red where the row's class has more ink, blue where the column's has."""
    noun = analysis.dataset.class_noun[0]
    more = vocabulary(analysis.dataset.kind).more_here  # what red means, in the data's words (not "darker": photos)
    present, order = analysis.present, analysis.present_names
    c = analysis.centroids
    limit = images.diverging_limit(c[a] - c[b] for a in present for b in present if a != b)
    table = _ordered_pairs(analysis)
    pairs = list(zip(table["i"], table["j"], strict=True))
    panels = [images.diverging_rgb(c[present[i]] - c[present[j]], limit) for i, j in pairs]
    cell = _cell(analysis)
    grid = sprite_grid(
        table.select("row", "col", "distance"),
        panels,
        pairs,
        len(order),
        len(order),
        cell,
        x=alt.X(
            "col:N",
            sort=order,
            title=wrap(f"Column {noun} (blue: {more} here)"),
            axis=name_axis(order, "x", cell, across=True, size=13, orient="top"),
        ),
        y=alt.Y(
            "row:N",
            sort=order,
            title=wrap(f"Row {noun} (red: {more} here)"),
            axis=name_axis(order, "y", cell, across=False, size=13),
        ),
        tooltip=[
            alt.Tooltip("row:N", title=f"Row {noun}"),
            alt.Tooltip("col:N", title=f"Column {noun}"),
            alt.Tooltip("distance:Q", title="RMS difference", format=".1f"),
        ],
    )
    return finish(alt.layer(grid, diverging_key(limit, "Row minus column")))


def pair_distances(analysis: Analysis) -> alt.Chart:
    """The RMS distance between every two class means: small numbers are pairs easy to confuse."""
    noun = analysis.dataset.class_noun[0]
    order = analysis.present_names
    table = _ordered_pairs(analysis).with_columns(
        pl.col("i").replace_strict(dict(enumerate(analysis.present))).alias("label")
    )
    data, link = classes.linked(
        analysis, table.select("row", "col", "distance", "label")
    )  # a cell opens its row's page
    base = alt.Chart(data).encode(
        **link,
        x=alt.X(
            "col:N", sort=order, title=None, axis=name_axis(order, "x", _cell(analysis), across=True, orient="top")
        ),
        y=alt.Y("row:N", sort=order, title=None, axis=name_axis(order, "y", _cell(analysis), across=False)),
        tooltip=[
            alt.Tooltip("row:N", title=noun.capitalize()),
            alt.Tooltip("col:N", title=f"versus {noun}"),
            alt.Tooltip("distance:Q", title="RMS distance", format=".1f"),
        ],
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "distance:Q", title="Distance between means", scale=alt.Scale(scheme="yelloworangered", reverse=True)
        )
    )
    # The numbers follow their cells as drawn, and step aside where a cell is too small to hold them.
    digits = len(f"{float(table['distance'].max() or 0):.0f}") * 0.64  # em
    font = f"min(10, (bandwidth('x') - 2) / {digits:.2f})"
    text = base.mark_text(fontSize=alt.expr(font), opacity=alt.expr(f"{font} < 6 ? 0 : 1")).encode(
        text=alt.Text("distance:Q", format=".0f"),
        color=alt.ColorValue(
            **alt.condition(
                alt.datum.distance < float(table["distance"].median() or 0), alt.value("white"), alt.value("#111")
            )
        ),
    )
    side = len(order) * _cell(analysis)
    return finish((cells + text).properties(width=side, height=side))


def pair_heatmap(analysis: Analysis) -> alt.LayerChart | alt.Chart:
    """The distance between every two class means, the classes in an order that sets similar ones side by side:
    dark squares along the diagonal are groups of classes alike on average."""
    order, names = analysis.similar_order, analysis.dataset.class_names
    d = analysis.pair_distances[np.ix_(order, order)].copy()
    np.fill_diagonal(d, np.nan)
    low, high = float(np.nanmin(d)), float(np.nanmax(d))
    colour = heat_colour("distance", "Distance between means", low, high)
    if len(order) > RECTS:  # one picture, a pixel per pair, and an invisible layer for its legend
        picture = images.data_url(images.heat_rgb(d, low, high, HEAT))
        sheet = (
            alt.Chart(pl.DataFrame({"url": [picture]}))
            .mark_image(width=alt.expr("width"), height=alt.expr("height"), align="left", baseline="top", smooth=False)
            .encode(url=alt.Url("url:N"), x=alt.XValue(0), y=alt.YValue(0))
        )
        key = alt.Chart(pl.DataFrame({"distance": [low, high]})).mark_point(opacity=0).encode(color=colour)
        return finish(alt.layer(sheet, key).properties(width=340, height=340))
    cell = max(6, 340 // len(order))
    sort = [names[k] for k in order]
    rows = [(names[a], names[b], float(d[i, j]), a) for i, a in enumerate(order) for j, b in enumerate(order) if i != j]
    data, link = classes.linked(analysis, pl.DataFrame(rows, schema=["row", "col", "distance", "label"], orient="row"))
    labels = {"labels": cell >= 10, "ticks": False}  # names only where they fit
    chart = (
        alt.Chart(data)
        .mark_rect()
        .encode(
            **link,
            x=alt.X("col:N", sort=sort, title=None, axis=name_axis(sort, "x", cell, True, **labels, orient="top")),
            y=alt.Y("row:N", sort=sort, title=None, axis=name_axis(sort, "y", cell, False, **labels)),
            color=colour,
            tooltip=[
                alt.Tooltip("row:N", title="Between"),
                alt.Tooltip("col:N", title="and"),
                alt.Tooltip("distance:Q", title="RMS distance", format=".1f"),
            ],
        )
    )
    return finish(chart.properties(width=cell * len(order), height=cell * len(order)))


def closest_differences(analysis: Analysis) -> alt.LayerChart:
    """The closest pairs' difference images, numbered as the table beside them lists the pairs."""
    c, closest = analysis.centroids, analysis.pairs.head(N_CLOSEST)
    diffs = [c[a] - c[b] for a, b in closest.select("a", "b").iter_rows()]
    limit = images.diverging_limit(diffs)
    table = closest.select(
        pl.Series("name", [str(i) for i in range(1, closest.height + 1)]),
        "name_a",
        "name_b",
        "distance",
        pl.Series("url", [images.data_url(images.diverging_rgb(x, limit)) for x in diffs]),
    )
    tooltip = [
        alt.Tooltip("name_a:N", title="Mean of"),
        alt.Tooltip("name_b:N", title="minus mean of"),
        alt.Tooltip("distance:Q", title="RMS distance", format=".1f"),
    ]
    return finish(alt.layer(named_pictures(table, tooltip), diverging_key(limit, "First minus second")))


def figures(analysis: Analysis, f: Facts) -> list[Figure]:
    if f.many:
        return _many_figures(analysis, f)
    noun, nouns = analysis.dataset.class_noun
    w = vocabulary(analysis.dataset.kind)
    differences = (
        f"Row {noun}'s mean minus column {noun}'s mean: red where the row {noun} {w.more[0]}, blue where the column {noun} {w.more[2]}.",
        f"A grid of red and blue difference images, one for each ordered pair of {nouns}.",
    )
    distances = (
        f"The RMS distance between every two mean images; the smaller, the more alike the two {nouns} look on average.",
        f"A heat map of the distance between mean images for every pair of {nouns}, with the number in each cell.",
    )
    more = SMALL / _cell(analysis)  # grids built smaller for a phone grow as large as ten classes' on a wide page
    return [
        Figure("differences", pair_differences(analysis), *differences, static="png", grow=2 * more),
        Figure("pair-distances", pair_distances(analysis), *distances, grow=1.5 * more),
    ]


def _many_figures(analysis: Analysis, f: Facts) -> list[Figure]:
    noun, nouns = analysis.dataset.class_noun
    w = vocabulary(analysis.dataset.kind)
    n, shown = len(analysis.present), len(f.hardest)
    heat = Figure(
        "pair-distances",
        pair_heatmap(analysis),
        caption=f"The RMS distance between every two mean images, the {nouns} in an order that sets similar ones side by "
        f"side: dark squares along the diagonal are groups of {nouns} alike on average.",
        alt=f"A heat map of the distance between the mean images of {n} {nouns}, darkest where closest.",
        static="png",
        grow=2,
    )
    closest = Figure(
        "closest",
        closest_differences(analysis),
        caption=f"The {shown} closest pairs, numbered as in the table: the first {noun}'s mean minus the second's, "
        f"red where the first {w.more[0]}, blue where the second {w.more[2]}.",
        alt=f"{shown} red and blue difference images of the closest pairs of {nouns}.",
        static="png",
        grow=2,
    )
    return [heat, closest]


CHARTS = (pair_differences, pair_distances, pair_heatmap, closest_differences)
