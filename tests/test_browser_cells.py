"""A confusion-matrix cell opens exactly its images, by keyboard, from disk and inside the one-file report (real Chromium)."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image

from mnist_report.analysis import analyze
from mnist_report.loading import Dataset
from mnist_report.report import output, render
from mnist_report.report.confusion import MAX_SHOWN

from .conftest import IN_CI
from .utils import CHROMIUM, make_split

if not CHROMIUM.exists() and not IN_CI:
    pytest.skip(f"{CHROMIUM} not found (with CI=true this is a failure)", allow_module_level=True)


@pytest.fixture(scope="module")
def analysis(train_arrays, test_arrays):
    return analyze(
        Dataset(
            (
                make_split("train", train_arrays[0][:2_000], train_arrays[1][:2_000]),
                make_split("test", test_arrays[0][:800], test_arrays[1][:800]),
            )
        )
    )


@pytest.fixture(scope="module", params=["folder", "single-file"])
def url(request, tmp_path_factory, analysis) -> str:
    folder = tmp_path_factory.mktemp(request.param)
    if request.param == "folder":
        return (
            output.write(render.site(analysis, "MNIST", "mnist-report build"), folder / "r") / "classifiers.html"
        ).as_uri()
    return output.write_file(
        render.single(analysis, "MNIST", "mnist-report build --single-file r.html"), folder / "r.html"
    ).as_uri()


THUMBS = (
    "() => Array.from(document.querySelectorAll('.cell-images .thumbs canvas')).map(c => c.getAttribute('aria-label'))"
)


def _thumbs(page) -> list[tuple[str, int]]:
    """Each thumbnail's label and its dark pixels as shown on screen. (Read from a screenshot: a sprite fetched
    from disk taints the canvas, so the page itself may not read its pixels back.)"""
    canvases = page.locator(".cell-images .thumbs canvas")
    out = []
    for i, label in enumerate(page.evaluate(THUMBS)):
        shot = Image.open(io.BytesIO(canvases.nth(i).screenshot())).convert("L")
        out.append((label, int((np.asarray(shot) < 128).sum())))
    return out


@pytest.mark.parametrize(("classifier", "truth", "guess"), [("nearest_centroid", 4, 9), ("knn", 7, 7)])
def test_a_cell_opens_exactly_its_images(browser, url, analysis, classifier, truth, guess):
    c = analysis.classifiers
    mine = (c.labels == truth) & (c.predictions[classifier] == guess)
    expected = sorted(c.instances[mine].tolist())[:MAX_SHOWN]
    assert expected, "the slice has images in this cell"
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(url)
        # In the one-file report the class pages' sections have buttons for the same cells: the classifiers' own.
        scope = "" if url.endswith("classifiers.html") else "#page-classifiers "
        button = page.locator(f'{scope}button[data-cell="{classifier}:{truth}:{guess}"]')
        assert button.count() == 1
        assert button.inner_text().replace(",", "") == str(mine.sum())
        button.focus()
        page.keyboard.press("Enter")  # a real <button>: the keyboard works as the mouse does
        page.wait_for_function("() => document.querySelector('.cell-images').getAttribute('data-shown')")
        thumbs = _thumbs(page)
        instances = [int(re.match(r"Instance (\d+),", label).group(1)) for label, _ in thumbs]
        assert instances == expected
        assert all(f"labelled {truth}, predicted {guess}" in label for label, _ in thumbs)
        assert all(dark > 20 for _, dark in thumbs), "each thumbnail shows a drawn digit, not a blank square"
        assert str(len(expected)) in page.inner_text(".cell-summary")
        # Focus moves to the panel's heading, which names the cell: read once, with no live region repeating it.
        heading = page.evaluate("document.activeElement.closest('.cell-images') && document.activeElement.textContent")
        assert heading, "focus moves to the panel"
        assert heading.endswith(f"labelled {truth}, predicted {guess}"), heading
        assert page.locator(".cell-images[aria-live], .cell-images [aria-live]").count() == 0
        page.keyboard.press("Shift+Tab")  # back to the chosen cell, not the last cell of the last table
        assert page.evaluate("document.activeElement.getAttribute('data-cell')") == f"{classifier}:{truth}:{guess}"
        button.press("Enter")
        page.locator(f"{scope}.cell-images button.back").click()
        assert page.evaluate("document.activeElement.getAttribute('data-cell')") == f"{classifier}:{truth}:{guess}"
        assert errors == []
    finally:
        page.close()
