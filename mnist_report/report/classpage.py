"""Everything one class's page says, read from the one `Analysis`: its counts, mean image, spread,
least and most typical images, nearest classes, how the classifiers read it (classreadings.py) and
the health checks' images of it (classhealth.py).

What every class page shares (the boxplots' rows, ranks, confusion matrices, the overall mean) is
computed once in `Shared`; a page then only slices it. Pictures are PNG files the page links to
(data: URLs in the one-file report), drawn here with numpy, not by vl-convert.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from markupsafe import Markup

from ..analysis import Analysis
from ..analysis.stats import BOX_FIELDS, Box, mean_ink
from . import images
from .boxes import boxplots
from .classhealth import Checks, checks, shared_checks
from .classreadings import Readings, readings, shared_readings
from .draw import many
from .shown import ByClass, Shown, by_class, picture

N_NEAR = 5  # nearest classes listed, with their difference images
PICTURES = "classes/img"  # the pictures' folder in the site


@dataclass(frozen=True)
class Count:
    split: str  # "train", "test", or "" when the input does not say
    count: int
    share: float  # of its split
    rank: int  # by count among the classes with images, 1 = most (ties: the lower label first)


@dataclass(frozen=True)
class Neighbour:
    name: str
    distance: float  # RMS distance between the two mean images
    rank: int  # of the pair among every pair by that distance, 1 = closest
    picture: str  # this class's mean minus the other's


@dataclass(frozen=True)
class Facts:
    k: int  # the class's index, counted from 0 as the pages count
    name: str
    value: int  # its label in the input files (and the data files)
    n_classes: int  # classes with images
    counts: list[Count]
    mean: str  # pictures: its mean image, and that of every image
    overall: str
    ink: float  # the mean ink of its mean image, and of every image
    overall_ink: float
    box: Box  # its images' RMS distances to its mean
    spread_rank: int  # by median distance, 1 = least variable
    n_outliers: int
    boxes: Markup  # its box beside the others' (SVG)
    many: bool  # too many classes for a box each: the others' medians as ticks
    least: Shown  # up to 30 images farthest from its mean, farthest first
    most: Shown
    nearest: list[Neighbour]
    limit: float  # the difference pictures' colour scale, -limit (blue) to +limit (red)
    readings: Readings | None  # how the classifiers read it
    checks: Checks | None  # label-issue candidates, near duplicates and odd images of it
    prev: tuple[str, str] | None  # the class before it (name, file), for the pager; None for the first
    next: tuple[str, str] | None


@dataclass(frozen=True, eq=False)
class Shared:
    """What every class page reads, computed once."""

    analysis: Analysis
    present: list[int]  # the classes with images
    boxes: dict[int, Box]  # by class, the classes with images
    spread_rank: dict[int, int]
    count_rank: dict[str, dict[int, int]]  # by split, then class
    counts: dict[int, list[dict]]  # by class: split, label, count, share
    overall: np.ndarray  # the mean of every explored image
    ink: np.ndarray  # of each mean image
    outliers: np.ndarray  # images beyond the whiskers, by class
    least: ByClass
    most: ByClass
    readings: tuple | None  # classreadings.shared_readings, when the classifiers ran
    checks: tuple | None  # classhealth.shared_checks, when the health checks ran


def shared(analysis: Analysis) -> Shared:
    stats = analysis.distance_stats
    boxes = {int(r["label"]): Box(*(r[f] for f in BOX_FIELDS)) for r in stats.iter_rows(named=True)}
    by_spread = stats.sort("median", "label")["label"].to_list()
    counts = split_counts(analysis)
    # Ranked as in sport: classes with equal counts share a place (ten classes of 500 are all 1st).
    count_rank = {
        split: dict(
            part.filter(pl.col("count") > 0)
            .select(pl.col("label").cast(pl.Int64), pl.col("count").rank("min", descending=True).cast(pl.Int64))
            .iter_rows()
        )
        for (split,), part in counts.partition_by("split", as_dict=True, maintain_order=True).items()
    }
    weights = analysis.counts["count"].to_numpy().astype(np.float64)
    present = analysis.present
    overall = np.tensordot(weights[present], analysis.centroids[present], axes=1) / weights[present].sum()
    by_class_counts: dict[int, list[dict]] = {}
    for row in counts.iter_rows(named=True):
        by_class_counts.setdefault(int(row["label"]), []).append(row)
    return Shared(
        analysis,
        present,
        boxes,
        {int(k): i + 1 for i, k in enumerate(by_spread)},
        count_rank,
        by_class_counts,
        overall,
        mean_ink(analysis.centroids),
        np.bincount(analysis.outliers["label"].to_numpy(), minlength=len(weights)),
        by_class(analysis.classes.least, "label"),
        by_class(analysis.classes.most, "label"),
        shared_readings(analysis) if analysis.classifiers is not None else None,
        shared_checks(analysis) if analysis.classes.candidates is not None else None,
    )


def split_counts(analysis: Analysis) -> pl.DataFrame:
    """split, label, count, share: the comparison's table when there is a test split, else the explored split's."""
    if analysis.comparison is not None:
        return analysis.comparison.table.select("split", "label", "count", "share")
    return analysis.counts.select(pl.lit(analysis.dataset.split or "").alias("split"), "label", "count", "share")


def picture_path(k: int, what: str) -> str:
    return f"{PICTURES}/{k}-{what}.png"


def page_facts(
    s: Shared, k: int, pager: tuple[tuple[str, str] | None, tuple[str, str] | None], pictures: dict
) -> Facts:
    """Class k's facts; its pictures are added to `pictures`. `pager` names the classes before and after it
    with their files."""
    a = s.analysis
    names = a.dataset.class_names
    noun, nouns = a.dataset.class_noun
    pictures[picture_path(k, "mean")] = picture(255 - np.rint(a.centroids[k]).astype(np.uint8))
    if k == s.present[0]:
        pictures[f"{PICTURES}/overall-mean.png"] = picture(255 - np.rint(s.overall).astype(np.uint8))
    nearest, limit = _nearest(s, k, pictures)
    rows = [(names[j], s.boxes[j]) for j in s.present]
    crowded = many(a)
    title = f"Distances to the mean image: {names[k]}'s box beside the other {nouns}'"
    axis = f"RMS distance to the {noun}'s mean image"
    return Facts(
        k=k,
        name=names[k],
        value=int(a.dataset.kind.values[k]),
        n_classes=len(s.present),
        counts=[
            Count(r["split"], int(r["count"]), float(r["share"]), s.count_rank[r["split"]].get(k, 0))
            for r in s.counts[k]
        ],
        mean=picture_path(k, "mean"),
        overall=f"{PICTURES}/overall-mean.png",
        ink=float(s.ink[k]),
        overall_ink=float(s.overall.mean()),
        box=s.boxes[k],
        spread_rank=s.spread_rank[k],
        n_outliers=int(s.outliers[k]),
        boxes=boxplots(rows, s.present.index(k), title, axis, others=f"Other {nouns}" if crowded else ""),
        many=crowded,
        least=s.least.shown(k, picture_path(k, "least"), pictures),
        most=s.most.shown(k, picture_path(k, "most"), pictures),
        nearest=nearest,
        limit=limit,
        readings=None if s.readings is None else readings(a, k, s.readings, pictures, picture_path(k, "cells")),
        checks=None if s.checks is None else checks(a, k, s.checks, pictures, lambda what: picture_path(k, what)),
        prev=pager[0],
        next=pager[1],
    )


def _nearest(s: Shared, k: int, pictures: dict[str, bytes]) -> tuple[list[Neighbour], float]:
    """The N_NEAR classes whose mean images lie nearest k's, with k's mean minus theirs."""
    a = s.analysis
    others = [j for j in s.present if j != k]
    others.sort(key=lambda j: (a.pair_distances[k, j], j))
    chosen = others[:N_NEAR]
    c = a.centroids
    limit = images.diverging_limit(c[k] - c[j] for j in chosen)
    out = []
    for j in chosen:
        path = picture_path(k, f"minus-{j}")
        pictures[path] = picture(images.diverging_rgb(c[k] - c[j], limit))
        pair = (min(j, k), max(j, k))
        out.append(Neighbour(a.dataset.class_names[j], float(a.pair_distances[k, j]), a.pair_rank[pair], path))
    return out, limit
