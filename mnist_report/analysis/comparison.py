"""Train and test side by side: does the test set look like the training set, and where does it differ most?

Both splits are measured against the training split's class means, so a test image's
distance says how far it lies from what a classifier trained on the training set expects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from ..loading.model import Split
from .stats import box_table, class_boxes, class_sums, empty_sums, image_ink, mean_ink, rms_distances


@dataclass(frozen=True, eq=False)
class Comparison:
    table: pl.DataFrame  # split, label, name, count, share, mean_ink: one row per split and class
    test_centroids: np.ndarray  # float64[K, height, width]: each class's mean test image (NaN where absent)
    shift: (
        np.ndarray
    )  # float64[K]: RMS distance between each class's training and test means (NaN where either is absent)
    boxes: (
        pl.DataFrame
    )  # split, label, name, n, min, q1, median, q3, max, mean, whisker_low, whisker_high: distance to the training mean
    test_distances: np.ndarray  # float64[N_test]: each test image's RMS distance to its class's training mean
    test_ink: np.ndarray  # float32[N_test]: each test image's mean pixel value


def compare(
    names: list[str],
    train_centroids: np.ndarray,
    train_counts: np.ndarray,
    train_boxes: pl.DataFrame,
    test: Split,
) -> Comparison:
    """One pass over the test split against the training split's summaries (`train_boxes`: its
    distance boxplots, Analysis.distance_stats)."""
    k, pixels = len(names), train_centroids[0].size
    flat = train_centroids.reshape(k, pixels)
    sums = empty_sums(k, pixels)
    distances, ink = np.empty(len(test)), np.empty(len(test), np.float32)
    for start, chunk_sums, chunk_distances, chunk_ink in test.map_chunks(
        lambda start, images, labels: (
            start,
            class_sums(images, labels, k),
            rms_distances(images, labels, flat),
            image_ink(images),
        ),
        what="test split",
    ):
        sums = sums + chunk_sums
        distances[start : start + len(chunk_distances)] = chunk_distances
        ink[start : start + len(chunk_ink)] = chunk_ink
    test_centroids = sums.means()[0]
    shift = np.sqrt(((test_centroids - flat) ** 2).mean(axis=1))
    rows = [
        (split, label, name, int(count[label]), count[label] / count.sum(), float(ink[label]) if count[label] else None)
        for split, count, ink in (
            ("train", train_counts, mean_ink(flat)),
            ("test", sums.count, mean_ink(test_centroids)),
        )
        for label, name in enumerate(names)
    ]
    table = pl.DataFrame(rows, orient="row", schema=["split", "label", "name", "count", "share", "mean_ink"])
    boxes = pl.concat(
        [
            train_boxes.select(pl.lit("train").alias("split"), pl.all()),
            box_table(class_boxes(test.labels, distances, names), split="test"),
        ]
    )
    return Comparison(table, test_centroids.reshape(train_centroids.shape), shift, boxes, distances, ink)
