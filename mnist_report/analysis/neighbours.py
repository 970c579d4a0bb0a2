"""The one neighbour search: for each query image, its k nearest reference images, exactly.

Used for k-NN classification and for the training images shown beside each label-issue
candidate. The result is the brute force's: the true k nearest by exact distance (integer
arithmetic on uint8 pixels), ties broken by the lower reference row, the same on every machine.

Brute force is one queries x reference x pixels product (MNIST's 10,000 x 60,000: 3.5-4 s). Many
queries instead go through lower bounds in principal components (neighbour_bounds.py), which
measure about a dozen pairs per query on every pixel (~1 s). A few queries (the label-issue
galleries') take one float32 product of all pairs, since sorting the reference costs ~0.35 s.

Blocks of queries are searched in our own threads with BLAS held to one thread: its own threads
beside ours, or on a busy machine, made the many small products several times slower.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from ..loading.chunks import WORKERS
from . import neighbour_bounds as bounds

AXES = bounds.STAGE3  # principal axes the search bounds distances in: share as many (pca.fit)
# Few queries cost less by one product than by sorting the reference (24 MNIST queries: 0.055 s against 0.45 s):
DENSE_QUERIES, DENSE_PAIRS = 384, 1 << 25  # up to this many queries and pairs


@dataclass(frozen=True, eq=False)
class Neighbours:
    index: np.ndarray  # int64[n, k]: rows of the reference, nearest first
    distance: np.ndarray  # float64[n, k]: Euclidean distance, in the inputs' units

    @property
    def k(self) -> int:
        return self.index.shape[1]


def nearest(
    queries: np.ndarray,
    reference: np.ndarray,
    k: int,
    *,
    skip_self: bool = False,
    block: int | None = None,
    axes: np.ndarray | None = None,
    mean: np.ndarray | None = None,
    workers: int = WORKERS,
) -> Neighbours:
    """The k nearest rows of `reference` to each row of `queries` (both [n, d], same dtype).

    With `skip_self`, `queries` is `reference` itself and each row's own entry is left out
    (leave-one-out). Inputs may be uint8 pixels (exact integer distances) or float features.
    `axes` (principal axes as rows [dims, d], like pca.Components, or columns [d, dims]) and `mean`
    can be shared with other analyses: without them the axes are fitted on a sample of the
    reference, and fewer than AXES are completed by fitted ones. Any axes give the same result;
    good ones prune more. `block` caps the queries searched at once; `workers` threads search
    blocks side by side.
    """
    queries, reference = _as_numbers(queries), _as_numbers(reference)
    n, m = len(queries), len(reference)
    if k < 1 or k > m - skip_self:
        raise ValueError(f"k={k} needs at least {k + skip_self} reference rows, got {m}")
    if n == 0:
        return Neighbours(np.empty((0, k), np.int64), np.empty((0, k)))
    with threadpool_limits(1, user_api="blas"):
        if n <= DENSE_QUERIES and n * m <= DENSE_PAIRS:
            return Neighbours(*_dense(queries, reference, k, skip_self, workers))
        ref = bounds.prepare(reference, axes, mean, workers)
        size = block or max(256, bounds.MINIMA_BYTES // (4 * len(ref.rows) // bounds.GROUP))
        size = -(-n // max(-(-n // size), min(workers, -(-n // 256))))  # equal blocks, one per worker at least
        parts = [None] * -(-n // size)

        def search(start: int) -> None:
            parts[start // size] = bounds.search(ref, queries[start : start + size], start, k, skip_self)

        bounds.each(search, range(0, n, size), workers)
    return Neighbours(np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))


def _as_numbers(images: np.ndarray) -> np.ndarray:
    images = np.asarray(images)
    return images.view(np.uint8) if images.dtype == bool else images  # booleans as 0/1 pixels


def _dense(queries: np.ndarray, reference: np.ndarray, k: int, skip_self: bool, workers: int):
    """(index, distance) from one float32 product of all pairs: every pair within twice its rounding
    bound of the query's k-th smallest value is measured exactly (the k rows below that value are
    within one bound of their true distances, so the k-th true distance is too)."""
    (n, d), m, chunk = queries.shape, len(reference), bounds.CHUNK
    q = queries.astype(np.float32)
    value, norms = np.empty((n, m), np.float32), np.empty(m, np.float32)

    def part(start: int) -> None:  # |x|² - 2q·x for a chunk of reference rows
        x = reference[start : start + chunk].astype(np.float32)
        np.einsum("ij,ij->i", x, x, out=norms[start : start + chunk])
        np.matmul(q, x.T, out=value[:, start : start + chunk])
        value[:, start : start + chunk] *= -2
        value[:, start : start + chunk] += norms[start : start + chunk]

    bounds.each(part, range(0, m, chunk), workers)
    if skip_self:
        value[np.arange(n), np.arange(n)] = np.inf
    # The products' sums, the inputs', the norms' and the additions' roundings; norms inflated for their own.
    terms, unit = d + 8, bounds.UNIT
    size = np.sqrt(np.einsum("ij,ij->i", q, q, dtype=np.float64)) + np.sqrt(float(norms.max()) * 1.001)
    limit = np.partition(value, k - 1, axis=1)[:, k - 1] + 2 * terms * unit / (1 - terms * unit) * size**2
    qi, ri = np.divmod(np.flatnonzero(value <= limit[:, None]), m)
    found = bounds.best(qi, ri, bounds.exact_squares(queries, reference, qi, ri), k)
    return bounds.answer(*found, n, k)


def vote(labels: np.ndarray, neighbours: Neighbours, n_classes: int) -> np.ndarray:
    """The commonest label among each row's neighbours; a tie goes to the tied class whose
    member comes nearest (so k=1 and unanimous votes need no rule)."""
    near = labels[neighbours.index].astype(np.int64)  # [n, k], nearest first
    counts = np.zeros((len(near), n_classes), np.int64)
    np.add.at(counts, (np.arange(len(near))[:, None], near), 1)
    tied = counts[np.arange(len(near))[:, None], near] == counts.max(axis=1, keepdims=True)
    return near[np.arange(len(near)), tied.argmax(axis=1)]  # first (nearest) neighbour of a top class
