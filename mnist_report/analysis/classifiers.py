"""How far the simplest classifiers get: nearest centroid on grey and on binarised pixels,
and k nearest neighbours, scored on the test split (or, without one, on held-out training images).

The centroids are class means, computed in the analysis' first pass from the training rows
(`ClassSums`), so no extra pass over the images is needed; k-NN uses the one neighbour search.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from ..loading.model import Split
from . import pca
from .neighbours import Neighbours, nearest, vote
from .sampling import evenly_spaced
from .stats import BINARY_THRESHOLD, ClassSums, not_held_out

K_NEIGHBOURS = 3  # neighbours in the vote: of 1, 3 and 5, 3 scores best on MNIST's test split (97.2%, 96.9%, 96.9%)
MAX_EVALUATED = 10_000  # images scored at most; above that an evenly spaced sample, so k-NN cost stays bounded
MAX_REFERENCE = 60_000  # training images k-NN searches at most; above that an evenly spaced sample

NAMES = ("nearest_centroid", "nearest_centroid_binary", "knn")
TITLES = {
    "nearest_centroid": "Nearest centroid",
    "nearest_centroid_binary": "Nearest centroid, binarised",
    "knn": f"{K_NEIGHBOURS} nearest neighbours",
}


def nearest_centroid(images: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """The class whose centroid is nearest each image (absent classes never win; ties: lower class)."""
    x = images.astype(np.float64)
    present = ~np.isnan(centroids).any(axis=1)
    c = np.where(present[:, None], centroids, 0.0)
    d2 = (c**2).sum(axis=1)[None, :] - 2.0 * x @ c.T
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
    neighbours: (
        Neighbours  # of each scored image among `reference` (index = position in reference), K_NEIGHBOURS nearest
    )
    n_classes: int
    images: np.ndarray  # uint8[n, 28, 28]: the scored images, for the pages that show them

    @property
    def n(self) -> int:
        return len(self.rows)

    def confusion(self, name: str) -> np.ndarray:
        """int64[classes, classes]: row = true label, column = predicted."""
        return np.bincount(self.labels * self.n_classes + self.predictions[name], minlength=self.n_classes**2).reshape(
            self.n_classes, -1
        )

    def accuracy(self, name: str) -> float:
        return float((self.predictions[name] == self.labels).mean())

    def class_accuracy(self, name: str) -> np.ndarray:
        """float64[classes]: share of each class's images predicted right (NaN where a class has none)."""
        m = self.confusion(name)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.diag(m) / m.sum(axis=1)

    def table(self) -> pl.DataFrame:
        """One row per scored image: split, instance, label and each classifier's prediction."""
        return pl.DataFrame(
            {
                "split": [self.split] * self.n,
                "instance": self.instances,
                "label": self.labels,
                **{name: self.predictions[name] for name in NAMES},
            }
        )

    def confusion_table(self) -> pl.DataFrame:
        """classifier, label, predicted, count for every cell, zeros included."""
        k = self.n_classes
        return pl.concat(
            [
                pl.DataFrame(
                    {
                        "classifier": [name] * k * k,
                        "label": np.repeat(np.arange(k), k),
                        "predicted": np.tile(np.arange(k), k),
                        "count": self.confusion(name).ravel(),
                    }
                )
                for name in NAMES
            ]
        )


def classify(
    train_sums: ClassSums,
    reference_images: np.ndarray,
    reference_labels: np.ndarray,
    reference_rows: np.ndarray,
    images: np.ndarray,
    labels: np.ndarray,
    rows: np.ndarray,
    instances: np.ndarray,
    split: str,
    held: bool,
    n_available: int,
    shape: tuple[int, int],
    components: pca.Components | None = None,
) -> Classifiers:
    """Score the three classifiers on `images` (uint8[n, pixels]; each image `shape`) with true `labels`."""
    n_classes = len(train_sums.count)
    grey, binary = train_sums.means()
    k = min(K_NEIGHBOURS, len(reference_images))
    # The report's principal axes bound the search's distances: its result is the same with any axes.
    shared = {} if components is None else {"axes": components.axes, "mean": components.mean}
    neighbours = nearest(images, reference_images, k, **shared)
    voted = vote(reference_labels, neighbours, n_classes)
    predictions = {
        "nearest_centroid": nearest_centroid(images, grey),
        "nearest_centroid_binary": nearest_centroid((images >= BINARY_THRESHOLD).astype(np.uint8), binary),
        "knn": voted,
    }
    return Classifiers(
        split,
        held,
        n_available,
        rows,
        instances,
        labels.astype(np.int64),
        predictions,
        int(train_sums.count.sum()),
        reference_rows,
        neighbours,
        n_classes,
        images.reshape(len(images), *shape),
    )


def score(
    main: Split,
    test: Split | None,
    train_sums: ClassSums,
    held: np.ndarray | None,
    components: pca.Components | None = None,
) -> Classifiers | None:
    """Scored on the test split, or on the held-out training rows when there is none; None when too few images."""
    scored = test if held is None else main
    available = np.arange(len(scored)) if held is None else held
    n_training = len(main) - (0 if held is None else len(held))
    if not len(available) or not n_training:
        return None
    rows = available[evenly_spaced(len(available), MAX_EVALUATED)]
    reference = evenly_spaced(n_training, MAX_REFERENCE)
    if held is not None:  # positions among the rows not held out, to rows: no array of every row (80 MB at ten million)
        reference = not_held_out(reference)
    pixels = main.images[0].size
    return classify(
        train_sums,
        main.take(reference).reshape(len(reference), pixels),
        main.labels[reference].astype(np.int64),
        reference,
        scored.take(rows).reshape(len(rows), pixels),
        scored.labels[rows],
        rows,
        scored.instances[rows],
        split=scored.name or "unknown",
        held=held is not None,
        n_available=len(available),
        shape=main.images.shape[1:],
        components=components,
    )
