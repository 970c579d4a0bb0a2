"""The health figures on a real slice: each builds a valid spec showing what the results hold."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from mnist_report.analysis import health
from mnist_report.analysis.health import labels, odd
from mnist_report.report.pages import health as health_page

from .utils import make_split

NAMES = [str(k) for k in range(10)]


@pytest.fixture(scope="module")
def examined(train_arrays, test_arrays):
    train, train_y = train_arrays[0][:1_500].copy(), train_arrays[1][:1_500]
    test, test_y = test_arrays[0][:300], test_arrays[1][:300]
    train[1_000] = train[3]  # one exact pair, so the pairs figure has something to show
    return health.examine(make_split("train", train, train_y, first=101), make_split("test", test, test_y), 10)


def spec(chart) -> dict:
    text = json.dumps(chart.to_dict())  # no NaN or inf may reach the page
    return json.loads(text)


def overlay(spec_: dict) -> list[dict]:
    """The rows under the sprite sheet: one per picture."""
    return next(v for k, v in spec_["datasets"].items() if v and "instance" in v[0])


def test_label_candidates_show_each_candidate_with_its_neighbours(examined):
    issues = examined.labels
    for name, offset in (("train", 101), ("test", 1)):
        rows = overlay(spec(health_page.label_candidates(examined, name, NAMES)))
        assert len(rows) == labels.SHOWN * (1 + labels.NEIGHBOURS)
        top = issues.table.filter((pl.col("split") == name) & (pl.col("rank") == 1)).row(0, named=True)
        first = next(r for r in rows if r["col"] == "Image" and r["row"].startswith("1. "))
        assert first["instance"] == top["instance_row"] + offset
        assert first["label"] == NAMES[top["label"]]


def test_duplicate_pairs_and_odd_images(examined, train_arrays):
    rows = overlay(spec(health_page.duplicate_pairs(examined, NAMES)))
    assert [(r["split"], r["instance"]) for r in rows] == [("train", 104), ("train", 1_101)]
    none = health.examine(make_split("train", train_arrays[0][:100], train_arrays[1][:100]), None, 10)
    assert "No pair closer" in json.dumps(spec(health_page.duplicate_pairs(none, NAMES)))
    spec(health_page.odd_counts(examined, NAMES))
    shown = overlay(spec(health_page.odd_extremes(examined, NAMES)))
    want = examined.odd.extremes.filter(pl.col("split") == "train").group_by("kind").head(odd.SHOWN).height
    assert len(shown) == want
    assert all(np.isfinite(r["ink"]) for r in shown)


def test_data_files_give_instance_numbers(examined):
    """duplicates.csv and label_issues.csv name images by instance, not by row (these instances start at 101)."""
    issues, pairs = examined.label_table, examined.pair_table
    assert pairs.select("split_a", "instance_a", "split_b", "instance_b", "distance").row(0) == (
        "train",
        104,
        "train",
        1_101,
        0.0,
    )
    top = examined.labels.table.filter((pl.col("split") == "train") & (pl.col("rank") == 1)).row(0, named=True)
    assert (
        issues.filter((pl.col("split") == "train") & (pl.col("rank") == 1))["instance"].item()
        == top["instance_row"] + 101
    )
