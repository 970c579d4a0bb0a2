"""Every summary the report shows, computed once from a `Dataset` into a frozen `Analysis`.

Image maths is numpy on the pixel matrix, a bounded chunk of images at a time,
so memory stays flat as the input grows; tables for the pages are small polars
frames. Nothing here is ever expanded to one row per pixel of the whole set.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from itertools import combinations

import numpy as np
import polars as pl

from . import classifiers, health, projection
from .boxplot import Box, box
from .comparison import Comparison, compare
from .loading.chunks import CHUNK
from .loading.csvfile import PIXELS
from .loading.model import Dataset, Split
from .sampling import evenly_spaced

MAX_OUTLIERS_DRAWN = 1_000  # boxplot outliers a chart draws at most: a million images have about 15,000
N_EXTREME = 6  # least and most typical images shown per class
N_FIRST = 12  # images shown on "the data" page


@dataclass(frozen=True, eq=False)
class Gallery:
    """A few whole images with what a caption or tooltip needs to say about them."""

    images: np.ndarray  # uint8[k, 28, 28]
    table: pl.DataFrame  # one row per image, in display order


@dataclass(frozen=True, eq=False)
class Analysis:
    dataset: Dataset
    counts: pl.DataFrame  # label, name, count, share
    pixel_counts: np.ndarray  # int64[256]: how many pixels take each value
    centroids: np.ndarray  # float64[K, 28, 28]: mean image per class (NaN where a class is absent)
    distances: np.ndarray  # float64[N]: RMS distance of each image to its class centroid
    distance_stats: pl.DataFrame  # per class: n, min, q1, median, q3, max, mean, whiskers
    outliers: pl.DataFrame  # label, name, instance, distance: beyond the boxplot whiskers
    outliers_drawn: pl.DataFrame  # the same, at most MAX_OUTLIERS_DRAWN: the farthest of each class
    first: Gallery  # the first images of the input
    tidy_sample: pl.DataFrame  # instance, label, x, y, value: a slice of the one-row-per-pixel table
    least_typical: Gallery  # label, name, rank, instance, distance; rank 1 = farthest
    most_typical: Gallery  # same, rank 1 = nearest
    pair_distances: np.ndarray  # float64[K, K]: RMS distance between the two centroids
    pairs: pl.DataFrame  # a, b, name_a, name_b, distance for a < b, nearest (hardest) first
    comparison: Comparison | None  # train and test side by side, when there is a test split
    classifiers: classifiers.Classifiers | None  # None when too few images to hold any out
    projection: projection.Projection | None  # the map of the images (on the classifiers' page)
    health: health.Health | None  # label-issue candidates, duplicates and odd images

    @property
    def n(self) -> int:
        return len(self.dataset)

    @property
    def present(self) -> list[int]:
        """Classes with at least one image."""
        return [int(k) for k in self.counts.filter(pl.col("count") > 0)["label"]]

    @property
    def present_names(self) -> list[str]:
        """Names of the classes with at least one image, in label order: the rows of every per-class figure."""
        return [self.dataset.class_names[k] for k in self.present]

    def share_of_pixels(self, low: int, high: int = 255) -> float:
        return float(self.pixel_counts[low:high + 1].sum() / self.pixel_counts.sum())


def analyze(dataset: Dataset, skip: frozenset[str] | set[str] = frozenset()) -> Analysis:
    """Every summary, in two passes over the split the six pages describe (counts and sums, then
    distances), one over the test split, and the classifiers' and the map's own reads.

    `skip` names parts not to compute ("splits", "classifiers", "health"): k-NN is most of the time on a large set.
    """
    main = dataset.main
    k = len(dataset.class_names)
    names = list(dataset.class_names)
    # A test split to set beside the training split; a test split alone is just the split explored.
    test = dataset.test if dataset.train is not None else None
    held = None if test is not None else classifiers.held_out(len(main))

    def first_pass(start: int, images: np.ndarray, labels: np.ndarray):
        mine = None if held is None else (np.arange(start, start + len(images)) % classifiers.HOLD_OUT_EVERY) == classifiers.HOLD_OUT_EVERY - 1
        return (pixel_histogram(images), classifiers.class_sums(images, labels, k),
                None if mine is None else classifiers.class_sums(images[mine], labels[mine], k))

    pixel_counts = np.zeros(256, np.int64)
    sums, held_sums = classifiers.empty_sums(k, PIXELS), classifiers.empty_sums(k, PIXELS)
    for chunk_pixels, chunk_sums, chunk_held in main.map_chunks(first_pass, CHUNK, what="counting"):
        pixel_counts += chunk_pixels
        sums = sums + chunk_sums
        if chunk_held is not None:
            held_sums = held_sums + chunk_held
    count = sums.count
    centroids = sums.means()[0]

    distances = np.empty(len(main))
    for start, chunk in main.map_chunks(lambda start, images, labels: (start, classifiers.rms_distances(images, labels, centroids)), CHUNK, what="distances"):
        distances[start:start + len(chunk)] = chunk

    counts = pl.DataFrame({"label": range(k), "name": names, "count": count, "share": count / count.sum()})
    first = _first(main, dataset.class_names)
    stats, outliers = _distance_summary(main, distances, names)
    pair_distances = np.sqrt(((centroids[:, None] - centroids[None, :]) ** 2).mean(axis=2))
    pairs = pl.DataFrame(
        [(a, b, names[a], names[b], pair_distances[a, b]) for a, b in combinations(range(k), 2) if count[a] and count[b]],
        schema=["a", "b", "name_a", "name_b", "distance"], orient="row",
    ).sort("distance", "a", "b")
    shape = (k, *main.images.shape[1:])
    return Analysis(
        dataset=dataset,
        counts=counts,
        pixel_counts=pixel_counts,
        centroids=centroids.reshape(shape),
        distances=distances,
        distance_stats=stats,
        outliers=outliers,
        outliers_drawn=_farthest_per_class(outliers, MAX_OUTLIERS_DRAWN),
        first=first,
        tidy_sample=_tidy_sample(first),
        least_typical=_extremes(main, distances, names, farthest=True),
        most_typical=_extremes(main, distances, names, farthest=False),
        pair_distances=pair_distances,
        pairs=pairs,
        comparison=None if test is None or "splits" in skip else compare(names, centroids.reshape(shape), count, main.labels, distances, test),
        classifiers=None if "classifiers" in skip else _classifiers(main, test, sums if held is None else sums - held_sums, held),
        projection=None if "classifiers" in skip else projection.build(main, centroids, names),
        health=None if "health" in skip or len(main) < health.MIN_IMAGES else health.examine(main, test, k),
    )


def pixel_histogram(images: np.ndarray) -> np.ndarray:
    """int64[256]: how many pixels of uint8 `images` take each value.

    Counted two pixels at a time, as uint16 (65,536 bins, folded after): numpy's bincount
    widens every value to 64 bits first, so half the values take half the time.
    """
    flat = images.ravel()
    pairs = np.bincount(flat[:len(flat) // 2 * 2].view(np.uint16), minlength=1 << 16).reshape(256, 256)
    counts = pairs.sum(axis=0) + pairs.sum(axis=1)  # one byte of the pair indexes rows, the other columns
    if len(flat) % 2:
        counts[flat[-1]] += 1
    return counts


def _classifiers(main: Split, test: Split | None, train_sums: classifiers.ClassSums, held: np.ndarray | None) -> classifiers.Classifiers | None:
    """Scored on the test split, or on the held-out training rows when there is none; None when too few images."""
    scored = test if held is None else main
    available = np.arange(len(scored)) if held is None else held
    n_training = len(main) - (0 if held is None else len(held))
    if not len(available) or not n_training:
        return None
    rows = available[evenly_spaced(len(available), classifiers.MAX_EVALUATED)]
    reference = evenly_spaced(n_training, classifiers.MAX_REFERENCE)
    if held is not None:  # positions among the rows not held out, to rows: no array of every row (80 MB at ten million)
        reference = classifiers.not_held_out(reference)
    return classifiers.classify(
        train_sums, main.take(reference).reshape(len(reference), PIXELS), main.labels[reference].astype(np.int64), reference,
        scored.take(rows).reshape(len(rows), PIXELS), scored.labels[rows], rows, scored.instances[rows],
        split=scored.name or "unknown", held=held is not None, n_available=len(available),
    )


def _distance_summary(split: Split, distances: np.ndarray, names: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Tukey boxplot statistics per class, and the points beyond the whiskers."""
    rows, outliers = [], []
    for label, name in enumerate(names):
        mask = split.labels == label
        d = distances[mask]
        if len(d) == 0:
            continue
        b = box(d)
        rows.append((label, name, *(getattr(b, f.name) for f in fields(Box))))
        out = b.beyond(d)
        outliers.append(pl.DataFrame({"label": label, "name": name, "instance": split.instances[mask][out], "distance": d[out]},
                                     schema={"label": pl.Int64, "name": pl.String, "instance": pl.Int64, "distance": pl.Float64}))
    stats = pl.DataFrame(rows, orient="row", schema=["label", "name", *(f.name for f in fields(Box))])
    empty = pl.DataFrame(schema={"label": pl.Int64, "name": pl.String, "instance": pl.Int64, "distance": pl.Float64})
    return stats, pl.concat([empty, *outliers])


def _farthest_per_class(outliers: pl.DataFrame, most: int) -> pl.DataFrame:
    """The outliers a chart draws: all when few, else the farthest of each class in equal shares."""
    if outliers.height <= most:
        return outliers
    per_class = max(1, most // max(1, outliers["label"].n_unique()))
    return outliers.sort("distance", "instance", descending=[True, False]).group_by("label", maintain_order=True).head(per_class).sort("label", "distance")


def _first(split: Split, class_names: tuple[str, ...]) -> Gallery:
    n = min(N_FIRST, len(split))
    table = pl.DataFrame({
        "label": split.labels[:n].astype(np.int64),
        "name": [class_names[i] for i in split.labels[:n]],
        "instance": split.instances[:n],
    })
    return Gallery(split.take(np.arange(n)), table)


def _extremes(split: Split, distances: np.ndarray, names: list[str], farthest: bool) -> Gallery:
    """Per class, the N_EXTREME images farthest from (or nearest to) their centroid."""
    picks, rows = [], []
    for label, name in enumerate(names):
        index = np.flatnonzero(split.labels == label)
        # Stable sort on (distance, instance) so ties come out the same every build.
        order = index[np.lexsort((split.instances[index], -distances[index] if farthest else distances[index]))]
        for rank, i in enumerate(order[:N_EXTREME], start=1):
            picks.append(i)
            rows.append((label, name, rank, int(split.instances[i]), float(distances[i])))
    table = pl.DataFrame(
        rows, orient="row", schema={"label": pl.Int64, "name": pl.String, "rank": pl.Int64, "instance": pl.Int64, "distance": pl.Float64}
    )
    return Gallery(split.take(np.array(picks, dtype=np.int64)), table)


def _tidy_sample(first: Gallery) -> pl.DataFrame:
    """A slice of the one-row-per-pixel table: the first image's inkiest row, across its stroke."""
    image = first.images[0].astype(np.int64)
    y = int(image.astype(bool).sum(axis=1).argmax())
    ink = np.flatnonzero(image[y])
    x0, x1 = (max(int(ink[0]) - 2, 0), min(int(ink[-1]) + 2, image.shape[1] - 1)) if len(ink) else (0, 11)
    xs = range(x0, x1 + 1)
    row = first.table.row(0, named=True)
    return pl.DataFrame({
        "instance": [row["instance"]] * len(xs),
        "label": [row["name"]] * len(xs),
        "x": list(xs),
        "y": [y] * len(xs),
        "value": [int(image[y, x]) for x in xs],
    })
