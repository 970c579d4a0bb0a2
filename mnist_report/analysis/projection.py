"""A map of the images: their first two principal components (pca.py)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from ..loading.model import Split
from . import pca
from .sampling import evenly_spaced

MAX_FIT = 60_000  # training images the axes are fitted on at most (evenly spaced): the scatter matrix costs N x pixels² operations
MAX_DRAWN = 5_000  # points drawn at most (evenly spaced): a chart of more is slow and no clearer


@dataclass(frozen=True, eq=False)
class Projection:
    mean: np.ndarray  # float64[pixels]: the centre the axes pass through
    axes: np.ndarray  # float64[2, pixels]: unit vectors, the first explaining the most variance
    explained: np.ndarray  # float64[2]: share of the total pixel variance along each axis
    n_fit: int  # images the axes were fitted on
    n_total: int  # images in the split
    points: pl.DataFrame  # instance, name, x, y: the images drawn
    centres: pl.DataFrame  # label, name, x, y: each class mean, projected

    def __call__(self, images: np.ndarray) -> np.ndarray:
        """float64[n, 2]: where images (uint8[n, pixels]) land on the map."""
        return (images.astype(np.float64) - self.mean) @ self.axes.T


def build(split: Split, centroids: np.ndarray, names: list[str]) -> Projection:
    """Axes fitted on (at most MAX_FIT of) the split's images; MAX_DRAWN of them and every class mean placed on them."""
    fit_rows = evenly_spaced(len(split), MAX_FIT)
    components = pca.fit(split.take(fit_rows).reshape(len(fit_rows), -1), 2)
    mean, axes = components.mean, components.axes
    # Each axis' sign is arbitrary: make its largest weight positive, so every build draws the same map.
    axes = axes * np.sign(axes[np.arange(2), np.abs(axes).argmax(axis=1)])[:, None]
    drawn = evenly_spaced(len(split), MAX_DRAWN)
    xy = (split.take(drawn).reshape(len(drawn), -1) - mean) @ axes.T
    labels = split.labels[drawn].astype(np.int64)
    # One decimal is far finer than a pixel of the chart, and keeps 5,000 points' spec small.
    points = pl.DataFrame(
        {
            "instance": split.instances[drawn],
            "name": [names[i] for i in labels],
            "x": xy[:, 0].round(1),
            "y": xy[:, 1].round(1),
        }
    )
    present = np.flatnonzero(~np.isnan(centroids).any(axis=1))
    centre_xy = (centroids[present] - mean) @ axes.T
    centres = pl.DataFrame(
        {"label": present, "name": [names[i] for i in present], "x": centre_xy[:, 0], "y": centre_xy[:, 1]}
    )
    return Projection(mean, axes, components.explained, len(fit_rows), len(split), points, centres)
