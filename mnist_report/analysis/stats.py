"""The statistics every part of the analysis shares: per-class sums and means, RMS distances,
Tukey boxplots, mean ink, the pixel histogram, and which training rows are held out for scoring.

Each works on one chunk of images (uint8[n, pixels]) where it sums, so chunks' results add up.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import polars as pl

BINARY_THRESHOLD = 128  # binarised: a pixel is ink when its value is at least this
HOLD_OUT_EVERY = 6  # without a test split, every sixth training image is held out (10,000 of MNIST's 60,000)


# --- per-class sums and distances --------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ClassSums:
    """Per-class pixel sums, raw and binarised, and their counts."""

    raw: np.ndarray  # float64[K, pixels]
    ink: np.ndarray  # int64[K, pixels]: how many images have ink (>= BINARY_THRESHOLD) at each pixel
    count: np.ndarray  # int64[K]

    def __add__(self, other: ClassSums) -> ClassSums:
        return ClassSums(self.raw + other.raw, self.ink + other.ink, self.count + other.count)

    def __sub__(self, other: ClassSums) -> ClassSums:
        return ClassSums(self.raw - other.raw, self.ink - other.ink, self.count - other.count)

    def means(self) -> tuple[np.ndarray, np.ndarray]:
        """Grey and binarised class means (NaN rows for absent classes)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.raw / self.count[:, None], self.ink / self.count[:, None]


def empty_sums(n_classes: int, pixels: int) -> ClassSums:
    return ClassSums(
        np.zeros((n_classes, pixels)), np.zeros((n_classes, pixels), np.int64), np.zeros(n_classes, np.int64)
    )


def class_sums(images: np.ndarray, labels: np.ndarray, n_classes: int) -> ClassSums:
    """The sums of one chunk (uint8[n, pixels], int64 labels); chunks' sums add up with +."""
    sums = empty_sums(n_classes, images.shape[1])
    # Summed as uint32 (exact below 16 million images a chunk), a third quicker than as float64.
    for label in np.unique(labels):
        mine = images[labels == label]
        sums.raw[label] += mine.sum(axis=0, dtype=np.uint32)
        sums.ink[label] += (mine >= BINARY_THRESHOLD).view(np.uint8).sum(axis=0, dtype=np.uint32)
        sums.count[label] += len(mine)
    return sums


def rms_distances(images: np.ndarray, labels: np.ndarray, means: np.ndarray) -> np.ndarray:
    """float64[n]: each image's RMS distance (Euclidean / sqrt(pixels)) to its label's mean (float64[K, pixels])."""
    x = images.astype(np.float64)
    # |x - c|² expanded as x·x - 2 x·c + c·c, no difference image (the cancellation costs about
    # 1e-15 relative). einsum, not a matrix product with the K means: chunks run in threads
    # (map_chunks), and BLAS's own threads beside them slowed the pass.
    # An absent class's mean (NaN) gives its images NaN, through the c·c term.
    cross = np.einsum("ij,ij->i", x, np.nan_to_num(means)[labels])
    squared = np.einsum("ij,ij->i", x, x) - 2 * cross + np.einsum("ij,ij->i", means, means)[labels]
    return np.sqrt(np.maximum(squared, 0) / images.shape[1])


def image_ink(images: np.ndarray) -> np.ndarray:
    """float32[n]: each image's mean pixel value (uint8[n, pixels])."""
    return images.mean(axis=1, dtype=np.float32)


def mean_ink(means: np.ndarray) -> np.ndarray:
    """float64[K]: the mean pixel value of each class's mean image (NaN for an absent class)."""
    return np.array([float(m.mean()) for m in means.reshape(len(means), -1)])


def pixel_histogram(images: np.ndarray) -> np.ndarray:
    """int64[256]: how many pixels of uint8 `images` take each value.

    Counted two pixels at a time, as uint16 (65,536 bins, folded after): numpy's bincount
    widens every value to 64 bits first, so half the values take half the time.
    """
    flat = images.ravel()
    pairs = np.bincount(flat[: len(flat) // 2 * 2].view(np.uint16), minlength=1 << 16).reshape(256, 256)
    counts = pairs.sum(axis=0) + pairs.sum(axis=1)  # one byte of the pair indexes rows, the other columns
    if len(flat) % 2:
        counts[flat[-1]] += 1
    return counts


# --- boxplots ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """Tukey boxplot statistics: one definition for every boxplot of the report."""

    n: int
    min: float
    q1: float
    median: float
    q3: float
    max: float
    mean: float
    whisker_low: float  # the smallest value within 1.5 box lengths below the box
    whisker_high: float  # the largest within 1.5 box lengths above it

    def beyond(self, values: np.ndarray) -> np.ndarray:
        """Which values lie beyond the whiskers (the boxplot's outliers)."""
        return (values < self.whisker_low) | (values > self.whisker_high)


BOX_FIELDS = [f.name for f in fields(Box)]


def box(values: np.ndarray) -> Box:
    """Exact quartiles (numpy's default linear interpolation) of a non-empty array."""
    q1, median, q3 = np.quantile(values, [0.25, 0.5, 0.75])
    low, high = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
    inside = values[(values >= low) & (values <= high)]
    return Box(
        len(values),
        float(values.min()),
        float(q1),
        float(median),
        float(q3),
        float(values.max()),
        float(values.mean()),
        float(inside.min()),
        float(inside.max()),
    )


def class_boxes(labels: np.ndarray, values: np.ndarray, names: list[str]) -> list[tuple[int, str, Box, np.ndarray]]:
    """(label, name, Box, the class's rows as a mask) for each class with at least one value, in label order."""
    out = []
    for label, name in enumerate(names):
        mask = labels == label
        if mask.any():
            out.append((label, name, box(values[mask]), mask))
    return out


def box_table(boxes: list[tuple[int, str, Box, np.ndarray]], **columns) -> pl.DataFrame:
    """One row per class box: the constant `columns` first (such as split), then label, name and the Box's fields."""
    rows = [(*columns.values(), label, name, *(getattr(b, f) for f in BOX_FIELDS)) for label, name, b, _ in boxes]
    return pl.DataFrame(rows, orient="row", schema=[*columns, "label", "name", *BOX_FIELDS])


# --- the hold-out rule -------------------------------------------------------------------


def held_out(n: int) -> np.ndarray:
    """Rows of the training split held out for scoring when there is no test split: every HOLD_OUT_EVERY-th."""
    return np.arange(HOLD_OUT_EVERY - 1, n, HOLD_OUT_EVERY)


def is_held_out(rows: np.ndarray) -> np.ndarray:
    """Which of these 0-based rows held_out() takes."""
    return rows % HOLD_OUT_EVERY == HOLD_OUT_EVERY - 1


def not_held_out(positions: np.ndarray) -> np.ndarray:
    """The rows at these 0-based positions among the rows held_out() leaves for training."""
    kept = HOLD_OUT_EVERY - 1
    return positions // kept * HOLD_OUT_EVERY + positions % kept
