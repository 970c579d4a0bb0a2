"""Chart geometry, read from the scene graph Vega lays out (vl-convert), so a chart that
draws the wrong shapes fails here even when its page loads without error."""

from __future__ import annotations

import numpy as np
import pytest
import vl_convert

from mnist_report import charts
from mnist_report.report.draw import GALLERY


def marks(chart, marktype: str) -> list[dict]:
    """Every item of every mark of `marktype` in the laid-out chart."""
    found: list[dict] = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("marktype") == marktype and node.get("role") == "mark":
                found.extend(node["items"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(vl_convert.vegalite_to_scenegraph(chart.to_dict()))
    return found


@pytest.mark.parametrize("zeros", [True, False])
def test_histogram_bars_stand_on_the_axis_and_scale_with_counts(analysis_10k, zeros):
    bars = marks(charts.pixel_histogram(analysis_10k, zeros=zeros), "rect")
    counts = analysis_10k.pixel_counts if zeros else analysis_10k.pixel_counts[1:]
    assert len(bars) == len(counts)
    base = max(bar["y2"] for bar in bars)
    assert all(bar["y2"] == pytest.approx(base) for bar in bars), "every bar starts at 0"
    heights = np.array([bar["height"] for bar in bars])
    # bar heights are proportional to the counts (up to the axis' nice rounding)
    np.testing.assert_allclose(heights / heights.max(), counts / counts.max(), atol=1e-6)
    assert heights.max() > 150  # the tallest bar fills most of the 200 px plot


def test_least_typical_sheet_has_the_size_of_its_grid(analysis_10k):
    """The gallery under the boxplots is one picture as large as its 10 x 6 cells."""
    pictures = marks(charts.atypical(analysis_10k), "image")
    assert len(pictures) == 1
    assert pictures[0]["width"] == 6 * GALLERY
    assert pictures[0]["height"] == 10 * GALLERY
