"""Datasets of 20, 49 and 345 classes in real Chromium: every page draws with no error, fits a phone and a
desktop with no label over another, and a cell of the mistakes heat map opens its images (generated data:
no download needed)."""

from __future__ import annotations

import pytest

from mnist_report.analysis import analyze
from mnist_report.report import output, pages, render

from .conftest import IN_CI
from .layout import measured, problems
from .utils import ALL_DRAWN, CHROMIUM, synthetic

if not CHROMIUM.exists() and not IN_CI:
    pytest.skip(f"{CHROMIUM} not found (with CI=true this is a failure)", allow_module_level=True)

from playwright.sync_api import expect

# The centre of the first cell of the mistakes heat map on screen, placed by the chart's own band scales.
FIRST_CELL = """() => {
  const el = document.querySelector('.view[data-spec="spec-mistakes"]');
  const view = el.__view, box = el.querySelector('canvas').getBoundingClientRect(), [ox, oy] = view.origin();
  const datum = view.data('data_0').find(d => d.cell) || view.data('source_0').find(d => d.cell && d.classifier === view.signal('classifier'));
  const x = view.scale('x'), y = view.scale('y');
  return {x: box.left + ox + x(datum.guess) + x.bandwidth() / 2, y: box.top + oy + y(datum.truth) + y.bandwidth() / 2,
          cell: datum.cell, count: datum.count};
}"""


@pytest.fixture(scope="module", params=[(20, 30), (49, 25), (345, 6)], ids=["20-classes", "49-classes", "345-classes"])
def site(request, tmp_path_factory):
    n_classes, per_class = request.param
    analysis = analyze(synthetic(n_classes, per_class, test=max(2, per_class // 4)))
    return n_classes, output.write(
        render.site(analysis, f"{n_classes} classes", "c"), tmp_path_factory.mktemp("family") / "r"
    )


def test_every_page_draws_without_error_and_fits(browser, site):
    """Beyond 20 classes pages change form (heat maps, strips): they also fit a phone and a desktop, no label over
    another (20 classes are checked at every width, with long names, in test_browser_layout.py)."""
    n_classes, folder = site
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    errors, found = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        for name in (p.file for p in pages.PAGES if (folder / p.file).exists()):
            page.goto((folder / name).as_uri())
            page.wait_for_function(ALL_DRAWN, timeout=60_000)
            assert page.eval_on_selector_all(".view[data-error]", "els => els.map(e => e.dataset.error)") == [], name
            assert errors == [], (name, errors)
            if n_classes > 20:
                found += [f"{name} {problem}" for problem in problems(measured(page, (1000, 320)))]
    finally:
        context.close()
    assert found == [], "; ".join(found[:12])


def test_a_heat_map_cell_opens_its_images(browser, site):
    n_classes, folder = site
    if n_classes <= 20:
        pytest.skip("20 classes or fewer have tables, whose cells the confusion tests open")
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    try:
        page.goto((folder / "classifiers.html").as_uri())
        page.wait_for_function(ALL_DRAWN, timeout=60_000)
        page.locator('.view[data-spec="spec-mistakes"]').scroll_into_view_if_needed()
        page.wait_for_selector('.view[data-spec="spec-mistakes"][data-drawn]', timeout=60_000)  # drawn once near
        hit = page.evaluate(FIRST_CELL)
        assert hit, "no cell in the mistakes heat map"
        page.mouse.click(hit["x"], hit["y"])
        panel = page.locator("#classifiers-cells")
        # the cells' sprite is fetched the first time a count is chosen: the panel fills once it is there
        expect(panel).to_have_attribute("data-shown", hit["cell"])
        expect(page.locator("#classifiers-cells canvas")).to_have_count(min(hit["count"], 30))
    finally:
        context.close()
