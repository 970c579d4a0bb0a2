"""Datasets of the MNIST family: any number of classes and any small image size, and pages that
adapt to the class count (grids and tables up to draw.MANY classes, heat maps and ranked lists
beyond). All on generated data: no download needed."""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pytest

from mnist_report.analysis import analyze, explore
from mnist_report.report import export, render
from mnist_report.report.draw import MANY

from .utils import synthetic


def built(n_classes: int, per_class: int = 30, shape=(28, 28), test: int = 8) -> tuple:
    analysis = analyze(synthetic(n_classes, per_class, shape=shape, test=test))
    return analysis, render.site(analysis, "t", "c")


@pytest.fixture(scope="module")
def few():
    return built(MANY)  # as many classes as a grid per pair still shows


@pytest.fixture(scope="module")
def many():
    return built(MANY + 1)


def test_centroids_and_pair_distances_equal_numpy(many):
    analysis, _ = many
    train = analysis.dataset.main
    pixels, labels = train.images.reshape(len(train), -1).astype(np.float64), train.labels.astype(np.int64)
    means = np.stack([pixels[labels == k].mean(axis=0) for k in range(MANY + 1)])
    np.testing.assert_allclose(analysis.centroids.reshape(len(means), -1), means, rtol=1e-12)
    pair = np.sqrt(((means[:, None] - means[None]) ** 2).mean(axis=2))
    np.testing.assert_allclose(analysis.pair_distances, pair, rtol=1e-9, atol=1e-9)
    rms = np.sqrt(((pixels - means[labels]) ** 2).mean(axis=1))
    np.testing.assert_allclose(analysis.distances, rms, rtol=1e-9)


def test_a_grid_per_pair_up_to_many_classes(few):
    _, files = few
    pairs, classifiers = files["pairs.html"].decode(), files["classifiers.html"].decode()
    assert 'data-spec="spec-differences"' in pairs
    assert 'data-spec="spec-closest"' not in pairs
    assert pairs.count("<tr><td>") == 10  # five hardest, five easiest
    assert re.search(r'class="confusion[ "]', classifiers)  # long names add a class of their own
    assert 'data-spec="spec-mistakes"' not in classifiers


def test_beyond_many_classes_heat_maps_and_ranked_lists(many):
    analysis, files = many
    pairs, classifiers = files["pairs.html"].decode(), files["classifiers.html"].decode()
    assert 'data-spec="spec-differences"' not in pairs
    assert 'data-spec="spec-closest"' in pairs
    assert f"{analysis.pairs.height:,} pairs" in pairs
    numbered = re.findall(r'<td class="num">(\d+)</td><td>([^<]+) and ([^<]+)</td>', pairs)
    closest = analysis.pairs.head(len(numbered))
    assert [(a, b) for _, a, b in numbered] == list(zip(closest["name_a"], closest["name_b"], strict=True))
    assert not re.search(r'class="confusion[ "]', classifiers)
    assert 'data-spec="spec-mistakes"' in classifiers
    assert 'data-opens="classifiers-cells"' in classifiers
    ranked = re.findall(
        # each name as a link to its class's page
        r'<tr><td><a href="[^"]+">([^<]+)</a></td><td><a href="[^"]+">([^<]+)</a></td><td class="num"><button[^>]*data-cell="([^"]+)"[^>]*>([\d,]+)</button>',
        classifiers,
    )
    assert ranked, "no ranked confusions"
    m = analysis.classifiers.confusion("nearest_centroid")
    names = list(analysis.dataset.class_names)
    for truth, guess, cell, count in ranked:
        name, t, p = cell.split(":")
        if name == "nearest_centroid":
            assert (names[int(t)], names[int(p)]) == (truth, guess)
            assert m[int(t), int(p)] == int(count.replace(",", ""))


def test_similar_classes_sit_together():
    """Three groups of classes whose means are close within a group and far between: the order keeps each group together."""
    rng = np.random.default_rng(3)
    centres = rng.normal(0, 100, (3, 50))
    means = np.concatenate([centre + rng.normal(0, 5, (4, 50)) for centre in centres])[rng.permutation(12)]
    distances = np.sqrt(((means[:, None] - means[None]) ** 2).mean(axis=2))
    group = np.argmin(((means[:, None] - centres[None]) ** 2).sum(axis=2), axis=1)
    order = explore.similar_order(distances, list(range(12)))
    assert sorted(order) == list(range(12))
    runs = [group[order[i]] != group[order[i + 1]] for i in range(11)]
    assert sum(runs) == 2, [int(group[k]) for k in order]  # three runs: two changes of group


def test_classes_file_counts_each_split(many):
    analysis, files = many
    rows = list(csv.DictReader(io.StringIO(files["data/classes.csv"].decode())))
    assert [r["name"] for r in rows] == list(analysis.dataset.class_names)
    assert {(r["train"], r["test"]) for r in rows} == {("30", "8")}
    single = analyze(synthetic(3, 5), parts=set())
    assert export.classes_table(single)["test"].null_count() == 3


def test_images_of_another_size():
    analysis, files = built(4, shape=(32, 20))
    assert analysis.centroids.shape == (4, 32, 20)
    overview = files["index.html"].decode()
    assert "Each image is 32 by 20 pixels, 640 numbers" in overview
    assert "divided by 25.3" in files["atypical.html"].decode()
    index = re.search(r'id="classifiers-index">(.*?)</script>', files["classifiers.html"].decode()).group(1)
    assert '"height":32' in index
    assert '"width":20' in index


def test_two_classes():
    analysis, files = built(2, per_class=60, test=0)
    assert analysis.pairs.height == 1
    assert "classifiers.html" in files
    assert "pairs.html" in files
