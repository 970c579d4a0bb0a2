"""The class pages (classes/<k>.html) read back: their numbers against the data files beside them,
their names, the one-file report's sections, and --skip classes leaving no trace."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from mnist_report.analysis import analyze
from mnist_report.analysis.classes import N_CANDIDATES
from mnist_report.analysis.explore import N_CLASS_EXTREME
from mnist_report.report import pages, render
from mnist_report.report.pages.classes import file_of
from mnist_report.report.words import percent1

from .utils import Page, synthetic

PICKED = 5  # the class whose page is read back: MNIST's 5, often misread


def _table(page: Page, caption_start: str) -> list[list[str]]:
    """The body rows (cell texts) of the table whose caption starts so."""
    (table,) = [
        t
        for t in page.find_all("table")
        if any(c.tag == "caption" and c.text.strip().startswith(caption_start) for c in t.children)
    ]
    body = next(c for c in table.children if c.tag == "tbody")
    return [[re.sub(r"\s+", " ", cell.text).strip() for cell in row.children] for row in body.children]


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def test_class_page_numbers_match_the_data_files(site_10k):
    """Counts, recall, the confusions listed and the label-issue candidates, each against its data file."""
    page = Page(site_10k / file_of(PICKED, str(PICKED)))
    data = site_10k / "data"
    classes = pl.read_csv(data / "classes.csv")
    train = int(classes.filter(pl.col("label") == PICKED)["train"][0])
    assert _table(page, f"Images of {PICKED} in each split")[0][:3] == [
        "train",
        f"{train:,}",
        percent1(train / classes["train"].sum()),
    ]
    confusion = pl.read_csv(data / "confusion.csv")
    buttons = {b.attrs["data-cell"]: _number(b.text) for b in page.find_all("button") if "data-cell" in b.attrs}
    for classifier in ("nearest_centroid", "nearest_centroid_binary", "knn"):
        mine = confusion.filter(pl.col("classifier") == classifier)
        row = dict(mine.filter(pl.col("label") == PICKED).select("predicted", "count").iter_rows())
        column = dict(mine.filter(pl.col("predicted") == PICKED).select("label", "count").iter_rows())
        assert buttons[f"{classifier}:{PICKED}:{PICKED}"] == row[PICKED]
        # the commonest confusions each way, with their counts, and none that is not in the file
        listed_as = {int(c.split(":")[2]): n for c, n in buttons.items() if c.startswith(f"{classifier}:{PICKED}:")}
        listed_from = {
            int(c.split(":")[1]): n for c, n in buttons.items() if re.match(rf"{classifier}:\d+:{PICKED}$", c)
        }
        for listed, counts in ((listed_as, row), (listed_from, column)):
            errors = sorted((n for k, n in counts.items() if k != PICKED and n), reverse=True)
            assert sorted((n for k, n in listed.items() if k != PICKED), reverse=True) == errors[: len(listed) - 1]
            assert all(counts[k] == n for k, n in listed.items())
    recall = row[PICKED] / sum(row.values())  # the last classifier's: k-NN
    assert f"3 nearest neighbours: {percent1(recall)} of {sum(row.values()):,} right" in page.text()
    issues = pl.read_csv(data / "label_issues.csv").filter(pl.col("suggested") != pl.col("label"))
    mine = issues.filter((pl.col("label") == PICKED) | (pl.col("suggested") == PICKED))
    expected = [  # the most suspicious of each split, training split first
        (r["split"], r["instance"], str(r["label"]), str(r["suggested"]))
        for split in ("train", "test")
        for r in mine.filter(pl.col("split") == split).sort("rank").head(N_CANDIDATES).iter_rows(named=True)
    ]
    shown = _table(page, f"Label-issue candidates labelled {PICKED}")
    assert [(r[0], _number(r[1]), r[2], r[3]) for r in shown] == expected


def test_typical_images_are_the_thirty_nearest_and_farthest(site_10k):
    page = Page(site_10k / file_of(PICKED, str(PICKED)))
    distances = pl.read_csv(site_10k / "data" / "image_distances.csv").filter(pl.col("label") == PICKED)
    lists = [
        [_number(li.text.split()[0]) for li in ol.children]
        for ol in page.find_all("ol")
        if "instances" in ol.attrs.get("class", "")
    ]
    farthest = distances.sort(["distance", "instance"], descending=[True, False])["instance"].head(N_CLASS_EXTREME)
    nearest = distances.sort(["distance", "instance"])["instance"].head(N_CLASS_EXTREME)
    assert lists == [farthest.to_list(), nearest.to_list()]
    # the other pages keep six of each
    least = pl.read_csv(site_10k / "data" / "least_typical.csv").filter(pl.col("label") == PICKED)
    assert least["instance"].to_list() == farthest.head(6).to_list()


def test_every_class_page_has_its_parts(site_10k):
    for k in range(10):
        page = Page(site_10k / file_of(k, str(k)))
        assert [h.text for h in page.find_all("h1")] == [f"Digit {k}"]
        for figure in page.find_all("figure"):
            assert any(c.tag == "figcaption" and c.text.strip() for c in figure.children)
        for img in page.find_all("img"):
            assert "alt" in img.attrs
            assert (site_10k / "classes" / img.attrs["src"]).resolve().is_file(), img.attrs["src"]
        assert page.find_all("svg")[0].attrs["role"] == "img"
        for a in page.find_all("a"):  # every link within the site resolves
            href = a.attrs["href"].split("#")[0]
            if href:
                assert (site_10k / "classes" / href).resolve().is_file(), href


def test_class_files_are_named_safely():
    names = ["T-shirt/top", "Ankle boot", "あ", "../etc", "5", "Ω", " ", "a" * 200]
    files = [file_of(k, name) for k, name in enumerate(names)]
    assert files[:5] == [
        "classes/0-t-shirt-top.html",
        "classes/1-ankle-boot.html",
        "classes/2.html",
        "classes/3-etc.html",
        "classes/4-5.html",
    ]
    assert len(set(files)) == len(files)
    assert all(re.fullmatch(r"classes/[a-z0-9-]+\.html", f) and len(f) < 64 for f in files)
    assert file_of(3, "3") == "classes/3.html"


@pytest.fixture(scope="module")
def small():
    """A 12-class dataset with a test split: every analysis part, quickly."""
    return synthetic(12, 30, names=[f"ク{k}/x" for k in range(12)], test=8)


@pytest.fixture(scope="module")
def small_analysis(small):
    return analyze(small)


def test_skip_classes_leaves_no_class_pages_or_links(small):
    chosen = pages.select(["classes"])
    analysis = analyze(small, parts=pages.needs(chosen))
    assert analysis.classes is None
    files = render.site(analysis, "t", "c", pages=chosen)
    assert not [name for name in files if name.startswith("classes")]
    for name, data in files.items():
        if name.endswith(".html"):
            assert "classes/" not in data.decode(), name
            assert '"href"' not in data.decode(), name


def test_one_file_report_holds_every_class_as_a_section(small_analysis):
    html = render.single(small_analysis, "t", "c").decode()
    every_id = re.findall(r'(?<![-\w])id="([^"]+)"', html)
    ids = set(every_id)
    sections = re.findall(r'<section id="(page-classes-[^"]+)"', html)
    assert sections == [f"page-classes-{k}-{k}-x" for k in range(12)]
    links = set(re.findall(r'href="(#[^"]+)"', html))
    assert {f"#page-classes-{k}-{k}-x" for k in range(12)} <= links
    assert all(link[1:] in ids for link in links), sorted(link for link in links if link[1:] not in ids)
    # chart marks link to the sections too
    assert "classes/" not in html.replace('"page-classes', "")
    assert len(ids) == len(every_id)  # unique ids, though every class page is in one file


def test_rebuild_of_class_pages_is_byte_identical(small_analysis):
    first, second = render.site(small_analysis, "t", "c"), render.site(small_analysis, "t", "c")
    assert {k: v for k, v in first.items() if k.startswith("classes")} == {
        k: v for k, v in second.items() if k.startswith("classes")
    }
    assert json.loads(first["data/manifest.json"])["files"].keys() >= {k for k in first if k.startswith("classes/")}


def test_class_pages_on_the_embedded_sample_say_the_sample_counts(sample_analysis):
    files = render.site(
        sample_analysis, "t", "c", pages=tuple(p for p in pages.PAGES if p.name in ("index", "classes"))
    )
    counts = np.bincount(sample_analysis.dataset.labels)
    for k in range(10):
        text = re.sub(r"\s+", " ", files[f"classes/{k}.html"].decode())
        assert (
            f"It has {counts[k]:,} training images, {percent1(counts[k] / counts.sum())} of the training split" in text
        )
    index = Path("classes.html")
    assert all(f'href="classes/{k}.html"' in files[str(index)].decode() for k in range(10))
