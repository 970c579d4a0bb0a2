"""Every page of the report in a real Chromium: offline from file://, served under a sub-path, on a phone.

One headless Chromium per session (Debian's /usr/bin/chromium; Playwright's own download
is not used). Each page is opened once per way of reading it (file:// at 1000 px,
file:// at 375 px, HTTP under /mnist-report/ at 1000 px); everything the checks need is
recorded during that one visit, and the tests below only judge the records.

Skipped only when Chromium is missing and CI is unset; under CI a missing browser fails.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest

from mnist_report.report import pages

from .conftest import IN_CI
from .utils import ALL_DRAWN, CHROMIUM

if not CHROMIUM.exists() and not IN_CI:
    pytest.skip(f"{CHROMIUM} not found (with CI=true this is a failure)", allow_module_level=True)

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "screenshots"
PAGES = tuple(page.file for page in pages.PAGES)  # the registry's: a new page is checked here without naming it
PREFIX = "/mnist-report/"
WIDE, NARROW = 1000, 375
DRAW_TIMEOUT_MS = 20_000
MIN_INK = 0.01  # a drawn chart has more than 1% of its canvas pixels neither white nor transparent
# The three ways of reading the report, each a (mode, width) pair.
WAYS = (("file", WIDE), ("file", NARROW), ("http", WIDE))


# Per view: did it draw, its canvas size, the share of canvas pixels that carry ink, and the
# size of its first picture (image mark) as Vega laid it out.
VIEWS = """() => Array.from(document.querySelectorAll('.view')).map(v => {
  const out = {spec: v.getAttribute('data-spec'), drawn: v.getAttribute('data-drawn'), error: v.getAttribute('data-error'),
               canvas: null, ink: null, pixelError: null, picture: null};
  (function find(node) {
    if (out.picture) return;
    if (node.marktype === 'image' && node.items && node.items.length) {
      const b = node.items[0].bounds;
      out.picture = [b.x2 - b.x1, b.y2 - b.y1];
    } else (node.items || []).forEach(find);
  })(v.__view ? v.__view.scenegraph().root : {});
  const c = v.querySelector('canvas');
  if (!c) return out;
  out.canvas = [c.width, c.height];
  if (!c.width || !c.height) return out;
  try {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let inked = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 0 && (d[i] < 250 || d[i + 1] < 250 || d[i + 2] < 250)) inked++;
    }
    out.ink = inked / (c.width * c.height);
  } catch (e) { out.pixelError = String(e); }
  return out;
})"""

LINKS = "() => Array.from(document.querySelectorAll('a[href]')).map(a => [a.getAttribute('href'), a.href])"

# Cumulative layout shift so far (Chromium's PerformanceObserver, buffered), once the last drawing has reached the screen.
LAYOUT_SHIFT = """() => new Promise(done => {
  let total = 0;
  new PerformanceObserver(list => { for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value; })
    .observe({type: 'layout-shift', buffered: true});
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => done(total), 50)));
})"""
MAX_LAYOUT_SHIFT = 0.02  # Lighthouse calls under 0.1 good; with every box reserved there is nothing left to move

# Computed styles that show whether the stylesheet applied: the one-file report must look like the site.
STYLES = """() => Object.fromEntries(Object.entries({
  body: 'body', title: 'main h1', subheading: '#toc', figure: 'figure.chart', caption: 'figcaption',
  header: 'header.site', link: 'header.site nav li:nth-child(2) a',
}).map(([name, selector]) => {
  const e = document.querySelector(selector);
  if (!e) return [name, null];
  const s = getComputedStyle(e);
  return [name, {font: s.fontFamily, size: s.fontSize, lineHeight: s.lineHeight, weight: s.fontWeight, margin: s.marginTop,
                 border: `${s.borderTopWidth} ${s.borderTopStyle} ${s.borderBottomWidth} ${s.borderBottomStyle}`,
                 background: s.backgroundColor, color: s.color}];
}))"""


@dataclass
class Visit:
    """What one page load did and showed."""

    url: str
    requests: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    settled: bool = False
    views: list[dict] = field(default_factory=list)
    links: list[list[str]] = field(default_factory=list)
    scroll_width: int | None = None
    layout_shift: float | None = None
    styles: dict = field(default_factory=dict)
    charts_heard: list[tuple[str, str]] = field(
        default_factory=list
    )  # drawn charts' (name, description), as Chromium exposes them
    failure: str | None = None  # navigation or evaluation failed outright


class Reading:
    """One way of reading the site: where pages live, and which URLs belong to it."""

    def __init__(self, base: str, folder: Path):
        self.base = base  # ends with "/"
        self.folder = folder

    def url(self, page: str) -> str:
        return self.base + page

    def inside(self, url: str) -> bool:
        if url.startswith(("data:", "blob:")):
            return True
        return unquote(url).startswith(unquote(self.base))

    def local_file(self, url: str) -> Path | None:
        """The file in the site folder that `url` names, or None when it points outside the site."""
        path, base = unquote(urldefrag(url).url.split("?", 1)[0]), unquote(self.base)
        return self.folder / path[len(base) :] if path.startswith(base) else None


# --- fixtures -------------------------------------------------------------------------------------


class _SubPathHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site folder under /mnist-report/ only, as GitHub Pages serves a project site."""

    def send_head(self):
        path = urlsplit(self.path).path
        if not path.startswith(PREFIX):
            self.send_error(404, "outside /mnist-report/")
            return None
        self.path = self.path[len(PREFIX) - 1 :]
        return super().send_head()

    def log_message(self, format, *args):  # keep pytest output clean
        pass


@pytest.fixture(scope="module")
def http_base(site_10k):
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_SubPathHandler, directory=str(site_10k))
    )
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    try:
        with pytest.raises(urllib.error.HTTPError) as outside:  # the server itself must not serve the root
            urllib.request.urlopen(f"http://127.0.0.1:{server.server_address[1]}/index.html", timeout=5)
        assert outside.value.code == 404
        yield base
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def readings(site_10k, http_base):
    return {"file": Reading(site_10k.as_uri() + "/", site_10k), "http": Reading(http_base, site_10k)}


def _open(browser, reading: Reading, width: int):
    """A fresh context that aborts (and notes) every request leaving the site, and its page."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    visit = Visit(url="")

    def route(r):
        if reading.inside(r.request.url):
            r.continue_()
        else:
            r.abort()

    def request(r):
        visit.requests.append(r.url)
        if not reading.inside(r.url):
            visit.external.append(r.url)

    context.route("**/*", route)
    context.on("request", request)
    page = context.new_page()
    page.on(
        "console",
        lambda m: (
            visit.console_errors.append(f"{m.text} ({m.location.get('url', '')}:{m.location.get('lineNumber', '')})")
            if m.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda e: visit.page_errors.append(str(e)))
    return context, page, visit


@contextmanager
def _drawn(browser, reading: Reading, name: str, width: int = WIDE):
    """The page `name` opened and drawn; afterwards, no page or console error may have happened."""
    context, page, record = _open(browser, reading, width)
    try:
        page.goto(reading.url(name))
        assert _wait_drawn(page), f"{name}: charts not drawn"
        yield page
        assert record.page_errors == [], record.page_errors + record.console_errors
        assert record.console_errors == [], record.page_errors + record.console_errors
    finally:
        context.close()


def _wait_drawn(page) -> bool:
    try:
        page.wait_for_function(ALL_DRAWN, timeout=DRAW_TIMEOUT_MS)
        return True
    except PlaywrightTimeout:
        return False


@pytest.fixture(scope="module")
def visit(browser, readings):
    """visit(mode, width, page) -> Visit, each loaded once per module."""
    cache: dict[tuple[str, int, str], Visit] = {}

    def get(mode: str, width: int, name: str) -> Visit:
        key = (mode, width, name)
        if key not in cache:
            reading = readings[mode]
            context, page, record = _open(browser, reading, width)
            record.url = reading.url(name)
            try:
                page.goto(record.url, wait_until="load")
                record.settled = _wait_drawn(page)
                record.layout_shift = page.evaluate(LAYOUT_SHIFT)
                record.styles = page.evaluate(STYLES)
                record.views = page.evaluate(VIEWS)
                record.links = page.evaluate(LINKS)
                record.scroll_width = page.evaluate("document.documentElement.scrollWidth")
                if (mode, width) == ("file", WIDE):
                    record.charts_heard = _charts_heard(page)
                if mode == "file":
                    SCREENSHOTS.mkdir(exist_ok=True)
                    page.screenshot(path=SCREENSHOTS / f"{Path(name).stem}-{width}.png", full_page=True)
            except PlaywrightError as e:
                record.failure = str(e).splitlines()[0]
            finally:
                context.close()
            cache[key] = record
        return cache[key]

    return get


def _charts_heard(page) -> list[tuple[str, str]]:
    """Each drawn chart's accessible name and description, from Chromium's own accessibility tree (what a
    screen reader is given), not from the attributes the page was written with."""
    nodes = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    return [
        (n.get("name", {}).get("value", ""), n.get("description", {}).get("value", ""))
        for n in nodes
        if n.get("role", {}).get("value") == "graphics-document"
    ]


def _ways_and_pages():
    return [pytest.param(mode, width, name, id=f"{mode}-{width}-{name}") for mode, width in WAYS for name in PAGES]


def _loaded(v: Visit) -> Visit:
    assert v.failure is None, f"{v.url}: could not be opened: {v.failure}"
    return v


# --- every page, every way of reading it ------------------------------------------------------------


@pytest.mark.parametrize(("mode", "width", "name"), _ways_and_pages())
def test_no_request_leaves_the_site(visit, mode, width, name):
    v = _loaded(visit(mode, width, name))
    assert v.requests, f"{v.url}: no requests recorded at all"
    assert v.external == [], f"{v.url}: requests outside the site: {v.external}"


@pytest.mark.parametrize(("mode", "width", "name"), _ways_and_pages())
def test_no_console_or_page_errors(visit, mode, width, name):
    v = _loaded(visit(mode, width, name))
    assert v.page_errors == [], f"{v.url}: uncaught errors: {v.page_errors}"
    assert v.console_errors == [], f"{v.url}: console errors: {v.console_errors}"


@pytest.mark.parametrize(("mode", "width", "name"), _ways_and_pages())
def test_every_chart_is_drawn(visit, mode, width, name):
    v = _loaded(visit(mode, width, name))
    assert v.views, f"{v.url}: no charts on the page"
    pending = [x["spec"] for x in v.views if not x["drawn"] and not x["error"]]
    assert v.settled, f"{v.url}: not drawn within {DRAW_TIMEOUT_MS / 1000:.0f} s: {pending}"
    problems = []
    for x in v.views:
        if x["error"]:
            problems.append(f"{x['spec']}: data-error={x['error']!r}")
        elif not x["canvas"] or not all(x["canvas"]):
            problems.append(f"{x['spec']}: no canvas with a size (canvas={x['canvas']})")
        elif x["pixelError"]:
            problems.append(f"{x['spec']}: cannot read the canvas back: {x['pixelError']}")
        elif x["ink"] <= MIN_INK:
            problems.append(
                f"{x['spec']}: canvas {x['canvas'][0]}x{x['canvas'][1]} is blank ({x['ink']:.2%} of pixels inked)"
            )
    assert problems == [], f"{v.url}: " + "; ".join(problems)


@pytest.mark.parametrize(("mode", "width", "name"), _ways_and_pages())
def test_relative_links_point_to_files_in_the_site(visit, readings, mode, width, name):
    v = _loaded(visit(mode, width, name))
    reading = readings[mode]
    broken = []
    for href, resolved in v.links:
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", href) or href.startswith("//"):
            continue  # absolute: a link out, not part of the site
        if urldefrag(href).url == "":
            continue  # a fragment on this page
        target = reading.local_file(resolved)
        if target is None:
            broken.append(f"{href!r} leaves the site ({resolved})")
        elif not target.is_file():
            broken.append(f"{href!r} -> {target} does not exist")
    assert broken == [], f"{v.url}: broken links: {broken}"


@pytest.mark.parametrize("name", PAGES)
def test_each_drawn_chart_keeps_its_own_name_and_description(visit, readings, name):
    """Drawing a chart must not replace its written description: a screen reader hears each chart's own
    alt text, and its caption as the description, once it is drawn (vega-embed used to say "Vega visualization")."""
    from .utils import Page

    page = Page(readings["file"].folder / name)
    written = [
        (view.attrs["aria-label"], " ".join(caption.text.split()))
        for figure in page.find_all("figure")
        for view in figure.children
        if "view" in view.attrs.get("class", "")
        for caption in figure.children
        if caption.tag == "figcaption"
    ]
    assert written, f"{name}: no figure"
    assert _loaded(visit("file", WIDE, name)).charts_heard == written


@pytest.mark.parametrize("name", PAGES)
def test_no_horizontal_scroll_on_a_phone(visit, name):
    v = _loaded(visit("file", NARROW, name))
    width = v.scroll_width
    assert width is not None, f"{v.url}: at {NARROW} px the document is {width} px wide and scrolls sideways"
    assert width <= NARROW, f"{v.url}: at {NARROW} px the document is {width} px wide and scrolls sideways"


@pytest.mark.parametrize("width", [WIDE, NARROW])
@pytest.mark.parametrize("name", PAGES)
def test_pages_do_not_jump_while_charts_draw(visit, name, width):
    """Each view holds its chart's size before it draws (Lighthouse's CLS)."""
    v = _loaded(visit("file", width, name))
    assert v.layout_shift is not None, f"{v.url} at {width} px: cumulative layout shift {v.layout_shift:.3f}"
    assert v.layout_shift < MAX_LAYOUT_SHIFT, f"{v.url} at {width} px: cumulative layout shift {v.layout_shift:.3f}"


@pytest.mark.parametrize("width", [WIDE, NARROW])
def test_least_and_most_typical_galleries_are_drawn_alike(visit, width):
    """The two galleries of atypical.html are compared by eye: their pictures have one size at every width."""
    views = {x["spec"]: x for x in _loaded(visit("file", width, "atypical.html")).views}
    least, most = views["spec-atypical"]["picture"], views["spec-typical"]["picture"]
    assert least, f"at {width} px the least typical pictures are {least}, the most typical {most}"
    assert least == most, f"at {width} px the least typical pictures are {least}, the most typical {most}"


@pytest.mark.parametrize("name", PAGES)
def test_screenshots_written(visit, name):
    for width in (WIDE, NARROW):
        _loaded(visit("file", width, name))
        shot = SCREENSHOTS / f"{Path(name).stem}-{width}.png"
        assert shot.is_file(), f"{shot} missing or empty"
        assert shot.stat().st_size > 1000, f"{shot} missing or empty"


# --- interaction ---------------------------------------------------------------------------------

CANVAS_SNAPSHOT = """(spec) => {
  const c = document.querySelector(`.view[data-spec="${spec}"] canvas`);
  window.__snapshot = Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);
}"""
CANVAS_CHANGED = """(spec) => {
  const c = document.querySelector(`.view[data-spec="${spec}"] canvas`);
  const now = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, was = window.__snapshot;
  if (now.length !== was.length) return true;
  let differ = 0;
  for (let i = 0; i < now.length; i++) if (now[i] !== was[i]) differ++;
  return differ > 100;
}"""


@pytest.mark.parametrize("name", ["atypical.html", "classifiers.html"])
def test_highlight_menu_works_from_the_keyboard(browser, readings, name):
    """The atypical page's boxplots and galleries, and the classifiers' map (whose ten colours are not all far
    apart), bring out one digit chosen in a menu the keyboard reaches."""
    with _drawn(browser, readings["file"], name) as page:
        menu = page.get_by_role("combobox", name=re.compile(r"highlight digit", re.I))
        expect(menu).to_have_count(1)  # found by its accessible name (aria-label or <label>)
        assert menu.evaluate("e => !!e.closest('.vega-bind')"), "the highlight menu is not Vega's bound control"
        spec = menu.evaluate("e => e.closest('.view').getAttribute('data-spec')")

        for _ in range(600):  # Tab through the page until the menu has focus (past the confusion tables' counts)
            page.keyboard.press("Tab")
            if menu.evaluate("e => e === document.activeElement"):
                break
        else:
            pytest.fail(f"{name}: the 'Highlight digit' menu cannot be reached with Tab")

        page.evaluate(CANVAS_SNAPSHOT, spec)
        options = menu.evaluate("e => Array.from(e.options).map(o => o.textContent.trim())")
        assert "1" in options, f"no '1' among the menu's options: {options}"
        for _ in range(options.index("1") - menu.evaluate("e => e.selectedIndex")):
            page.keyboard.press("ArrowDown")  # a closed <select> changes value with the arrow keys
        assert menu.evaluate("e => e.options[e.selectedIndex].textContent.trim()") == "1", "arrow keys did not pick '1'"
        try:
            page.wait_for_function(CANVAS_CHANGED, arg=spec, timeout=5_000)
        except PlaywrightTimeout:
            pytest.fail(f"{name}: choosing '1' in 'Highlight digit' did not change the chart")


# Where the first image mark's first picture sits on screen, found through the Vega view report.js keeps.
FIRST_IMAGE = """(spec) => {
  const el = document.querySelector(`.view[data-spec="${spec}"]`);
  const view = el.__view, rect = el.querySelector('canvas').getBoundingClientRect(), [ox, oy] = view.origin();
  function find(node, dx, dy) {
    if (node.marktype === 'image' && node.items && node.items.length) {
      const b = node.items[0].bounds;
      return {x: dx + (b.x1 + b.x2) / 2, y: dy + (b.y1 + b.y2) / 2};
    }
    for (const child of node.items || []) {
      const group = child.mark && child.mark.marktype === 'group';
      const hit = find(child, dx + (group ? child.x || 0 : 0), dy + (group ? child.y || 0 : 0));
      if (hit) return hit;
    }
    return null;
  }
  const hit = find(view.scenegraph().root, 0, 0);
  return hit && {x: rect.left + ox + hit.x, y: rect.top + oy + hit.y};
}"""


def test_gallery_tooltip_names_the_instance(browser, readings):
    with _drawn(browser, readings["file"], "data.html") as page:
        gallery = page.locator('.view[data-spec="spec-first"]')
        expect(gallery).to_have_count(1)
        gallery.scroll_into_view_if_needed()
        assert gallery.evaluate("e => !!e.__view"), "report.js did not keep the Vega view on the element"
        spot = page.evaluate(FIRST_IMAGE, "spec-first")
        assert spot, "data.html: no image mark in the first-images gallery"
        page.mouse.move(spot["x"], spot["y"])
        tooltip = page.locator(".chart-tooltip")
        expect(tooltip).to_be_visible(timeout=3_000)
        expect(tooltip).to_contain_text("Instance")


# --- hostile names ---------------------------------------------------------------------------------

HOSTILE = "</script><script>alert(1)</script>"


def test_hostile_names_render_as_text(browser, tmp_path_factory, mnist):
    """Class names and the title are the user's: they must show as text and never run."""
    from mnist_report.analysis import analyze
    from mnist_report.loading import load
    from mnist_report.report import output, render

    names = [str(d) for d in range(10)]
    names[5] = HOSTILE  # instance 1 is a 5: the name shows in the data page's table and captions
    dataset = load(mnist, limit=300, classes=names)
    title = '<img src=x onerror="alert(2)">'
    out = output.write(
        render.site(analyze(dataset), title, "mnist-report build"), tmp_path_factory.mktemp("hostile") / "report"
    )
    for name in PAGES:
        html = (out / name).read_text()
        markup = re.sub(r"<script[^>]*>.*?</script>", "", html, flags=re.S)
        assert not re.search(r"<[^>]*\son[a-z]+\s*=", markup, re.I), f"{name}: inline event handler"
        assert "Content-Security-Policy" in html
        assert "default-src 'none'" in html
        context = browser.new_context()
        page = context.new_page()
        dialogs, errors = [], []
        page.on("dialog", lambda d, dialogs=dialogs: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        page.goto((out / name).as_uri())
        page.wait_for_function(ALL_DRAWN, timeout=DRAW_TIMEOUT_MS)
        assert dialogs == [], (name, dialogs, errors)
        assert errors == [], (name, dialogs, errors)
        assert page.title().endswith(title)
        assert page.eval_on_selector_all(".view[data-error]", "els => els.length") == 0
        if name == "data.html":
            assert HOSTILE in page.inner_text("main")
        context.close()


# --- the one-file report ------------------------------------------------------------------------------


def test_single_file_opens_offline(browser, tmp_path_factory, analysis_10k, visit):
    """The whole report in one file: every chart drawn from file:// with nothing else to load."""
    from mnist_report.report import output, render

    folder = tmp_path_factory.mktemp("single")
    path = output.write_file(
        render.single(analysis_10k, "MNIST, explored", "mnist-report build --single-file r.html"), folder / "r.html"
    )
    reading = Reading(path.as_uri(), folder)  # the file itself is the only thing inside
    context, page, record = _open(browser, reading, WIDE)
    page.goto(path.as_uri())
    assert _wait_drawn(page)
    shift = page.evaluate(LAYOUT_SHIFT)
    styles = page.evaluate(STYLES)
    views = page.evaluate(VIEWS)
    context.close()
    assert record.external == []
    assert record.page_errors == []
    assert record.console_errors == []
    assert len(views) >= 10
    for view in views:
        assert view.get("drawn"), view
        assert view.get("ink", 0) > MIN_INK, view
    # Looks like the site: the stylesheet applies whole (it once went through HTML escaping and broke).
    assert styles == _loaded(visit("file", WIDE, "index.html")).styles
    assert shift < MAX_LAYOUT_SHIFT, f"cumulative layout shift {shift:.3f}"
    html = path.read_text()
    assert re.search(r'<meta name="description" content="MNIST, explored: what the data is[^"]+">', html)
    assert re.search(r'<link rel="icon" href="data:image/svg\+xml;base64,', html)


def test_figures_grow_on_a_wide_page_and_fit_a_phone(visit):
    """Grids drawn for a phone are redrawn larger where the page is wider, never wider than it."""
    for name, spec in (
        ("pairs.html", "spec-differences"),
        ("centroids.html", "spec-centroids"),
        ("data.html", "spec-first"),
    ):
        wide = next(v for v in _loaded(visit("file", WIDE, name)).views if v["spec"] == spec)
        narrow = next(v for v in _loaded(visit("file", NARROW, name)).views if v["spec"] == spec)
        assert wide["canvas"][0] > 1.4 * narrow["canvas"][0], (name, wide["canvas"], narrow["canvas"])
        assert narrow["canvas"][0] <= NARROW - 31, (
            name,
            narrow["canvas"],
        )  # the figure box a phone leaves (device pixel ratio 1)


# The share of inked pixels in one horizontal band of a view's canvas (0 = top, 1 = bottom).
BAND_INK = """([spec, top, bottom]) => {
  const c = document.querySelector(`.view[data-spec="${spec}"] canvas`);
  const y0 = Math.floor(c.height * top), y1 = Math.floor(c.height * bottom);
  const d = c.getContext('2d').getImageData(0, y0, c.width, y1 - y0).data;
  let inked = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && d[i] < 128) inked++;
  return inked / (d.length / 4);
}"""


def test_least_typical_gallery_shows_its_pictures(browser, readings):
    """The gallery under the boxplots is drawn, not only its axes (a whole-canvas ink check cannot tell)."""
    with _drawn(browser, readings["file"], "atypical.html") as page:
        # the lower half of the figure is the 10 x 6 gallery of digits drawn dark on white
        assert page.evaluate(BAND_INK, ["spec-atypical", 0.55, 0.9]) > 0.05
        assert page.evaluate(BAND_INK, ["spec-typical", 0.1, 0.9]) > 0.05


@pytest.mark.parametrize("mode", ["file", "http"])
def test_a_chart_not_drawn_yet_prints_as_its_static_image(browser, readings, mode):
    """Charts are drawn as they come near the screen; printing cannot wait, so one never reached prints as
    the static image its <noscript> names, loaded, and a drawn one keeps its drawing."""
    context, page, record = _open(browser, readings[mode], WIDE)
    try:
        page.goto(readings[mode].url("classifiers.html"))
        page.wait_for_function("document.querySelector('.view[data-drawn]')", timeout=DRAW_TIMEOUT_MS)
        undrawn = page.evaluate(
            "Array.from(document.querySelectorAll('.view:not([data-drawn])')).map(e => e.id || e.dataset.spec)"
        )
        assert undrawn, "classifiers.html: every chart was drawn at once; the page should draw them as they near"
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        page.wait_for_function(
            "Array.from(document.querySelectorAll('.view:not([data-drawn]) img.static')).every(i => i.complete)"
        )
        shown = page.evaluate(
            """Array.from(document.querySelectorAll('.view')).map(e => ({
                drawn: !!e.getAttribute('data-drawn') || !!e.querySelector('canvas'),
                image: e.querySelector('img.static') ? e.querySelector('img.static').naturalWidth : null}))"""
        )
        assert all(s["drawn"] or (s["image"] or 0) > 0 for s in shown), shown
        assert record.page_errors == [], record.page_errors
        assert record.console_errors == [], record.console_errors
    finally:
        context.close()
