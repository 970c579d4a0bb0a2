"""A page for every class (classes/<k>.html), and their index (classes.html): everything the report
knows about one class, read from the one `Analysis` (see classpage.py).

`file_of` names each class's file and `hrefs` gives charts a link per class: the one place that says
where class k's page is. A file is named by the class's index, with an ASCII slug of its name where
there is one (classes/3.html for MNIST's 3, classes/0-t-shirt-top.html), so any name is safe: Unicode,
slashes, spaces.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import altair as alt
import numpy as np
import polars as pl

from ...analysis import Analysis
from ..classpage import page_facts, picture_path, shared, split_counts
from ..draw import INK_COLOUR, finish, label_at, leaders, many, placed_labels
from ..page import Figure, Item

ORDER = 95
FILE = "classes.html"
TITLE = "Every {noun}"
SUMMARY = "a page for each {noun}: its images, its look-alikes, how the classifiers read it, labels to check"
NEEDS = {"classes"}
EACH_TEMPLATE = "class.html"
FOLDER = "classes"
MAP_GROW = 1.6  # the map of classes drawn up to 1.6 times as large on a wide page


def file_of(k: int, name: str) -> str:
    """Class k's page: its index, and an ASCII slug of its name where that says more than the index."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
    return f"{FOLDER}/{k}.html" if slug in ("", str(k)) else f"{FOLDER}/{k}-{slug}.html"


def linked(analysis: Analysis, data: pl.DataFrame, label: str = "label") -> tuple[pl.DataFrame, dict]:
    """A chart's data with an `href` column, each row's link to the page of its class (`label`, as the
    site's top-level pages reach it), and the encoding that makes its marks links; unchanged data and no
    encoding when the report has no class pages, so the chart links nowhere."""
    if analysis.classes is None:
        return data, {}
    names = analysis.dataset.class_names
    files = [file_of(int(k), names[int(k)]) for k in data[label]]
    return data.with_columns(pl.Series("href", files, dtype=pl.String)), {"href": alt.Href("href:N")}


@dataclass(frozen=True)
class Row:
    name: str
    mean: str  # its mean image's picture
    counts: dict[str, int]  # by split
    median: float  # distance to its mean
    knn: float | None  # share of its scored images k-NN reads right


@dataclass(frozen=True)
class Facts:
    splits: list[str]
    heads: list[str]  # the splits' columns
    rows: list[Row]
    scored: bool


def facts(analysis: Analysis) -> Facts:
    names = analysis.dataset.class_names
    counts = split_counts(analysis)
    splits = list(dict.fromkeys(counts["split"].to_list()))
    by = {(s, int(k)): int(n) for s, k, n in counts.select("split", "label", "count").iter_rows()}
    medians = dict(zip(analysis.distance_stats["label"], analysis.distance_stats["median"], strict=True))
    knn = analysis.classifiers.class_accuracy("knn") if analysis.classifiers is not None else None
    rows = [
        Row(
            names[k],
            picture_path(k, "mean"),
            {s: by.get((s, k), 0) for s in splits},
            float(medians[k]),
            None if knn is None or np.isnan(knn[k]) else float(knn[k]),
        )
        for k in analysis.present
    ]
    heads = [{"train": "Training images", "test": "Test images"}.get(s, "Images") for s in splits]
    return Facts(splits, heads, rows, knn is not None)


def class_map(analysis: Analysis) -> alt.LayerChart:
    """A dot per class: how varied its images are (median distance to its mean) against how often k-NN
    reads them right (or, unscored, how many there are); a dot opens its class's page."""
    noun = analysis.dataset.class_noun[0].capitalize()
    data = analysis.distance_stats.select("label", "name", "median", "n")
    c = analysis.classifiers
    field, title, form = "n", "Images", ","
    if c is not None:
        right = c.class_accuracy("knn")
        data = data.with_columns(pl.Series("right", [100 * float(right[k]) for k in data["label"]])).drop_nans()
        field, title, form = "right", "k-NN right (%)", ".1f"
    domain = {axis: _span(data[column]) for axis, column in (("x", "median"), ("y", field))}
    x = alt.X("median:Q", title="Median distance to its mean image", scale=alt.Scale(domain=domain["x"], nice=False))
    y = alt.Y(f"{field}:Q", title=title, scale=alt.Scale(domain=domain["y"], nice=False))
    data, link = linked(analysis, data)
    base = alt.Chart(data).encode(
        x=x,
        y=y,
        tooltip=[
            alt.Tooltip("name:N", title=noun),
            alt.Tooltip("median:Q", title="Median distance", format=".1f"),
            alt.Tooltip(f"{field}:Q", title=title, format=form),
        ],
        **link,
    )
    dots = base.mark_circle(size=60, color=INK_COLOUR, opacity=0.8)
    if many(analysis):
        return finish(dots.properties(width=250, height=220))
    # Names beside their dots where none would cover another name or dot, on the smallest chart a phone draws;
    # a name with no room is left to its dot's tooltip.
    named = placed_labels(data.rename({"median": "x", field: "y"}), "name", domain, 250, 220, 12, True, MAP_GROW)
    shown = named.filter(pl.col("shown"))
    at = (
        alt.X("x:Q", scale=alt.Scale(domain=domain["x"], nice=False)),
        alt.Y("y:Q", scale=alt.Scale(domain=domain["y"], nice=False)),
    )
    names = label_at(alt.Chart(shown), fontSize=12, color="#222").encode(x=at[0], y=at[1], text=alt.Text("name:N"))
    lines = leaders(shown, *at)
    return finish(alt.layer(dots, *lines, names).properties(width=250, height=220))


def _span(values: pl.Series) -> tuple[float, float]:
    """A scale's domain: every value inside, with a margin for the dots."""
    low, high = float(values.min()), float(values.max())
    margin = (high - low) * 0.06 or 1.0
    return low - margin, high + margin


def figures(analysis: Analysis, f: Facts) -> list[Figure]:
    noun, nouns = analysis.dataset.class_noun
    against = "how often k nearest neighbours read it right" if f.scored else "its number of images"
    return [
        Figure(
            "class-map",
            class_map(analysis),
            f"Each {noun} by how varied its images are (the median distance to its mean image) and {against}. "
            f"Hover a dot for its {noun}; choose it to open its page.",
            f"A scatter plot of {len(f.rows)} {nouns}, one dot each, placed by the median distance of its images "
            f"to its mean image and {against}.",
            grow=MAP_GROW,
        )
    ]


def each(analysis: Analysis, f: Facts) -> list[Item]:
    """One page per class with images."""
    s = shared(analysis)
    names, noun = analysis.dataset.class_names, analysis.dataset.class_noun[0]
    order = analysis.present
    pages = [(names[k], file_of(k, names[k])) for k in order]
    items = []
    for i, k in enumerate(order):
        pictures: dict[str, bytes] = {}
        pager = (pages[i - 1] if i else None, pages[i + 1] if i + 1 < len(pages) else None)
        facts_k = page_facts(s, k, pager, pictures)
        items.append(Item(pages[i][1], names[k], f"{noun.capitalize()} {names[k]}", facts_k, pictures))
    return items


CHARTS = (class_map,)
