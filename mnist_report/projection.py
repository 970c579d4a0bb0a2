"""A map of the images: their first two principal components, by numpy's SVD."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from .sampling import evenly_spaced

MAX_FIT = 60_000  # training images the axes are fitted on at most (evenly spaced): the 784 x 784 scatter costs N x 784² operations
MAX_DRAWN = 5_000  # points drawn at most (evenly spaced): a chart of more is slow and no clearer


@dataclass(frozen=True, eq=False)
class Projection:
    mean: np.ndarray  # float64[784]: the centre the axes pass through
    axes: np.ndarray  # float64[2, 784]: unit vectors, the first explaining the most variance
    explained: np.ndarray  # float64[2]: share of the total pixel variance along each axis
    n_fit: int  # images the axes were fitted on
    n_total: int  # images in the split
    points: pl.DataFrame  # instance, name, x, y: the images drawn
    centres: pl.DataFrame  # label, name, x, y: each class mean, projected

    def __call__(self, images: np.ndarray) -> np.ndarray:
        """float64[n, 2]: where images (uint8[n, 784]) land on the map."""
        return (images.astype(np.float64) - self.mean) @ self.axes.T


def build(split, centroids: np.ndarray, names: list[str]) -> Projection:
    """Axes fitted on (at most MAX_FIT of) the split's images; MAX_DRAWN of them and every class mean placed on them."""
    fit_rows = evenly_spaced(len(split), MAX_FIT)
    mean, axes, explained = fit(split.take(fit_rows).reshape(len(fit_rows), -1))
    drawn = evenly_spaced(len(split), MAX_DRAWN)
    xy = (split.take(drawn).reshape(len(drawn), -1) - mean) @ axes.T
    labels = split.labels[drawn].astype(np.int64)
    # One decimal is far finer than a pixel of the chart, and keeps 5,000 points' spec small.
    points = pl.DataFrame({"instance": split.instances[drawn], "name": [names[i] for i in labels],
                           "x": xy[:, 0].round(1), "y": xy[:, 1].round(1)})
    present = np.flatnonzero(~np.isnan(centroids).any(axis=1))
    centre_xy = (centroids[present] - mean) @ axes.T
    centres = pl.DataFrame({"label": present, "name": [names[i] for i in present], "x": centre_xy[:, 0], "y": centre_xy[:, 1]})
    return Projection(mean, axes, explained, len(fit_rows), len(split), points, centres)


def fit(images: np.ndarray, chunk: int = 4096) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, the two leading axes and their share of variance, from numpy's SVD of the centred pixels.

    The SVD is taken of the 784 x 784 scatter matrix XᵀX of the centred images X (summed a
    chunk at a time), whose singular vectors are X's and whose singular values are the
    squares of X's: the same axes in bounded memory.
    """
    n = len(images)
    total, scatter = np.zeros(images.shape[1]), np.zeros((images.shape[1],) * 2)
    for start in range(0, n, chunk):
        x = images[start:start + chunk].astype(np.float64)
        total += x.sum(axis=0)
        scatter += x.T @ x
    mean = total / n
    scatter -= n * np.outer(mean, mean)
    _, s, vt = np.linalg.svd(scatter, hermitian=True)
    # Each axis' sign is arbitrary: make its largest weight positive, so every build draws the same map.
    axes = vt[:2] * np.sign(vt[:2][np.arange(2), np.abs(vt[:2]).argmax(axis=1)])[:, None]
    explained = s[:2] / s.sum() if s.sum() > 0 else np.zeros(2)
    return mean, axes, explained
