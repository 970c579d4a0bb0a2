"""What only the class pages show: for every class, its thirty least and most typical images, and the
health checks' candidates, near duplicates and odd images that concern it, with their pictures.

Everything else a class page says is read from the rest of the `Analysis`. The rows here come from
tables computed once for every class (the distances, the health part's tables); only the pictures are
read, a bounded number per class, so the cost grows with the number of classes, not of images.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from ..loading.model import Split
from .gallery import Gallery
from .health import Health

N_CANDIDATES = 6  # label-issue candidates per class and split: given this label, or suggested it
N_DUPLICATES = 6  # closest pairs per class with an image labelled so
N_ODD = 4  # most extreme images per class and kind of oddity (faint, heavy, off centre)


@dataclass(frozen=True, eq=False)
class ClassPages:
    least: Gallery  # label, name, rank, instance, distance: up to explore.N_CLASS_EXTREME per class, rank 1 farthest
    most: Gallery  # the same, rank 1 nearest
    # Each with a `class` column (the class the row is listed under) and `split` named as the data files name it.
    candidates: Gallery | None  # class, split, instance, label, suggested, margin, rank (within its split)
    duplicates: Gallery | None  # class, pair, side (0, 1), split, instance, label, distance (RMS), same_label
    odd: Gallery | None  # class, kind, split, instance, ink, offset


def gather(least: Gallery, most: Gallery, splits: dict[str, Split], health: Health | None) -> ClassPages:
    """The class pages' part: the typical galleries as given, and the health tables cut up by class."""
    if health is None:
        return ClassPages(least, most, None, None, None)
    return ClassPages(least, most, _candidates(health, splits), _duplicates(health, splits), _odd(health, splits))


def _pictures(table: pl.DataFrame, splits: dict[str, Split]) -> np.ndarray:
    """The images of the rows of `table` (role, row), in its order."""
    first = next(iter(splits.values()))
    out = np.zeros((table.height, *first.images.shape[1:]), np.uint8)
    roles, rows = table["role"].to_numpy(), table["row"].to_numpy()
    for role, split in splits.items():
        mine = np.flatnonzero(roles == role)
        if len(mine):
            out[mine] = split.take(rows[mine])
    return out


def _finish(table: pl.DataFrame, splits: dict[str, Split], health: Health, columns: list[str]) -> Gallery:
    """Instances and split names for the rows' (role, row), the pictures, and the columns asked for."""
    instances = np.zeros(table.height, np.int64)
    roles, rows = table["role"].to_numpy(), table["row"].to_numpy()
    for role, split in splits.items():
        mine = roles == role
        instances[mine] = split.instances[rows[mine]]
    shown = table.with_columns(
        pl.Series("instance", instances), pl.col("role").replace_strict(health.names).alias("split")
    )
    return Gallery(_pictures(table, splits), shown.select(columns))


def _role_order(health: Health) -> pl.Expr:
    return pl.col("role").replace_strict({role: i for i, role in enumerate(health.roles)}, return_dtype=pl.Int64)


def _candidates(health: Health, splits: dict[str, Split]) -> Gallery:
    """Per class and split, the N_CANDIDATES most suspicious images labelled so or suggested so."""
    doubted = health.labels.table.filter(pl.col("suggested") != pl.col("label")).rename(
        {"split": "role", "instance_row": "row"}
    )
    both = pl.concat([doubted.with_columns(pl.col(side).alias("class")) for side in ("label", "suggested")])
    top = (
        both.sort(pl.col("class"), _role_order(health), pl.col("rank"))
        .group_by("class", "role", maintain_order=True)
        .head(N_CANDIDATES)
    )
    columns = ["class", "split", "instance", "label", "suggested", "margin", "rank"]
    return _finish(top, splits, health, columns)


def _duplicates(health: Health, splits: dict[str, Split]) -> Gallery:
    """Per class, the N_DUPLICATES closest pairs with an image of that label, image A then image B."""
    pairs = health.duplicates.table.with_row_index("pair")
    labels = {
        side: pl.Series(
            [
                int(splits[role].labels[row])
                for role, row in zip(pairs[f"split_{side}"], pairs[f"row_{side}"], strict=True)
            ],
            dtype=pl.Int64,
        )
        for side in ("a", "b")
    }
    pairs = pairs.with_columns(label_a=labels["a"], label_b=labels["b"])
    both = pl.concat([pairs.with_columns(pl.col(f"label_{side}").alias("class")) for side in ("a", "b")])
    # A pair within one class is listed once under it.
    top = both.unique(["class", "pair"], keep="first", maintain_order=True).sort("class", "pair")
    top = top.group_by("class", maintain_order=True).head(N_DUPLICATES)
    sides = pl.concat(
        [
            top.select(
                "class",
                "pair",
                pl.lit(i).alias("side"),
                pl.col(f"split_{side}").alias("role"),
                pl.col(f"row_{side}").alias("row"),
                pl.col(f"label_{side}").alias("label"),
                (pl.col("distance") / health.duplicates.scale).alias("distance"),
                "same_label",
            )
            for i, side in enumerate(("a", "b"))
        ]
    ).sort("class", "pair", "side")
    columns = ["class", "pair", "side", "split", "instance", "label", "distance", "same_label"]
    return _finish(sides, splits, health, columns)


def _odd(health: Health, splits: dict[str, Split]) -> Gallery:
    """Per class and kind, the N_ODD most extreme odd images (across splits)."""
    odd = health.odd
    kinds = {kind: i for i, kind in enumerate(("faint", "heavy", "off_centre"))}
    top = (
        odd.flagged.rename({"split": "role"})
        .sort(pl.col("label"), pl.col("kind").replace_strict(kinds, return_dtype=pl.Int64), -pl.col("value"), "row")
        .group_by("label", "kind", maintain_order=True)
        .head(N_ODD)
        .join(
            odd.measures.rename({"split": "role"}).select("role", "row", "ink", "offset"),
            on=["role", "row"],
            how="left",
            maintain_order="left",
        )
        .with_columns(pl.col("label").alias("class"))
    )
    return _finish(top, splits, health, ["class", "kind", "split", "instance", "ink", "offset"])
