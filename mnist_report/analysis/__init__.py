"""Every summary the report shows, computed once from a `Dataset` into a frozen `Analysis`.

explore.py makes the exploring summaries in two passes over the split they describe; the other
parts, each its own module, are computed when asked for (`parts`): the test split beside the
training split (comparison.py), simple classifiers (classifiers.py, with neighbours.py), the map
of the images (projection.py, with pca.py) and dataset health (health/). stats.py holds the
statistics they share. Image maths is numpy on the pixel matrix, a bounded chunk at a time;
nothing is ever expanded to one row per pixel of the whole set.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import polars as pl

from ..loading.model import Dataset
from . import classes as class_pages
from . import classifiers as classifying
from . import explore, neighbours, pca
from . import health as checking
from . import order as ordering
from . import projection as mapping
from .classes import ClassPages
from .classifiers import Classifiers
from .comparison import Comparison, compare
from .gallery import Gallery
from .health import Health
from .order import Order
from .projection import Projection
from .sampling import evenly_spaced
from .stats import held_out

# What analyze() computes beyond the exploring summaries, when asked.
PARTS = frozenset({"comparison", "classifiers", "map", "health", "order", "classes"})


@dataclass(frozen=True, eq=False)
class Analysis:
    dataset: Dataset
    counts: pl.DataFrame  # label, name, count, share
    pixel_counts: np.ndarray  # int64[256]: how many pixels take each value
    centroids: np.ndarray  # float64[K, height, width]: mean image per class (NaN where a class is absent)
    distances: np.ndarray  # float64[N]: RMS distance of each image to its class centroid
    distance_stats: pl.DataFrame  # per class: n, min, q1, median, q3, max, mean, whiskers
    outliers: pl.DataFrame  # label, name, instance, distance: beyond the boxplot whiskers
    outliers_drawn: pl.DataFrame  # the same, at most MAX_OUTLIERS_DRAWN: the farthest of each class
    first: Gallery  # the first images of the input
    tidy_sample: pl.DataFrame  # instance, label, x, y, value: a slice of the one-row-per-pixel table
    least_typical: Gallery  # label, name, rank, instance, distance; rank 1 = farthest
    most_typical: Gallery  # same, rank 1 = nearest
    farthest: Gallery  # label, name, rank, instance, distance: the least typical images whatever their class
    pair_distances: np.ndarray  # float64[K, K]: RMS distance between the two centroids
    pairs: pl.DataFrame  # a, b, name_a, name_b, distance for a < b, nearest (hardest) first
    similar_order: list[int]  # the present classes ordered so that similar ones sit together
    comparison: Comparison | None  # train and test side by side, when there is a test split
    classifiers: Classifiers | None  # None when too few images to hold any out, or not asked for
    projection: Projection | None  # the map of the images
    health: Health | None  # label-issue candidates, duplicates and odd images
    order: Order | None  # each split along its file order, and where it shifts
    classes: ClassPages | None  # what only the class pages show: more typical images, the health checks by class

    @property
    def n(self) -> int:
        return len(self.dataset)

    @functools.cached_property  # read once per class by some pages: kept, not filtered again
    def present(self) -> list[int]:
        """Classes with at least one image."""
        return [int(k) for k in self.counts.filter(pl.col("count") > 0)["label"]]

    @functools.cached_property
    def present_names(self) -> list[str]:
        """Names of the classes with at least one image, in label order: the rows of every per-class figure."""
        return [self.dataset.class_names[k] for k in self.present]

    @functools.cached_property
    def pair_rank(self) -> dict[tuple[int, int], int]:
        """Each pair of classes (a, b) as in `pairs` -> its place there, 1 the closest (hardest to tell apart)."""
        return {(int(a), int(b)): i + 1 for i, (a, b) in enumerate(self.pairs.select("a", "b").iter_rows())}

    def has(self, part: str) -> bool:
        """Whether a part of PARTS was computed (and applies: a test split for the comparison)."""
        return getattr(self, "projection" if part == "map" else part) is not None

    def share_of_pixels(self, low: int, high: int = 255) -> float:
        return float(self.pixel_counts[low : high + 1].sum() / self.pixel_counts.sum())


def analyze(dataset: Dataset, parts: frozenset[str] | set[str] = PARTS) -> Analysis:
    """Every summary, in two passes over the split the exploring pages describe (counts and sums,
    then distances), and the `parts` asked for (a subset of PARTS), each with its own reads."""
    unknown = set(parts) - PARTS
    if unknown:
        raise ValueError(f"unknown analysis parts {sorted(unknown)}; choose from {sorted(PARTS)}")
    main, names = dataset.main, list(dataset.class_names)
    # A test split to set beside the training split; a test split alone is just the split explored.
    test = dataset.test if dataset.train is not None else None
    passed = explore.first_pass(main, len(names), test is None and "classifiers" in parts)
    count = passed.sums.count
    centroids = passed.sums.means()[0]
    distances, ink = explore.distances(main, centroids)
    stats, outliers = explore.distance_summary(main, distances, names)
    first = explore.first_images(main, dataset.class_names)
    pair_distances = explore.mean_distances(centroids)
    shape = (len(names), *main.images.shape[1:])
    # The class pages show thirty of each class's least and most typical images, the other pages six of them.
    shown = explore.N_CLASS_EXTREME if "classes" in parts else explore.N_EXTREME
    least = explore.extremes(main, distances, names, farthest=True, most=shown)
    most = explore.extremes(main, distances, names, farthest=False, most=shown)
    return Analysis(
        dataset=dataset,
        counts=pl.DataFrame({"label": range(len(names)), "name": names, "count": count, "share": count / count.sum()}),
        pixel_counts=passed.pixel_counts,
        centroids=centroids.reshape(shape),
        distances=distances,
        distance_stats=stats,
        outliers=outliers,
        outliers_drawn=explore.farthest_per_class(outliers),
        first=first,
        tidy_sample=explore.tidy_sample(first),
        least_typical=least.top(explore.N_EXTREME),
        most_typical=most.top(explore.N_EXTREME),
        farthest=explore.farthest(main, distances, names),
        pair_distances=pair_distances,
        pairs=explore.pairs_table(pair_distances, names, count),
        similar_order=explore.similar_order(pair_distances, [k for k in range(len(names)) if count[k]]),
        **_parts(dataset, test, set(parts), passed, centroids.reshape(shape), distances, stats, ink, (least, most)),
    )


def _parts(
    dataset: Dataset,
    test,
    parts: set[str],
    passed,
    centroids: np.ndarray,
    distances: np.ndarray,
    boxes: pl.DataFrame,
    ink: np.ndarray,
    typical: tuple[Gallery, Gallery],
) -> dict:
    """The parts asked for, in the order they build on each other: the file order reads the test
    split's pass (the comparison's) and the classifiers' errors, the class pages the health checks."""
    main, names = dataset.main, list(dataset.class_names)
    flat = centroids.reshape(len(names), -1)
    if "order" in parts and test is not None:
        parts.add("comparison")
    comparison = (
        compare(names, centroids, passed.sums.count, boxes, test)
        if test is not None and "comparison" in parts
        else None
    )
    fit_rows = evenly_spaced(len(main), pca.MAX_FIT)
    # One PCA for the map, the label network, the duplicate search and the k-NN search's bounds (which
    # takes more axes than the rest: eigh finds them all at once), fitted on an evenly spaced selection.
    # Without the map and health, the neighbour search fits its own axes, in float32 and cheaper.
    components = (
        pca.fit(main.take(fit_rows).reshape(len(fit_rows), -1), max(pca.DIMS, neighbours.AXES))
        if parts & {"map", "health"}
        else None
    )
    hold_out = test is None and "classifiers" in parts
    train_sums = passed.sums - passed.held_sums if hold_out else passed.sums
    scored = (
        classifying.score(main, test, train_sums, held_out(len(main)) if hold_out else None, components)
        if "classifiers" in parts
        else None
    )
    health = (
        checking.examine(main, test, len(names), components)
        if "health" in parts and len(main) >= checking.MIN_IMAGES
        else None
    )
    roles = {"train": main, **({"test": test} if test is not None else {})}
    return {
        "comparison": comparison,
        "classifiers": scored,
        "projection": mapping.build(main, flat, names, components, len(fit_rows)) if "map" in parts else None,
        "health": health,
        "order": ordering.follow(dataset, test, comparison, scored, ink, distances) if "order" in parts else None,
        "classes": class_pages.gather(*typical, roles, health) if "classes" in parts else None,
    }
