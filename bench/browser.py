"""How fast each page of a built report paints in headless Chromium, and how much it weighs.

Builds nothing: point it at a site made by `mnist-report build`. Every page is opened
cold (a new browser context each time, so nothing is cached) `--runs` times, from file://.

  paint   time from navigation start until every chart (`.view`) carries data-drawn,
          taken inside the page (performance.now() in a MutationObserver callback);
  weight  bytes of the HTML file plus every file it loads, except assets/vega.js,
          the bundle shared by all pages (file sizes of the requests made).

Targets: every page painted within 600 ms (median) and under 300 KB beside the bundle.

    mnist-report build --out report && python bench/browser.py --site report
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from urllib.parse import unquote, urldefrag

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.utils import CHROMIUM, LAUNCH_ARGS

BUNDLE = "assets/vega.js"
ORDER = ("index.html", "data.html", "pixels.html", "centroids.html", "atypical.html", "pairs.html")
PAINT_TARGET_MS = 600
WEIGHT_TARGET_KB = 300
KB = 1024

# Runs before the page's own scripts: note the moment the last chart settles, drawn or not.
WATCH = """(() => {
  const check = () => {
    if (window.__settledAt !== undefined) return;
    const views = document.querySelectorAll('.view');
    if (!views.length) return;
    if (Array.from(views).every(v => v.hasAttribute('data-drawn') || v.hasAttribute('data-error'))) {
      window.__settledAt = performance.now();
      window.__failed = Array.from(views).filter(v => v.hasAttribute('data-error')).length;
    }
  };
  new MutationObserver(check).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-drawn', 'data-error']});
})();"""


def pages(site: Path) -> list[str]:
    found = {p.name for p in site.glob("*.html")}
    return [p for p in ORDER if p in found] + sorted(found - set(ORDER))


def load_once(
    browser, site: Path, page_name: str, width: int, timeout_ms: int
) -> tuple[float | None, int, set[str], str | None]:
    """One cold load: (ms until every chart drawn, or None; charts failed; site files loaded; problem)."""
    base = unquote(site.as_uri() + "/")
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_init_script(WATCH)
    loaded: set[str] = set()
    outside: list[str] = []

    def request(r):
        url = unquote(urldefrag(r.url).url.split("?", 1)[0])
        if url.startswith(base):
            loaded.add(url[len(base) :])
        elif not url.startswith(("data:", "blob:")):
            outside.append(r.url)

    context.on("request", request)
    page = context.new_page()
    try:
        page.goto(site.as_uri() + "/" + page_name)
        page.wait_for_function("window.__settledAt !== undefined", timeout=timeout_ms, polling=50)
        ms, failed = page.evaluate("[window.__settledAt, window.__failed]")
        problem = f"requests outside the site: {outside}" if outside else None
        return ms, failed, loaded, problem
    except PlaywrightError as e:
        return None, 0, loaded, str(e).splitlines()[0]
    finally:
        context.close()


def weight(site: Path, files: set[str]) -> int:
    return sum((site / f).stat().st_size for f in files if f != BUNDLE and (site / f).is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=Path("report"), help="folder of a built report (default: report/)")
    parser.add_argument("--runs", type=int, default=5, help="cold loads per page (default: 5)")
    parser.add_argument("--width", type=int, default=1000, help="viewport width in px (default: 1000)")
    parser.add_argument("--chromium", default=str(CHROMIUM), help=f"browser executable (default: {CHROMIUM})")
    parser.add_argument("--timeout", type=float, default=30, help="seconds to wait for one page's charts (default: 30)")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a page misses a target")
    args = parser.parse_args(argv)

    site = args.site.resolve()
    names = pages(site) if site.is_dir() else []
    if not names:
        print(f"{args.site}: no report here; build one with `mnist-report build --out {args.site}`", file=sys.stderr)
        return 2
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    results = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=LAUNCH_ARGS)
        try:
            for name in names:
                times, files, problems = [], set(), []
                for _ in range(args.runs):
                    ms, failed, loaded, problem = load_once(browser, site, name, args.width, int(args.timeout * 1000))
                    files |= loaded
                    if ms is not None:
                        times.append(ms)
                    if failed:
                        problems.append(f"{failed} chart(s) failed to draw")
                    if problem:
                        problems.append(problem)
                results.append((name, times, weight(site, files | {name}), sorted(set(problems))))
        finally:
            browser.close()

    bundle = site / BUNDLE
    print(f"{site}: {args.runs} cold load(s) per page in headless Chromium at {args.width} px")
    print(f"{'page':<16} {'median ms':>9} {'min':>7} {'max':>7} {'weight KB':>10}")
    missed = 0
    for name, times, size, problems in results:
        kb = size / KB
        slow = not times or statistics.median(times) > PAINT_TARGET_MS
        heavy = kb > WEIGHT_TARGET_KB
        missed += slow or heavy or bool(problems)
        if times:
            cells = f"{statistics.median(times):>9.0f}{'!' if slow else ' '}{min(times):>6.0f} {max(times):>7.0f}"
        else:
            cells = f"{'never':>9}! {'-':>6} {'-':>7}"
        print(f"{name:<16} {cells} {kb:>10.1f}{'!' if heavy else ''}")
        for problem in problems:
            print(f"  {name}: {problem}")
    shared = f"{bundle.stat().st_size / KB:,.0f} KB" if bundle.is_file() else "missing"
    print(
        f"targets: every page painted within {PAINT_TARGET_MS} ms (median), under {WEIGHT_TARGET_KB} KB beside {BUNDLE} ({shared}, shared); "
        f"! marks a miss"
    )
    print("all pages on target" if not missed else f"{missed} page(s) miss a target")
    return 1 if (missed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
