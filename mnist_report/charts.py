"""Every figure of the report as a pure function, for notebooks:

    from mnist_report import analyze, charts, load
    charts.centroids(analyze(load()))

Each function lives with its page (report/pages/) and is found here by its name.
"""

from __future__ import annotations

from .report.pages import PAGES

_CHARTS = {chart.__name__: chart for page in PAGES for chart in page.charts}


def __getattr__(name: str):
    try:
        return _CHARTS[name]
    except KeyError:
        raise AttributeError(
            f"module {__name__!r} has no chart {name!r}; charts: {', '.join(sorted(_CHARTS))}"
        ) from None


def __dir__() -> list[str]:
    return sorted(_CHARTS)
