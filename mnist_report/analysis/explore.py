"""The exploring summaries: what the images look like, how their pixels spread, each class's mean
image, how far each image lies from it, and how far the classes' means lie from each other.

Two passes over the split, a bounded chunk of images at a time: counts, class sums and the pixel
histogram, then every image's distance to its class mean. Per image only a label, an instance
number and a distance are kept; tables for the pages are small polars frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import polars as pl

from ..loading.chunks import CHUNK
from ..loading.model import Split
from .gallery import Gallery
from .stats import (
    ClassSums,
    box_table,
    class_boxes,
    class_sums,
    empty_sums,
    image_ink,
    is_held_out,
    pixel_histogram,
    rms_distances,
)

MAX_OUTLIERS_DRAWN = 1_000  # boxplot outliers a chart draws at most: a million images have about 15,000
N_EXTREME = 6  # least and most typical images shown per class on the overview pages
N_CLASS_EXTREME = 30  # and on each class's own page
N_FIRST = 12  # images shown on "the data" page
N_FARTHEST = 30  # least typical images overall, for datasets of many classes


@dataclass(frozen=True, eq=False)
class FirstPass:
    pixel_counts: np.ndarray  # int64[256]
    sums: ClassSums  # of every image
    held_sums: ClassSums  # of the rows held out for scoring (empty when nothing is held out)


def first_pass(split: Split, n_classes: int, hold_out: bool) -> FirstPass:
    """The pixel histogram and class sums, of every image and of the held-out rows."""

    def one(start: int, images: np.ndarray, labels: np.ndarray):
        mine = is_held_out(np.arange(start, start + len(images))) if hold_out else None
        return (
            pixel_histogram(images),
            class_sums(images, labels, n_classes),
            None if mine is None else class_sums(images[mine], labels[mine], n_classes),
        )

    pixels = split.images.shape[1] * split.images.shape[2]
    pixel_counts = np.zeros(256, np.int64)
    sums, held_sums = empty_sums(n_classes, pixels), empty_sums(n_classes, pixels)
    for chunk_pixels, chunk_sums, chunk_held in split.map_chunks(one, CHUNK, what="counting"):
        pixel_counts += chunk_pixels
        sums = sums + chunk_sums
        if chunk_held is not None:
            held_sums = held_sums + chunk_held
    return FirstPass(pixel_counts, sums, held_sums)


def distances(split: Split, means: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """float64[N]: each image's RMS distance to its class mean (float64[K, pixels]), and float32[N]: its
    mean ink (the order along the file is read from both), the second pass."""
    out, ink = np.empty(len(split)), np.empty(len(split), np.float32)
    for start, part, inked in split.map_chunks(
        lambda start, images, labels: (start, rms_distances(images, labels, means), image_ink(images)),
        CHUNK,
        what="distances",
    ):
        out[start : start + len(part)], ink[start : start + len(part)] = part, inked
    return out, ink


def distance_summary(split: Split, distances: np.ndarray, names: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Tukey boxplot statistics per class, and the points beyond the whiskers."""
    boxes = class_boxes(split.labels, distances, names)
    schema = {"label": pl.Int64, "name": pl.String, "instance": pl.Int64, "distance": pl.Float64}
    outliers = [pl.DataFrame(schema=schema)]
    for label, name, b, mask in boxes:
        mine = distances[mask]
        out = b.beyond(mine)
        outliers.append(
            pl.DataFrame(
                {"label": label, "name": name, "instance": split.instances[mask][out], "distance": mine[out]},
                schema=schema,
            )
        )
    return box_table(boxes), pl.concat(outliers)


def farthest_per_class(outliers: pl.DataFrame, most: int = MAX_OUTLIERS_DRAWN) -> pl.DataFrame:
    """The outliers a chart draws: all when few, else the farthest of each class in equal shares."""
    if outliers.height <= most:
        return outliers
    per_class = max(1, most // max(1, outliers["label"].n_unique()))
    return (
        outliers.sort("distance", "instance", descending=[True, False])
        .group_by("label", maintain_order=True)
        .head(per_class)
        .sort("label", "distance")
    )


def first_images(split: Split, class_names: tuple[str, ...]) -> Gallery:
    n = min(N_FIRST, len(split))
    table = pl.DataFrame(
        {
            "label": split.labels[:n].astype(np.int64),
            "name": [class_names[i] for i in split.labels[:n]],
            "instance": split.instances[:n],
        }
    )
    return Gallery(split.take(np.arange(n)), table)


def extremes(split: Split, distances: np.ndarray, names: list[str], farthest: bool, most: int = N_EXTREME) -> Gallery:
    """Per class, the `most` images farthest from (or nearest to) their class mean."""
    picks, rows = [], []
    for label, name in enumerate(names):
        index = np.flatnonzero(split.labels == label)
        # Stable sort on (distance, instance) so ties come out the same every build.
        order = index[np.lexsort((split.instances[index], -distances[index] if farthest else distances[index]))]
        for rank, i in enumerate(order[:most], start=1):
            picks.append(i)
            rows.append((label, name, rank, int(split.instances[i]), float(distances[i])))
    schema = {"label": pl.Int64, "name": pl.String, "rank": pl.Int64, "instance": pl.Int64, "distance": pl.Float64}
    return Gallery(split.take(np.array(picks, dtype=np.int64)), pl.DataFrame(rows, orient="row", schema=schema))


def farthest(split: Split, distances: np.ndarray, names: list[str], most: int = N_FARTHEST) -> Gallery:
    """The `most` images farthest from their class mean, whatever their class, farthest first."""
    rows = (
        np.argpartition(-distances, min(most, len(distances)) - 1)[:most]
        if len(distances) > most
        else np.arange(len(distances))
    )
    rows = rows[np.lexsort((split.instances[rows], -distances[rows]))]
    labels = split.labels[rows].astype(np.int64)
    table = pl.DataFrame(
        {
            "label": labels,
            "name": [names[k] for k in labels],
            "rank": np.arange(1, len(rows) + 1),
            "instance": split.instances[rows],
            "distance": distances[rows],
        }
    )
    return Gallery(split.take(rows), table)


def similar_order(distances: np.ndarray, present: list[int]) -> list[int]:
    """The present classes in an order that sets similar ones side by side (spectral seriation): sorted by
    the Fiedler vector of the graph whose edges weigh exp(-(d/s)²), d the distance between two class means
    and s their median. It is the order that best keeps strongly joined classes close, by a quadratic measure."""
    if len(present) < 3:
        return list(present)
    d = distances[np.ix_(present, present)]
    scale = float(np.median(d[np.triu_indices(len(d), 1)])) or 1.0
    weights = np.exp(-((d / scale) ** 2))
    np.fill_diagonal(weights, 0)
    _, vectors = np.linalg.eigh(np.diag(weights.sum(axis=1)) - weights)
    fiedler = vectors[:, 1] * (
        1 if vectors[0, 1] <= 0 else -1
    )  # a vector's sign is arbitrary: start from the first class
    return [present[i] for i in np.lexsort((present, fiedler))]


def tidy_sample(first: Gallery) -> pl.DataFrame:
    """A slice of the one-row-per-pixel table: the first image's inkiest row, across its stroke."""
    image = first.images[0].astype(np.int64)
    y = int(image.astype(bool).sum(axis=1).argmax())
    ink = np.flatnonzero(image[y])
    x0, x1 = (max(int(ink[0]) - 2, 0), min(int(ink[-1]) + 2, image.shape[1] - 1)) if len(ink) else (0, 11)
    xs = range(x0, x1 + 1)
    row = first.table.row(0, named=True)
    return pl.DataFrame(
        {
            "instance": [row["instance"]] * len(xs),
            "label": [row["name"]] * len(xs),
            "x": list(xs),
            "y": [y] * len(xs),
            "value": [int(image[y, x]) for x in xs],
        }
    )


def mean_distances(means: np.ndarray) -> np.ndarray:
    """float64[K, K]: the RMS distance between every two class means (float64[K, pixels]).

    One row at a time: all K x K differences at once take K² x pixels floats (5 GB for 400
    classes of 64 x 64 pixels)."""
    return np.array([np.sqrt(((means - mean) ** 2).mean(axis=1)) for mean in means]).reshape(len(means), len(means))


def pairs_table(pair_distances: np.ndarray, names: list[str], count: np.ndarray) -> pl.DataFrame:
    """a, b, name_a, name_b, distance for every two present classes (a < b), nearest (hardest) first."""
    rows = [
        (a, b, names[a], names[b], pair_distances[a, b])
        for a, b in combinations(range(len(names)), 2)
        if count[a] and count[b]
    ]
    return pl.DataFrame(rows, schema=["a", "b", "name_a", "name_b", "distance"], orient="row").sort(
        "distance", "a", "b"
    )
