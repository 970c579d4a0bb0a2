"""The class pages in real Chromium, on MNIST (the first 10,000 images of each split) and on a 49-class
build named as Kuzushiji-49's classes: every class page loads with no console error, passes axe-core
with no serious or critical finding, fits a 375 px phone, and is reached by links from the overview,
the pairs page and the classifiers page; a chart's bar and a class page's counts do what they say."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urldefrag

import pytest

from mnist_report.analysis import analyze
from mnist_report.loading.catalogue import kind_named
from mnist_report.report import output, render

from .conftest import IN_CI
from .utils import ALL_DRAWN, CHROMIUM, synthetic

if not CHROMIUM.exists() and not IN_CI:
    pytest.skip(f"{CHROMIUM} not found (with CI=true this is a failure)", allow_module_level=True)

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

NARROW = 375
LINKS = "() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"
# Without preload axe fetches the stylesheets itself, which file:// refuses (a console error of its own).
AXE_OPTIONS = {"resultTypes": ["violations"], "preload": False}


@pytest.fixture(scope="module")
def k49(tmp_path_factory) -> Path:
    names = kind_named("k49").class_names
    analysis = analyze(synthetic(49, 30, names=names, test=8))
    return output.write(render.site(analysis, "49 classes", "c"), tmp_path_factory.mktemp("k49") / "report")


@pytest.fixture(params=["mnist", "k49"])
def built(request) -> Path:
    return request.getfixturevalue("site_10k" if request.param == "mnist" else "k49")


def _class_pages(folder: Path) -> list[Path]:
    return sorted((folder / "classes").glob("*.html"), key=lambda p: int(p.stem.split("-")[0]))


def test_every_class_page_loads_passes_axe_and_fits_a_phone(browser, built):
    axe = Axe()
    context = browser.new_context(viewport={"width": NARROW, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        for path in [built / "classes.html", *_class_pages(built)]:
            page.goto(path.as_uri())
            page.wait_for_function(ALL_DRAWN, timeout=60_000)
            assert errors == [], (path.name, errors)
            assert page.evaluate("document.documentElement.scrollWidth") <= NARROW, path.name
            found = axe.run(page, options=AXE_OPTIONS).response["violations"]
            serious = [
                (v["id"], [n["target"] for n in v["nodes"]]) for v in found if v["impact"] in ("serious", "critical")
            ]
            assert serious == [], (path.name, serious)
    finally:
        context.close()


def test_every_class_page_is_reached_from_the_overview_pairs_and_classifiers(browser, built):
    pages = {p.resolve().as_uri() for p in _class_pages(built)}
    context = browser.new_context()
    page = context.new_page()
    try:
        linked = {}
        for name in ("index.html", "pairs.html", "classifiers.html"):
            page.goto((built / name).as_uri())
            linked[name] = {urldefrag(u)[0] for u in page.evaluate(LINKS) if "/classes/" in u}
        assert linked["index.html"] == pages  # the overview's list names every class
        for name in ("pairs.html", "classifiers.html"):
            assert linked[name], name
            assert linked[name] <= pages, (name, linked[name] - pages)
    finally:
        context.close()


# The centre of the overview's first bar on screen, from Vega's scenegraph.
FIRST_BAR = """() => {
  const el = document.querySelector('.view[data-spec="spec-counts"]');
  const box = el.querySelector('canvas').getBoundingClientRect(), [ox, oy] = el.__view.origin();
  let found = null;
  (function walk(node) {
    (node.items || []).forEach(item => {
      if (found) return;
      if (node.marktype === 'rect' && item.datum && item.datum.href) found = item;
      else if (item.items) walk(item);
    });
  })(el.__view.scenegraph().root);
  return {x: box.left + ox + (found.bounds.x1 + found.bounds.x2) / 2, y: box.top + oy + (found.bounds.y1 + found.bounds.y2) / 2,
          href: found.datum.href};
}"""


def test_a_bar_of_the_overview_opens_its_class_page(browser, site_10k):
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    try:
        page.goto((site_10k / "index.html").as_uri())
        page.wait_for_function(ALL_DRAWN, timeout=60_000)
        bar = page.evaluate(FIRST_BAR)
        assert bar["href"] == "classes/0.html"
        with page.expect_navigation():
            page.mouse.click(bar["x"], bar["y"])
        assert page.url == (site_10k / "classes" / "0.html").as_uri()
        assert page.locator("h1").inner_text() == "Digit 0"
    finally:
        context.close()


def test_a_count_on_a_class_page_shows_its_images(browser, site_10k):
    context = browser.new_context(viewport={"width": NARROW, "height": 800})
    page = context.new_page()
    try:
        page.goto((site_10k / "classes" / "5.html").as_uri())
        for cell in ("knn:5:5", "nearest_centroid:5:3", "nearest_centroid:3:5"):
            button = page.locator(f'button[data-cell="{cell}"]')
            count = int(button.inner_text().replace(",", ""))
            button.click()
            panel = page.locator("#c5-cells")
            expect(panel).to_have_attribute("data-shown", cell)  # once the sprite is loaded (on the first count)
            assert panel.locator(".thumbs li").count() == min(count, 30)
            truth, guess = cell.split(":")[1:]
            # the panel's heading names the cell and takes the focus (the summary says how many are shown)
            assert panel.locator("[tabindex='-1']").inner_text().endswith(f"labelled {truth}, predicted {guess}")
            assert str(min(count, 30)) in panel.locator(".cell-summary").inner_text()
    finally:
        context.close()
