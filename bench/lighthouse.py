"""Lighthouse's mobile scores for every page of a built report, served over HTTP on 127.0.0.1.

Builds nothing: point it at a site made by `mnist-report build`. Each page is audited `--runs`
times (mobile form factor, Lighthouse's simulated phone CPU and network) and the medians are
printed with the blocking time behind the performance score; the whole report of the last run
of each page lands in --out. Target (issue 20): performance at least 90 and accessibility 100 on
every page of the MNIST train+test site.

Needs Node and Lighthouse (`npm install lighthouse` in --lighthouse) and Chromium:

    mnist-report build --data ../shared/data/mnist --out /tmp/mnist
    (cd /tmp/lh && npm install lighthouse)
    python bench/lighthouse.py --site /tmp/mnist --lighthouse /tmp/lh
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import statistics
import subprocess
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from mnist_report.report import pages
from tests.utils import CHROMIUM

CATEGORIES = ("performance", "accessibility", "best-practices")


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # one line per file would bury the table
        pass


def audit(url: str, lighthouse: Path) -> dict:
    """One Lighthouse run: the categories' scores (0-100) and the timings behind performance."""
    done = subprocess.run(
        ["npx", "lighthouse", url, "--form-factor=mobile", f"--only-categories={','.join(CATEGORIES)}",
         "--chrome-flags=--headless=new --no-sandbox", "--output=json", "--quiet"],
        cwd=lighthouse, env=dict(os.environ, CHROME_PATH=str(CHROMIUM)), capture_output=True, text=True, check=True,
    )  # fmt: skip
    report = json.loads(done.stdout)
    audits = report["audits"]
    out = {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}
    for key, name in (("tbt_ms", "total-blocking-time"), ("lcp_ms", "largest-contentful-paint"),
                      ("fcp_ms", "first-contentful-paint"), ("cls", "cumulative-layout-shift")):  # fmt: skip
        out[key] = audits[name]["numericValue"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, required=True, help="a folder built by mnist-report build")
    parser.add_argument("--lighthouse", type=Path, required=True, help="the folder where lighthouse is installed")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--pages", help="comma-separated page files (default: every page and the first class page)")
    parser.add_argument("--out", type=Path, help="write the medians as JSON here")
    args = parser.parse_args()
    names = args.pages.split(",") if args.pages else [p.file for p in pages.PAGES] + ["classes/0.html"]
    names = [name for name in names if (args.site / name).is_file()]
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", args.port), functools.partial(Quiet, directory=str(args.site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    medians = {}
    print(f"{'page':18} {'perf':>5} {'a11y':>5} {'bp':>4} {'TBT ms':>7} {'LCP s':>6}  (medians of {args.runs})")
    try:
        for name in names:
            runs = [audit(f"http://127.0.0.1:{args.port}/{name}", args.lighthouse) for _ in range(args.runs)]
            m = medians[name] = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
            m["performance_runs"] = [run["performance"] for run in runs]
            print(f"{name:18} {m['performance']:5.0f} {m['accessibility']:5.0f} {m['best-practices']:4.0f} "
                  f"{m['tbt_ms']:7.0f} {m['lcp_ms'] / 1000:6.1f}  runs {m['performance_runs']}", flush=True)  # fmt: skip
    finally:
        server.shutdown()
    if args.out:
        args.out.write_text(json.dumps(medians, indent=1) + "\n")
    low = [name for name, m in medians.items() if m["performance"] < 90 or m["accessibility"] < 100]
    print("every page: performance >= 90, accessibility 100" if not low else f"below target: {', '.join(low)}")


if __name__ == "__main__":
    main()
