"""Dataset health (health.html): label-issue candidates, duplicate images and odd images, to judge the data by.

The charts draw the galleries the health part gathered (analysis/health): no picture is read here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import altair as alt
import numpy as np
import polars as pl

from ...analysis import Analysis, pca
from ...analysis.health import Health, duplicates, labels, odd, sample
from .. import images
from ..draw import GALLERY, INK_COLOUR, MANY, finish, name_axis, sprite_grid, wrap
from ..page import Figure
from ..words import Vocabulary, odds, sentence_start, the_split, vocabulary

ORDER = 90
FILE = "health.html"
TITLE = "Dataset health"
SUMMARY = "label-issue candidates, duplicate images and odd images, to judge the data by"
NEEDS = {"health"}

KIND_TITLES = {"faint": "Faint", "heavy": "Heavy", "off_centre": "Off centre"}  # as handwriting is called


def kind_titles(w: Vocabulary) -> dict[str, str]:
    """The odd kinds' titles in the dataset's words (a photo is light or dark, not faint or heavy)."""
    return {kind: word.capitalize() for kind, word in w.kinds.items()}


@dataclass(frozen=True)
class Candidates:
    """What the page says of one split's label-issue ranking."""

    n: int  # images scored
    disagree: int  # of them, scoring above 0: the network prefers another class
    top_instance: int
    top_label: str
    top_suggested: str
    top_margin: float  # the log-odds of the suggested class against the label


@dataclass(frozen=True)
class OddCounts:
    faint: int
    heavy: int
    off_centre: int


@dataclass(frozen=True)
class Facts:
    splits: list[str]  # the roles checked: "train", and "test" when there is one
    candidates: dict[str, Candidates]  # by role
    pca_dims: int
    epochs: int  # passes of the network's training
    neighbours: int  # training images shown beside each candidate
    near_rms: float  # the near-duplicate threshold
    n_pairs: int
    n_exact: int
    differ: int  # pairs whose labels differ, over every pair found (as n_pairs), not only those kept
    test_with_twin: int  # test images with a near twin in the training split
    odd: dict[str, OddCounts]  # by role
    ink_z: float
    offset_px: float
    sampled: list[tuple[str, int, int]]  # (role, used, total) of each split checked on a sample
    titles: dict[
        str, str
    ]  # by role, how a sentence names the split: "Training", "Test", "The" (the input's only split)
    sample_limit: int


def facts(analysis: Analysis) -> Facts:
    h, names = analysis.health, analysis.dataset.class_names
    candidates = {}
    for role in h.roles:
        mine = h.labels.table.filter(pl.col("split") == role)
        top = h.candidates[role].table.row(0, named=True)
        candidates[role] = Candidates(
            mine.height,
            int((mine["score"] > 0).sum()),
            top["instance"],
            names[top["label"]],
            names[top["suggested"]],
            top["margin"],
        )
    counts = h.odd.counts.group_by("split").agg(pl.col(*KIND_TITLES).sum())
    d = h.duplicates
    return Facts(
        splits=h.roles,
        titles={role: sentence_start(the_split(name)) for role, name in h.names.items()},
        candidates=candidates,
        pca_dims=pca.DIMS,
        epochs=labels.EPOCHS,
        neighbours=labels.NEIGHBOURS,
        near_rms=duplicates.NEAR_RMS,
        n_pairs=d.n_pairs,
        n_exact=d.n_exact,
        differ=d.n_differ,
        test_with_twin=d.images_with_twin("test", "train", duplicates.NEAR_RMS) if "test" in h.roles else 0,
        odd={r["split"]: OddCounts(r["faint"], r["heavy"], r["off_centre"]) for r in counts.iter_rows(named=True)},
        ink_z=odd.INK_Z,
        offset_px=odd.OFFSET_PX,
        sampled=[(c.split, c.used, c.total) for c in h.labels.coverage if c.sampled],
        sample_limit=sample.SAMPLE_LIMIT,
    )


def _candidate_cells(shown: pl.DataFrame, scale: float, class_names: Sequence[str]) -> tuple[list, list, list]:
    """The grid's columns (the image, then its neighbours), rows (one per candidate) and one cell per picture."""
    columns = ["Image", *(str(j) for j in range(1, int(shown["neighbour"].max() or 0) + 1))]
    top = shown.filter(pl.col("neighbour") == 0)
    rows = [
        f"{r}. {class_names[label]}\n→ {class_names[suggested]}?"
        for r, label, suggested in top.select("rank", "label", "suggested").iter_rows()
    ]
    cells = [
        {
            "row": rows[r["rank"] - 1],
            "col": columns[r["neighbour"]],
            "instance": r["instance"],
            "split": r["split"],
            "label": class_names[r["label"]],
            "detail": f"suggested {class_names[r['suggested']]}, odds {odds(r['margin'])}"
            if r["neighbour"] == 0
            else f"RMS distance {r['distance'] / scale:.1f}",
        }
        for r in shown.iter_rows(named=True)
    ]
    return columns, rows, cells


def label_candidates(health: Health, split: str, class_names: Sequence[str]) -> alt.LayerChart:
    """The split's top candidates (rows, most suspicious first), each followed by its nearest
    training images, so a reader can judge the label against its neighbours."""
    gallery = health.candidates[split]
    columns, rows, cells = _candidate_cells(gallery.table, np.sqrt(gallery.images[0].size), class_names)
    table = pl.DataFrame(cells)
    x = alt.X(
        "col:N",
        sort=columns,
        title=wrap("The image, then its nearest training images"),
        axis=name_axis(columns, "x", GALLERY, True, orient="top"),
    )
    y = alt.Y("row:N", sort=rows, title="Rank. label → suggested", axis=name_axis(rows, "y", GALLERY, False, lines=2))
    grid = sprite_grid(
        table,
        [images.ink_rgb(p) for p in gallery.images],
        [(rows.index(c["row"]), columns.index(c["col"])) for c in cells],
        len(rows),
        len(columns),
        GALLERY,
        x=x,
        y=y,
        tooltip=[
            alt.Tooltip("split:N", title="Split"),
            alt.Tooltip("instance:Q", title="Instance"),
            alt.Tooltip("label:N", title="Label"),
            alt.Tooltip("detail:N", title=""),
        ],
    )
    band = alt.Scale(paddingInner=0, paddingOuter=0)
    # Each picture's label in its corner, so the neighbours' labels can be read without hovering; as wide as the
    # picture at most (cut with an ellipsis, whole in the tooltip), in a font that follows the pictures' size.
    corner = (
        alt.Chart(table)
        .mark_text(
            align="right",
            baseline="bottom",
            dx=alt.expr("bandwidth('x') / 2 - 2"),
            dy=alt.expr("bandwidth('y') / 2 - 1"),
            fontSize=alt.expr("min(11, bandwidth('y') / 4)"),
            limit=alt.expr("bandwidth('x') - 3"),
            fontWeight="bold",
            color="#c25100",
        )
        .encode(x=x.scale(band), y=y.scale(band), text=alt.Text("label:N"))
    )
    return finish(alt.layer(grid, corner))


def duplicate_pairs(health: Health, class_names: Sequence[str]) -> alt.LayerChart | alt.Chart:
    """The closest pairs side by side with their RMS distance; pairs whose labels differ say so."""
    shown = health.pairs.table
    if not shown.height:  # nothing to show: a one-line statement instead of an empty grid
        text = f"No pair closer than RMS {health.duplicates.threshold_rms:g}."
        return finish(
            alt.Chart(pl.DataFrame({"text": [text]}))
            .mark_text(align="left", color="#222", fontSize=13)
            .encode(text=alt.Text("text:N"), x=alt.XValue(0), y=alt.YValue(10))
            .properties(width=300, height=20)
        )
    columns = ["Image A", "Image B"]
    rows = [
        # Two decimals: near duplicates lie within a few grey levels, and one decimal made ranks 1-3 all "0.7".
        f"{r['pair'] + 1}. RMS {r['distance']:.2f}" + ("" if r["same_label"] else "\nlabels differ")
        for r in shown.filter(pl.col("side") == 0).iter_rows(named=True)
    ]
    cells = [
        {
            "row": rows[r["pair"]],
            "col": columns[r["side"]],
            "split": r["split"],
            "instance": r["instance"],
            "label": class_names[r["label"]],
        }
        for r in shown.iter_rows(named=True)
    ]
    grid = sprite_grid(
        pl.DataFrame(cells),
        [images.ink_rgb(p) for p in health.pairs.images],
        [(c["pair"], c["side"]) for c in shown.iter_rows(named=True)],
        len(rows),
        2,
        GALLERY,
        x=alt.X("col:N", sort=columns, title=None, axis=name_axis(columns, "x", GALLERY, True, orient="top")),
        y=alt.Y("row:N", sort=rows, title="Closest pairs", axis=name_axis(rows, "y", GALLERY, False, lines=2)),
        tooltip=[
            alt.Tooltip("split:N", title="Split"),
            alt.Tooltip("instance:Q", title="Instance"),
            alt.Tooltip("label:N", title="Label"),
        ],
    )
    return finish(grid)


def _most_odd_said(counts: pl.DataFrame, noun: str, nouns: str) -> str:
    """How the odd-image chart's caption ends when it shows some of many classes."""
    shown = len(_most_odd(counts))
    return f", for the one {noun} that has any." if shown == 1 else f", for the {shown:,} {nouns} with the most."


def _most_odd(counts: pl.DataFrame) -> list[int]:
    """The MANY classes with the most odd images, of those with any (a class with none would be an empty row)."""
    totals = counts.group_by("label").agg(pl.sum_horizontal(*KIND_TITLES).sum().alias("n")).filter(pl.col("n") > 0)
    return totals.sort(["n", "label"], descending=[True, False]).head(MANY)["label"].to_list()


def odd_counts(health: Health, class_names: Sequence[str], titles: dict[str, str] = KIND_TITLES) -> alt.Chart:
    """How many images of each class and split are faint, heavy or off centre (beyond MANY classes,
    of the MANY classes with the most)."""
    counts = health.odd.counts
    shown = list(class_names)
    if len(class_names) > MANY:
        keep = _most_odd(counts)
        counts, shown = counts.filter(pl.col("label").is_in(keep)), [class_names[k] for k in sorted(keep)]
    long = counts.unpivot(
        index=["split", "label"], on=list(KIND_TITLES), variable_name="kind", value_name="count"
    ).with_columns(
        pl.col("label").map_elements(lambda k: class_names[k], return_dtype=pl.String).alias("name"),
        pl.col("kind").replace_strict(titles).alias("kind"),
    )
    kinds = list(titles.values())
    # The three kinds side by side in each class's row, told apart by colour: one axis of counts, so the chart
    # narrows to a phone (a column per kind could not: each repeats its axis).
    base = alt.Chart(long).encode(
        y=alt.Y("name:N", sort=shown, title=None, axis=name_axis(shown, "y", 24, False)),
        yOffset=alt.YOffset("kind:N", sort=kinds),
        x=alt.X("count:Q", title="Images"),
        color=alt.Color(
            "kind:N",
            title=None,
            sort=kinds,
            scale=alt.Scale(domain=kinds, range=[INK_COLOUR, "#c25100", "#2a7f3f"]),
            legend=alt.Legend(direction="vertical"),  # narrower than the plot however small
        ),
        tooltip=[
            alt.Tooltip("split:N", title="Split"),
            alt.Tooltip("name:N", title="Class"),
            alt.Tooltip("kind:N", title="Kind"),
            alt.Tooltip("count:Q", title="Images", format=","),
        ],
    )
    bars = base.mark_bar().properties(width=240, height=alt.Step(8))
    return finish(bars.facet(row=alt.Row("split:N", sort=["train", "test"], title=None)))


def odd_extremes(
    health: Health, class_names: Sequence[str], titles: dict[str, str] = KIND_TITLES, ink: str = "ink"
) -> alt.LayerChart:
    """The training split's most extreme faint, heavy and off-centre images, one row per kind."""
    gallery = health.oddest
    kinds = [titles[k] for k in titles if k in set(gallery.table["kind"])]
    table = gallery.table.with_columns(
        pl.col("kind").replace_strict(titles).alias("kind"),
        pl.col("label").map_elements(lambda k: class_names[k], return_dtype=pl.String).alias("name"),
        (pl.int_range(pl.len()).over("kind") + 1).alias("place"),
    ).select("kind", "place", "name", "ink", "offset", "instance")
    cells = [(kinds.index(kind), place - 1) for kind, place in table.select("kind", "place").iter_rows()]
    grid = sprite_grid(
        table,
        [images.ink_rgb(p) for p in gallery.images],
        cells,
        max(len(kinds), 1),
        odd.SHOWN,
        GALLERY,
        x=alt.X("place:O", title="Most extreme first", axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("kind:N", sort=kinds, title=None),
        tooltip=[
            alt.Tooltip("instance:Q", title="Instance"),
            alt.Tooltip("name:N", title="Class"),
            alt.Tooltip("kind:N", title="Kind"),
            alt.Tooltip("ink:Q", title=f"Mean {ink} (0-255)", format=".1f"),
            alt.Tooltip("offset:Q", title="Centre of mass off centre (px)", format=".1f"),
        ],
    )
    return finish(grid)


def _candidate_words(title: str, noun: str, neighbours: int) -> tuple[str, str]:
    """Caption and alt text of a split's candidates; `title` as facts' titles name the split ("The test split")."""
    image = "an image" if title == "The split" else f"a {title.split()[1]} image"
    return (
        f"{title}'s {labels.SHOWN} strongest label-issue candidates, each followed by its {neighbours} nearest "
        "training images and their labels. Hover for instance numbers.",
        f"Rows of {noun} images: {image} labelled one way that the data reads another, "
        "then the training images most like it.",
    )


def figures(analysis: Analysis, f: Facts) -> list[Figure]:
    noun, nouns = analysis.dataset.class_noun
    h, names = analysis.health, analysis.dataset.class_names
    w = vocabulary(analysis.dataset.kind)
    titles = kind_titles(w)
    faint_heavy = f"{w.faint.capitalize()}, {w.heavy} and off-centre images"
    pairs = (
        "The closest pairs found, side by side with their RMS distance; pairs whose labels differ say so.",
        f"{min(duplicates.SHOWN, f.n_pairs)} pairs of near-identical images.",
    )
    counts = (
        f"{faint_heavy} per {noun} and split"
        + (_most_odd_said(h.odd.counts, noun, nouns) if len(analysis.present) > MANY else "."),
        f"Small bar charts of how many images of each {noun} are {w.faint}, {w.heavy} or off centre, per split.",
    )
    oddest = (
        f"The most extreme {faint_heavy.lower()} of {the_split(h.names['train'])}. Hover for instance and measures.",
        f"Rows of the oddest images: the most {w.faint}, the most {w.heavy}, the farthest off centre.",
    )
    candidates = [
        Figure(
            f"labels-{split}", label_candidates(h, split, names), *_candidate_words(f.titles[split], noun, f.neighbours)
        )
        for split in f.splits
    ]
    return [
        *candidates,
        *([Figure("duplicates", duplicate_pairs(h, names), *pairs)] if f.n_pairs else []),  # none: the text says so
        Figure("odd-counts", odd_counts(h, names, titles), *counts),
        Figure("odd-train", odd_extremes(h, names, titles, w.ink), *oddest),
    ]


CHARTS = (label_candidates, duplicate_pairs, odd_counts, odd_extremes)
