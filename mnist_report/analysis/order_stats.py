"""Does a split's file order matter?  Windows along the order, and shift tests.

Self-contained (numpy only).  Three pieces:

* ``windows(n)``: 10-20 windows of a round width (1, 2, 2.5 or 5 x 10^k images).
* ``window_table(...)``: per window, images, class counts, mean of each per-image
  measure, and for the scored subset (a few rows of the split) each error rate.
* ``shifts(...)``: for each measure, a change-point test (plain and standardised
  CUSUM, combined by min-p) with a block permutation null, Holm-corrected over
  all measures, the best split position,
  the means before and after, recursive (binary segmentation) for further shifts,
  and the smallest midpoint step the test would have found at 80% power.

Why blocks: MNIST's files are not i.i.d. even inside one writer population (one
population comes in runs of one writer's digits: ink autocorrelation ~0.4 at lag
10).  Permuting single images would call any such file "shifted".  Permuting
``n_blocks`` contiguous blocks keeps that local dependence in the null, so only a
change at the scale of the file is reported; and the permutation works on
``n_blocks`` block sums, so its cost does not grow with n (O(n) for one prefix sum
per measure, O(n_perm * n_blocks) for the null).
"""

from __future__ import annotations

import itertools
import math
from functools import lru_cache, partial

import numpy as np

ROUND_STEPS = (1, 2, 2.5, 5)
# The test's settings, which the file-order page states: shuffles, blocks shuffled, and shifts sought per measure.
N_PERM = 9999
N_BLOCKS = 40
MAX_SHIFTS = 3
Z80 = 0.8416212335729143  # standard normal quantile at 0.80 (power target)


# ----------------------------------------------------------------------------- windows


def window_width(n: int, min_windows: int = 10) -> int:
    """The largest round width (1, 2, 2.5, 5 x 10^k, whole) giving >= min_windows.

    Successive round widths differ by at most 2x, so the count lands in
    [min_windows, 2 * min_windows): 10-20 windows by default.  Round widths keep
    the boundaries readable (1-1,000, 1,001-2,000, ...).
    """
    if n < 2 * min_windows:
        return 1
    best, k = 1, 0
    while 10**k <= n:
        for f in ROUND_STEPS:
            w = f * 10**k
            if w == int(w) and n / w >= min_windows:
                best = max(best, int(w))
        k += 1
    return best


def windows(n: int, min_windows: int = 10) -> np.ndarray:
    """Window edges [0, w, 2w, ..., n] (0-based, end-exclusive).

    A last window shorter than half a width is merged into the one before, so no
    window is a noisy sliver (the last can then hold up to 1.5 widths).
    """
    if n <= 0:
        return np.zeros(1, dtype=np.int64)
    w = window_width(n, min_windows)
    edges = [*list(range(0, n, w)), n]
    if len(edges) > 2 and edges[-1] - edges[-2] < w / 2:
        del edges[-2]
    return np.asarray(edges, dtype=np.int64)


def window_table(edges, measures=None, labels=None, n_classes=10, scored_rows=None, scored=None) -> dict:
    """Per-window summary.

    measures: {name: array(n)} per-image values (ink, distance), averaged per window.
    labels: array(n) of class ids, counted per window -> ``class_counts`` (W x C).
    scored_rows: sorted 0-based rows of the scored images; scored: {name: array}
    one value per scored row (1 = error), averaged per window (NaN if none).
    Returns 1-based inclusive ``start``/``end`` like the report's instance numbers.
    """
    edges = np.asarray(edges, dtype=np.int64)
    starts, images = edges[:-1], np.diff(edges)
    out = {"start": starts + 1, "end": edges[1:], "images": images}
    for name, v in (measures or {}).items():
        # reduceat is one pass with no n-sized temporary (matters at 10M images)
        out[name] = np.add.reduceat(np.asarray(v, dtype=np.float64), starts) / images
    if labels is not None:
        out["class_counts"] = np.stack(
            [np.bincount(labels[a:b], minlength=n_classes)[:n_classes] for a, b in itertools.pairwise(edges)]
        )
    if scored_rows is not None:
        w = np.searchsorted(edges, np.asarray(scored_rows), side="right") - 1
        cnt = np.bincount(w, minlength=len(starts))
        out["scored"] = cnt
        for name, e in (scored or {}).items():
            s = np.bincount(w, weights=np.asarray(e, dtype=np.float64), minlength=len(starts))
            with np.errstate(invalid="ignore", divide="ignore"):
                out[name] = np.where(cnt > 0, s / np.maximum(cnt, 1), np.nan)
    return out


# ----------------------------------------------------------------------------- one test


@lru_cache(maxsize=64)
def _perms(m: int, n_perm: int, seed: int) -> np.ndarray:
    """n_perm fixed permutations of m blocks, the same for every measure (deterministic)."""
    rng = np.random.default_rng([seed, m])
    p = rng.permuted(np.tile(np.arange(m, dtype=np.int32), (n_perm, 1)), axis=1)
    p.setflags(write=False)
    return p


def _csum(values, chunk=1 << 20) -> np.ndarray:
    """Prefix sums with a leading 0: any segment or block sum is one subtraction.
    Built a chunk at a time: cumsum of a bool or uint8 array into float64 would
    otherwise make a full-size float copy first (80 MB more at 10M images)."""
    c = np.empty(len(values) + 1, dtype=np.float64)
    c[0] = 0.0
    for i in range(0, len(values), chunk):
        part = np.cumsum(values[i : i + chunk], dtype=np.float64)
        c[i + 1 : i + 1 + len(part)] = part + c[i]
    return c


def _upper_p(T) -> np.ndarray:
    """For each entry of T (observed first, then the permutations), the share of
    entries at least as large: its permutation p-value among all n_perm + 1."""
    s = np.sort(T)
    return (len(T) - np.searchsorted(s, T * (1 - 1e-9) - 1e-12, side="left")) / len(T)


def _weights(t, weights, trim):
    """Boundary weights (t(1-t))^-w per statistic; the standardised ones skip the
    outermost trim-1 boundaries (a part under trim/m of the segment is a tail,
    not a shift, and its standardised difference is mostly noise)."""
    out = []
    for w in weights:
        wt = (t * (1 - t)) ** -w
        if w > 0 and trim > 1:
            wt[: trim - 1] = 0.0
            wt[len(wt) - (trim - 1) :] = 0.0
        out.append(wt)
    return out


def cusum_test(csum, lo, hi, m, n_perm=N_PERM, seed=0, level=None, weights=(0.0, 0.5), trim=2) -> dict:
    """Block-permutation CUSUM test of a mean shift inside values[lo:hi].

    Path: S_j = cumulative (block sum - size * segment mean) over the first j of m
    contiguous blocks; t_j = share of the segment before boundary j.  Two statistics:
    max |S_j| (weight 0, the plain CUSUM: most power for a shift mid-file) and
    max |S_j| / sqrt(t_j(1-t_j)) (weight 0.5: the before/after difference in
    standard errors, the split into the "two most different parts", which still
    sees a shift in the last tenth of a file where the plain one is blind).
    They are combined by min-p: each permutation's two p-values are ranked among
    all permutations, and the smaller one is the combined statistic, calibrated by
    the same permutations (so the combination costs no validity).
    Location: the best block boundary of the statistic with the smaller p (ties:
    the standardised one), refined image by image in the blocks either side.
    """
    n = hi - lo
    m = min(m, n)  # tiny segments: one image per block (plain permutation test)
    if m < 2 * trim:
        return {
            "lo": lo,
            "hi": hi,
            "blocks": m,
            "split": lo + n // 2,
            "p": 1.0,
            "sd_block": 0.0,
            "detectable": math.inf,
        }
    edges = lo + (np.arange(m + 1, dtype=np.int64) * n) // m
    mean = (csum[hi] - csum[lo]) / n
    dev = np.diff(csum[edges]) - np.diff(edges) * mean
    wts = _weights((edges[1:-1] - lo) / n, weights, trim)
    paths = np.abs(np.cumsum(np.vstack([dev, dev[_perms(m, n_perm, seed)]]), axis=1)[:, :-1])
    T = [(paths * wt).max(axis=1) for wt in wts]  # row 0 is the observed order
    P = np.stack([_upper_p(t) for t in T])
    M = P.min(axis=0)
    p = float(np.count_nonzero(M[0] * (1 + 1e-9) >= M) / len(M))
    best = max(range(len(wts)), key=lambda i: (-P[i, 0], weights[i]))
    j = int(np.argmax(paths[0] * wts[best]))  # best boundary is edges[j + 1]
    k = np.arange(edges[j] + 1, edges[j + 2])  # candidate splits (images before)
    u = (k - lo) / n
    s = np.abs(csum[k] - csum[lo] - (k - lo) * mean) * (u * (1 - u)) ** -weights[best]
    sd_block = float(np.sqrt(np.mean(dev**2)))
    out = {
        "lo": lo,
        "hi": hi,
        "blocks": m,
        "split": int(k[np.argmax(s)]),
        "p": p,
        "p_each": P[:, 0].tolist(),
        "sd_block": sd_block,
    }
    if level is not None:
        out["detectable"] = detectable_step(_plain_critical(T, M, weights, level), sd_block, m, n)
    return out


def _plain_critical(T, M, weights, level) -> float:
    """The plain-CUSUM value that the combined test rejects at `level`: the min-p
    critical value, read off the plain statistic's null (for detectable_step)."""
    i = weights.index(0.0) if 0.0 in weights else 0
    m_crit = float(np.quantile(M[1:], level))  # combined test's threshold
    c = float(np.quantile(T[i][1:], 1 - m_crit))
    return c * 0.25 ** weights[i]  # as a plain CUSUM at t = 1/2


def detectable_step(c_mid, sd_block, m, n, power_z=Z80) -> float:
    """Smallest step at the midpoint found with 80% power at this level.

    c_mid: the null's critical value, as a plain CUSUM value at the midpoint.
    A step d at the midpoint makes the CUSUM at the midpoint n*d/4 on average, with
    noise sd m*sd/(2*sqrt(m-1)) (half of m block sums drawn without replacement);
    the step also widens the permutation null (block sums spread by +-d*b/2), so
    the critical value c grows as sqrt(sd^2 + (d*b/2)^2)/sd.  Solve
        n*d/4 = power_z * m*sd/(2*sqrt(m-1)) + c * sqrt(1 + (d*b/(2*sd))^2)
    by bisection.  Using the midpoint alone ignores that the max over positions
    can only be larger, so the answer errs on the large (safe) side.
    """
    if sd_block <= 0:
        return 0.0
    b = n / m
    noise = power_z * m * sd_block / (2 * math.sqrt(m - 1))

    def short(d):  # True while the step is still too small to be found
        return n * d / 4 < noise + c_mid * math.sqrt(1 + (d * b / (2 * sd_block)) ** 2)

    hi = 1.0
    while short(hi):
        hi *= 2
        if hi > 1e12:
            return math.inf  # too few blocks: the step inflates its own null
    lo = 0.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if short(mid) else (lo, mid)
    return hi


# ----------------------------------------------------------------------------- all measures


def _series(measures, labels, n_classes, class_names):
    """Yield (name, rows or None, values) lazily: one class indicator at a time,
    so 10 classes at 10M images never hold 10 float arrays at once."""
    for name, v in measures.items():
        if isinstance(v, tuple):
            rows, vals = v
            yield name, np.asarray(rows), vals
        else:
            yield name, None, v
    if labels is not None:
        for c in range(n_classes):
            nm = class_names[c] if class_names else f"class_{c}"
            yield nm, None, (labels == c)


def _holm(pvals) -> np.ndarray:
    """Holm step-down adjusted p-values (monotone, capped at 1)."""
    p = np.asarray(pvals, dtype=np.float64)
    order = np.argsort(p, kind="stable")
    k = len(p)
    adj = np.maximum.accumulate((k - np.arange(k)) * p[order])
    out = np.empty(k)
    out[order] = np.minimum(adj, 1.0)
    return out


def _bisect(csum, first, block, level, test, max_shifts, min_blocks):
    """Binary segmentation: after a shift, test the parts on each side with the
    same block length (so the dependence allowance stays the same), at the
    Bonferroni level, largest parts first, until max_shifts or nothing is found."""
    found, queue = [first], [(first["lo"], first["split"]), (first["split"], first["hi"])]
    while queue and len(found) < max_shifts:
        queue.sort(key=lambda seg: seg[0] - seg[1])  # longest first
        lo, hi = queue.pop(0)
        m = round((hi - lo) / block)
        if m < min_blocks:
            continue
        r = test(csum, lo, hi, m)
        if r["p"] <= level:
            found.append(r)
            queue += [(lo, r["split"]), (r["split"], hi)]
    return sorted(found, key=lambda r: r["split"])


def _rows_for(name, rows, csum, found, n_tests, top_adj):
    """Turn found splits of one measure into output rows: before/after are the
    means of the neighbouring pieces of the piecewise-constant fit; p_value is
    Holm-adjusted (first shift) or Bonferroni-adjusted (later ones)."""
    cuts = [0] + [r["split"] for r in found] + [len(csum) - 1]
    seg_mean = [(csum[b] - csum[a]) / (b - a) for a, b in itertools.pairwise(cuts)]
    out = []
    for i, r in enumerate(found):
        k = r["split"]
        first = r.get("top", False)
        out.append(
            {
                "measure": name,
                "position": int(k if rows is None else rows[k - 1] + 1),
                "before": float(seg_mean[i]),
                "after": float(seg_mean[i + 1]),
                "p_value": float(top_adj if first else min(1.0, r["p"] * n_tests)),
                "segment": (int(r["lo"]), int(r["hi"])),
                "scored": rows is not None,
            }
        )
    return out


def _top_row(name, rows, n, r):
    """Summary of one measure's whole-split test (also kept when nothing is found)."""
    return {
        "measure": name,
        "n": n,
        "p": r["p"],
        "position": int(r["split"] if rows is None else rows[r["split"] - 1] + 1),
        "split": r["split"],
        "detectable": r["detectable"],
        "before": r["before"],
        "after": r["after"],
        "blocks": r["blocks"],
    }


def _whole_split(name, rows, vals, test, n_blocks, level):
    """One measure's test over the whole split (a function, so its prefix sum is
    freed before the next measure's is built: one n-sized float array at a time)."""
    c = _csum(vals)
    n = len(c) - 1
    r = test(c, 0, n, n_blocks, level=level)
    k = r["split"]
    r["before"], r["after"] = c[k] / k, (c[n] - c[k]) / (n - k)
    return _top_row(name, rows, n, r), r


def _measure_shifts(name, rows, vals, top, first, test, n_blocks, level, n_tests, max_shifts, min_blocks):
    """All shifts of one measure whose whole-split test (`first`, _whole_split's) passed Holm."""
    c = _csum(vals)
    parts = _bisect(c, first, (len(c) - 1) / n_blocks, level, test, max_shifts, min_blocks)
    for r in parts:
        r["top"] = r is first
    return _rows_for(name, rows, c, parts, n_tests, top["p_adjusted"])


def shifts(
    measures: dict,
    labels=None,
    n_classes=10,
    class_names=None,
    alpha=0.05,
    n_blocks=N_BLOCKS,
    n_perm=N_PERM,
    seed=0,
    max_shifts=MAX_SHIFTS,
    min_blocks=20,
    weights=(0.0, 0.5),
    trim=2,
):
    """Shift tests for every measure of one split.

    measures: {name: values(n)} for per-image measures, or {name: (rows, values)}
    for a scored subset (rows: sorted 0-based rows in the split).  labels adds one
    share-of-class measure per class.  Returns (found, tests):
    found: one dict per shift (measure, position, before, after, p_value, ...),
    position = images of the split before the shift (instances 1..position);
    tests: one dict per measure (p, adjusted p, best position, detectable step).
    Two passes, so memory holds one measure's prefix sum at a time.
    """
    test = partial(cusum_test, n_perm=n_perm, seed=seed, weights=weights, trim=trim)
    tests, n_tests = [], len(measures) + (n_classes if labels is not None else 0)
    level = alpha / n_tests  # Holm's first (strictest) step, for detectability
    firsts = []  # each measure's whole-split test, which the search for its shifts starts from
    for name, rows, vals in _series(measures, labels, n_classes, class_names):
        row, first = _whole_split(name, rows, vals, test, n_blocks, level)
        tests.append(row)
        firsts.append(first)
    adj = _holm([t["p"] for t in tests])
    for t, a in zip(tests, adj, strict=True):
        t["p_adjusted"], t["shift"] = float(a), bool(a <= alpha)
    found = []
    for t, first, (name, rows, vals) in zip(
        tests, firsts, _series(measures, labels, n_classes, class_names), strict=True
    ):
        if not t["shift"]:
            continue
        found += _measure_shifts(name, rows, vals, t, first, test, n_blocks, level, n_tests, max_shifts, min_blocks)
    return found, tests
