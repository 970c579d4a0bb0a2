"""A map of the images: their first two principal components (pca.py)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from ..loading.model import Split
from . import pca
from .sampling import evenly_spaced

MAX_DRAWN = 5_000  # points drawn at most (evenly spaced): a chart of more is slow and no clearer


@dataclass(frozen=True, eq=False)
class Projection:
    explained: np.ndarray  # float64[2]: share of the total pixel variance along each axis
    n_fit: int  # images the axes were fitted on
    points: pl.DataFrame  # instance, name, x, y: the images drawn
    centres: pl.DataFrame  # label, name, x, y: each class mean, projected


def build(split: Split, centroids: np.ndarray, names: list[str], components: pca.Components, n_fit: int) -> Projection:
    """MAX_DRAWN of the split's images and every class mean placed on the first two principal axes
    (fitted on `n_fit` of the split's images)."""
    mean, axes = components.mean, components.axes[:2]
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
    return Projection(components.first(2).explained, n_fit, points, centres)
