"""The overview (index.html): what the data is, where it came from, how many images per class."""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import polars as pl

from ...analysis import Analysis
from ..draw import INK_COLOUR, finish, many
from ..page import Figure, Named
from . import classes

ORDER = 10
FILE = "index.html"
TITLE = "Overview"
SUMMARY = "what the data is, where it came from, how many images per {noun}"
TEMPLATE = "overview.html"


@dataclass(frozen=True)
class Facts:
    rarest: Named  # the class with fewest images, and how many
    commonest: Named
    absent: list[str]  # classes with no image
    one_image: list[str]  # classes with a single image


def facts(analysis: Analysis) -> Facts:
    names = analysis.dataset.class_names
    counts = analysis.counts.filter(pl.col("count") > 0).sort("count", "label")
    return Facts(
        rarest=Named(counts["name"][0], int(counts["count"][0])),
        commonest=Named(counts["name"][-1], int(counts["count"][-1])),
        absent=[names[k] for k in range(len(names)) if k not in analysis.present],
        one_image=[r["name"] for r in counts.filter(pl.col("count") == 1).iter_rows(named=True)],
    )


def class_counts(analysis: Analysis) -> alt.Chart:
    """How many images each class has, with the share in the tooltip."""
    noun = analysis.dataset.class_noun[0]
    data = analysis.counts.with_columns((pl.col("share") * 100).round(1).alias("percent"))
    data, link = classes.linked(analysis, data)  # a bar opens its class's page
    base = alt.Chart(data).encode(
        **link,
        y=alt.Y("name:N", sort=list(analysis.dataset.class_names), title=noun.capitalize()),
        x=alt.X("count:Q", title="Images"),
        tooltip=[
            alt.Tooltip("name:N", title=noun.capitalize()),
            alt.Tooltip("count:Q", title="Images", format=","),
            alt.Tooltip("percent:Q", title="Share (%)"),
        ],
    )
    if many(analysis):  # a bar each would run for pages: one row of marks, a class each, at its count
        strip = base.encode(y=alt.YValue(0)).mark_tick(thickness=2, size=30, opacity=0.6, color=INK_COLOUR)
        return finish(strip.properties(width="container", height=40))
    bars = base.mark_bar(color=INK_COLOUR)
    text = base.mark_text(align="left", dx=3, color="#222").encode(text=alt.Text("count:Q", format=","))
    return finish((bars + text).properties(width="container", height=22 * len(data)))


def figures(analysis: Analysis, f: Facts) -> list[Figure]:
    noun = analysis.dataset.class_noun[0]
    rarest, commonest = f.rarest, f.commonest
    spread = (
        f"{rarest.value:,} each"
        if rarest.value == commonest.value
        else f"from {rarest.value:,} ({rarest.name}) to {commonest.value:,} ({commonest.name})"
    )
    counts = (f"Images per {noun}: {spread}.", f"Horizontal bar chart of the number of images of each {noun}.")
    if many(analysis):
        counts = (
            f"Images per {noun}, a mark for each: {spread}. Hover a mark for its {noun}.",
            f"A row of {len(analysis.present)} marks, one per {noun}, placed at its number of images: {spread}.",
        )
    return [Figure("counts", class_counts(analysis), *counts)]


CHARTS = (class_counts,)
