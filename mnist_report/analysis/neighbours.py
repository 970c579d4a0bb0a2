"""The one neighbour search: for each query image, its k nearest reference images.

Used for k-NN classification and for the training images shown beside each label-issue
candidate. Distances come from chunked float32 matrix products, |a|² - 2a·b + |b|², so memory
is bounded by one block of queries against the reference set and nothing loops over pairs in Python.
float32 rounding can swap near-ties, so a few more candidates than asked are kept and
re-ranked on exact distances (integer arithmetic on uint8 pixels): the result is the
true k nearest, ties broken by the lower reference row, the same on every machine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..progress import Progress

QUERY_BLOCK = (
    256  # queries per step: against 60,000 images, 61 MB of float32 distances and 123 MB of argpartition's indices
)
MARGIN = 8  # extra float32 candidates re-ranked exactly
GROUP = 64  # columns per group whose minimum stands for it (see _smallest)


@dataclass(frozen=True, eq=False)
class Neighbours:
    index: np.ndarray  # int64[n, k]: rows of the reference, nearest first
    distance: np.ndarray  # float64[n, k]: Euclidean distance, in the inputs' units

    @property
    def k(self) -> int:
        return self.index.shape[1]


def nearest(
    queries: np.ndarray, reference: np.ndarray, k: int, *, skip_self: bool = False, block: int = QUERY_BLOCK
) -> Neighbours:
    """The k nearest rows of `reference` to each row of `queries` (both [n, d], same dtype).

    With `skip_self`, `queries` is `reference` itself and each row's own entry is left
    out (leave-one-out). Inputs may be uint8 pixels (exact re-ranking) or float features.
    """
    n, m = len(queries), len(reference)
    if k < 1 or k > m - skip_self:
        raise ValueError(f"k={k} needs at least {k + skip_self} reference rows, got {m}")
    # Columns that are 0 in every query and reference row add nothing to any distance: left out of
    # the products (MNIST's 60,000 training images never ink 67 of their 784 pixels).
    used = np.flatnonzero(np.any(reference, axis=0) | np.any(queries, axis=0))
    ref = np.asarray(reference[:, used], dtype=np.float32)
    ref_sq = np.einsum("ij,ij->i", ref, ref)
    wanted = min(k + MARGIN, m - skip_self)
    index = np.empty((n, k), np.int64)
    distance = np.empty((n, k), np.float64)
    progress = Progress("neighbours", n)  # a terminal shows the queries done when the search is long
    for start in range(0, n, block):
        progress.update(start, start)
        q_raw = np.asarray(queries[start : start + block])
        d2 = (
            q_raw[:, used].astype(np.float32) * np.float32(-2.0)
        ) @ ref.T  # -2a·b, then + |b|² in place; |a|² is the same
        d2 += ref_sq  # along a row, so ranking needs no more
        if skip_self:
            d2[np.arange(len(q_raw)), np.arange(start, start + len(q_raw))] = np.inf
        candidates = _smallest(d2, wanted)
        exact = _exact_sq(q_raw, reference, candidates)
        order = np.lexsort((candidates, exact), axis=1)[:, :k]  # by distance, then by row
        index[start : start + len(q_raw)] = np.take_along_axis(candidates, order, axis=1)
        distance[start : start + len(q_raw)] = np.sqrt(np.take_along_axis(exact, order, axis=1))
    progress.close()
    return Neighbours(index, distance)


def _smallest(d2: np.ndarray, wanted: int) -> np.ndarray:
    """int64[b, wanted]: the columns of each row's `wanted` smallest values, unordered.

    argpartition over every column took a third of a search's time. Instead the columns are
    cut into groups of GROUP and each group's minimum taken: a row's `wanted` smallest values
    can all be found in the `wanted` groups with the smallest minima (each of those holds a
    value no larger than any left out), so only those groups' columns are partitioned.
    """
    b, m = d2.shape
    groups = m // GROUP
    if groups <= wanted:
        return np.argpartition(d2, wanted - 1, axis=1)[:, :wanted]
    minima = d2[:, : groups * GROUP].reshape(b, groups, GROUP).min(axis=2)
    best = np.argpartition(minima, wanted - 1, axis=1)[:, :wanted]
    cols = (best[:, :, None] * GROUP + np.arange(GROUP)).reshape(b, -1)
    cols = np.hstack(
        [cols, np.broadcast_to(np.arange(groups * GROUP, m), (b, m - groups * GROUP))]
    )  # the last, partial group
    pick = np.argpartition(np.take_along_axis(d2, cols, axis=1), wanted - 1, axis=1)[:, :wanted]
    return np.take_along_axis(cols, pick, axis=1)


def _exact_sq(queries: np.ndarray, reference: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Squared distances from each query to its candidate rows, exact for integer pixels."""
    wide = np.int32 if np.issubdtype(queries.dtype, np.integer) else np.float64
    diff = reference[candidates].astype(wide) - queries[:, None, :].astype(wide)
    return np.einsum("ijk,ijk->ij", diff, diff).astype(np.float64)


def vote(labels: np.ndarray, neighbours: Neighbours, n_classes: int) -> np.ndarray:
    """The commonest label among each row's neighbours; a tie goes to the tied class whose
    member comes nearest (so k=1 and unanimous votes need no rule)."""
    near = labels[neighbours.index].astype(np.int64)  # [n, k], nearest first
    counts = np.zeros((len(near), n_classes), np.int64)
    np.add.at(counts, (np.arange(len(near))[:, None], near), 1)
    tied = counts[np.arange(len(near))[:, None], near] == counts.max(axis=1, keepdims=True)
    return near[np.arange(len(near)), tied.argmax(axis=1)]  # first (nearest) neighbour of a top class
