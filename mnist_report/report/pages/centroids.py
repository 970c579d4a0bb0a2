"""Average images (centroids.html): the mean image of each class."""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import polars as pl

from ...analysis import Analysis
from ...analysis.stats import mean_ink
from .. import images
from ..draw import finish, ink_key, many, named_pictures
from ..page import Figure, Named
from ..words import vocabulary
from . import classes

ORDER = 40
FILE = "centroids.html"
TITLE = "Average {nouns}"
SUMMARY = "the mean image of each {noun}"


@dataclass(frozen=True)
class Facts:
    least_ink: Named  # the class whose mean image has the least ink, and that mean ink (0-255)
    most_ink: Named


def facts(analysis: Analysis) -> Facts:
    names, ink = analysis.dataset.class_names, mean_ink(analysis.centroids)
    present = {names[k]: float(ink[k]) for k in analysis.present}
    return Facts(Named(*min(present.items(), key=lambda kv: kv[1])), Named(*max(present.items(), key=lambda kv: kv[1])))


def centroids(analysis: Analysis) -> alt.LayerChart:
    """The mean image of each class, dark on white."""
    noun = analysis.dataset.class_noun[0].capitalize()
    present = analysis.present
    table = pl.DataFrame(
        {
            "name": analysis.present_names,
            "count": [int(analysis.counts["count"][k]) for k in present],
            "url": [images.ink_url(analysis.centroids[k]) for k in present],
            "label": present,
        }
    )
    table, link = classes.linked(analysis, table)  # a mean image opens its class's page
    tooltip = [alt.Tooltip("name:N", title=noun), alt.Tooltip("count:Q", title="Images averaged", format=",")]
    small = {"columns": 10, "size": 26} if many(analysis) else {}  # ten to a row: 345 means in 35 rows
    return finish(
        alt.layer(
            named_pictures(table, tooltip, **small).encode(**link),
            ink_key(f"Mean {vocabulary(analysis.dataset.kind).ink}"),
        )
    )


def figures(analysis: Analysis, f: Facts) -> list[Figure]:
    noun, nouns = analysis.dataset.class_noun
    caption = f"The mean image of each {noun}, dark where the values are highest in most images."
    alt_text = (
        f"{len(analysis.present)} blurred grey {nouns}, one per {noun}, each the pixel-wise average of its images."
    )
    return [Figure("centroids", centroids(analysis), caption, alt_text, grow=2)]


CHARTS = (centroids,)
