"""Every summary the report shows, computed once from a `Dataset` into a frozen `Analysis`.

Image maths is numpy on the pixel matrix, a bounded chunk of images at a time,
so memory stays flat as the input grows; tables for the pages are small polars
frames. Nothing here is ever expanded to one row per pixel of the whole set.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import polars as pl

from .datasets import CHUNK, PIXELS, Dataset

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
    first: Gallery  # the first images of the input
    tidy_sample: pl.DataFrame  # instance, label, x, y, value: a slice of the one-row-per-pixel table
    least_typical: Gallery  # label, name, rank, instance, distance; rank 1 = farthest
    most_typical: Gallery  # same, rank 1 = nearest
    pair_distances: np.ndarray  # float64[K, K]: RMS distance between the two centroids
    pairs: pl.DataFrame  # a, b, name_a, name_b, distance for a < b, nearest (hardest) first

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


def analyze(dataset: Dataset) -> Analysis:
    k = len(dataset.class_names)
    names = list(dataset.class_names)
    labels = dataset.labels.astype(np.int64)
    count = np.bincount(labels, minlength=k)

    pixel_counts = np.zeros(256, np.int64)
    sums = np.zeros((k, PIXELS))
    for _, images, chunk_labels in dataset.main.chunks(CHUNK):
        pixel_counts += np.bincount(images.ravel(), minlength=256)
        for label in np.unique(chunk_labels):
            sums[label] += images[chunk_labels == label].sum(axis=0, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        centroids = sums / count[:, None]

    distances = np.empty(len(dataset))
    for start, images, chunk_labels in dataset.main.chunks(CHUNK):
        diff = images.astype(np.float64) - centroids[chunk_labels]
        distances[start:start + len(images)] = np.sqrt(np.einsum("ij,ij->i", diff, diff) / PIXELS)

    counts = pl.DataFrame({"label": range(k), "name": names, "count": count, "share": count / count.sum()})
    first = _first(dataset)
    stats, outliers = _distance_summary(dataset, distances, names)
    pair_distances = np.sqrt(((centroids[:, None] - centroids[None, :]) ** 2).mean(axis=2))
    pairs = pl.DataFrame(
        [(a, b, names[a], names[b], pair_distances[a, b]) for a, b in combinations(range(k), 2) if count[a] and count[b]],
        schema=["a", "b", "name_a", "name_b", "distance"], orient="row",
    ).sort("distance", "a", "b")
    return Analysis(
        dataset=dataset,
        counts=counts,
        pixel_counts=pixel_counts,
        centroids=centroids.reshape(k, *dataset.images.shape[1:]),
        distances=distances,
        distance_stats=stats,
        outliers=outliers,
        first=first,
        tidy_sample=_tidy_sample(first),
        least_typical=_extremes(dataset, distances, names, farthest=True),
        most_typical=_extremes(dataset, distances, names, farthest=False),
        pair_distances=pair_distances,
        pairs=pairs,
    )


def _distance_summary(dataset: Dataset, distances: np.ndarray, names: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Tukey boxplot statistics per class, and the points beyond the whiskers."""
    rows, outliers = [], []
    for label, name in enumerate(names):
        mask = dataset.labels == label
        d = distances[mask]
        if len(d) == 0:
            continue
        q1, median, q3 = np.quantile(d, [0.25, 0.5, 0.75])
        fence_low, fence_high = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
        inside = d[(d >= fence_low) & (d <= fence_high)]
        rows.append((label, name, len(d), d.min(), q1, median, q3, d.max(), d.mean(), inside.min(), inside.max()))
        out = (d < fence_low) | (d > fence_high)
        outliers += [(label, name, int(i), float(x)) for i, x in zip(dataset.instances[mask][out], d[out])]
    stats = pl.DataFrame(
        rows, orient="row",
        schema=["label", "name", "n", "min", "q1", "median", "q3", "max", "mean", "whisker_low", "whisker_high"],
    )
    outliers_frame = pl.DataFrame(
        outliers, orient="row", schema={"label": pl.Int64, "name": pl.String, "instance": pl.Int64, "distance": pl.Float64}
    )
    return stats, outliers_frame


def _first(dataset: Dataset) -> Gallery:
    n = min(N_FIRST, len(dataset))
    table = pl.DataFrame({
        "label": dataset.labels[:n].astype(np.int64),
        "name": [dataset.class_names[i] for i in dataset.labels[:n]],
        "instance": dataset.instances[:n],
    })
    return Gallery(dataset.images[:n], table)


def _extremes(dataset: Dataset, distances: np.ndarray, names: list[str], farthest: bool) -> Gallery:
    """Per class, the N_EXTREME images farthest from (or nearest to) their centroid."""
    picks, rows = [], []
    for label, name in enumerate(names):
        index = np.flatnonzero(dataset.labels == label)
        # Stable sort on (distance, instance) so ties come out the same every build.
        order = index[np.lexsort((dataset.instances[index], -distances[index] if farthest else distances[index]))]
        for rank, i in enumerate(order[:N_EXTREME], start=1):
            picks.append(i)
            rows.append((label, name, rank, int(dataset.instances[i]), float(distances[i])))
    table = pl.DataFrame(
        rows, orient="row", schema={"label": pl.Int64, "name": pl.String, "rank": pl.Int64, "instance": pl.Int64, "distance": pl.Float64}
    )
    return Gallery(dataset.images[np.array(picks, dtype=np.int64)], table)


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
