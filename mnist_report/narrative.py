"""The facts the pages' prose states, each computed from the Analysis so it holds on any dataset."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from .analysis import Analysis
from .datasets import PIXELS

NEAR_MAX = 250  # pixel values counted as "near 255", i.e. full ink
N_PAIRS = 5  # pairs listed as hardest and easiest


@dataclass(frozen=True)
class Named:
    """A class and a number about it, for sentences such as "1 is the least variable digit"."""

    name: str
    value: float


def facts(analysis: Analysis) -> dict:
    ds = analysis.dataset
    names = ds.class_names
    counts = analysis.counts.filter(pl.col("count") > 0).sort("count", "label")
    stats = analysis.distance_stats.sort("median", "label")
    ink = {names[k]: float(analysis.centroids[k].mean()) for k in analysis.present}
    least_ink, most_ink = min(ink.items(), key=lambda kv: kv[1]), max(ink.items(), key=lambda kv: kv[1])
    farthest = int(np.argmax(analysis.distances))
    nonzero = analysis.pixel_counts[1:]
    pairs = analysis.pairs
    return {
        "n": analysis.n,
        "pixels_per_image": PIXELS,
        "tidy_rows": analysis.n * PIXELS,
        "n_classes": len(names),
        "absent": [names[k] for k in range(len(names)) if k not in analysis.present],
        "one_image": [r["name"] for r in counts.filter(pl.col("count") == 1).iter_rows(named=True)],
        "rarest": Named(counts["name"][0], int(counts["count"][0])),
        "commonest": Named(counts["name"][-1], int(counts["count"][-1])),
        "first_names": list(analysis.first.table["name"]),
        "tidy_sample": analysis.tidy_sample,
        "total_pixels": int(analysis.pixel_counts.sum()),
        "share_zero": analysis.share_of_pixels(0, 0),
        "share_near_max": analysis.share_of_pixels(NEAR_MAX),
        "share_between": analysis.share_of_pixels(1, NEAR_MAX - 1),
        "near_max_of_nonzero": float(analysis.pixel_counts[NEAR_MAX:].sum() / max(nonzero.sum(), 1)),
        "near_max": NEAR_MAX,
        "commonest_nonzero": Named(str(int(np.argmax(nonzero)) + 1), int(nonzero.max())),
        "least_ink": Named(*least_ink),
        "most_ink": Named(*most_ink),
        "least_variable": Named(stats["name"][0], float(stats["median"][0])),
        "most_variable": Named(stats["name"][-1], float(stats["median"][-1])),
        "median_distance": float(np.median(analysis.distances)),
        "n_outliers": analysis.outliers.height,
        "farthest": {"instance": int(ds.instances[farthest]), "name": names[ds.labels[farthest]], "distance": float(analysis.distances[farthest])},
        "hardest": pairs.head(N_PAIRS).to_dicts(),
        "easiest": pairs.tail(N_PAIRS).reverse().to_dicts(),
    }
