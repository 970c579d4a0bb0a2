"""The classifiers page's numbers: predictions against a naive computation, confusion against counts, words against files."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from mnist_report.analysis import analyze
from mnist_report.analysis.classifiers import K_NEIGHBOURS as K
from mnist_report.analysis.classifiers import NAMES
from mnist_report.analysis.stats import BINARY_THRESHOLD as INK
from mnist_report.analysis.stats import HOLD_OUT_EVERY
from mnist_report.loading import Dataset
from mnist_report.report import output, pages, render

from .utils import Page, make_split

N_TRAIN, N_TEST = 3_000, 600  # small enough for a brute-force check


@pytest.fixture(scope="module")
def slice_analysis(train_arrays, test_arrays):
    dataset = Dataset(
        (
            make_split("train", train_arrays[0][:N_TRAIN], train_arrays[1][:N_TRAIN]),
            make_split("test", test_arrays[0][:N_TEST], test_arrays[1][:N_TEST]),
        )
    )
    return analyze(dataset)


def naive_predictions(train: np.ndarray, train_labels: np.ndarray, test: np.ndarray) -> dict[str, np.ndarray]:
    """Each classifier as the textbook states it, with plain loops over classes and full distance matrices."""
    train_labels = train_labels.astype(int)
    means = np.stack([train[train_labels == d].astype(float).mean(axis=0) for d in range(10)])
    ink = np.stack([(train[train_labels == d] >= INK).mean(axis=0) for d in range(10)])
    grey = ((test[:, None, :].astype(float) - means[None]) ** 2).sum(axis=2).argmin(axis=1)
    binary = (((test >= INK)[:, None, :] - ink[None]) ** 2).sum(axis=2).argmin(axis=1)
    knn, wide = [], train.astype(np.int64)
    for image in test.astype(np.int64):
        row = ((wide - image) ** 2).sum(axis=1)
        near = np.lexsort((np.arange(len(row)), row))[:K]  # by distance, then file order
        votes = Counter(train_labels[j] for j in near)
        top = max(votes.values())
        knn.append(next(train_labels[j] for j in near if votes[train_labels[j]] == top))
    return {"nearest_centroid": grey, "nearest_centroid_binary": binary, "knn": np.array(knn)}


def test_predictions_equal_a_naive_computation(slice_analysis, train_arrays, test_arrays):
    c = slice_analysis.classifiers
    assert c.split == "test"
    assert not c.held_out
    assert c.n == N_TEST
    want = naive_predictions(train_arrays[0][:N_TRAIN], train_arrays[1][:N_TRAIN], test_arrays[0][:N_TEST])
    for name in NAMES:
        np.testing.assert_array_equal(c.predictions[name], want[name], err_msg=name)
    # plausible on real digits: k-NN beats the centroids, which beat chance by far
    assert c.accuracy("knn") > c.accuracy("nearest_centroid") > 0.6


def test_confusion_rows_are_the_class_counts(slice_analysis, test_arrays):
    c = slice_analysis.classifiers
    counts = np.bincount(test_arrays[1][:N_TEST], minlength=10)
    for name in NAMES:
        m = c.confusion(name)
        np.testing.assert_array_equal(m.sum(axis=1), counts)
        assert np.trace(m) == (c.predictions[name] == c.labels).sum()


def test_without_a_test_split_every_sixth_image_is_held_out(train_arrays):
    a = analyze(Dataset((make_split("train", train_arrays[0][:1_200], train_arrays[1][:1_200]),)))
    c = a.classifiers
    assert c.held_out
    assert c.split == "train"
    np.testing.assert_array_equal(c.rows, np.arange(HOLD_OUT_EVERY - 1, 1_200, HOLD_OUT_EVERY))
    assert not np.isin(c.reference, c.rows).any(), "held-out images are never searched"
    np.testing.assert_array_equal(c.reference, np.setdiff1d(np.arange(1_200), c.rows))  # every other image is
    assert c.n_train == 1_200 - len(c.rows)  # the centroids leave them out too
    assert a.comparison is None
    text = render.site(a, "t", "c")["classifiers.html"].decode()
    assert f"trained on {c.n_train:,} training images and scored on {c.n} images held out from them" in " ".join(
        text.split()
    )


@pytest.fixture(scope="module")
def slice_site(tmp_path_factory, slice_analysis) -> Path:
    return output.write(
        render.site(slice_analysis, "MNIST, explored", "mnist-report build"), tmp_path_factory.mktemp("cls") / "r"
    )


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_data_files_and_words_agree(slice_site, slice_analysis):
    rows = read(slice_site / "data/predictions.csv")
    assert list(rows[0]) == ["split", "instance", "label", "nearest_centroid", "nearest_centroid_binary", "knn"]
    assert len(rows) == N_TEST
    assert {r["split"] for r in rows} == {"test"}
    accuracy = {name: sum(r[name] == r["label"] for r in rows) / len(rows) for name in NAMES}
    text = Page(slice_site / "classifiers.html").text()
    for name in NAMES:
        assert f"{100 * accuracy[name]:.1f}% right" in text, name
    confusion = read(slice_site / "data/confusion.csv")
    assert len(confusion) == 3 * 100
    pairs = Counter()
    for r in rows:
        if r["nearest_centroid"] != r["label"]:
            pairs[tuple(sorted((r["label"], r["nearest_centroid"])))] += 1
    (a, b), _count = max(pairs.items(), key=lambda kv: (kv[1], [-int(x) for x in kv[0]]))
    assert f"The nearest centroid confuses {a} and {b} most" in text
    assert f"{N_TEST:,} test images" in text
    assert f"{K} nearest neighbours" in text
    for name in ("pair_distances", "most_typical", "splits", "predictions", "confusion"):
        assert (slice_site / f"data/{name}.csv").is_file()
        assert (slice_site / f"data/{name}.parquet").is_file()


def test_splits_words_agree_with_the_splits_file(slice_site):
    rows = read(slice_site / "data/splits.csv")
    assert list(rows[0]) == ["split", "label", "count", "share", "mean_ink"]
    share = {(r["split"], r["label"]): float(r["share"]) for r in rows}
    gaps = {d: abs(share["test", str(d)] - share["train", str(d)]) for d in range(10)}
    widest = max(gaps, key=lambda d: (gaps[d], -d))
    text = Page(slice_site / "splits.html").text()
    assert f"differs by at most {100 * gaps[widest]:.1f} percentage point" in text
    assert f"({widest}: " in text
    assert f"beside the {N_TRAIN:,} training images" in text


def test_skipped_parts_are_not_computed():
    """--skip classifiers saves the neighbour search and the map, not only the page."""
    from mnist_report.loading import load

    chosen = pages.select(["classifiers"])
    assert "classifiers" not in pages.needs(chosen)
    assert "map" not in pages.needs(chosen)
    a = analyze(load(limit=600), parts=pages.needs(chosen))
    assert a.classifiers is None
    assert a.projection is None
    files = render.site(a, "t", "c", pages=chosen)
    assert "classifiers.html" not in files
    assert "data/predictions.csv" not in files


def test_a_test_split_alone_is_scored_on_its_own_held_out_images(test_arrays):
    """A folder holding only t10k files: the classifiers hold out part of it, never score an image against itself."""
    a = analyze(Dataset((make_split("test", test_arrays[0][:600], test_arrays[1][:600]),)))
    c = a.classifiers
    assert c.held_out
    assert c.split == "test"
    assert a.comparison is None
    assert not np.isin(c.reference, c.rows).any()
    assert c.accuracy("knn") < 1.0
