"""The analysis reproduces the published figures and agrees with plain numpy on the same pixels."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_report.analysis import analyze, explore, stats
from mnist_report.loading import load

from .conftest import PUBLISHED_LIMIT

# The tidy-MNIST article: digit-0 instances and their RMS distance to the digit-0 mean,
# over the first 10,000 training images (../shared/data/README.md).
PUBLISHED_ZEROS = {2: 47.2, 22: 53.1, 35: 69.4, 38: 59.5, 52: 61.4, 57: 65.7, 64: 68.1, 69: 81.1, 70: 65.2, 76: 59.6}


def test_published_distances_of_zeros(analysis_10k):
    instances = np.array(list(PUBLISHED_ZEROS))
    assert (analysis_10k.dataset.labels[instances - 1] == 0).all()
    got = np.round(analysis_10k.distances[instances - 1], 1)
    assert got.tolist() == list(PUBLISHED_ZEROS.values())


def test_centroids_and_distances_match_plain_numpy(analysis_10k, train_arrays):
    images = train_arrays[0][:PUBLISHED_LIMIT].astype(np.float64)
    labels = train_arrays[1][:PUBLISHED_LIMIT]
    means = np.stack([images[labels == d].mean(axis=0) for d in range(10)])
    np.testing.assert_allclose(analysis_10k.centroids.reshape(10, -1), means, rtol=1e-12)
    rms = np.sqrt(((images - means[labels]) ** 2).mean(axis=1))
    np.testing.assert_allclose(analysis_10k.distances, rms, rtol=1e-12)
    # RMS over 784 pixels is the Euclidean distance divided by 28.
    np.testing.assert_allclose(rms * 28, np.linalg.norm(images - means[labels], axis=1), rtol=1e-12)


def test_chunking_does_not_change_results(monkeypatch, analysis_10k, mnist):
    monkeypatch.setattr(explore, "CHUNK", 777)  # not a divisor of 10,000
    again = analyze(load(mnist, limit=PUBLISHED_LIMIT))
    np.testing.assert_allclose(again.centroids, analysis_10k.centroids, rtol=1e-12)
    np.testing.assert_allclose(again.distances, analysis_10k.distances, rtol=1e-12)
    assert (again.pixel_counts == analysis_10k.pixel_counts).all()


def test_counts_and_pixel_histogram(analysis_10k, train_arrays):
    labels = train_arrays[1][:PUBLISHED_LIMIT]
    assert analysis_10k.counts["count"].to_list() == np.bincount(labels).tolist()
    assert (
        analysis_10k.pixel_counts.tolist()
        == np.bincount(train_arrays[0][:PUBLISHED_LIMIT].ravel(), minlength=256).tolist()
    )
    assert analysis_10k.pixel_counts.sum() == PUBLISHED_LIMIT * 784


def test_least_typical_are_the_farthest(analysis_10k):
    table = analysis_10k.least_typical.table
    assert table.height == 60
    for digit in range(10):
        rows = table.filter(table["label"] == digit)
        assert rows["rank"].to_list() == [1, 2, 3, 4, 5, 6]
        mine = analysis_10k.distances[analysis_10k.dataset.labels == digit]
        np.testing.assert_allclose(rows["distance"].to_numpy(), np.sort(mine)[::-1][:6])
        # the pictures shown are the images at those instances
        for picture, instance in zip(
            analysis_10k.least_typical.images[digit * 6 : (digit + 1) * 6], rows["instance"], strict=True
        ):
            assert (picture == analysis_10k.dataset.images[instance - 1]).all()


def test_boxplot_statistics(analysis_10k):
    stats = analysis_10k.distance_stats
    ones = analysis_10k.distances[analysis_10k.dataset.labels == 1]
    row = stats.filter(stats["label"] == 1).row(0, named=True)
    q1, q3 = np.quantile(ones, [0.25, 0.75])
    assert row["median"] == pytest.approx(np.median(ones))
    assert row["whisker_high"] == ones[ones <= q3 + 1.5 * (q3 - q1)].max()
    n_out = ((ones < q1 - 1.5 * (q3 - q1)) | (ones > q3 + 1.5 * (q3 - q1))).sum()
    assert (analysis_10k.outliers["label"] == 1).sum() == n_out
    # the article's reading of the boxplots: 1 is the least variable digit
    assert stats.sort("median")["name"][0] == "1"


def test_pairs_easy_and_hard(analysis_10k):
    pairs = analysis_10k.pairs
    assert pairs.height == 45
    hardest, easiest = pairs.row(0, named=True), pairs.row(-1, named=True)
    # the article's reading of the pair figure: 4/9 and 7/9 hard, 0/1 easy
    assert (hardest["a"], hardest["b"]) == (4, 9)
    assert {(r["a"], r["b"]) for r in pairs.head(2).iter_rows(named=True)} == {(4, 9), (7, 9)}
    assert (easiest["a"], easiest["b"]) == (0, 1)
    c = analysis_10k.centroids
    assert hardest["distance"] == pytest.approx(np.sqrt(((c[4] - c[9]) ** 2).mean()))
    np.testing.assert_allclose(analysis_10k.pair_distances, analysis_10k.pair_distances.T)


def test_tidy_sample_rows_are_the_image_pixels(analysis_10k, train_arrays):
    sample = analysis_10k.tidy_sample
    assert sample.columns == ["instance", "label", "x", "y", "value"]
    first = train_arrays[0][0].reshape(28, 28)
    for row in sample.iter_rows(named=True):
        assert row["instance"] == 1
        assert row["label"] == "5"
        assert row["value"] == first[row["y"], row["x"]]  # y is the row from the top, x the column from the left
    assert sample["value"].max() > 0  # the slice crosses the drawing


def test_outliers_drawn_are_bounded_and_the_farthest(monkeypatch, analysis_10k):
    """Charts draw a counted, deterministic selection of the outliers: the farthest of each class."""

    outliers = analysis_10k.outliers
    drawn = explore.farthest_per_class(outliers, 30)
    assert drawn.height <= 30 < outliers.height
    for label in drawn["label"].unique():
        mine = outliers.filter(outliers["label"] == label)["distance"].sort(descending=True)
        got = drawn.filter(drawn["label"] == label)["distance"].sort(descending=True)
        assert got.to_list() == mine.head(got.len()).to_list()
    assert explore.farthest_per_class(outliers, 10**6).height == outliers.height


@pytest.mark.parametrize("n", [0, 1, 2, 783, 784 * 3 + 1])
def test_pixel_histogram_counts_like_bincount(n):
    values = np.random.default_rng(n).integers(0, 256, n).astype(np.uint8)
    assert stats.pixel_histogram(values).tolist() == np.bincount(values, minlength=256).tolist()


def test_distances_to_an_absent_class_are_nan():
    from mnist_report.analysis.stats import rms_distances

    images = np.array([[0, 255, 3, 4], [9, 9, 9, 9]], np.uint8)
    centroids = np.array([[1.0, 2.0, 3.0, 4.0], [np.nan] * 4])
    got = rms_distances(images, np.array([0, 1]), centroids)
    assert got[0] == pytest.approx(np.sqrt(((images[0] - centroids[0]) ** 2).mean()), rel=1e-12)
    assert np.isnan(got[1])


def test_a_mapped_tiling_gives_the_in_memory_numbers(tmp_path, monkeypatch, train_arrays):
    """A small tiling of MNIST (each tile rolled a pixel further, so none repeats another) read
    through the memory map, 4,096 images at a time, with the samples of the classifiers, the map
    and health read through it too, gives the numbers of the same pixels in memory, in one chunk."""
    from mnist_report.analysis import classifiers, pca, projection
    from mnist_report.analysis.health import sample as health
    from mnist_report.loading import Dataset, Split

    from .test_datasets import write_idx

    base, base_labels = train_arrays[0][:2_000].reshape(-1, 28, 28), train_arrays[1][:2_000]
    images = np.concatenate([np.roll(base, tile, axis=2) for tile in range(5)])
    labels = np.tile(base_labels, 5)
    write_idx(tmp_path / "train-images-idx3-ubyte", images)
    write_idx(tmp_path / "train-labels-idx1-ubyte", labels)
    # Limits small enough that every sampled part reads a selection of rows, not the whole split.
    for module, name, value in (
        (health, "SAMPLE_LIMIT", 3_000),
        (classifiers, "MAX_EVALUATED", 500),
        (classifiers, "MAX_REFERENCE", 4_000),
        (pca, "MAX_FIT", 5_000),
        (projection, "MAX_DRAWN", 700),
    ):
        monkeypatch.setattr(module, name, value)
    mapped = load(tmp_path)
    assert isinstance(mapped.images, np.memmap)
    assert len(mapped) == 10_000
    streamed = analyze(mapped)
    monkeypatch.setattr(explore, "CHUNK", len(images))
    whole = analyze(Dataset((Split("train", images, labels, np.arange(1, len(images) + 1), ()),)))

    for name in ("pixel_counts", "centroids", "distances", "pair_distances"):
        np.testing.assert_array_equal(getattr(streamed, name), getattr(whole, name), err_msg=name)
    for name in ("counts", "distance_stats", "outliers", "outliers_drawn", "pairs"):
        assert getattr(streamed, name).equals(getattr(whole, name)), name
    for name in ("least_typical", "most_typical", "first"):
        assert getattr(streamed, name).table.equals(getattr(whole, name).table), name
        np.testing.assert_array_equal(getattr(streamed, name).images, getattr(whole, name).images)
    c, w = streamed.classifiers, whole.classifiers
    assert c.n == 500
    assert len(c.reference) == 4_000
    for name in c.predictions:
        np.testing.assert_array_equal(c.predictions[name], w.predictions[name], err_msg=name)
    np.testing.assert_array_equal(c.neighbours.index, w.neighbours.index)
    assert streamed.projection.points.equals(whole.projection.points)
    assert streamed.projection.n_fit == 5_000
    h, hw = streamed.health, whole.health
    assert h.labels.coverage[0].used == 3_000
    assert h.labels.table.equals(hw.labels.table)
    assert h.duplicates.table.equals(hw.duplicates.table)
    assert h.odd.measures.equals(hw.odd.measures)
