"""Principal components of the pixels, fitted once per report: the map's two axes, the inputs of
the label-issue network, the directions the duplicate search compares images along and those the
neighbour search bounds distances in (analyze() keeps neighbours.AXES of them for it).

Fitted from the pixels x pixels scatter matrix of the centred images, summed a chunk at a time
(bounded memory however many images), and numpy's symmetric eigendecomposition of it, on at most
MAX_FIT evenly spaced training images: the leading axes of 10,000 MNIST images are those of all
60,000 within a degree, and the label ranking measured no better with all (bench/health.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..loading.chunks import CHUNK

MAX_FIT = 10_000  # training images the axes are fitted on at most, evenly spaced through the file
DIMS = 50  # axes the network takes as inputs; the map and the duplicate search use the first few


@dataclass(frozen=True, eq=False)
class Components:
    mean: np.ndarray  # float64[pixels]: the centre the axes pass through
    axes: np.ndarray  # float64[dims, pixels]: orthonormal rows, the first explaining the most variance
    variance: np.ndarray  # float64[pixels]: the scatter along every principal axis, largest first

    def first(self, dims: int) -> Components:
        """The same components with only the leading `dims` axes."""
        return Components(self.mean, self.axes[:dims], self.variance)

    @property
    def explained(self) -> np.ndarray:
        """float64[dims]: each axis' share of the total pixel variance."""
        total = self.variance.sum()
        return self.variance[: len(self.axes)] / total if total > 0 else np.zeros(len(self.axes))

    def project(self, images: np.ndarray, dtype=np.float64, chunk: int = CHUNK) -> np.ndarray:
        """dtype[n, dims]: where images (uint8[n, pixels]) land, a chunk at a time."""
        mean, axes = self.mean.astype(dtype), np.ascontiguousarray(self.axes.T, dtype=dtype)
        out = np.empty((len(images), len(self.axes)), dtype)
        for start in range(0, len(images), chunk):
            out[start : start + chunk] = (images[start : start + chunk].astype(dtype) - mean) @ axes
        return out


def fit(images: np.ndarray, dims: int, precision=np.float64, chunk: int = CHUNK) -> Components:
    """The `dims` leading principal axes of `images` (uint8[n, pixels]).

    `precision` is the type the products are summed in: float32 is twice as fast and enough
    where the result is used in float32 anyway (the network's inputs, the duplicate search).
    """
    n, pixels = images.shape
    total, scatter = np.zeros(pixels), np.zeros((pixels, pixels))
    for start in range(0, n, chunk):
        x = images[start : start + chunk].astype(precision)
        total += x.sum(axis=0, dtype=np.float64)
        scatter += x.T @ x
    mean = total / n
    values, vectors = np.linalg.eigh(scatter - n * np.outer(mean, mean))
    # eigh gives them smallest first; rounding can make the smallest slightly negative.
    axes = vectors[:, ::-1][:, :dims].T
    # Each axis' sign is arbitrary: its largest weight made positive, so every machine draws the same map
    # and feeds the network the same inputs.
    axes = axes * np.sign(axes[np.arange(len(axes)), np.abs(axes).argmax(axis=1)])[:, None]
    return Components(mean, np.ascontiguousarray(axes), np.sort(np.abs(values))[::-1])
