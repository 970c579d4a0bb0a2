"""Pairs of classes (pairs.html): which classes are easy or hard to tell apart by their mean images."""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import numpy as np
import polars as pl

from ...analysis import Analysis
from .. import images
from ..draw import SMALL, diverging_key, finish, sprite_grid
from ..page import Figure

ORDER = 60
FILE = "pairs.html"
TITLE = "Pairs of {nouns}"
SUMMARY = "which {nouns} are easy or hard to tell apart"

N_PAIRS = 5  # pairs listed as hardest and easiest


@dataclass(frozen=True)
class Facts:
    hardest: list[dict]  # a, b, name_a, name_b, distance: the N_PAIRS closest mean images
    easiest: list[dict]  # the N_PAIRS farthest, farthest first


def facts(analysis: Analysis) -> Facts:
    return Facts(analysis.pairs.head(N_PAIRS).to_dicts(), analysis.pairs.tail(N_PAIRS).reverse().to_dicts())


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
    present, order = analysis.present, analysis.present_names
    c = analysis.centroids
    limit = float(max((np.abs(c[a] - c[b]).max() for a in present for b in present if a != b), default=1.0)) or 1.0
    table = _ordered_pairs(analysis)
    pairs = list(zip(table["i"], table["j"], strict=True))
    panels = [images.diverging_rgb(c[present[i]] - c[present[j]], limit) for i, j in pairs]
    grid = sprite_grid(
        table.select("row", "col", "distance"),
        panels,
        pairs,
        len(order),
        len(order),
        SMALL,
        x=alt.X(
            "col:N",
            sort=order,
            title=f"Column {noun} (blue: darker here)",
            axis=alt.Axis(orient="top", labelAngle=0, labelFontSize=13),
        ),
        y=alt.Y("row:N", sort=order, title=f"Row {noun} (red: darker here)", axis=alt.Axis(labelFontSize=13)),
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
    table = _ordered_pairs(analysis)
    base = alt.Chart(table.select("row", "col", "distance")).encode(
        x=alt.X("col:N", sort=order, title=None, axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("row:N", sort=order, title=None),
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
    text = base.mark_text(fontSize=10).encode(
        text=alt.Text("distance:Q", format=".0f"),
        color=alt.ColorValue(
            **alt.condition(
                alt.datum.distance < float(table["distance"].median() or 0), alt.value("white"), alt.value("#111")
            )
        ),
    )
    return finish((cells + text).properties(width=len(order) * SMALL, height=len(order) * SMALL))


def figures(analysis: Analysis, f: Facts) -> list[Figure]:
    noun, nouns = analysis.dataset.class_noun
    differences = (
        f"Row {noun}'s mean minus column {noun}'s mean: red where the row {noun} has more ink, blue where the column {noun} has.",
        f"A grid of red and blue difference images, one for each ordered pair of {nouns}.",
    )
    distances = (
        f"The RMS distance between every two mean images; the smaller, the more alike the two {nouns} look on average.",
        f"A heat map of the distance between mean images for every pair of {nouns}, with the number in each cell.",
    )
    return [
        Figure("differences", pair_differences(analysis), *differences, static="png", grow=2),
        Figure("pair-distances", pair_distances(analysis), *distances, grow=1.5),
    ]


CHARTS = (pair_differences, pair_distances)
