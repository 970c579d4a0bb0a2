"""README's notebook example runs as written, on the embedded sample."""

from __future__ import annotations

import re
from pathlib import Path

import altair as alt
import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_notebook_example_runs():
    section = README.read_text().split("### In a notebook", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert isinstance(namespace["charts"].centroids(namespace["analysis"]), alt.TopLevelMixin)
    assert 0.9 < namespace["analysis"].classifiers.accuracy("knn") <= 1.0


def test_every_page_figure_is_a_chart_function():
    """Each page's chart functions are in `charts` under their names, so a notebook can get any figure."""
    from mnist_report import analyze, charts, load
    from mnist_report.report import pages

    analysis = analyze(load(limit=600))
    for page in pages.PAGES:
        if page.applies(analysis):
            figures = page.figures(analysis, page.facts(analysis))
            assert figures, page.name
            assert all(isinstance(figure.chart, alt.TopLevelMixin) for figure in figures), page.name
        for chart in page.charts:
            assert getattr(charts, chart.__name__) is chart
    assert (
        charts.centroids(analysis).to_dict()
        == pages.PAGES[3].figures(analysis, pages.PAGES[3].facts(analysis))[0].chart.to_dict()
    )
    with pytest.raises(AttributeError, match="no chart 'nope'"):
        _ = charts.nope
