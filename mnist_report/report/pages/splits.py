"""Train and test (splits.html): whether the test images look like the training images, and where they differ."""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import numpy as np
import polars as pl

from ...analysis import Analysis
from .. import images
from ..draw import SPLIT_COLOURS, diverging_key, dumbbell, finish, many, named_pictures, split_colour, wrap
from ..page import Figure, Named
from ..words import vocabulary, with_article

ORDER = 70
FILE = "splits.html"
TITLE = "Train and test"
SUMMARY = "whether the test images look like the training images, and where they differ"
NEEDS = {"comparison"}

N_MOVED = 12  # with many classes, the classes whose mean moved most are the ones shown
ALIKE_SHARE_GAP = 0.02  # class shares within 2 percentage points of each other ...
ALIKE_SHIFT = 0.5  # ... and no class mean moving half as far as the two closest classes' means lie apart


@dataclass(frozen=True)
class Facts:
    n_train: int
    n_test: int
    share_gap: Named  # the class whose share differs most between the splits, and by how much
    share_train: float
    share_test: float
    ink: Named  # the class whose mean ink changes most, and by how much (test minus train)
    ink_train: float
    ink_test: float
    moved: Named  # the class whose mean image moves most, and the RMS distance it moves
    least_moved: Named
    closest_pair_distance: float  # between the two closest classes' training means
    median_gap: Named  # the class whose median distance to the training mean differs most (test minus train)
    median_train: float
    median_test: float
    alike: bool  # the verdict: the test set looks like the training set


def facts(analysis: Analysis) -> Facts:
    c = analysis.comparison
    names = analysis.dataset.class_names
    wide = c.table.pivot(on="split", index=["label", "name"], values=["count", "share", "mean_ink"])
    wide = wide.filter((pl.col("count_train") > 0) & (pl.col("count_test") > 0))
    # Each largest difference is the first row sorted by it, descending; ties go to the lower label.
    gap = (
        wide.with_columns((pl.col("share_test") - pl.col("share_train")).abs().alias("gap"))
        .sort("gap", "label", descending=[True, False])
        .row(0, named=True)
    )
    ink = (
        wide.with_columns((pl.col("mean_ink_test") - pl.col("mean_ink_train")).alias("diff"))
        .sort(pl.col("diff").abs(), "label", descending=[True, False])
        .row(0, named=True)
    )
    shifts = {k: float(c.shift[k]) for k in range(len(names)) if not np.isnan(c.shift[k])}
    moved = max(shifts, key=lambda k: (shifts[k], -k))
    closest = float(analysis.pairs["distance"][0]) if analysis.pairs.height else float("nan")
    boxes = c.boxes.pivot(on="split", index=["label", "name"], values="median").drop_nulls()
    spread = (
        boxes.with_columns((pl.col("test") - pl.col("train")).alias("diff"))
        .sort(pl.col("diff").abs(), "label", descending=[True, False])
        .row(0, named=True)
    )
    counts = c.table.group_by("split").agg(pl.col("count").sum())
    n = dict(zip(counts["split"], counts["count"], strict=True))
    return Facts(
        n_train=int(n["train"]),
        n_test=int(n["test"]),
        share_gap=Named(gap["name"], float(gap["gap"])),
        share_train=float(gap["share_train"]),
        share_test=float(gap["share_test"]),
        ink=Named(ink["name"], float(ink["diff"])),
        ink_train=float(ink["mean_ink_train"]),
        ink_test=float(ink["mean_ink_test"]),
        moved=Named(names[moved], shifts[moved]),
        least_moved=Named(*min(((names[k], v) for k, v in shifts.items()), key=lambda kv: kv[1])),
        closest_pair_distance=closest,
        median_gap=Named(spread["name"], float(spread["diff"])),
        median_train=float(spread["train"]),
        median_test=float(spread["test"]),
        alike=float(gap["gap"]) < ALIKE_SHARE_GAP and shifts[moved] < ALIKE_SHIFT * closest,
    )


def _train_against_test(analysis: Analysis, wide: pl.DataFrame, title: str, fmt: str) -> alt.LayerChart:
    """With many classes, a dot per class at its training value (x) and test value (y): on the diagonal, unchanged."""
    noun = analysis.dataset.class_noun[0].capitalize()
    low = float(min(wide["train"].min(), wide["test"].min()))
    high = float(max(wide["train"].max(), wide["test"].max()))
    if high - low < 1e-9:  # every class the same (a balanced dataset's shares): a scale around the value
        low, high = low - 1, high + 1
    scale = alt.Scale(domain=[low, high], zero=False, nice=False)
    diagonal = (
        alt.Chart(pl.DataFrame({"train": [low, high], "test": [low, high]}))
        .mark_line(color="#999", strokeDash=[4, 3])
        .encode(x=alt.X("train:Q", scale=scale), y=alt.Y("test:Q", scale=scale))
    )
    dots = (
        alt.Chart(wide)
        .mark_circle(size=36, opacity=0.7, color=SPLIT_COLOURS["train"])
        .encode(
            x=alt.X("train:Q", title=wrap(f"{title}, training"), scale=scale),
            y=alt.Y("test:Q", title=wrap(f"{title}, test"), scale=scale),
            tooltip=[
                alt.Tooltip("name:N", title=noun),
                alt.Tooltip("train:Q", title="Training", format=fmt),
                alt.Tooltip("test:Q", title="Test", format=fmt),
            ],
        )
    )
    return finish(alt.layer(diagonal, dots).properties(width=300, height=300))


def _wide(table: pl.DataFrame, field: str, scale: float = 1.0) -> pl.DataFrame:
    """name, train, test: a field of the comparison's table, one row per class present in both splits."""
    return (
        table.pivot(on="split", index=["label", "name"], values=field)
        .drop_nulls()
        .with_columns(pl.col("train", "test") * scale)
        .sort("label")
    )


def split_shares(analysis: Analysis) -> alt.Chart | alt.LayerChart:
    """Each class's share of its split, training and test side by side."""
    noun = analysis.dataset.class_noun[0].capitalize()
    data = analysis.comparison.table.filter(pl.col("count") > 0).with_columns((pl.col("share") * 100).alias("percent"))
    if many(analysis):
        return _train_against_test(analysis, _wide(data, "percent"), "Share of the split (%)", ".2f")
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("name:N", sort=analysis.present_names, title=noun),
            yOffset=alt.YOffset("split:N", sort=list(SPLIT_COLOURS)),
            x=alt.X("percent:Q", title=wrap("Share of the split's images (%)", 240)),
            color=split_colour(),
            tooltip=[
                alt.Tooltip("name:N", title=noun),
                alt.Tooltip("split:N", title="Split"),
                alt.Tooltip("count:Q", title="Images", format=","),
                alt.Tooltip("percent:Q", title="Share (%)", format=".2f"),
            ],
        )
    )
    return finish(chart.properties(width="container", height=alt.Step(11)))


def split_ink(analysis: Analysis) -> alt.LayerChart:
    """Mean ink of each class in each split, joined by a line: long lines are classes that changed."""
    noun = analysis.dataset.class_noun[0].capitalize()
    ink = f"Mean {vocabulary(analysis.dataset.kind).ink}"
    data = analysis.comparison.table.filter(pl.col("count") > 0)
    if many(analysis):
        return _train_against_test(analysis, _wide(data, "mean_ink"), f"{ink} per pixel", ".1f")
    y = alt.Y("name:N", sort=analysis.present_names, title=noun)
    # The colour's field, title and domain: one legend of coloured shapes (with none of its own, the
    # legend showed two circles for a circle and a square).
    shape = alt.Shape("split:N", sort=list(SPLIT_COLOURS), title="Split", scale=alt.Scale(domain=list(SPLIT_COLOURS)))
    tooltip = [
        alt.Tooltip("name:N", title=noun),
        alt.Tooltip("split:N", title="Split"),
        alt.Tooltip("mean_ink:Q", title=ink, format=".1f"),
    ]
    return finish(dumbbell(data, y, "mean_ink", f"{ink} per pixel (0-255)", split_colour(), shape, tooltip))


def split_differences(analysis: Analysis) -> alt.LayerChart:
    """Each class's mean training image minus its mean test image, red where training has more ink."""
    comparison = analysis.comparison
    both = [k for k in analysis.present if not np.isnan(comparison.shift[k])]
    if many(analysis):  # the classes that moved most, most first
        both = sorted(both, key=lambda k: (-comparison.shift[k], k))[:N_MOVED]
    diffs = [analysis.centroids[k] - comparison.test_centroids[k] for k in both]
    limit = images.diverging_limit(diffs)
    table = pl.DataFrame(
        {
            "name": [analysis.dataset.class_names[k] for k in both],
            "shift": [float(comparison.shift[k]) for k in both],
            "url": [images.data_url(images.diverging_rgb(d, limit)) for d in diffs],
        }
    )
    tooltip = [
        alt.Tooltip("name:N", title=analysis.dataset.class_noun[0].capitalize()),
        alt.Tooltip("shift:Q", title="RMS difference", format=".1f"),
    ]
    return finish(alt.layer(named_pictures(table, tooltip), diverging_key(limit, "Training minus test")))


def split_distances(analysis: Analysis) -> alt.LayerChart:
    """Distance to the training mean image per class, training and test boxplots side by side."""
    noun = analysis.dataset.class_noun[0]
    if many(analysis):
        medians = _wide(analysis.comparison.boxes.select("split", "label", "name", "median"), "median")
        return _train_against_test(analysis, medians, f"Median distance to the {noun}'s training mean", ".1f")
    y = alt.Y("name:N", sort=analysis.present_names, title=noun.capitalize())
    offset = alt.YOffset("split:N", sort=list(SPLIT_COLOURS))
    tooltip = [
        alt.Tooltip("name:N", title=noun.capitalize()),
        alt.Tooltip("split:N", title="Split"),
        alt.Tooltip("n:Q", title="Images", format=","),
        alt.Tooltip("median:Q", title="Median", format=".1f"),
        alt.Tooltip("q1:Q", title="Lower quartile", format=".1f"),
        alt.Tooltip("q3:Q", title="Upper quartile", format=".1f"),
    ]
    base = alt.Chart(analysis.comparison.boxes).encode(y=y, yOffset=offset, tooltip=tooltip)
    x_title = f"RMS distance to the {noun}'s mean training image"
    whiskers = base.mark_rule().encode(
        x=alt.X("whisker_low:Q", title=wrap(x_title, 240), scale=alt.Scale(zero=False)),
        x2=alt.X2("whisker_high:Q"),
        color=split_colour(),
    )
    boxes = base.mark_bar(size=8, stroke="#333", strokeWidth=0.5).encode(
        x=alt.X("q1:Q"), x2=alt.X2("q3:Q"), color=split_colour()
    )
    medians = base.mark_tick(color="white", size=8, thickness=2).encode(x=alt.X("median:Q"))
    return finish(alt.layer(whiskers, boxes, medians).properties(width="container", height=alt.Step(12)))


def figures(analysis: Analysis, f: Facts) -> list[Figure]:
    noun = analysis.dataset.class_noun[0]
    w = vocabulary(analysis.dataset.kind)
    gap = f"the largest gap is for {f.share_gap.name}" if f.share_gap.value else "every share is the same in both"
    shares = (
        f"Each {noun}'s share of the training and of the test images.",
        f"Paired horizontal bars per {noun}, training and test; {gap}.",
    )
    ink = (
        f"Mean {w.ink} per pixel of each {noun}'s images, in training and in test; the line joins the two.",
        f"Dot plot of mean {w.ink} per {noun} in the two splits; the largest change is for {f.ink.name}.",
    )
    differences = (
        f"Each {noun}'s mean training image minus its mean test image: red where training images {w.more[1]}, "
        f"blue where test images {w.more[3]}.",
        f"{len(analysis.present)} red and blue difference images, one per {noun}; the strongest is {f.moved.name}.",
    )
    distances = (
        f"Distance of each image to its {noun}'s mean training image: training and test boxplots side by side "
        "(box: middle half; white line: median; whiskers: up to 1.5 times the box).",
        f"Pairs of boxplots per {noun}, training above test, of the distance to the mean training image.",
    )
    if many(analysis):
        shares, ink, differences, distances = _many_words(analysis, f)
    return [
        Figure("shares", split_shares(analysis), *shares),
        Figure("ink", split_ink(analysis), *ink),
        Figure("split-differences", split_differences(analysis), *differences, static="png", grow=2),
        Figure("distances", split_distances(analysis), *distances, static="png"),
    ]


def _many_words(analysis: Analysis, f: Facts) -> tuple[tuple[str, str], ...]:
    """The figures' words when each class is a dot, not a row."""
    noun, nouns = analysis.dataset.class_noun
    w = vocabulary(analysis.dataset.kind)
    dot = f"Each dot is {with_article(noun)}, at its value in training (across) and in test (up); on the dashed diagonal, unchanged."
    shown = min(N_MOVED, len(analysis.present))
    return (
        (
            f"Each {noun}'s share of the training and of the test images. {dot}",
            f"Scatter plot of {len(analysis.present)} {nouns}' shares in the two splits; the farthest from the diagonal is {f.share_gap.name}.",
        ),
        (
            f"Mean {w.ink} per pixel of each {noun}'s images in training and in test. {dot}",
            f"Scatter plot of mean {w.ink} per {noun} in the two splits; the largest change is for {f.ink.name}.",
        ),
        (
            f"The {shown} {nouns} whose mean image moves most: mean training image minus mean test image, red where "
            f"training images {w.more[1]}, blue where test images {w.more[3]}. Hover a panel for its name.",
            f"{shown} red and blue difference images; the strongest is {f.moved.name}.",
        ),
        (
            f"The median distance of each {noun}'s images to its mean training image, in training and in test. {dot}",
            f"Scatter plot of median distances per {noun} in the two splits; the largest change is for {f.median_gap.name}.",
        ),
    )


CHARTS = (split_shares, split_ink, split_differences, split_distances)
