"""The facts the pages' prose states, each computed from the Analysis so it holds on any dataset."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from .analysis import Analysis
from .loading.csvfile import PIXELS

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
        "splits": split_facts(analysis),
        "classifiers": classifier_facts(analysis),
        "map": map_facts(analysis),
        "health": health_facts(analysis),
        "n_outliers_drawn": analysis.outliers_drawn.height,
    }


ALIKE_SHARE_GAP = 0.02  # class shares within 2 percentage points of each other ...
ALIKE_SHIFT = 0.5  # ... and no class mean moving half as far as the two closest classes' means lie apart


def split_facts(analysis: Analysis) -> dict | None:
    """What the train-and-test page claims: whether the test set looks like the training set, and where it differs most."""
    c = analysis.comparison
    if c is None:
        return None
    names = analysis.dataset.class_names
    wide = c.table.pivot(on="split", index=["label", "name"], values=["count", "share", "mean_ink"])
    wide = wide.filter((pl.col("count_train") > 0) & (pl.col("count_test") > 0))
    gap = wide.with_columns((pl.col("share_test") - pl.col("share_train")).abs().alias("gap")).sort("gap", "label", descending=[True, False]).row(0, named=True)
    ink = wide.with_columns((pl.col("mean_ink_test") - pl.col("mean_ink_train")).alias("diff")).sort(pl.col("diff").abs(), "label", descending=[True, False]).row(0, named=True)
    shifts = {k: float(c.shift[k]) for k in range(len(names)) if not np.isnan(c.shift[k])}
    moved = max(shifts, key=lambda k: (shifts[k], -k))
    closest = float(analysis.pairs["distance"][0]) if analysis.pairs.height else float("nan")
    boxes = c.boxes.pivot(on="split", index=["label", "name"], values="median").drop_nulls()
    spread = boxes.with_columns((pl.col("test") - pl.col("train")).alias("diff")).sort(pl.col("diff").abs(), "label", descending=[True, False]).row(0, named=True)
    counts = c.table.group_by("split").agg(pl.col("count").sum())
    n = dict(zip(counts["split"], counts["count"]))
    return {
        "n_train": int(n["train"]), "n_test": int(n["test"]),
        "share_gap": Named(gap["name"], float(gap["gap"])), "share_train": float(gap["share_train"]), "share_test": float(gap["share_test"]),
        "ink": Named(ink["name"], float(ink["diff"])), "ink_train": float(ink["mean_ink_train"]), "ink_test": float(ink["mean_ink_test"]),
        "moved": Named(names[moved], shifts[moved]), "least_moved": Named(*min(((names[k], v) for k, v in shifts.items()), key=lambda kv: kv[1])),
        "closest_pair_distance": closest,
        "median_gap": Named(spread["name"], float(spread["diff"])), "median_train": float(spread["train"]), "median_test": float(spread["test"]),
        "alike": float(gap["gap"]) < ALIKE_SHARE_GAP and shifts[moved] < ALIKE_SHIFT * closest,
    }


N_CONFUSED = 3  # most confused pairs named


def classifier_facts(analysis: Analysis) -> dict | None:
    """What the classifiers page claims: accuracies, what binarising costs, the confusions k-NN removes."""
    from .classifiers import HOLD_OUT_EVERY, INK, K, NAMES

    c = analysis.classifiers
    if c is None:
        return None
    names = analysis.dataset.class_names
    hardness = {(int(r["a"]), int(r["b"])): i + 1 for i, r in enumerate(analysis.pairs.iter_rows(named=True))}

    def confused(name: str) -> list[dict]:
        m = c.confusion(name)
        both = np.triu(m + m.T, 1)
        order = sorted(zip(*np.nonzero(both)), key=lambda ab: (-both[ab], ab))[:N_CONFUSED]
        return [{"a": names[a], "b": names[b], "count": int(both[a, b]), "a_as_b": int(m[a, b]), "b_as_a": int(m[b, a]),
                 "hardness": hardness.get((int(a), int(b)))} for a, b in order]

    centroid, knn = c.confusion("nearest_centroid"), c.confusion("knn")
    pair_centroid, pair_knn = np.triu(centroid + centroid.T, 1), np.triu(knn + knn.T, 1)
    removed = pair_centroid - pair_knn
    a, b = max(zip(*np.nonzero(pair_centroid)), key=lambda ab: (removed[ab], -ab[0], -ab[1])) if pair_centroid.any() else (0, 0)
    return {
        "n": c.n, "n_available": c.n_available, "held_out": c.held_out, "split": c.split, "hold_out_every": HOLD_OUT_EVERY, "n_train": c.n_train,
        "n_reference": len(c.reference), "k": K, "ink": INK,
        "accuracy": {name: c.accuracy(name) for name in NAMES},
        "binary_cost": c.accuracy("nearest_centroid") - c.accuracy("nearest_centroid_binary"),
        "confused": {name: confused(name) for name in NAMES},
        "removed": {"a": names[a], "b": names[b], "centroid": int(pair_centroid[a, b]), "knn": int(pair_knn[a, b])},
        "errors": {name: int(c.n - np.trace(c.confusion(name))) for name in NAMES},
    }


def map_facts(analysis: Analysis) -> dict | None:
    p = analysis.projection
    if p is None:
        return None
    return {"explained": [float(e) for e in p.explained], "n_drawn": p.points.height, "n_total": p.n_total, "n_fit": p.n_fit}


def health_facts(analysis: Analysis) -> dict | None:
    """What the health page claims: candidates per split, duplicate counts, odd images, and what was covered."""
    from . import health as h

    part = analysis.health
    if part is None:
        return None
    names = analysis.dataset.class_names
    table = part.labels.table
    splits = list(part.splits)
    candidates = {}
    for split in splits:
        mine = table.filter(pl.col("split") == split)
        top = mine.sort("rank").row(0, named=True)
        candidates[split] = {
            "n": mine.height, "disagree": int((mine["score"] > 0).sum()),
            "top_instance": int(part.instances(split, [top["instance_row"]])[0]), "top_label": names[top["label"]],
            "top_suggested": names[top["suggested"]], "top_score": float(top["score"]),
        }
    d = part.duplicates
    odd = part.odd.counts.group_by("split").agg(pl.col("faint", "heavy", "off_centre").sum())
    return {
        "splits": splits, "pca_dims": h.PCA_DIMS, "folds": h.FOLDS, "candidates": candidates, "neighbours": h.NEIGHBOURS,
        "near_rms": h.NEAR_RMS, "n_pairs": d.n_pairs, "n_exact": d.n_exact,
        "differ": d.n_differ,  # over every pair found, as n_pairs is, not only the MAX_PAIRS kept
        "test_with_twin": d.images_with_twin("test", "train", h.NEAR_RMS) if "test" in splits else 0,
        "odd": {r["split"]: r for r in odd.iter_rows(named=True)},
        "ink_z": h.INK_Z, "offset_px": h.OFFSET_PX,
        "sampled": [(c.split, c.used, c.total) for c in part.labels.coverage if c.sampled], "sample_limit": h.SAMPLE_LIMIT,
    }
