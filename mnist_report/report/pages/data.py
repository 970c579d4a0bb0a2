"""The data (data.html): one image per row, the same as one row per pixel, and the first images."""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import numpy as np
import polars as pl

from ...analysis import Analysis
from .. import images
from ..draw import CELL, TITLE_WIDTH, finish, ink_colour, wrap
from ..page import Figure
from ..words import with_article

ORDER = 20
FILE = "data.html"
TITLE = "The data"
SUMMARY = "the images as a table, with one image or one pixel per row"


@dataclass(frozen=True)
class Facts:
    tidy_rows: int  # rows the one-row-per-pixel table would have
    tidy_sample: pl.DataFrame  # instance, label, x, y, value: the slice shown
    first_names: list[str]  # the first images' class names, in file order


def facts(analysis: Analysis) -> Facts:
    return Facts(analysis.n * analysis.centroids[0].size, analysis.tidy_sample, list(analysis.first.table["name"]))


def first_images(analysis: Analysis) -> alt.Chart:
    """The first images of the input in reading order, with label and instance number."""
    gallery = analysis.first
    columns = 4
    data = gallery.table.with_columns(
        pl.Series("url", [images.ink_url(image) for image in gallery.images])
    ).with_columns(
        (pl.int_range(pl.len()) % columns).alias("col"),
        (pl.int_range(pl.len()) // columns).alias("row"),
        pl.concat_list(pl.format("#{}", pl.col("instance")), pl.col("name")).alias("caption"),  # two lines
    )
    noun = analysis.dataset.class_noun[0].capitalize()
    base = alt.Chart(data).encode(
        x=alt.X("col:O", axis=None),
        y=alt.Y("row:O", axis=None),
        tooltip=[alt.Tooltip("instance:Q", title="Instance"), alt.Tooltip("name:N", title=noun)],
    )
    size = f"width / {columns} - 16"  # CELL at phone size, more where the page grows the view
    pictures = base.mark_image(width=alt.expr(size), height=alt.expr(size), smooth=False).encode(url=alt.Url("url:N"))
    # Each caption as wide as its picture and its gap at most: a longer name is cut, whole in the tooltip.
    captions = base.mark_text(
        baseline="top", dy=alt.expr(f"({size}) / 2 + 2"), fontSize=11, color="#222", limit=alt.expr(f"{size} + 12")
    ).encode(text=alt.Text("caption:N"))
    rows = -(-len(data) // columns)
    return finish((pictures + captions).properties(width=columns * (CELL + 16), height=rows * (CELL + 34)))


def first_image_pixels(analysis: Analysis) -> alt.Chart:
    """The first image as its rows of the tidy table: one cell per pixel, with its x, y and value."""
    image = analysis.first.images[0]
    first = analysis.first.table.row(0, named=True)
    ys, xs = np.indices(image.shape)
    data = pl.DataFrame({"x": xs.ravel(), "y": ys.ravel(), "value": image.ravel().astype(np.int64)})
    sample = analysis.tidy_sample
    y_sample = int(sample["y"][0])
    height, width = image.shape
    cell = max(4, min(10, 280 // max(height, width)))  # 10 px a pixel for MNIST's 28, the grid within a phone's width
    x = alt.X(
        "x:Q",
        title="x (column)",
        scale=alt.Scale(domain=[0, width], nice=False),
        axis=alt.Axis(values=list(range(0, width + 1, 4))),
    )
    y = alt.Y(
        "y:Q",
        title="y (row)",
        scale=alt.Scale(domain=[0, height], nice=False, reverse=True),
        axis=alt.Axis(values=list(range(0, height + 1, 4))),
    )
    pixels = (
        alt.Chart(data)
        .transform_calculate(x1="datum.x + 1", y1="datum.y + 1")
        .mark_rect()
        .encode(
            x=x,
            x2=alt.X2("x1:Q"),
            y=y,
            y2=alt.Y2("y1:Q"),
            color=ink_colour("value", "Value"),
            tooltip=[alt.Tooltip("x:Q"), alt.Tooltip("y:Q"), alt.Tooltip("value:Q", title="Value")],
        )
    )
    outline = {"x": int(sample["x"].min()), "x1": int(sample["x"].max()) + 1, "y": y_sample, "y1": y_sample + 1}
    marker = (
        alt.Chart(pl.DataFrame([outline]))
        .mark_rect(fill=None, stroke="#d9480f", strokeWidth=2)
        .encode(x=x, x2=alt.X2("x1:Q"), y=y, y2=alt.Y2("y1:Q"))
    )
    title = f"Instance {first['instance']} ({first['name']}), pixel by pixel"
    return finish(
        (pixels + marker).properties(width=width * cell, height=height * cell, title=wrap(title, TITLE_WIDTH, 14))
    )


def figures(analysis: Analysis, f: Facts) -> list[Figure]:
    n_first = analysis.first.table.height
    first = analysis.first.table.row(0, named=True)
    height, width = analysis.first.images.shape[1:]
    gallery = (
        f"The first {n_first} images in file order, each with its instance number and label.",
        f"{n_first} images in rows of four, labelled " + ", ".join(f.first_names) + ".",
    )
    pixels = (
        f"Instance {first['instance']} cell by cell: each square is one row of the tidy table; "
        "the outlined row is the sample in the table above.",
        f"Grid of {height} by {width} grey squares showing {with_article(first['name'])}; "
        "hover a square for its x, y and value.",
    )
    return [
        Figure("first", first_images(analysis), *gallery, grow=2),
        Figure("pixels", first_image_pixels(analysis), *pixels, static="png"),
    ]


CHARTS = (first_images, first_image_pixels)
