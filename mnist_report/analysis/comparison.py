"""Train and test side by side: does the test set look like the training set, and where does it differ most?

Both splits are measured against the training split's class means, so a test image's
distance says how far it lies from what a classifier trained on the training set expects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from ..loading.model import Split
from .stats import box_table, class_boxes, class_sums, empty_sums, mean_ink, rms_distances


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


def compare(
    names: list[str],
    train_centroids: np.ndarray,
    train_counts: np.ndarray,
    train_labels: np.ndarray,
    train_distances: np.ndarray,
    test: Split,
) -> Comparison:
    """One pass over the test split against the training split's summaries."""
    k, pixels = len(names), train_centroids[0].size
    flat = train_centroids.reshape(k, pixels)
    sums = empty_sums(k, pixels)
    distances = np.empty(len(test))
    for start, chunk_sums, chunk_distances in test.map_chunks(
        lambda start, images, labels: (start, class_sums(images, labels, k), rms_distances(images, labels, flat)),
        what="test split",
    ):
        sums = sums + chunk_sums
        distances[start : start + len(chunk_distances)] = chunk_distances
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
            box_table(class_boxes(train_labels, train_distances, names), split="train"),
            box_table(class_boxes(test.labels, distances, names), split="test"),
        ]
    )
    return Comparison(table, test_centroids.reshape(train_centroids.shape), shift, boxes, distances)
