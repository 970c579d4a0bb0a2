"""Every page fits every screen, from a 320 px phone to a 1920 px desktop, in real Chromium: no page scrolls
sideways, no figure is wider than its card, a table too wide scrolls only inside a labelled focusable region,
and no two labels overlap, read from Vega's scenegraph in the page, at each width and in the static images'
layout (the charts at their built size). On MNIST and Fashion-MNIST (both splits, the first 2,000 images of each) and on 20 generated
classes named as long as Quick, Draw!'s categories. Each site is built once, each page opened once and
resized through the widths as a reader turning a phone or widening a window would."""

from __future__ import annotations

import pytest

from mnist_report.analysis import analyze
from mnist_report.loading import load
from mnist_report.loading.catalogue import kind_named
from mnist_report.report import output, pages, render

from .conftest import IN_CI
from .layout import WIDTHS, measured, problems, static_problems
from .utils import CHROMIUM, synthetic

if not CHROMIUM.exists() and not IN_CI:
    pytest.skip(f"{CHROMIUM} not found (with CI=true this is a failure)", allow_module_level=True)

LIMIT = 2_000  # images of each split: every page, in a fraction of the full build's time
SITES = ("mnist", "fashion-mnist", "20-long-names")
PAGES = tuple(page.file for page in pages.PAGES)
# Quick, Draw!'s longest category names, numbered so that no two are alike.
LONG = ("animal migration", "The Eiffel Tower", "aircraft carrier", "baseball bat", "birthday cake", "flip flops")


def long_names(n: int) -> list[str]:
    return [f"{LONG[k % len(LONG)]} {k}" for k in range(n)]


@pytest.fixture(scope="module")
def site(request, tmp_path_factory):
    """site(name) -> the folder of that site, built once per module."""
    built = {}

    def get(name: str):
        if name not in built:
            if name == "20-long-names":
                dataset = synthetic(20, 30, names=long_names(20), test=8)
            else:
                folder = request.getfixturevalue("mnist" if name == "mnist" else "fashion")
                dataset = load(folder, limit=LIMIT, kind=kind_named(name))
            files = render.site(analyze(dataset), name, "mnist-report build")
            built[name] = output.write(files, tmp_path_factory.mktemp(name) / "r")
        return built[name]

    return get


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("kind", SITES)
def test_page_fits_every_width_and_no_labels_overlap(browser, site, kind, name):
    path = site(kind) / name
    if not path.exists():
        pytest.skip(f"{kind} has no {name}")
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(path.as_uri())
        found = problems(measured(page, WIDTHS)) + static_problems(page)
    finally:
        context.close()
    assert errors == []
    assert found == [], f"{kind} {name}: " + "; ".join(found[:12])
