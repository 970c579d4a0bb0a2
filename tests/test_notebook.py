"""README's notebook example runs as written, on the embedded sample."""

from __future__ import annotations

import re
from pathlib import Path

import altair as alt

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_notebook_example_runs():
    section = README.read_text().split("### In a notebook", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert isinstance(namespace["charts"].centroids(namespace["analysis"]), alt.TopLevelMixin)
    assert 0.9 < namespace["analysis"].classifiers.accuracy("knn") <= 1.0


def test_every_page_figure_is_a_chart_function():
    """Each figure of the report comes from `charts`, so a notebook can get any of them."""
    from mnist_report import analyze, charts, load, site

    analysis = analyze(load(limit=600))
    for page in site.PAGES:
        if page.shown(analysis):
            for figure in page.figures(analysis, site.facts(analysis)):
                assert isinstance(figure.chart, alt.TopLevelMixin)
    assert all(callable(getattr(charts, name)) for name in ("class_counts", "centroids", "split_shares", "class_accuracy", "projection_map"))
