"""The health page's words against its data files, on the first 10,000 images of each MNIST split."""

from __future__ import annotations

import csv

from mnist_report.report import words

from .utils import Page


def read(path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_label_issue_file_and_words_agree(site_10k):
    rows = read(site_10k / "data/label_issues.csv")
    assert list(rows[0]) == ["split", "instance", "label", "suggested", "score", "rank", "margin"]
    text = Page(site_10k / "health.html").text()
    for split in ("train", "test"):
        mine = [r for r in rows if r["split"] == split]
        assert len(mine) == 10_000
        assert sorted(int(r["rank"]) for r in mine) == list(range(1, 10_001))
        top = min(mine, key=lambda r: int(r["rank"]))
        assert max(float(r["margin"]) for r in mine) == float(top["margin"])
        assert max(float(r["score"]) for r in mine) == float(top["score"])
        above = sum(float(r["score"]) > 0 for r in mine)
        assert (
            f"The { {'train': 'training', 'test': 'test'}[split] } split: {above:,} of 10,000 images score above 0. "
            f"The top candidate is instance {int(top['instance']):,}, labelled {top['label']}"
        ) in text
        assert f"at odds of {words.odds(float(top['margin']))}" in text
    assert "candidates" in text
    assert "confirmed wrong near the top" in text


def test_duplicates_file_and_words_agree(site_10k):
    rows = read(site_10k / "data/duplicates.csv")  # MNIST: no two images within RMS 5
    text = Page(site_10k / "health.html").text()
    assert rows == []
    assert "No two images are that close." in text
    assert "No test image has a near twin in the training split" in text


def test_a_test_only_input_calls_its_split_the_test_split(tmp_path):
    """Read alone, a test file is explored as the only split: the pages name it as the test split it is."""
    from dataclasses import replace

    from mnist_report.analysis import analyze
    from mnist_report.loading import Dataset
    from mnist_report.report import output, render

    from .utils import synthetic

    made = synthetic(4, 60)
    dataset = Dataset((replace(made.main, name="test"),), made.kind)
    site = output.write(render.site(analyze(dataset), "t", "c"), tmp_path / "r")
    health, order = Page(site / "health.html").text(), Page(site / "order.html").text()
    classes = " ".join(Page(path).text() for path in sorted((site / "classes").glob("*.html")))
    assert "The test split: " in health
    assert "The test split" in order
    assert "The test split: " in classes
    assert "Train split" not in health + order + classes
    assert "training split" not in health + order + classes
