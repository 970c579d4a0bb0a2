"""The machine-readable results beside the pages: every table as CSV (gzip when long) and Parquet.

README documents every column; `TABLE_NOTES` says in a line what each holds, for the overview.
"""

from __future__ import annotations

import gzip
import io

import numpy as np
import polars as pl

from ..analysis import Analysis
from ..analysis.stats import mean_ink


def tables(analysis: Analysis) -> dict[str, pl.DataFrame]:
    """The machine-readable results by name, each written as CSV and Parquet; README documents every column."""
    ds = analysis.dataset
    k, h, w = analysis.centroids.shape
    rows, cols = np.indices((h, w))
    out = {
        "classes": classes_table(analysis),
        "image_distances": pl.DataFrame(
            {"instance": ds.instances, "label": ds.labels.astype(np.int64), "distance": analysis.distances}
        ),
        "centroids": pl.DataFrame(
            {
                "label": np.repeat(np.arange(k), h * w),
                "row": np.tile(rows.ravel(), k),
                "col": np.tile(cols.ravel(), k),
                "mean": analysis.centroids.reshape(-1),
            }
        ).drop_nans(),
        "least_typical": analysis.least_typical.table.select("label", "rank", "instance", "distance"),
        "most_typical": analysis.most_typical.table.select("label", "rank", "instance", "distance"),
        "pair_distances": analysis.pairs.select(pl.col("a").alias("label_a"), pl.col("b").alias("label_b"), "distance"),
        "splits": _splits_table(analysis),
    }
    if analysis.classifiers is not None:
        out["predictions"] = analysis.classifiers.table()
        out["confusion"] = analysis.classifiers.confusion_table()
    if analysis.projection is not None:
        out["map"] = _map_table(analysis)
    if analysis.health is not None:
        out["label_issues"], out["duplicates"] = analysis.health.label_table, analysis.health.pair_table
    if analysis.order is not None:
        out.update(_order_tables(analysis))
    values = ds.kind.values
    if values != tuple(range(len(values))):
        out = {name: _as_values(frame, values) for name, frame in out.items()}
    return out


# Columns holding a class: the pages count classes from 0, the data files name them by the input's own
# label values (EMNIST's letters are 1-26), so a row can be matched with the file it came from.
LABEL_COLUMNS = (
    "label",
    "label_a",
    "label_b",
    "predicted",
    "suggested",
    "nearest_centroid",
    "nearest_centroid_binary",
    "knn",
)


def _as_values(frame: pl.DataFrame, values: tuple[int, ...]) -> pl.DataFrame:
    lookup = pl.Series(values, dtype=pl.Int64)
    columns = [pl.col(c).map_batches(lambda s: lookup.gather(s)) for c in LABEL_COLUMNS if c in frame.columns]
    if "measure" in frame.columns:  # order_shifts: share_<label>
        shares = {f"share_{k}": f"share_{v}" for k, v in enumerate(values)}
        columns.append(pl.col("measure").replace(shares))
    return frame.with_columns(columns) if columns else frame


def _order_tables(analysis: Analysis) -> dict[str, pl.DataFrame]:
    """order, order_shifts and order_classes: every split's windows, shifts and classes per window."""
    splits = analysis.order.splits
    return {
        "order": pl.concat([s.windows.select(pl.lit(s.split).alias("split"), pl.all()) for s in splits]),
        "order_shifts": pl.concat([s.shifts.select(pl.lit(s.split).alias("split"), pl.all()) for s in splits]),
        "order_classes": pl.concat([s.classes.select(pl.lit(s.split).alias("split"), pl.all()) for s in splits]),
    }


def _map_table(analysis: Analysis) -> pl.DataFrame:
    """instance, label, pc1, pc2: the images the map draws, where it draws them."""
    index = {name: k for k, name in enumerate(analysis.dataset.class_names)}
    points = analysis.projection.points
    return points.select(
        "instance",
        pl.col("name").replace_strict(index, return_dtype=pl.Int64).alias("label"),
        pl.col("x").alias("pc1"),
        pl.col("y").alias("pc2"),
    )


def classes_table(analysis: Analysis) -> pl.DataFrame:
    """label, name, train, test: each class and its images in each split (empty where the input has no
    such split; a split the input does not name counts as train, as the exploring pages treat it)."""
    names = analysis.dataset.class_names
    counts = {"train": None, "test": None}
    for split in analysis.dataset.splits:
        counts[split.name or "train"] = np.bincount(split.labels.astype(np.int64), minlength=len(names))
    return pl.DataFrame(
        {"label": np.arange(len(names)), "name": list(names), **dict(counts.items())},
        schema={"label": pl.Int64, "name": pl.String, "train": pl.Int64, "test": pl.Int64},
    )


def _splits_table(analysis: Analysis) -> pl.DataFrame:
    """split, label, count, share, mean_ink: for both splits when there is a test split, else for the one there is."""
    if analysis.comparison is not None:
        return analysis.comparison.table.select("split", "label", "count", "share", "mean_ink")
    ink = [float(v) if k in analysis.present else None for k, v in enumerate(mean_ink(analysis.centroids))]
    return analysis.counts.select(
        pl.lit(analysis.dataset.split or "unknown").alias("split"), "label", "count", "share"
    ).with_columns(pl.Series("mean_ink", ink, dtype=pl.Float64))


# What each table holds, for the overview's list of files (README has the full description).
TABLE_NOTES = {
    "classes": "each label's name and its number of images in each split",
    "image_distances": "one row per image, its RMS distance to its label's mean image",
    "centroids": "the mean image of each label (row 0 at the top, col 0 at the left)",
    "least_typical": "the six images farthest from their label's mean, rank 1 the farthest",
    "most_typical": "the six images nearest their label's mean, rank 1 the nearest",
    "pair_distances": "the RMS distance between every two labels' mean images, nearest first",
    "splits": "per split and label: images, share of the split, mean pixel value",
    "predictions": "each scored image's label and each classifier's prediction",
    "confusion": "every cell of each classifier's confusion matrix",
    "label_issues": "every image's label-issue score and suggested label, rank 1 the most suspicious of its split",
    "duplicates": "identical and near-identical pairs, RMS distance, whether their labels agree",
    "map": "the images the map draws, with their places on its two axes",
    "order": "each split in windows along its file: images, classifier errors, mean pixel value, mean distance",
    "order_shifts": "the changes found along a file: measure, the image after which it changes, the means before and after",
    "order_classes": "each split's windows along its file: images of each label",
}
GZIP_ROWS = 1_000_000  # tables longer than this are written as .csv.gz (ten million distances are 250 MB of text)
CSV_BATCH = 250_000  # rows turned into text at a time, so a long table never exists whole as text


def data_files(frames: dict[str, pl.DataFrame]) -> dict[str, bytes]:
    files = {}
    for name, frame in frames.items():
        files[_csv_name(name, frame)] = _csv(frame, gzip_it=frame.height > GZIP_ROWS)
        files[f"data/{name}.parquet"] = _parquet(frame)
    return files


def _csv_name(name: str, frame: pl.DataFrame) -> str:
    return f"data/{name}.csv" + (".gz" if frame.height > GZIP_ROWS else "")


def data_listing(frames: dict[str, pl.DataFrame]) -> list[dict]:
    """The data files as the overview lists them: CSV (or .csv.gz) and Parquet name, columns, what they hold."""
    return [
        {
            "csv": _csv_name(n, frame),
            "parquet": f"data/{n}.parquet",
            "columns": ",".join(frame.columns),
            "note": TABLE_NOTES[n],
        }
        for n, frame in frames.items()
    ]


def _csv(frame: pl.DataFrame, gzip_it: bool = False) -> bytes:
    """CSV text, a batch of rows at a time; gzip-compressed (with a fixed timestamp: reproducible) when asked."""
    out = io.BytesIO()
    # Level 1: at ten million rows level 6 took 18 s for a tenth smaller file; the Parquet beside it is smaller still.
    sink = gzip.GzipFile(fileobj=out, mode="wb", mtime=0, compresslevel=1) if gzip_it else out
    for start in range(0, max(frame.height, 1), CSV_BATCH):
        frame.slice(start, CSV_BATCH).write_csv(sink, float_precision=6, include_header=start == 0)
    if gzip_it:
        sink.close()
    return out.getvalue()


def _parquet(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer, statistics=False)  # no per-build statistics: byte-identical rebuilds
    return buffer.getvalue()
