"""Pixel values (pixels.html): how the 0-255 values are spread."""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import numpy as np
import polars as pl

from ...analysis import Analysis
from ..draw import INK_COLOUR, finish, wrap
from ..page import Figure, Named
from ..words import percent1, vocabulary

ORDER = 30
FILE = "pixels.html"
TITLE = "Pixel values"
SUMMARY = "how the 0-255 pixel values are spread"

NEAR_MAX = 250  # pixel values counted as "near 255", i.e. full ink


@dataclass(frozen=True)
class Facts:
    total_pixels: int
    share_zero: float
    share_near_max: float  # share of pixels at NEAR_MAX or more
    share_between: float
    near_max_of_nonzero: float  # of the pixels that are not 0, the share at NEAR_MAX or more
    near_max: int
    commonest_nonzero: Named  # the commonest value above 0, and how many pixels take it


def facts(analysis: Analysis) -> Facts:
    nonzero = analysis.pixel_counts[1:]
    return Facts(
        total_pixels=int(analysis.pixel_counts.sum()),
        share_zero=analysis.share_of_pixels(0, 0),
        share_near_max=analysis.share_of_pixels(NEAR_MAX),
        share_between=analysis.share_of_pixels(1, NEAR_MAX - 1),
        near_max_of_nonzero=float(analysis.pixel_counts[NEAR_MAX:].sum() / max(nonzero.sum(), 1)),
        near_max=NEAR_MAX,
        commonest_nonzero=Named(str(int(np.argmax(nonzero)) + 1), int(nonzero.max())),
    )


def pixel_histogram(analysis: Analysis, zeros: bool = True) -> alt.Chart:
    """How often each pixel value occurs; without the zeros (`zeros=False`) the rest can be seen."""
    counts = analysis.pixel_counts
    data = pl.DataFrame({"value": np.arange(256), "count": counts, "percent": counts / counts.sum() * 100})
    if not zeros:
        data = data.filter(pl.col("value") > 0)
    chart = (
        alt.Chart(data)
        .transform_calculate(end="datum.value + 1")
        .mark_bar(color=INK_COLOUR)
        .encode(
            x=alt.X(
                "value:Q",
                title=wrap(f"Pixel value (0 = background, 255 = {vocabulary(analysis.dataset.kind).full})", 240),
                scale=alt.Scale(domain=[0 if zeros else 1, 256], nice=False),
            ),
            x2=alt.X2("end:Q"),
            # SI prefixes (12M), but a plain 0: Vega gives every tick the largest tick's prefix ("0M").
            y=alt.Y("count:Q", title="Pixels", axis=alt.Axis(format="~s", labelExpr="datum.value ? datum.label : '0'")),
            y2=alt.datum(0),  # with both x ends given, a bar needs its base too
            tooltip=[
                alt.Tooltip("value:Q", title="Value"),
                alt.Tooltip("count:Q", title="Pixels", format=","),
                alt.Tooltip("percent:Q", title="Share (%)", format=".3f"),
            ],
        )
    )
    return finish(chart.properties(width="container", height=200))


def figures(analysis: Analysis, f: Facts) -> list[Figure]:
    every = (
        f"How often each pixel value occurs over all {f.total_pixels:,} pixels.",
        f"Bar chart of how often each pixel value from 0 to 255 occurs; {percent1(f.share_zero)} of pixels are 0.",
    )
    inked = (
        "The same counts without the zeros, on their own scale, so the values in between can be seen.",
        f"Bar chart of how often each pixel value from 1 to 255 occurs; the commonest is {f.commonest_nonzero.name}.",
    )
    return [
        Figure("histogram", pixel_histogram(analysis, zeros=True), *every),
        Figure("histogram-ink", pixel_histogram(analysis, zeros=False), *inked),
    ]


CHARTS = (pixel_histogram,)
