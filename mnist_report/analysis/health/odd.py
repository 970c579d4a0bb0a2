"""Images unlike their class: far too little or too much ink for it, or ink far off centre.

Ink is the mean grey level (0-255). It is judged within its class by the modified z-score
(median and MAD), whose usual outlier cut-off is 3.5 (Iglewicz and Hoaglin): thin ones and wide
zeros are normal, a 1 as dark as an 8 is not. The distance of the centre of mass from the frame's
centre is judged the same way within its class (Fashion-MNIST's boots and bags sit off centre by
design), and only counts from OFFSET_PX pixels: MNIST was centred on the centre of mass, all
within 1.5 px.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from ...loading.chunks import CHUNK
from ...loading.model import Split
from ..gallery import Gallery
from .sample import Coverage, Sampled

INK_Z = 3.5
OFFSET_PX = 2.0
EXTREMES = 12  # rows listed per kind of oddity
SHOWN = 6  # images the report shows of each kind: six 50 px pictures fit a phone


@dataclass(frozen=True, eq=False)
class OddImages:
    measures: pl.DataFrame  # split, row, label, ink, ink_z, offset, offset_z: every covered image
    flagged: pl.DataFrame  # split, row, label, kind (faint, heavy, off_centre), value: the oddities
    counts: pl.DataFrame  # split, label, faint, heavy, off_centre
    extremes: pl.DataFrame  # the EXTREMES most extreme rows of each kind and split, most extreme first
    coverage: tuple[Coverage, ...]


def _ink_and_offset(images: np.ndarray, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Mean grey level and the distance (px) of the centre of mass from the frame's centre
    (NaN for an image without ink), of images uint8[n, pixels] of `shape` (height, width)."""
    height, width = shape
    rows = np.arange(height, dtype=np.float64) - (height - 1) / 2
    cols = np.arange(width, dtype=np.float64) - (width - 1) / 2
    ink, offset = np.empty(len(images)), np.empty(len(images))
    for start in range(0, len(images), CHUNK):
        x = images[start : start + CHUNK].reshape(-1, height, width).astype(np.float64)
        mass = x.sum(axis=(1, 2))
        with np.errstate(invalid="ignore", divide="ignore"):
            dy = (x.sum(axis=2) @ rows) / mass
            dx = (x.sum(axis=1) @ cols) / mass
        ink[start : start + len(x)] = mass / (height * width)
        offset[start : start + len(x)] = np.hypot(dx, dy)
    return ink, offset


def _modified_z(values: np.ndarray, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """0.6745 (x - median) / MAD within each class; 0 where a class's MAD is 0."""
    z = np.zeros(len(values))
    for k in range(n_classes):
        mine = labels == k
        if mine.any():
            median = np.median(values[mine])
            mad = np.median(np.abs(values[mine] - median))
            z[mine] = 0.6745 * (values[mine] - median) / mad if mad > 0 else 0.0
    return z


def odd_images(splits: list[Sampled], n_classes: int, shape: tuple[int, int]) -> OddImages:
    """Images with far too little or too much ink for their class, or ink far off centre."""
    measures = []
    for split in splits:
        ink, offset = _ink_and_offset(split.pixels, shape)
        name, rows, given = split.name, split.rows, split.given
        blank = np.isnan(offset)  # no ink at all: nothing has a centre, and it is faint anyway
        measures.append(
            pl.DataFrame(
                {
                    "split": name,
                    "row": rows.astype(np.int64),
                    "label": given,
                    "ink": ink,
                    "ink_z": _modified_z(ink, given, n_classes),
                    "offset": np.where(blank, 0.0, offset),
                    "offset_z": np.where(blank, 0.0, _modified_z(np.where(blank, 0.0, offset), given, n_classes)),
                }
            )
        )
    table = pl.concat(measures)
    kinds = {  # kind: (condition, how extreme: larger is more)
        "faint": (
            (pl.col("ink_z") < -INK_Z) | (pl.col("ink") == 0),
            pl.when(pl.col("ink") == 0).then(np.inf).otherwise(-pl.col("ink_z")),
        ),
        "heavy": (pl.col("ink_z") > INK_Z, pl.col("ink_z")),
        "off_centre": ((pl.col("offset_z") > INK_Z) & (pl.col("offset") > OFFSET_PX), pl.col("offset")),
    }
    flagged = pl.concat(
        [
            table.filter(cond).select("split", "row", "label", pl.lit(kind).alias("kind"), value.alias("value"))
            for kind, (cond, value) in kinds.items()
        ]
    )
    grid = pl.DataFrame(
        [(split.name, k) for split in splits for k in range(n_classes)], schema=["split", "label"], orient="row"
    )
    per_class = flagged.group_by("split", "label").agg(
        [(pl.col("kind") == kind).sum().cast(pl.Int64).alias(kind) for kind in kinds]
    )
    counts = grid.join(per_class, on=["split", "label"], how="left", maintain_order="left").fill_null(0)
    extremes = (
        flagged.sort(["value", "row"], descending=[True, False])
        .group_by("split", "kind", maintain_order=True)
        .head(EXTREMES)
    )
    return OddImages(table, flagged, counts, extremes, tuple(s.coverage for s in splits))


def shown(odd: OddImages, role: str, split: Split) -> Gallery:
    """The SHOWN most extreme images of each kind in a split: kind, label, ink, offset, instance; with their pictures."""
    table = (
        odd.extremes.filter(pl.col("split") == role)
        .group_by("kind", maintain_order=True)
        .head(SHOWN)
        .join(
            odd.measures.select("split", "row", "ink", "offset"), on=["split", "row"], how="left", maintain_order="left"
        )
    )
    rows = table["row"].to_numpy()
    table = table.select("kind", "label", "ink", "offset", pl.Series("instance", split.instances[rows], dtype=pl.Int64))
    return Gallery(split.take(rows), table)
