"""The rows the health checks look at: every row of a split, or above SAMPLE_LIMIT a seeded
random sample of them, read once and shared by the three checks.

The network and the pair search grow faster than the input, so a large split is checked on a
sample; every result says how many rows of each split it covered.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...loading.chunks import gather

SAMPLE_LIMIT = 60_000  # images per split (all of MNIST's); above it a split is checked on a deterministic sample
SEED = 0  # every random choice (sample, folds, initial weights, batch order) derives from it


@dataclass(frozen=True)
class Coverage:
    """How many rows of a split a result covers: all of them, or a deterministic sample."""

    split: str
    total: int
    used: int

    @property
    def sampled(self) -> bool:
        return self.used < self.total


@dataclass(frozen=True, eq=False)
class Sampled:
    """One split as the checks see it: `name` is its role ("train" or "test")."""

    name: str
    labels: np.ndarray  # the whole split's labels
    rows: np.ndarray  # int64: the covered rows, in file order
    pixels: np.ndarray  # uint8[len(rows), pixels]: their images

    @property
    def coverage(self) -> Coverage:
        return Coverage(self.name, len(self.labels), len(self.rows))

    @property
    def given(self) -> np.ndarray:
        """int64: the covered rows' labels."""
        return self.labels[self.rows].astype(np.int64)


def sample_splits(
    train_images: np.ndarray,
    train_labels: np.ndarray,
    test_images: np.ndarray | None = None,
    test_labels: np.ndarray | None = None,
) -> list[Sampled]:
    """The training split and, when given, the test split (images uint8[N, pixels]), each's covered rows read once."""
    out = []
    for name, images, labels in (("train", train_images, train_labels), ("test", test_images, test_labels)):
        if images is not None:
            rows = sample(len(images))
            out.append(
                Sampled(name, np.asarray(labels), rows, images if len(rows) == len(images) else gather(images, rows))
            )
    return out


def sample(n: int) -> np.ndarray:
    """All rows, or SAMPLE_LIMIT rows drawn without replacement by a fixed seed, in row order."""
    if n <= SAMPLE_LIMIT:
        return np.arange(n)
    return np.sort(np.random.default_rng(SEED).choice(n, SAMPLE_LIMIT, replace=False))
