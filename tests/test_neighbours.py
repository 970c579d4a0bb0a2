"""The neighbour search against a naive brute force, on real images and on data built for ties.

The naive search shares nothing with the search: it computes every squared distance in float64
(|q|² + |x|² - 2q·x on integers below 2^53 is exact) and ranks each row by a stable sort, so
ties go to the lower reference row. Float features are measured on their differences instead.
Every test of ties and edges runs through both routes: the staged bounds (many queries) and
the one-product search (few queries).
"""

from __future__ import annotations

import numpy as np
import pytest

from mnist_report.analysis import neighbour_bounds, pca
from mnist_report.analysis import neighbours as module
from mnist_report.analysis.neighbours import Neighbours, nearest, vote


def naive(queries, reference, k, skip_self=False):
    """(index, distance) of the k nearest, exact, by (distance, reference row)."""
    if np.issubdtype(reference.dtype, np.floating):
        ref = reference.astype(np.float64)
        d2 = np.stack([((ref - q) ** 2).sum(axis=1) for q in queries.astype(np.float64)])
    else:
        q, ref = queries.astype(np.float64), reference.astype(np.float64)
        d2 = (q * q).sum(axis=1)[:, None] + (ref * ref).sum(axis=1)[None, :] - 2 * q @ ref.T
    if skip_self:
        np.fill_diagonal(d2, np.inf)
    order = np.argsort(d2, axis=1, kind="stable")[:, :k]  # stable: equal distances keep row order
    return order, np.sqrt(np.take_along_axis(d2, order, axis=1))


def assert_same(got: Neighbours, want, exact=True):
    index, distance = want
    np.testing.assert_array_equal(got.index, index)
    if exact:
        np.testing.assert_array_equal(got.distance, distance)
    else:
        np.testing.assert_allclose(got.distance, distance, rtol=1e-12)


def first(truth, k):
    """The k nearest from a naive answer for more: ranked, so its first k columns."""
    return truth[0][:, :k], truth[1][:, :k]


@pytest.fixture(params=["bounded", "dense"])
def path(request, monkeypatch):
    """Run a test through the staged bounds and through the one-product search for few queries."""
    if request.param == "dense":
        monkeypatch.setattr(module, "DENSE_QUERIES", 10**9)
        monkeypatch.setattr(module, "DENSE_PAIRS", 10**12)
    else:
        monkeypatch.setattr(module, "DENSE_QUERIES", 0)
    return request.param


@pytest.fixture(scope="module")
def ties():
    """Many exact ties: images of 0-2 grey levels in few inked pixels, with repeated rows."""
    rng = np.random.default_rng(7)
    images = np.zeros((3_000, 784), np.uint8)
    inked = rng.choice(784, 40, replace=False)
    images[:, inked] = rng.integers(0, 3, (3_000, 40)) * (rng.random((3_000, 40)) < 0.3)
    images[1_500:1_700] = images[:200]  # duplicates, the lower row must come first
    images[2_900:] = images[2_800]  # one image a hundred times
    return images


@pytest.fixture(scope="module")
def ties_truth(ties):
    return naive(ties[2_400:], ties[:2_500], 10), naive(ties, ties, 10, skip_self=True)


# ---------------------------------------------------------------------------- real images


@pytest.fixture(scope="module")
def mnist_truth(train_arrays, test_arrays):
    """200 evenly spread test images and their 10 nearest of the 60,000 training images, naively."""
    queries = test_arrays[0][::50]
    return queries, naive(queries, train_arrays[0], 10)


@pytest.mark.parametrize("k", [1, 3, 10])
def test_mnist_queries_against_all_training_images(train_arrays, mnist_truth, k, path):
    queries, truth = mnist_truth
    assert_same(nearest(queries, train_arrays[0], k), first(truth, k))


def test_shared_axes_give_the_same_result(train_arrays, mnist_truth, monkeypatch):
    """The report's own components (rows, float64, as many as the search takes), pca.DIMS of them
    as columns rounded to float32 (not quite orthonormal), few axes or random ones: only the speed
    may change."""
    monkeypatch.setattr(module, "DENSE_QUERIES", 0)  # the staged bounds, the only route that uses axes
    train = train_arrays[0]
    queries, truth = mnist_truth
    components = pca.fit(train[::60], module.AXES)  # a smaller fit than the report's: axes only steer speed
    rows, mean = components.axes, components.mean
    random = np.linalg.qr(np.random.default_rng(1).normal(size=(784, 64)))[0]
    for axes in (rows, rows[: pca.DIMS].T.astype(np.float32), rows[:10], random):  # the last three completed
        assert_same(nearest(queries, train, 3, axes=axes, mean=mean), first(truth, 3))


def test_leave_one_out_on_mnist(train_arrays):
    part = train_arrays[0][:3_000].copy()
    part[2_500:2_550] = part[:50]  # twins: each finds the other at distance 0, not itself
    got = nearest(part, part, 3, skip_self=True)
    assert_same(got, naive(part, part, 3, skip_self=True))
    assert not (got.index == np.arange(len(part))[:, None]).any()
    np.testing.assert_array_equal(got.index[2_500:2_550, 0], np.arange(50))


def test_embedded_images_with_planted_twins(first_images, path):
    """Real images (the embedded sample, no download) where rows 700-719 repeat rows 0-19."""
    images = first_images[0].copy()
    images[700:720] = images[:20]
    queries, reference = images[900:], images[:900]
    assert_same(nearest(queries, reference, 5, block=37), naive(queries, reference, 5))
    twin = nearest(images[700:720], images, 2)  # each finds itself and its twin at 0, the lower row first
    assert (twin.distance == 0).all()
    np.testing.assert_array_equal(twin.index, np.stack([np.arange(20), np.arange(700, 720)], axis=1))
    assert_same(nearest(images, images, 4, skip_self=True), naive(images, images, 4, skip_self=True))


# ---------------------------------------------------------------------------- ties, edges, features


@pytest.mark.parametrize("k", [1, 3, 10])
def test_ties_are_broken_by_the_lower_row(ties, ties_truth, k, path):
    reference, queries = ties[:2_500], ties[2_400:]  # 100 queries equal to reference rows, 500 repeats
    assert_same(nearest(queries, reference, k, block=137), first(ties_truth[0], k))


@pytest.mark.parametrize("k", [1, 10])
def test_leave_one_out_with_ties(ties, ties_truth, k, path):
    got = nearest(ties, ties, k, skip_self=True, block=1_000)
    assert_same(got, first(ties_truth[1], k))
    assert not (got.index == np.arange(len(ties))[:, None]).any()


def test_identical_queries_get_identical_answers(ties, path):
    queries = np.repeat(ties[:5], 40, axis=0)
    got = nearest(queries, ties, 4)
    assert (got.index.reshape(5, 40, 4) == got.index[::40][:, None]).all()
    assert_same(got, naive(queries, ties, 4))


def test_small_references_and_large_k(path):
    """Fewer rows than one group, k equal to every row, a reference of one repeated image, and
    k beyond what the first probe for an upper bound measures."""
    rng = np.random.default_rng(3)
    reference = rng.integers(0, 256, (21, 784), dtype=np.uint8)
    queries = rng.integers(0, 256, (9, 784), dtype=np.uint8)
    assert_same(nearest(queries, reference, 21), naive(queries, reference, 21))
    assert_same(nearest(reference, reference, 20, skip_self=True), naive(reference, reference, 20, skip_self=True))
    same = np.repeat(reference[:1], 300, axis=0)
    assert_same(nearest(queries, same, 7), naive(queries, same, 7))
    assert_same(nearest(same, same, 5, skip_self=True), naive(same, same, 5, skip_self=True))
    big = rng.integers(0, 256, (700, 784), dtype=np.uint8)
    assert_same(nearest(queries, big, 600), naive(queries, big, 600))


def test_distances_beyond_float32_integers(path):
    """Squared distances above 2^24 (images far apart) are summed again in float64, still exact."""
    rng = np.random.default_rng(5)
    reference = rng.integers(0, 128, (500, 784), dtype=np.uint8)  # dark: 255-valued queries are far from all
    reference[:250] = 0
    queries = np.full((20, 784), 255, np.uint8)
    queries[:, :3] = rng.integers(0, 256, (20, 3))
    got = nearest(queries, reference, 3)
    assert (got.distance**2 > 2**24).all()
    assert_same(got, naive(queries, reference, 3))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_float_features(ties, dtype, path):
    """Features (here coordinates in 30 random directions) are searched the same way; distances
    are float64 sums, so they match the naive search to rounding, and the neighbours exactly."""
    rng = np.random.default_rng(2)
    basis = np.linalg.qr(rng.normal(size=(784, 30)))[0]
    x = (ties[:2_000].astype(np.float64) + rng.integers(0, 60, (2_000, 784))) @ basis / 255
    reference, queries = x[:1_700].astype(dtype), x[1_700:].astype(dtype)
    assert_same(nearest(queries, reference, 5), naive(queries, reference, 5), exact=False)
    part = reference[:800]
    assert_same(nearest(part, part, 3, skip_self=True), naive(part, part, 3, skip_self=True), exact=False)


def test_booleans_and_other_integers(ties, path):
    binary = ties[:1_200] > 0
    want = naive(binary[1_000:].astype(np.uint8), binary[:1_000].astype(np.uint8), 3)
    assert_same(nearest(binary[1_000:], binary[:1_000], 3), want)
    wide = ties[:1_200].astype(np.int16) * 300 - 200  # negative values, differences beyond uint8
    assert_same(nearest(wide[1_000:], wide[:1_000], 3), naive(wide[1_000:], wide[:1_000], 3))


def test_workers_and_blocks_do_not_change_the_result(ties):
    want = nearest(ties, ties, 3)
    for kwargs in ({"workers": 1}, {"workers": 3, "block": 999}):
        assert_same(nearest(ties, ties, 3, **kwargs), (want.index, want.distance))


# ---------------------------------------------------------------------------- the comparison has teeth


def test_a_margin_too_small_is_caught(ties, ties_truth, monkeypatch, path):
    """With the rounding margins turned into cuts (bounds allowed to exceed true distances),
    neighbours are lost, which the search's own check or the naive comparison catches."""
    if path == "bounded":
        monkeypatch.setattr(neighbour_bounds, "SLACK", -0.2)
        monkeypatch.setattr(neighbour_bounds, "EXTRA", 0)
    else:
        monkeypatch.setattr(neighbour_bounds, "UNIT", -1e-3)
    with pytest.raises((AssertionError, RuntimeError)):
        assert_same(nearest(ties[2_400:], ties[:2_500], 10), ties_truth[0])


def test_ties_broken_the_wrong_way_are_caught(ties, ties_truth, monkeypatch, path):
    """With the higher reference row preferred among equal distances, the comparison fails."""
    best = neighbour_bounds.best

    def higher_row_first(qi, ri, d2, k):
        qi, ri, d2 = best(qi, -ri, d2, k)
        return qi, -ri, d2

    monkeypatch.setattr(neighbour_bounds, "best", higher_row_first)
    with pytest.raises(AssertionError):
        assert_same(nearest(ties[2_400:], ties[:2_500], 3), first(ties_truth[0], 3))


# ---------------------------------------------------------------------------- the rest of the API


def test_empty_queries_and_too_few_rows():
    assert nearest(np.zeros((0, 4), np.uint8), np.zeros((5, 4), np.uint8), 2).index.shape == (0, 2)
    with pytest.raises(ValueError, match="k=3"):
        nearest(np.zeros((2, 4), np.uint8), np.zeros((3, 4), np.uint8), 3, skip_self=True)


def test_vote_breaks_ties_by_the_nearest():
    labels = np.array([0, 1, 2, 1, 0])
    found = Neighbours(np.array([[0, 1, 2], [1, 0, 3], [2, 4, 1], [4, 1, 3]]), np.zeros((4, 3)))
    # 0,1,2 all once: the nearest (0) wins; 1 twice beats 0 once; 2,0,1 once each: 2; 0,1,1: 1
    assert vote(labels, found, 3).tolist() == [0, 1, 2, 1]
