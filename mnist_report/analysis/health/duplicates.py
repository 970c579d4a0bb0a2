"""The same image twice: identical (hashed bytes) and near-identical pairs within each split and
between test and train.

Near duplicates are distinct images closer than NEAR_RMS in RMS grey levels (Euclidean distance
over the square root of the pixel count): 5 of 255 on average is a retouch, not another image
(no two MNIST images are that close; its closest pair is about 7 apart).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import polars as pl

from ...loading.model import Split
from .. import pca
from ..gallery import Gallery
from ..neighbour_bounds import exact_squares
from .sample import Coverage, Sampled

NEAR_RMS = 5.0
SEARCH_DIMS = 16  # principal components the candidate search runs in
MAX_PAIRS = 20_000  # the closest pairs kept in the table; `n_pairs` counts them all
PAIR_BLOCK = 1024  # query rows per step of the candidate search
SHOWN = 6  # pairs the report shows side by side
SCHEMA = {
    "split_a": pl.String,
    "row_a": pl.Int64,
    "split_b": pl.String,
    "row_b": pl.Int64,
    "distance": pl.Float64,
    "same_label": pl.Boolean,
}


@dataclass(frozen=True, eq=False)
class Duplicates:
    table: pl.DataFrame  # split_a, row_a, split_b, row_b, distance (Euclidean), same_label; closest first
    n_pairs: int  # pairs found, before keeping the MAX_PAIRS closest
    n_exact: int  # of them, identical images (distance 0)
    n_differ: int  # of them, pairs whose labels differ
    coverage: tuple[Coverage, ...]
    scale: float  # Euclidean distance per RMS grey level: the square root of the pixel count
    threshold_rms: float = NEAR_RMS

    def images_with_twin(self, split_a: str, split_b: str, rms: float) -> int:
        """How many images of split_a have an image of split_b within `rms` (RMS grey levels)."""
        pairs = self.table.filter(pl.col("distance") <= rms * self.scale)
        rows = set()
        if split_a == split_b:
            same = pairs.filter((pl.col("split_a") == split_a) & (pl.col("split_b") == split_a))
            rows.update(same["row_a"].to_list(), same["row_b"].to_list())
        else:
            for a, b in (("a", "b"), ("b", "a")):
                part = pairs.filter((pl.col(f"split_{a}") == split_a) & (pl.col(f"split_{b}") == split_b))
                rows.update(part[f"row_{a}"].to_list())
        return len(rows)


def duplicates(splits: list[Sampled], components: pca.Components) -> Duplicates:
    """Exact (identical bytes) and near (RMS below NEAR_RMS) duplicate pairs within each split
    and between test and train.

    Near pairs are searched in the first SEARCH_DIMS principal components: projecting onto
    orthonormal axes never lengthens a difference, so every pair within the radius in pixels
    is within it there too; those candidates are then measured exactly on the raw pixels.
    """
    components = components.first(SEARCH_DIMS)  # any orthonormal axes give a lower bound; the leading ones the tightest
    scale = float(np.sqrt(splits[0].pixels.shape[1]))
    found = []
    for i, a in enumerate(splits):
        for b in splits[: i + 1]:  # train-train, test-train, test-test
            same = a.name == b.name
            pairs = [
                _exact_pairs(a.pixels, b.pixels, same),
                _near_pairs(a.pixels, b.pixels, components, NEAR_RMS * scale, same),
            ]
            ia, ib, dist = (np.concatenate([p[j] for p in pairs]) for j in range(3))
            if same:  # within a split, write the lower row first
                ia, ib = np.minimum(ia, ib), np.maximum(ia, ib)
            found.append(
                pl.DataFrame(
                    {
                        "split_a": [a.name] * len(ia),
                        "row_a": a.rows[ia],
                        "split_b": [b.name] * len(ia),
                        "row_b": b.rows[ib],
                        "distance": dist,
                        "same_label": a.labels[a.rows[ia]] == b.labels[b.rows[ib]],
                    },
                    schema=SCHEMA,
                )
            )
    table = pl.concat(found)
    n_pairs, n_exact, n_differ = len(table), int((table["distance"] == 0).sum()), int((~table["same_label"]).sum())
    table = table.sort("distance", "split_a", "row_a", "split_b", "row_b")
    return Duplicates(table.head(MAX_PAIRS), n_pairs, n_exact, n_differ, tuple(s.coverage for s in splits), scale)


def _digests(images: np.ndarray) -> list[bytes]:
    return [hashlib.blake2b(row.tobytes(), digest_size=16).digest() for row in images]


def _exact_pairs(a: np.ndarray, b: np.ndarray, same: bool):
    """Identical images, each paired with the first (lowest row) of b holding the same bytes:
    a group of g copies is g - 1 pairs within a split, not g(g - 1)/2."""
    digests_b = _digests(b)
    first: dict[bytes, int] = {}
    for row, digest in enumerate(digests_b):
        first.setdefault(digest, row)
    ia, ib = [], []
    for row, digest in enumerate(digests_b if same else _digests(a)):
        twin = first.get(digest)
        if twin is not None and (not same or twin != row):
            ia.append(row)
            ib.append(twin)
    ia, ib = np.array(ia, np.int64), np.array(ib, np.int64)
    # a hash could collide: keep only pairs whose bytes are really equal
    equal = (a[ia] == b[ib]).all(axis=1) if len(ia) else np.zeros(0, bool)
    return ia[equal], ib[equal], np.zeros(int(equal.sum()))


def _near_pairs(a: np.ndarray, b: np.ndarray, components: pca.Components, radius: float, same: bool):
    """Pairs of distinct images with 0 < Euclidean distance <= radius (for `same`, a is b and i < j)."""
    za, zb = components.project(a, np.float32), components.project(b, np.float32)
    # Sorting both sides by the first component bounds each block's partners to a window:
    # two images further apart than the radius along one axis are further apart overall.
    order_a, order_b = np.argsort(za[:, 0], kind="stable"), np.argsort(zb[:, 0], kind="stable")
    za, zb = za[order_a], zb[order_b]
    key = zb[:, 0]
    sq_a, sq_b = np.einsum("ij,ij->i", za, za), np.einsum("ij,ij->i", zb, zb)
    # One product gives |a|² + |b|² - 2a·b. Its float32 rounding stays below 1e-5 of the largest
    # |a|² + |b|²: that slack keeps every true candidate; the exact check removes the extra ones.
    left = np.hstack([-2 * za, sq_a[:, None], np.ones((len(za), 1), np.float32)])
    right = np.hstack([zb, np.ones((len(zb), 1), np.float32), sq_b[:, None]])
    bound = np.float32(radius**2 + 1e-5 * 2 * (sq_a.max(initial=0) + sq_b.max(initial=0)))
    ia, ib = [], []
    for start in range(0, len(za), PAIR_BLOCK):
        stop = min(start + PAIR_BLOCK, len(za))
        lo = int(np.searchsorted(key, za[start, 0] - radius, "left"))
        hi = int(np.searchsorted(key, za[stop - 1, 0] + radius, "right"))
        if same:
            lo = max(lo, start)  # pairs with an earlier block were found from that block
        qi, ri = np.nonzero(left[start:stop] @ right[lo:hi].T <= bound)
        qi, ri = qi + start, ri + lo
        if same:
            qi, ri = qi[ri > qi], ri[ri > qi]
        ia.append(order_a[qi])
        ib.append(order_b[ri])
    ia, ib = np.concatenate(ia), np.concatenate(ib)
    distance = np.sqrt(exact_squares(a, b, ia, ib))
    keep = (distance > 0) & (distance <= radius)  # identical images are the exact pairs' business
    return ia[keep], ib[keep], distance[keep]


# --- what the report shows --------------------------------------------------------------------


def _instances(splits: dict[str, Split], roles: pl.Series, rows: pl.Series) -> np.ndarray:
    """Instance numbers of rows that belong to the splits with these roles."""
    roles, rows = roles.to_numpy(), rows.to_numpy()
    out = np.empty(len(rows), np.int64)
    for role, split in splits.items():
        mine = roles == role
        out[mine] = split.instances[rows[mine]]
    return out


def shown(found: Duplicates, splits: dict[str, Split]) -> Gallery:
    """The SHOWN closest pairs, image A then image B of each: pair (from 0), side (0 or 1), split, instance,
    label, distance (RMS), same_label; with their pictures."""
    pairs = found.table.head(SHOWN)
    sides = [
        (i, side, *row)
        for i, (sa, ra, sb, rb, distance, same) in enumerate(pairs.iter_rows())
        for side, row in enumerate(((sa, ra, distance, same), (sb, rb, distance, same)))
    ]
    table = pl.DataFrame(
        [
            (
                i,
                side,
                split,
                int(splits[split].instances[row]),
                int(splits[split].labels[row]),
                distance / found.scale,
                same,
            )
            for i, side, split, row, distance, same in sides
        ],
        schema={
            "pair": pl.Int64,
            "side": pl.Int64,
            "split": pl.String,
            "instance": pl.Int64,
            "label": pl.Int64,
            "distance": pl.Float64,
            "same_label": pl.Boolean,
        },
        orient="row",
    )
    first = next(iter(splits.values()))
    pictures = [splits[split].take(np.array([row]))[0] for _, _, split, row, _, _ in sides]
    return Gallery(np.array(pictures) if pictures else np.zeros((0, *first.images.shape[1:]), np.uint8), table)


def table(found: Duplicates, splits: dict[str, Split]) -> pl.DataFrame:
    """The data file: split_a, instance_a, split_b, instance_b (splits as the files name them), distance (RMS), same_label."""
    d = found.table
    return pl.DataFrame(
        {
            "split_a": [splits[s].name or "unknown" for s in d["split_a"]],
            "instance_a": _instances(splits, d["split_a"], d["row_a"]),
            "split_b": [splits[s].name or "unknown" for s in d["split_b"]],
            "instance_b": _instances(splits, d["split_b"], d["row_b"]),
            "distance": (d["distance"] / found.scale).to_list(),
            "same_label": d["same_label"].to_list(),
        },
        schema={
            "split_a": pl.String,
            "instance_a": pl.Int64,
            "split_b": pl.String,
            "instance_b": pl.Int64,
            "distance": pl.Float64,
            "same_label": pl.Boolean,
        },
    )
