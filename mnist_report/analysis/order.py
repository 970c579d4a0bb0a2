"""Does the order of a file matter? Each split measured along its file order, in windows, and tested
for a shift: where the images change, and by how much on each side (the statistics: order_stats.py).

Measures: each image's mean ink and its distance to its class mean (both from the analysis' own
passes), where the split is scored each classifier's errors, and, up to MANY_TESTED classes, each
class's share. MNIST's test file joins two collections: its first half is 2.6 times harder for k-NN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from . import order_stats

MANY_TESTED = 20  # classes whose shares are tested one by one; beyond, only the other measures are (one test each)
MEASURES = ("knn_error", "centroid_error", "mean_ink", "mean_distance")  # order.csv's columns, in order


@dataclass(frozen=True, eq=False)
class SplitOrder:
    split: str  # as the data files name it: train, test, or unknown
    windows: (
        pl.DataFrame
    )  # start, end, images, knn_error, centroid_error, mean_ink, mean_distance (errors empty unscored)
    classes: pl.DataFrame  # start, end, label, images: each class's images in each window
    shifts: pl.DataFrame  # measure, position, before, after, p_value: the shifts found (Holm-adjusted p)
    tests: pl.DataFrame  # measure, p, p_adjusted, position, before, after, detectable: every measure's test
    scored: bool  # whether classifier errors were measured along this split


@dataclass(frozen=True, eq=False)
class Order:
    splits: tuple[SplitOrder, ...]


def along(
    split: str,
    labels: np.ndarray,
    ink: np.ndarray,
    distances: np.ndarray,
    class_names: tuple[str, ...],
    scored: tuple[np.ndarray, dict[str, np.ndarray]] | None = None,
) -> SplitOrder:
    """One split along its file: `scored` is (sorted 0-based rows, {measure: 1 where wrong}) for the rows
    the classifiers scored, or None."""
    edges = order_stats.windows(len(labels))
    labels = np.asarray(labels)
    per_image = {"mean_ink": ink, "mean_distance": distances}
    rows, errors = scored if scored is not None else (None, {})
    table = order_stats.window_table(edges, per_image, labels, len(class_names), rows, errors)
    windows = pl.DataFrame(
        {
            "start": table["start"],
            "end": table["end"],
            "images": table["images"],
            **{m: table[m] if m in table else np.full(len(edges) - 1, np.nan) for m in MEASURES},
        }
    ).with_columns(pl.col(*MEASURES).fill_nan(None))
    measures = {**per_image, **{name: (rows, values) for name, values in errors.items()}}
    tested = len(class_names) <= MANY_TESTED
    # A class's share is named share_<label> in the data files; the page names the class.
    shares = [f"share_{k}" for k in range(len(class_names))] if tested else None
    found, tests = order_stats.shifts(measures, labels if tested else None, len(class_names), shares)
    return SplitOrder(
        split,
        windows,
        _classes(table, edges, class_names),
        _frame(found, SHIFT_COLUMNS),
        _frame(tests, TEST_COLUMNS),
        scored is not None,
    )


def _classes(table: dict, edges: np.ndarray, class_names: tuple[str, ...]) -> pl.DataFrame:
    counts = table["class_counts"]
    return pl.DataFrame(
        {
            "start": np.repeat(edges[:-1] + 1, len(class_names)),
            "end": np.repeat(edges[1:], len(class_names)),
            "label": np.tile(np.arange(len(class_names)), len(edges) - 1),
            "images": counts.ravel(),
        }
    )


# The columns of the shifts found and of every test made, as order_shifts.csv and the page read them.
SHIFT_COLUMNS = {
    "measure": pl.String,
    "position": pl.Int64,
    "before": pl.Float64,
    "after": pl.Float64,
    "p_value": pl.Float64,
}
TEST_COLUMNS = {
    "measure": pl.String,
    "p": pl.Float64,
    "p_adjusted": pl.Float64,
    "position": pl.Int64,
    "before": pl.Float64,
    "after": pl.Float64,
    "detectable": pl.Float64,
}


def _frame(rows: list[dict], schema: dict) -> pl.DataFrame:
    """Rows of dicts as a table of `schema`'s columns (numpy floats made Python floats)."""
    return pl.DataFrame(
        [{k: float(r[k]) if schema[k] == pl.Float64 else r[k] for k in schema} for r in rows], schema=schema
    )


def follow(dataset, test, comparison, scored, ink: np.ndarray, distances: np.ndarray) -> Order:
    """Every split along its file: the explored split and, when set beside it, the test split; each
    with the classifiers' errors where they scored it (held-out rows of the explored split, or the test split)."""
    names, main, errors = dataset.class_names, dataset.main, _errors(scored)
    held = scored is not None and scored.held_out
    splits = [along(main.name or "unknown", main.labels, ink, distances, names, errors if held else None)]
    if comparison is not None:
        splits.append(
            along(
                "test",
                test.labels,
                comparison.test_ink,
                comparison.test_distances,
                names,
                errors if scored is not None and not held else None,
            )
        )
    return Order(tuple(splits))


def _errors(scored) -> tuple[np.ndarray, dict[str, np.ndarray]] | None:
    """(sorted rows, {knn_error, centroid_error: 1 where wrong}) of the scored images."""
    if scored is None:
        return None
    order = np.argsort(scored.rows, kind="stable")
    wrong = {
        name: (scored.predictions[key] != scored.labels).astype(np.float64)[order]
        for name, key in (("knn_error", "knn"), ("centroid_error", "nearest_centroid"))
    }
    return scored.rows[order], wrong
