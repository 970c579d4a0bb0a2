"""The many-queries neighbour search: exact k nearest reference rows from lower bounds in principal components.

Projecting onto orthonormal axes never lengthens a difference, so the distance between two images'
first STAGE1 (STAGE2, STAGE3) principal coordinates is a lower bound of their true distance.

1. The reference is sorted so that each GROUP of consecutive rows lies close together (median
   splits, a k-d tree's leaves), and one pass of small products keeps, per query and group, only
   the smallest STAGE1 bound in the group: no selection over all pairs.
2. An upper bound of each query's k-th distance: the best rows of the super-groups with the
   smallest bounds, ranked by the STAGE2 bound and measured exactly on the pixels.
3. Only groups whose smallest bound is within that upper bound can hold a neighbour; their rows
   are bounded in STAGE2, then STAGE3 components, and the few pairs that pass are measured exactly
   and ranked by (distance, row).

Every bound is compared with a margin that covers float32 rounding (see `_project` and SLACK), so
no true neighbour is ever dropped: the result is the brute force's, ties broken by the lower row.
Memory follows a block of queries (its group minima) and a batch of bounded pairs, not n x m.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

STAGE1 = 40  # components in the pass over every pair: fewer make it cheaper but let more groups through
STAGE2 = 128  # components bounding the members of the groups that pass
STAGE3 = 256  # components bounding the pairs that pass STAGE2: below ~96 the pairs left for the pixels multiply
GROUP = 32  # reference rows per group (a leaf of the k-d ordering) whose smallest bound stands for it
SUPER = 4  # groups scanned together in stage 2: one small product per SUPER * GROUP rows, not per group
PROBE = 4  # super-groups, at least, whose best rows give the upper bound: one alone gave 1.16 x the k-th distance
EXTRA = 2  # candidates measured for the upper bound beyond k: a tighter bound lets fewer pairs through
FIT_ROWS = 10_000  # evenly spaced reference rows the axes are fitted on when too few are given
KD_AXES = 8  # components the k-d ordering splits along (the widest of them at each node)
UNIT = 2.0**-24  # float32's unit roundoff
SLACK = 1e-4  # bound on a float32 squared distance's error relative to the squared norms involved (4 x the worst case)
MINIMA_BYTES = 64 << 20  # group minima held per block of queries: the block size follows from it
TILE_ROWS, TILE_QUERIES = 512, 1024  # one stage-1 product: 2 MB of float32, an L2 cache's worth
PAIRS = 512  # pairs measured exactly at a time: their float32 differences stay in cache
CHUNK = 512  # rows projected at a time: their float32 pixels stay in cache
PAIRS_AT_ONCE = 1 << 21  # stage-2 pairs bounded before the survivors are measured and cut to k per query


@dataclass(frozen=True, eq=False)
class Reference:
    images: np.ndarray  # the reference as given (uint8 pixels or features)
    mean: np.ndarray  # float64[d]: the centre the coordinates are taken around
    basis: np.ndarray  # float64[d, dims]: orthonormal columns, leading principal axes first
    rows: np.ndarray  # int64[padded]: the reference row at each sorted position; `len(images)` for padding
    cuts: tuple[int, int, int]  # the components in stages 1, 2 and 3
    side: np.ndarray  # float32[padded, cuts[2] + 3]: sorted coordinates in three segments with their squared norms
    tau: float  # largest rounding error (Euclidean) of a reference row's coordinates
    norm: float  # largest squared norm of a reference row's coordinates


def each(fn, items, workers: int) -> None:
    """fn(item) for every item, in `workers` threads (numpy lets go of the GIL in its products)."""
    if workers > 1:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(fn, items))
    else:
        for item in items:
            fn(item)


def prepare(reference: np.ndarray, axes, mean, workers: int) -> Reference:
    """The reference's coordinates, sorted into groups of nearby rows and padded to whole super-groups."""
    mean, basis = _basis(reference, axes, mean, workers)
    z, tau = _project(reference, mean, basis, workers)
    order = _kd_order(z[:, :KD_AXES], GROUP)
    m, dims = len(reference), basis.shape[1]
    padded = -(-m // (GROUP * SUPER)) * GROUP * SUPER
    rows = np.full(padded, m, np.int64)
    rows[:m] = order
    z = z[order]
    cuts = (min(STAGE1, dims), min(STAGE2, dims), dims)
    side = np.zeros((padded, dims + 3), np.float32)
    side[:m] = _sides(z, cuts, query=False)
    side[m:, cuts[0]] = 1e30  # padding rows: never within any finite bound
    norm = float(np.einsum("ij,ij->i", z, z).max())
    return Reference(reference, mean, basis, rows, cuts, side, float(tau.max()), norm)


def _basis(reference: np.ndarray, axes, mean, workers: int) -> tuple[np.ndarray, np.ndarray]:
    """(mean, orthonormal float64 [d, dims] basis): the given axes first, then, up to STAGE3, the leading
    axes of what they leave out (all of them when none are given), fitted on FIT_ROWS reference rows.

    Few components prune poorly (16 given axes alone made the search 17x slower than 192), so
    given axes are completed rather than used alone; a fit costs ~0.2 s."""
    d = reference.shape[1]
    dims = min(STAGE3, d)
    sample = reference[:: max(1, len(reference) // FIT_ROWS)]
    mean = sample.mean(axis=0, dtype=np.float64) if mean is None else np.asarray(mean, np.float64)
    given = np.zeros((d, 0)) if axes is None else _columns(np.asarray(axes, np.float64), d)[:, :dims]
    if given.shape[1] < dims:
        if given.shape[1]:
            given, _ = np.linalg.qr(given)
        scatter = _scatter(sample, mean, workers)
        rest = scatter - given @ (given.T @ scatter)  # the scatter within the space the given axes leave out
        rest -= (rest @ given) @ given.T
        _, vectors = np.linalg.eigh(rest)  # smallest first
        given = np.hstack([given, vectors[:, ::-1][:, : dims - given.shape[1]]])
    # QR keeps each leading span (so the first STAGE1 columns stay the leading axes) and makes
    # the columns orthonormal to float64 precision, whatever rounding the given axes went through.
    basis, _ = np.linalg.qr(given)
    return mean, basis


def _columns(axes: np.ndarray, d: int) -> np.ndarray:
    """Axes as columns [d, dims]: given as rows [dims, d] (like pca.Components; also when square) or columns."""
    columns = axes if axes.ndim == 2 and axes.shape[0] == d and axes.shape[1] != d else axes.T
    if columns.ndim != 2 or columns.shape[0] != d:
        raise ValueError(f"axes of shape {axes.shape} do not match {d} columns")
    return columns


def _scatter(sample: np.ndarray, mean: np.ndarray, workers: int) -> np.ndarray:
    """float64 [d, d]: the sample's scatter around the mean, summed in float32 a chunk at a time."""
    parts = np.zeros((-(-len(sample) // 2048), sample.shape[1], sample.shape[1]), np.float32)

    def part(i: int) -> None:
        x = sample[i * 2048 : (i + 1) * 2048].astype(np.float32) - mean.astype(np.float32)
        np.matmul(x.T, x, out=parts[i])

    each(part, range(len(parts)), workers)
    return parts.sum(axis=0, dtype=np.float64)


def _project(images: np.ndarray, mean: np.ndarray, basis: np.ndarray, workers: int = 1):
    """(float32 coordinates around the mean, float64 per-row bound on their rounding error, Euclidean).

    A float32 sum of d products errs by at most d u / (1 - d u) sum |x_j v_j| <= that times |x| per
    coordinate (unit axes); rounding the input, the axes, the shift and the difference adds 4u (|x| + |mean|).
    """
    n, dims = len(images), basis.shape[1]
    axes, shift = basis.astype(np.float32), (mean @ basis).astype(np.float32)
    z, norms = np.empty((n, dims), np.float32), np.empty(n, np.float32)

    def part(start: int) -> None:
        x = images[start : start + CHUNK].astype(np.float32)
        np.matmul(x, axes, out=z[start : start + CHUNK])
        z[start : start + CHUNK] -= shift
        np.einsum("ij,ij->i", x, x, out=norms[start : start + CHUNK])  # within 5e-5 of |x|²: inflated below

    each(part, range(0, n, CHUNK), workers)
    terms = images.shape[1] + 4
    error = terms * UNIT / (1 - terms * UNIT) * np.sqrt(dims) * 1.001
    return z, (np.sqrt(norms.astype(np.float64)) * 1.0001 + np.linalg.norm(mean)) * error


def _kd_order(z: np.ndarray, leaf: int) -> np.ndarray:
    """Reference rows ordered so that every `leaf` consecutive ones are a k-d tree's leaf: each node
    is split at a multiple of `leaf` rows along its widest axis, all nodes of a level at once."""
    z = z.astype(np.float64)
    order, starts, sizes = np.arange(len(z)), np.zeros(1, np.int64), np.array([len(z)])
    while sizes.max() > leaf:
        node = np.repeat(np.arange(len(starts)), sizes)
        x = z[order]
        total, squares = np.add.reduceat(x, starts), np.add.reduceat(x * x, starts)
        key = x[np.arange(len(x)), (squares - total * total / sizes[:, None]).argmax(axis=1)[node]]
        low, high = np.minimum.reduceat(key, starts), np.maximum.reduceat(key, starts)
        order = order[np.argsort(node + 0.5 * (key - low[node]) / (high - low + 1e-9)[node])]
        left = np.where(sizes > leaf, leaf * (-(-sizes // leaf) // 2), sizes)
        starts = np.stack([starts, starts + left], axis=1).ravel()
        sizes = np.stack([left, sizes - left], axis=1).ravel()
        starts, sizes = starts[sizes > 0], sizes[sizes > 0]
    return order


def _sides(z: np.ndarray, cuts: tuple[int, int, int], query: bool) -> np.ndarray:
    """float32 [z_1..z_a, s | z_a+1..z_b, s | z_b+1..z_c, s] for cuts (a, b, c): a reference row's s is its
    segment's squared norm, a query's coordinates are -2z and its s are 1, so the product of the first
    i segments of a reference row and a query is |x|² - 2q·x in their components, the squared distance less |q|²."""
    out = np.empty((len(z), cuts[2] + 3), np.float32)
    for i, (low, high) in enumerate(zip((0, *cuts[:2]), cuts, strict=True)):
        part = z[:, low:high]
        out[:, low + i : high + i] = -2 * part if query else part
        out[:, high + i] = 1 if query else np.einsum("ij,ij->i", part, part)
    return out


def search(ref: Reference, queries: np.ndarray, offset: int, k: int, skip_self: bool) -> tuple[np.ndarray, np.ndarray]:
    """(index, distance) [n, k] of one block of queries, rows `offset`... of the queries."""
    n, (a, b, c) = len(queries), ref.cuts
    z, tau = _project(queries, ref.mean, ref.basis)
    side = _sides(z, ref.cuts, query=True)
    minima = _group_minima(ref.side[:, : a + 1], np.ascontiguousarray(side[:, : a + 1]))
    own = np.arange(offset, offset + n) if skip_self else None
    upper = _upper_bounds(ref, queries, side, minima, own, k)
    # A pair whose true distance is within `upper` has coordinates within upper + tau + ref.tau,
    # and float32 computes their squared distance within SLACK (|q|² + |x|²) of the truth.
    squares = np.cumsum(z * z, axis=1, dtype=np.float64)[:, [a - 1, b - 1, c - 1]]
    limit = (upper + tau + ref.tau) ** 2 + SLACK * (squares[:, 2] + ref.norm)
    limits = (limit[:, None] - squares).astype(np.float32).T
    marks = (minima <= limits[0]).reshape(-1, SUPER, n).any(axis=1)
    # Super-groups in batches of at most PAIRS_AT_ONCE bounded pairs, each batch's survivors measured
    # and cut to each query's k best: memory stays bounded however poorly the axes prune.
    found = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    supers = np.flatnonzero(marks.any(axis=1))
    pairs = np.cumsum(marks[supers].sum(axis=1)) * GROUP * SUPER
    ends = np.searchsorted(pairs, np.arange(1, len(supers) + 1) * PAIRS_AT_ONCE)
    for batch in np.split(supers, np.unique(ends[ends < len(supers)]) + 1):
        qi, ri, _ = _scan(ref, side, marks, batch, limits=limits[1:])
        qi, ri = _real(ref, qi, ri, own)
        d2 = exact_squares(queries, ref.images, qi, ri)
        found = best(np.append(found[0], qi), np.append(found[1], ri), np.append(found[2], d2), k)
    return answer(*found, n, k)


def answer(qi: np.ndarray, ri: np.ndarray, d2: np.ndarray, n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(index, distance) [n, k] from each query's k best pairs, checked: every true neighbour passes
    every bound, so a query short of k pairs means a bound failed, never a wrong answer."""
    if len(qi) != n * k or (qi != np.repeat(np.arange(n), k)).any():
        raise RuntimeError("neighbour search: a lower bound exceeded a true distance")
    return ri.reshape(n, k), np.sqrt(d2).reshape(n, k)


def best(qi: np.ndarray, ri: np.ndarray, d2: np.ndarray, k: int):
    """The pairs cut to each query's k nearest, by (query, distance, reference row): the brute force's order."""
    order = np.lexsort((ri, d2, qi))
    qi, ri, d2 = qi[order], ri[order], d2[order]
    keep = np.arange(len(qi)) - np.searchsorted(qi, qi) < k
    return qi[keep], ri[keep], d2[keep]


def _group_minima(stage1: np.ndarray, near: np.ndarray) -> np.ndarray:
    """float32[groups, n]: per group of GROUP sorted reference rows, the smallest |x|² - 2q·x.

    Products of TILE_ROWS x TILE_QUERIES stay in cache for the minimum over each group's rows."""
    rows, n = len(stage1), len(near)
    minima = np.empty((rows // GROUP, n), np.float32)
    tile = np.empty((TILE_ROWS, TILE_QUERIES), np.float32)
    for r in range(0, rows, TILE_ROWS):
        part = stage1[r : r + TILE_ROWS]
        for q in range(0, n, TILE_QUERIES):
            queries = near[q : q + TILE_QUERIES]
            product = np.matmul(part, queries.T, out=tile[: len(part), : len(queries)])
            out = minima[r // GROUP : (r + len(part)) // GROUP, q : q + TILE_QUERIES]
            np.minimum.reduce(product.reshape(-1, GROUP, len(queries)), axis=1, out=out)
    return minima


def _upper_bounds(ref: Reference, queries, side, minima, own, k: int) -> np.ndarray:
    """float64[n]: a distance no smaller than each query's k-th nearest (inf if unknown).

    The k-th smallest exact distance among any k distinct reference rows is one; the rows
    taken are the `wanted` with the smallest stage-2 bounds in the super-groups with the
    smallest stage-1 minima, where the nearest rows usually are."""
    n, per = len(side), GROUP * SUPER
    wanted = k + (own is not None) + EXTRA
    supers = minima.reshape(-1, SUPER, n).min(axis=1)
    probe = min(len(supers), max(PROBE, -(-wanted // per) + 1))
    marks = supers <= np.partition(supers, probe - 1, axis=0)[probe - 1]
    qi, ri, bound = _scan(ref, side, marks, np.flatnonzero(marks.any(axis=1)), top=wanted)
    order = np.lexsort((bound, qi))
    qi, ri = qi[order], ri[order]
    keep = np.arange(len(qi)) - np.searchsorted(qi, qi) < wanted  # each query's `wanted` best
    qi, ri = _real(ref, qi[keep], ri[keep], own)
    d2 = exact_squares(queries, ref.images, qi, ri)
    order = np.lexsort((d2, qi))
    qi, d2 = qi[order], d2[order]
    start = np.searchsorted(qi, np.arange(n))
    count = np.diff(np.append(start, len(qi)))
    return np.sqrt(np.where(count >= k, d2[np.minimum(start + k - 1, len(d2) - 1)], np.inf))


def _scan(ref: Reference, side, marks, supers, limits=None, top: int | None = None):
    """Bounds of the rows of `supers` against the queries marked for each (marks: [supers, n]).

    Returns (query, sorted position, bound) of the pairs within `limits` (stage 2, then stage 3 for
    the queries with a pair left; bound None), or of each marked query's `top` rows per super-group by
    the stage-2 bound. One product per super-group and stage: a query's coordinates are gathered, not the pairs'."""
    per, middle = GROUP * SUPER, ref.cuts[1] + 2
    qis, ris, bounds = [], [], []
    for s in supers:
        qs, rows = np.flatnonzero(marks[s]), ref.side[s * per : (s + 1) * per]
        bound = rows[:, :middle] @ side[qs, :middle].T  # [per, len(qs)]: |x|² - 2q·x in STAGE2 components
        if limits is None:
            if top < per:
                r = np.argpartition(bound, top - 1, axis=0)[:top]
            else:
                r = np.broadcast_to(np.arange(per)[:, None], bound.shape)
            qis.append(np.broadcast_to(qs, r.shape).ravel())
            bounds.append(np.take_along_axis(bound, r, axis=0).ravel())
        else:
            left = (bound <= limits[0][qs]).any(axis=0)  # queries with a pair left, bounded in all components
            qs, bound = qs[left], bound[:, left] + rows[:, middle:] @ side[qs[left], middle:].T
            r, j = np.divmod(np.flatnonzero(bound <= limits[1][qs]), len(qs))  # flat: faster than a 2-d nonzero
            qis.append(qs[j])
        ris.append(r.ravel() + s * per)
    empty = np.zeros(0, np.int64)
    return (
        np.concatenate(qis) if qis else empty,
        np.concatenate(ris) if ris else empty,
        np.concatenate(bounds) if bounds else None,
    )


def _real(ref: Reference, qi: np.ndarray, positions: np.ndarray, own: np.ndarray | None):
    """(query, reference row) of the pairs at sorted `positions`, without padding and, for
    leave-one-out, without each query's own row."""
    ri = ref.rows[positions]
    keep = ri < len(ref.images)
    if own is not None:
        keep &= ri != own[qi]
    return qi[keep], ri[keep]


def exact_squares(queries: np.ndarray, reference: np.ndarray, qi: np.ndarray, ri: np.ndarray) -> np.ndarray:
    """float64: squared distances of the pairs (queries[qi], reference[ri]), exact for integer pixels.

    uint8 differences and their squares are exact in float32, and so is every partial sum of
    the squares while the total stays below 2^24; larger totals are summed again in float64."""
    out = np.empty(len(qi))
    pixels = queries.dtype == reference.dtype == np.uint8
    integer = np.issubdtype(queries.dtype, np.integer) and np.issubdtype(reference.dtype, np.integer)
    for start in range(0, len(qi), PAIRS):
        a, b = reference[ri[start : start + PAIRS]], queries[qi[start : start + PAIRS]]
        if pixels:
            diff = a.astype(np.float32)
            diff -= b
            d2 = np.einsum("ij,ij->i", diff, diff).astype(np.float64)
            big = d2 >= 2.0**24
            if big.any():
                wide = diff[big].astype(np.float64)
                d2[big] = np.einsum("ij,ij->i", wide, wide)
        else:
            diff = a.astype(np.int64) - b if integer else a.astype(np.float64) - b
            d2 = np.einsum("ij,ij->i", diff, diff).astype(np.float64)
        out[start : start + PAIRS] = d2
    return out
