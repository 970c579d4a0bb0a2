"""The health figures on a real slice: each builds a valid spec showing what the results hold."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from mnist_report import health, health_charts

NAMES = [str(k) for k in range(10)]


@pytest.fixture(scope="module")
def slice_(train_arrays, test_arrays):
    train, train_y = train_arrays[0][:1_500].copy(), train_arrays[1][:1_500]
    test, test_y = test_arrays[0][:300], test_arrays[1][:300]
    train[1_000] = train[3]  # one exact pair, so the pairs figure has something to show
    return train, train_y, test, test_y


def spec(chart) -> dict:
    text = json.dumps(chart.to_dict())  # no NaN or inf may reach the page
    return json.loads(text)


def overlay(spec_: dict) -> list[dict]:
    """The rows under the sprite sheet: one per picture."""
    return next(v for k, v in spec_["datasets"].items() if v and "instance" in v[0])


def test_label_candidates_show_each_candidate_with_its_neighbours(slice_):
    train, train_y, test, test_y = slice_
    issues = health.label_issues(train, train_y, test, test_y, 10)
    for split, images in (("train", train), ("test", test)):
        rows = overlay(spec(health_charts.label_candidates(issues, split, images, train, NAMES)))
        assert len(rows) == health_charts.SHOWN * (1 + health.NEIGHBOURS)
        top = issues.table.filter((pl.col("split") == split) & (pl.col("rank") == 1)).row(0, named=True)
        first = next(r for r in rows if r["col"] == "Candidate" and r["row"].startswith("1. "))
        assert first["instance"] == top["instance_row"] + 1 and first["label"] == NAMES[top["label"]]


def test_duplicate_pairs_and_odd_images(slice_):
    train, train_y, test, test_y = slice_
    dups = health.duplicates(train, train_y, test, test_y)
    rows = overlay(spec(health_charts.duplicate_pairs(dups, {"train": train, "test": test}, {"train": train_y, "test": test_y}, NAMES)))
    assert [(r["split"], r["instance"]) for r in rows] == [("train", 4), ("train", 1_001)]
    none = health.duplicates(train[:100], train_y[:100])
    assert "No pair closer" in json.dumps(spec(health_charts.duplicate_pairs(none, {"train": train}, {"train": train_y}, NAMES)))
    odd = health.odd_images(train, train_y, test, test_y, 10)
    spec(health_charts.odd_counts(odd, NAMES))
    shown = overlay(spec(health_charts.odd_extremes(odd, "train", train, NAMES)))
    want = odd.extremes.filter(pl.col("split") == "train").group_by("kind").head(health_charts.SHOWN).height
    assert len(shown) == want and all(np.isfinite(r["ink"]) for r in shown)
