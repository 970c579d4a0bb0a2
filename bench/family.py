"""Family benchmark: a Quick, Draw!-layout folder (one full_numpy_bitmap_<category>.npy per class, 345
categories) built into a report, every page; wall time, CPU time and peak memory of the whole command.

    python bench/family.py                       # 345 classes x 300 images, 3 runs
    python bench/family.py --per-class 1000 --runs 1

The images are made here (no Quick, Draw! download): each category three strokes from a shared pool,
each image its pattern shifted and noised (tests/utils.py's `synthetic`), so categories share strokes
and get confused as real ones do. Target (issue 19): under 60 s and 2 GB for 345 x 300 on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mnist_report.loading.catalogue import KINDS  # noqa: E402
from tests.utils import synthetic  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
import build as bench  # noqa: E402  (bench/build.py: child processes measured by wait4)


def write_folder(folder: Path, per_class: int) -> None:
    names = KINDS["quickdraw"].class_names
    split = synthetic(len(names), per_class, seed=3).main
    folder.mkdir(parents=True, exist_ok=True)
    for k, name in enumerate(names):
        np.save(folder / f"full_numpy_bitmap_{name}.npy", split.images[split.labels == k].reshape(-1, 28 * 28))


def run(folder: Path, out: Path) -> dict:
    """One build in a child process (bench/build.py's run: the child's own wall, CPU and peak RSS from wait4;
    RUSAGE_CHILDREN's peak would include the child that wrote the folder), and its stage lines."""
    done = bench.run(
        [sys.executable, "-m", "mnist_report", "build", "--data", str(folder), "--out", str(out), "--force"], ROOT
    )
    if done["status"]:
        return {"ok": False, "error": bench.error_line(done["stderr"])}
    stages = {m[1]: float(m[2]) for line in done["stdout"].splitlines() if (m := bench.STAGE.match(line))}
    return {
        "ok": True,
        "seconds": round(done["seconds"], 2),
        "cpu_seconds": round(done["cpu_seconds"], 2),
        "peak_rss_mb": done["peak_rss_mb"],
        "stages": stages,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "family.json")
    parser.add_argument("--write", type=Path, help=argparse.SUPPRESS)  # the child that writes the folder
    args = parser.parse_args()
    if args.write:
        write_folder(args.write, args.per_class)
        return
    with tempfile.TemporaryDirectory(prefix="mnist-report-family-") as tmp:
        folder = Path(tmp) / "quickdraw"
        # Written by a child process: a parent holding the generated images would lend its memory to each
        # build's peak RSS (a forked child counts the pages it shares before it runs the command).
        subprocess.run(
            [sys.executable, __file__, "--write", str(folder), "--per-class", str(args.per_class)], check=True
        )
        runs = [run(folder, Path(tmp) / "report") for _ in range(args.runs)]
    good = [r for r in runs if r["ok"]]
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "classes": len(KINDS["quickdraw"].class_names),
        "per_class": args.per_class,
        "load_average_before": os.getloadavg()[0],
        "median_seconds": statistics.median(r["seconds"] for r in good) if good else None,
        "median_cpu_seconds": statistics.median(r["cpu_seconds"] for r in good) if good else None,
        "peak_rss_mb": max((r["peak_rss_mb"] for r in good), default=None),
        "runs": runs,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "runs"}, indent=1))


if __name__ == "__main__":
    main()
