"""The neighbour search against a naive computation, on real images with planted ties."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_report.analysis.neighbours import Neighbours, nearest, vote


def naive(queries: np.ndarray, reference: np.ndarray, k: int, skip_self: bool = False) -> tuple[np.ndarray, np.ndarray]:
    d2 = np.stack([((q.astype(np.int64) - reference.astype(np.int64)) ** 2).sum(axis=1) for q in queries]).astype(float)
    if skip_self:
        np.fill_diagonal(d2, np.inf)
    rows = np.broadcast_to(np.arange(len(reference)), d2.shape)
    order = np.lexsort((rows, d2), axis=1)[:, :k]
    return order, np.sqrt(np.take_along_axis(d2, order, axis=1))


@pytest.fixture(scope="module")
def slice_with_ties(train_arrays):
    """1,500 training images, where rows 1,000-1,019 repeat rows 0-19: exact ties the rule must break."""
    images = train_arrays[0][:1_500].copy()
    images[1_000:1_020] = images[:20]
    return images, train_arrays[1][:1_500]


def test_nearest_equals_naive_with_ties(slice_with_ties):
    images, _ = slice_with_ties
    queries, reference = images[1_400:], images[:1_400]
    got = nearest(queries, reference, 5, block=37)  # a block size that does not divide the queries
    want_index, want_distance = naive(queries, reference, 5)
    np.testing.assert_array_equal(got.index, want_index)
    np.testing.assert_allclose(got.distance, want_distance)
    # a repeated image finds its twin at distance 0, the lower row first
    twin = nearest(images[1_000:1_020], images, 2)
    assert (twin.distance[:, :2] == 0).all()
    np.testing.assert_array_equal(twin.index[:, 0], np.arange(20))
    np.testing.assert_array_equal(twin.index[:, 1], np.arange(1_000, 1_020))


def test_leave_one_out(slice_with_ties):
    images, _ = slice_with_ties
    part = images[900:1_100]
    got = nearest(part, part, 3, skip_self=True, block=64)
    want_index, want_distance = naive(part, part, 3, skip_self=True)
    np.testing.assert_array_equal(got.index, want_index)
    np.testing.assert_allclose(got.distance, want_distance)
    assert not (got.index == np.arange(len(part))[:, None]).any()


def test_leave_one_out_over_many_groups(slice_with_ties):
    """Enough reference rows that candidates come from the groups with the smallest minima
    (neighbours.GROUP columns each), with a partial group at the end and planted twins."""
    images, _ = slice_with_ties
    part = images[:1_111]
    got = nearest(part, part, 4, skip_self=True, block=100)
    want_index, want_distance = naive(part, part, 4, skip_self=True)
    np.testing.assert_array_equal(got.index, want_index)
    np.testing.assert_allclose(got.distance, want_distance)


def test_vote_breaks_ties_by_the_nearest():
    labels = np.array([0, 1, 2, 1, 0])
    neighbours = Neighbours(np.array([[0, 1, 2], [1, 0, 3], [2, 4, 1], [4, 1, 3]]), np.zeros((4, 3)))
    # 0,1,2 all once: the nearest (0) wins; 1 twice beats 0 once; 2,0,1 once each: 2; 0,1,1: 1
    assert vote(labels, neighbours, 3).tolist() == [0, 1, 2, 1]


def test_too_few_reference_rows():
    with pytest.raises(ValueError, match="k=3"):
        nearest(np.zeros((2, 4), np.uint8), np.zeros((3, 4), np.uint8), 3, skip_self=True)
