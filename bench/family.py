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


def write_folder(folder: Path, per_class: int) -> None:
    names = KINDS["quickdraw"].class_names
    split = synthetic(len(names), per_class, seed=3).main
    folder.mkdir(parents=True, exist_ok=True)
    for k, name in enumerate(names):
        np.save(folder / f"full_numpy_bitmap_{name}.npy", split.images[split.labels == k].reshape(-1, 28 * 28))


def run(folder: Path, out: Path) -> dict:
    """One build in a child process: wall and CPU seconds, peak RSS (MB), stage lines.

    The child's own resource use, from wait4: RUSAGE_CHILDREN's peak would be the largest child so far,
    which includes the one that wrote the folder (its generated images took 2.5 GB)."""
    with tempfile.TemporaryFile("w+") as said:
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "mnist_report", "build", "--data", str(folder), "--out", str(out), "--force"],
            stdout=said,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        said.seek(0)
        lines = said.read().splitlines()
    if child.returncode:
        return {"ok": False, "error": lines[-1:]}
    stages = {
        line.split()[0]: float(line.split()[1]) for line in lines if line.endswith(" s") and len(line.split()) == 3
    }
    return {
        "ok": True,
        "seconds": round(wall, 2),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
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
