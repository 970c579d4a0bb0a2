"""Does a split change along its file? Windows, the shift test's calibration on made-up data, and the
real answer: MNIST's test file changes near image 5,000, Fashion-MNIST's does not."""

from __future__ import annotations

import csv
import io
import itertools

import numpy as np
import pytest

from mnist_report.analysis import analyze, order_stats
from mnist_report.loading import Dataset, load
from mnist_report.report import render

from .utils import Page, synthetic


def noise(seed: int, n: int = 10_000) -> tuple[dict, np.ndarray]:
    """Four measures with no change along the file, shaped like a scored split's, and labels."""
    rng = np.random.default_rng(seed)
    measures = {
        "ink": rng.normal(33, 10, n),
        "distance": rng.gamma(9, 6.5, n),
        "knn_error": (np.arange(n), (rng.random(n) < 0.03).astype(float)),
        "centroid_error": (np.arange(n), (rng.random(n) < 0.2).astype(float)),
    }
    return measures, rng.integers(0, 10, n)


@pytest.mark.parametrize("n", [20, 99, 1_000, 5_000, 12_345, 60_000, 70_000, 10_000_000])
def test_ten_to_twenty_windows_of_a_round_width(n):
    edges, width = order_stats.windows(n), order_stats.window_width(n)
    assert edges[0] == 0
    assert edges[-1] == n
    assert 10 <= len(edges) - 1 <= 20
    assert width / 10 ** int(np.log10(width)) in order_stats.ROUND_STEPS
    assert (np.diff(edges)[:-1] == width).all()
    assert width / 2 <= edges[-1] - edges[-2] < 1.5 * width


def test_window_means_and_counts_equal_loops():
    rng = np.random.default_rng(1)
    values, labels = rng.normal(size=1_234), rng.integers(0, 10, 1_234)
    rows = np.sort(rng.choice(1_234, 50, replace=False))
    wrong = (rng.random(50) < 0.3).astype(float)
    edges = order_stats.windows(1_234)
    table = order_stats.window_table(edges, {"v": values}, labels, 10, rows, {"err": wrong})
    for i, (a, b) in enumerate(itertools.pairwise(edges)):
        assert (table["start"][i], table["end"][i]) == (a + 1, b)
        assert np.isclose(table["v"][i], values[a:b].mean())
        assert (table["class_counts"][i] == np.bincount(labels[a:b], minlength=10)).all()
        inside = (rows >= a) & (rows < b)
        assert np.isclose(table["err"][i], wrong[inside].mean() if inside.any() else np.nan, equal_nan=True)


def test_no_change_no_shift_and_a_change_found_where_it_is():
    measures, labels = noise(7)
    found, tests = order_stats.shifts(measures, labels=labels)
    assert found == []
    assert len(tests) == 14
    rng = np.random.default_rng(5_000)
    x = rng.normal(0, 1, 10_000)
    x[5_000:] += 0.25
    errors = (rng.random(10_000) < np.where(np.arange(10_000) < 5_000, 0.06, 0.02)).astype(float)
    found, _ = order_stats.shifts({"x": x, "err": (np.arange(10_000), errors)})
    position = {f["measure"]: f["position"] for f in found}
    assert abs(position["x"] - 5_000) <= 200
    assert abs(position["err"] - 5_000) <= 400


def test_few_false_alarms_on_noise_and_on_runs_of_one_writer():
    """14 measures a file, corrected: about 1 file in 20 with any shift; 7 of 40 would be p = 0.003.
    Runs of 100 images that share an offset (a writer) are not a change of the file: blocks keep them in the null."""
    alarms = sum(bool(order_stats.shifts(*noise(100 + seed), n_perm=1_999)[0]) for seed in range(40))
    assert alarms <= 6
    runs = 0
    for seed in range(30):
        rng = np.random.default_rng(200 + seed)
        x = np.repeat(rng.normal(0, 1, 100), 100) + rng.normal(0, 1, 10_000)
        runs += order_stats.cusum_test(order_stats._csum(x), 0, 10_000, 40, n_perm=999)["p"] <= 0.05
    assert runs <= 5


def test_the_same_answer_twice():
    measures, labels = noise(11)
    measures["ink"][6_000:] += 1.5
    first = order_stats.shifts(measures, labels=labels)
    order_stats._perms.cache_clear()
    assert order_stats.shifts(measures, labels=labels) == first
    assert first[0]


def test_a_shuffled_file_has_no_shift_and_two_files_joined_are_found():
    """A made-up split joined to a differently made one: the join is found in the report's own analysis;
    the same images shuffled (fixed seed) show none."""
    rng = np.random.default_rng(0)
    a, b = synthetic(10, 300, seed=1).main, synthetic(10, 200, seed=2).main  # each made in class order: shuffled
    mix_a, mix_b = rng.permutation(3_000), rng.permutation(2_000)
    images = np.concatenate([a.images[mix_a], b.images[mix_b]])
    labels = np.concatenate([a.labels[mix_a], b.labels[mix_b]])
    joined = Dataset((a.__class__("train", images, labels, np.arange(1, 5_001), ()),))
    shifts = analyze(joined, parts={"order"}).order.splits[0].shifts
    assert shifts.height
    assert (abs(shifts["position"] - 3_000) <= 150).any(), shifts
    mix = rng.permutation(5_000)
    train = joined.main
    shuffled = Dataset((train.__class__("train", train.images[mix], train.labels[mix], np.arange(1, 5_001), ()),))
    assert analyze(shuffled, parts={"order"}).order.splits[0].shifts.height == 0


@pytest.fixture(scope="module")
def mnist_files(mnist):
    return render.site(analyze(load(mnist), parts={"order", "classifiers", "comparison"}), "t", "c")


def test_mnist_test_file_changes_near_image_5000(mnist_files, tmp_path):
    files = mnist_files
    shifts = {
        r["measure"]: r
        for r in csv.DictReader(io.StringIO(files["data/order_shifts.csv"].decode()))
        if r["split"] == "test"
    }
    for measure in ("knn_error", "centroid_error"):
        assert abs(int(shifts[measure]["position"]) - 5_000) <= 500, measure
        assert float(shifts[measure]["p_value"]) < 0.01
    knn = shifts["knn_error"]
    assert float(knn["before"]) / float(knn["after"]) > 2  # the first half is more than twice as hard
    (tmp_path / "order.html").write_bytes(files["order.html"])
    text = Page(tmp_path / "order.html").text()
    position, before, after = int(knn["position"]), float(knn["before"]), float(knn["after"])
    assert (
        f"k-NN misreads {100 * before:.2f}% of images 1–{position:,} but {100 * after:.2f}% of images {position + 1:,}–10,000"
        in text
    )
    assert f"{before / after:.1f} times lower" in text
    windows = [r for r in csv.DictReader(io.StringIO(files["data/order.csv"].decode())) if r["split"] == "test"]
    assert [(r["start"], r["end"]) for r in windows][:2] == [("1", "1000"), ("1001", "2000")]
    assert all(r["knn_error"] for r in windows)


def test_fashion_test_file_does_not(fashion):
    analysis = analyze(load(fashion), parts={"order", "classifiers", "comparison"})
    test = next(s for s in analysis.order.splits if s.split == "test")
    assert test.shifts.height == 0, test.shifts
    assert test.scored
