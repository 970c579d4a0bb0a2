"""Figures kept between builds (report/figures.py): a rebuild asks vl-convert for nothing and writes the
same bytes; a chart that changed is made again; a cache that cannot be written or grows too large
costs time, never the report."""

from __future__ import annotations

import os

import altair as alt
import pytest
import vl_convert

from mnist_report.report import figures, pages, render
from mnist_report.report.page import Figure

SOME = pages.select(["data", "centroids", "atypical", "pairs", "classifiers", "order", "health", "splits", "classes"])


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_REPORT_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache" / "figures"


def _refuse(monkeypatch):
    """vl-convert fails if asked to make a figure: what follows must come from the cache."""

    def refuse(*args, **kwargs):
        raise AssertionError("vl-convert was asked for a figure the cache holds")

    for name in ("vegalite_to_vega", "vega_to_svg", "vega_to_png", "vega_to_scenegraph", "vegalite_to_svg"):
        monkeypatch.setattr(vl_convert, name, refuse)


def test_a_rebuild_reads_every_figure_back_byte_for_byte(sample_analysis, cache, monkeypatch):
    first = render.site(sample_analysis, "t", "c", pages=SOME)
    assert len(list(cache.glob("*.json"))) == 3  # the overview's and the pixel page's figures
    _refuse(monkeypatch)
    assert render.site(sample_analysis, "t", "c", pages=SOME) == first
    assert render.single(sample_analysis, "t", "c", pages=SOME) is not None


def test_a_changed_chart_is_made_again(cache):
    chart = alt.Chart(alt.Data(values=[{"a": 1}, {"a": 2}])).mark_bar().encode(x=alt.X("a:Q"))
    one = figures.submit(Figure("f", chart, "caption", "alt")).result()
    again = figures.submit(Figure("f", chart, "caption", "alt")).result()
    other = figures.submit(Figure("f", chart.mark_point(), "caption", "alt")).result()
    assert again.static == one.static
    assert again.spec == one.spec
    assert other.spec["marks"][0]["type"] == "symbol"
    assert one.spec["marks"][0]["type"] == "rect"
    assert len(list(cache.glob("*.json"))) == 2


def test_an_unwritable_cache_costs_time_not_the_report(sample_analysis, tmp_path, monkeypatch):
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("MNIST_REPORT_CACHE", str(tmp_path / "file"))
    files = render.site(sample_analysis, "t", "c", pages=SOME)
    assert files["figures/counts.svg"].startswith(b"<svg")


def test_a_damaged_entry_is_made_again(sample_analysis, cache):
    first = render.site(sample_analysis, "t", "c", pages=SOME)
    for entry in cache.glob("*.json"):
        entry.write_text("{ half written")
    assert render.site(sample_analysis, "t", "c", pages=SOME) == first


def test_the_cache_keeps_under_its_limit_dropping_the_least_recently_used(sample_analysis, cache):
    render.site(sample_analysis, "t", "c", pages=SOME)
    entries = sorted(cache.glob("*.json"))
    sizes = {e: e.stat().st_size + figures._static(e).stat().st_size for e in entries}
    for age, entry in enumerate(entries):  # the first entry the oldest
        for path in (entry, figures._static(entry)):
            os.utime(path, (1_000_000 + age, 1_000_000 + age))
    figures._written.append(entries[0])  # as if this build had added one
    figures.trim(limit=sum(sizes.values()) - 1)
    assert sorted(cache.glob("*.json")) == entries[1:]
    assert not figures._static(entries[0]).exists()
