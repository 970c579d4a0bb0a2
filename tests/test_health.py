"""Dataset health on real MNIST slices: duplicates against a naive search with planted twins,
the label ranking's determinism and its recall of labels changed on purpose, odd images."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from mnist_report.analysis import pca
from mnist_report.analysis.health import duplicates as dup
from mnist_report.analysis.health import labels as lab
from mnist_report.analysis.health import odd as oddity
from mnist_report.analysis.health import sample
from mnist_report.analysis.health.sample import sample_splits
from mnist_report.analysis.sampling import evenly_spaced

NEAR = dup.NEAR_RMS * 28  # the near-duplicate radius, Euclidean, for MNIST's 784 pixels


def split_up(train, train_y, test=None, test_y=None, classes=None) -> tuple:
    """The checks' arguments: the sampled splits (with the number of classes, for the label check) and the
    principal components fitted on the training images, as the report fits them."""
    components = pca.fit(train[evenly_spaced(len(train), pca.MAX_FIT)], pca.DIMS)
    splits = sample_splits(train, train_y, test, test_y)
    return (splits, components) if classes is None else (splits, classes, components)


def _brighten(image: np.ndarray, pixels: int) -> np.ndarray:
    """The image with its first `pixels` pixels (blank corner of every MNIST digit) set to 40:
    Euclidean distance 40·√pixels from the original."""
    out = image.copy()
    assert not out[:pixels].any()
    out[:pixels] = 40
    return out


@pytest.fixture(scope="module")
def planted(train_arrays, test_arrays):
    """2,000 training and 500 test images with exact and near twins planted within and across splits."""
    train, train_y = train_arrays[0][:2_000].copy(), train_arrays[1][:2_000].copy()
    test, test_y = test_arrays[0][:500].copy(), test_arrays[1][:500].copy()
    train[1_500] = train[10]  # exact, within train
    train[1_600] = _brighten(train[20], 10)  # near (126 < 140), within train
    train[1_700] = _brighten(train[30], 13)  # just too far (144)
    test[100] = train[40]  # exact, across
    test_y[100] = (train_y[40] + 1) % 10  # ... with another label
    test[200] = _brighten(train[50], 12)  # near (139), across
    test[300] = _brighten(test[5], 4)  # near (80), within test
    return train, train_y, test, test_y


def naive_pairs(a: np.ndarray, b: np.ndarray, same: bool) -> dict[tuple[int, int], float]:
    """Every pair within the radius from the full distance matrix (float64 products of
    integers below 2^53 are exact)."""
    fa, fb = a.astype(np.float64), b.astype(np.float64)
    d2 = (fa * fa).sum(1)[:, None] + (fb * fb).sum(1)[None, :] - 2 * fa @ fb.T
    i, j = np.nonzero(d2 <= NEAR**2)
    keep = i < j if same else np.ones(len(i), bool)
    return {(int(x), int(y)): float(np.sqrt(d2[x, y])) for x, y in zip(i[keep], j[keep], strict=True)}


def test_duplicates_equal_naive_search(planted, monkeypatch):
    train, train_y, test, test_y = planted
    monkeypatch.setattr(dup, "PAIR_BLOCK", 37)  # blocks that do not divide the splits
    got = dup.duplicates(*split_up(train, train_y, test, test_y))
    for split_a, split_b, a, b in (
        ("train", "train", train, train),
        ("test", "train", test, train),
        ("test", "test", test, test),
    ):
        part = got.table.filter((pl.col("split_a") == split_a) & (pl.col("split_b") == split_b))
        found = {(r, s): d for r, s, d in part.select("row_a", "row_b", "distance").iter_rows()}
        want = naive_pairs(a, b, split_a == split_b)
        assert found.keys() == want.keys(), (split_a, split_b)
        assert found == pytest.approx(want)
    pairs = {(r["split_a"], r["row_a"], r["split_b"], r["row_b"]): r for r in got.table.iter_rows(named=True)}
    assert pairs[("train", 10, "train", 1_500)]["distance"] == 0
    assert pairs[("train", 20, "train", 1_600)]["distance"] == pytest.approx(40 * np.sqrt(10))
    assert not any(key[1] == 30 and key[3] == 1_700 for key in pairs)
    assert not pairs[("test", 100, "train", 40)]["same_label"]
    assert pairs[("test", 200, "train", 50)]["same_label"]
    assert ("test", 5, "test", 300) in pairs
    assert got.n_pairs == len(got.table) == 5
    assert got.images_with_twin("train", "train", 0) == 2
    assert got.images_with_twin("test", "train", dup.NEAR_RMS) == 2
    assert got.images_with_twin("test", "test", 1) == 0


def test_counts_cover_every_pair_not_only_those_kept(planted, monkeypatch):
    """The table keeps the MAX_PAIRS closest; the counts the page states are of all pairs found."""
    whole = dup.duplicates(*split_up(*planted)).table
    monkeypatch.setattr(dup, "MAX_PAIRS", 1)
    got = dup.duplicates(*split_up(*planted))
    assert got.table.height == 1
    assert got.n_pairs == whole.height == 5
    assert got.n_exact == (whole["distance"] == 0).sum() > got.table.height
    assert got.n_differ == (~whole["same_label"]).sum() > got.table.height


def test_exact_duplicates_form_a_star(train_arrays):
    """Four copies of one image are three pairs, each to the first copy."""
    images, labels = train_arrays[0][:300].copy(), train_arrays[1][:300]
    images[[100, 150, 200]] = images[7]
    got = dup.duplicates(*split_up(images, labels))
    assert got.table.select("row_a", "row_b").rows() == [(7, 100), (7, 150), (7, 200)]
    none = dup.duplicates(*split_up(images[:100], labels[:100]))  # MNIST has no pair within RMS 7
    assert none.table.height == 0
    assert none.table.schema == dup.SCHEMA


@pytest.fixture(scope="module")
def small_split(train_arrays, test_arrays):
    return train_arrays[0][:4_000], train_arrays[1][:4_000], test_arrays[0][:1_000], test_arrays[1][:1_000]


@pytest.fixture(scope="module")
def changed_on_purpose(small_split):
    """The slice with the labels of 50 training and 20 test images changed to another class,
    and the label issues found in it."""
    train, train_y, test, test_y = small_split
    rng = np.random.default_rng(14)
    changed = {}
    for name, labels in (("train", train_y), ("test", test_y)):
        rows = np.sort(rng.choice(len(labels), 50 if name == "train" else 20, replace=False))
        labels = labels.copy()
        labels[rows] = (labels[rows] + rng.integers(1, 10, len(rows))) % 10
        changed[name] = (rows, labels)
    issues = lab.label_issues(*split_up(train, changed["train"][1], test, changed["test"][1], classes=10))
    return changed, issues


def test_labels_changed_on_purpose_rank_near_the_top(changed_on_purpose):
    changed, issues = changed_on_purpose
    for name, (rows, labels) in changed.items():
        table = issues.table.filter(pl.col("split") == name).sort("instance_row")
        assert table["label"].to_list() == labels.tolist()
        rank = table["rank"].to_numpy()
        share = float((rank[rows] <= 2 * len(rows)).mean())
        print(f"{name}: {share:.0%} of the {len(rows)} changed labels rank in the top {2 * len(rows)}")
        assert share >= 0.8, name
        # the suggestion is mostly the label before the change
        assert (table["suggested"].to_numpy()[rows] != labels[rows]).mean() >= 0.9


def test_ranking_is_deterministic_and_complete(small_split, changed_on_purpose):
    train, train_y, test, test_y = small_split
    first = lab.label_issues(*split_up(train, train_y, test, test_y, classes=10))
    again = lab.label_issues(*split_up(train, train_y, test, test_y, classes=10))
    assert first.table.equals(again.table)
    assert first.neighbours.equals(again.neighbours)
    table = first.table
    assert table.columns == ["split", "instance_row", "label", "suggested", "score", "margin", "rank"]
    for name, n in (("train", len(train)), ("test", len(test))):
        part = table.filter(pl.col("split") == name)
        assert sorted(part["rank"].to_list()) == list(range(1, n + 1))
        assert part.sort("rank")["margin"].is_sorted(descending=True)
        assert part.sort("rank")["score"].is_sorted(descending=True)  # tanh(margin / 2): the same order
        # above 0 exactly when the network prefers another class
        assert ((part["score"] > 0) == (part["suggested"] != part["label"])).all()
    assert [(c.split, c.total, c.used, c.sampled) for c in first.coverage] == [
        ("train", 4_000, 4_000, False),
        ("test", 1_000, 1_000, False),
    ]
    # the gallery: each split's top candidates, with training neighbours that are not the image itself
    near = first.neighbours
    assert near.group_by("split").agg(pl.col("rank").max())["rank"].to_list() == [lab.SHOWN] * 2
    train_near = near.filter(pl.col("split") == "train")
    assert (train_near["train_row"] != train_near["instance_row"]).all()
    assert (near["train_label"].to_numpy() == train_y[near["train_row"].to_numpy()]).all()
    assert near.group_by("split", "rank").agg(pl.col("distance").is_sorted())["distance"].all()


def test_odd_images_planted(small_split):
    train, train_y, test, test_y = small_split
    train = train.copy()
    blank = int(np.flatnonzero(train_y == 1)[0])
    dark = int(np.flatnonzero(train_y == 1)[1])
    moved = int(np.flatnonzero(train_y == 3)[0])
    train[blank] = 0
    train[dark] = 255
    shifted = np.zeros((28, 28), np.uint8)
    shifted[:, 6:] = train[moved].reshape(28, 28)[:, :-6]  # 6 px to the right
    train[moved] = shifted.ravel()
    odd = oddity.odd_images(sample_splits(train, train_y, test, test_y), 10, (28, 28))
    kinds = {(r["row"], r["kind"]) for r in odd.flagged.filter(pl.col("split") == "train").iter_rows(named=True)}
    assert {(blank, "faint"), (dark, "heavy"), (moved, "off_centre")} <= kinds
    measures = odd.measures.filter(pl.col("split") == "train").sort("row")
    assert measures["ink"][dark] == 255
    assert measures["ink"][blank] == 0
    assert measures["offset"][moved] > 4
    # counts per class are the flagged rows counted
    counts = odd.flagged.group_by("split", "label", "kind").len()
    for row in counts.iter_rows(named=True):
        cell = odd.counts.filter((pl.col("split") == row["split"]) & (pl.col("label") == row["label"]))[
            row["kind"]
        ].item()
        assert cell == row["len"]
    assert odd.counts.height == 20
    # MNIST was centred on the centre of mass: no real image is off centre
    assert odd.flagged.filter(pl.col("kind") == "off_centre")["row"].to_list() == [moved]


def test_large_splits_are_sampled_deterministically(small_split, monkeypatch):
    train, train_y, test, test_y = small_split
    monkeypatch.setattr(sample, "SAMPLE_LIMIT", 1_500)
    odd = oddity.odd_images(sample_splits(train, train_y, test, test_y), 10, (28, 28))
    assert [(c.split, c.total, c.used, c.sampled) for c in odd.coverage] == [
        ("train", 4_000, 1_500, True),
        ("test", 1_000, 1_000, False),
    ]
    rows = odd.measures.filter(pl.col("split") == "train")["row"].to_numpy()
    assert len(np.unique(rows)) == 1_500
    assert rows.max() < 4_000
    np.testing.assert_array_equal(
        rows,
        oddity.odd_images(sample_splits(train, train_y, test, test_y), 10, (28, 28))
        .measures.filter(pl.col("split") == "train")["row"]
        .to_numpy(),
    )
