"""Build-time benchmark: a compute floor and every `mnist-report build`, with stage times, peak memory and output size.

    python bench/build.py                      # small inputs and the 1,000,000-image ones
    python bench/build.py --only csv60k,idx1m  # pick inputs (or groups: small, 1m, all)
    python bench/build.py --only all --work /var/tmp/bench   # keep the generated inputs for the next run

Inputs are written into a temporary folder from ../shared/data/mnist: the 60,000 training
images as a CSV, and larger sets made by tiling the 70,000 training and test images, each
tile shifted by a few pixels (np.roll) so no two tiles are identical. For each input:

- floor: reading it to a uint8 matrix (polars for CSV, numpy for IDX) plus numpy class means;
- load: `load()` alone, then one pass over its chunks (the loader's own cost and memory);
- build: the whole command, its stage lines parsed (median of --runs for small inputs, one run
  for large ones); a failed build is recorded with its last error line, not hidden.

Each is a child process; its peak RSS comes from wait4(). Results go to bench/results/
(gitignored) as JSON; copy the one to quote to bench/build-latest.json.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
MNIST = Path(os.environ.get("MNIST_REPORT_SHARED", ROOT.parent / "shared")) / "data" / "mnist"
TILE_SHIFTS = [(dy, dx) for dy in (0, 1, -1, 2, -2) for dx in (0, 1, -1, 2, -2)]  # 25 shifts, then reused with a flip
SMALL = 100_000  # images: inputs up to this size are built --runs times, larger ones once
# name: (images, format); the embedded sample needs no file
INPUTS = {
    "sample": (5_000, "sample"),
    "csv60k": (60_000, "csv"),
    "idx1m": (1_000_000, "idx"),
    "idx1m-gz": (1_000_000, "idx.gz"),
    "csv1m": (1_000_000, "csv"),
    "idx10m": (10_000_000, "idx"),
}
GROUPS = {"small": ["sample", "csv60k"], "1m": ["idx1m", "idx1m-gz", "csv1m"], "all": list(INPUTS)}
DEFAULT = ["sample", "csv60k", "idx1m", "idx1m-gz"]
STAGE = re.compile(r"^(load|analyze|render|write)\s+([0-9.]+) s$")


# --- inputs ---------------------------------------------------------------------


def read_mnist() -> tuple[np.ndarray, np.ndarray]:
    """The 70,000 MNIST images (training then test), uint8[70000, 28, 28], and labels."""

    def idx(name: str, offset: int) -> np.ndarray:
        return np.frombuffer(gzip.open(MNIST / name).read(), np.uint8, offset=offset)

    images = np.concatenate([idx("train-images-idx3-ubyte.gz", 16), idx("t10k-images-idx3-ubyte.gz", 16)]).reshape(
        -1, 28, 28
    )
    labels = np.concatenate([idx("train-labels-idx1-ubyte.gz", 8), idx("t10k-labels-idx1-ubyte.gz", 8)])
    return images, labels


def tiles(images: np.ndarray, labels: np.ndarray, n: int):
    """n images as tiles of the given ones, tile t shifted by TILE_SHIFTS[t] (and flipped left-right past 25 tiles)."""
    done = 0
    for t in range((n + len(labels) - 1) // len(labels)):
        tile = np.roll(images, TILE_SHIFTS[t % len(TILE_SHIFTS)], axis=(1, 2))
        if t // len(TILE_SHIFTS) % 2:
            tile = tile[:, :, ::-1]
        k = min(len(labels), n - done)
        yield tile[:k], labels[:k]
        done += k


def idx_header(shape: tuple[int, ...]) -> bytes:
    return bytes([0, 0, 8, len(shape)]) + b"".join(int(s).to_bytes(4, "big") for s in shape)


def write_input(name: str, folder: Path, mnist: tuple[np.ndarray, np.ndarray]) -> Path | None:
    """Write input `name` into `folder` unless it is there already; its path (None for the sample)."""
    n, fmt = INPUTS[name]
    if fmt == "sample":
        return None
    if fmt == "csv":
        path = folder / f"{name}.csv"
    else:
        path = folder / name / ("train-images-idx3-ubyte" + (".gz" if fmt.endswith("gz") else ""))
    if path.exists():
        return path
    import polars as pl

    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    images, labels = mnist
    source = tiles(images, labels, n) if n > 60_000 else iter([(images[:n], labels[:n])])
    if fmt == "csv":
        with open(part, "wb") as f:
            for tile, tile_labels in source:
                columns = {
                    "label": tile_labels,
                    **{f"p{i}": col for i, col in enumerate(tile.reshape(len(tile), -1).T)},
                }
                pl.DataFrame(columns).write_csv(f, include_header=False)
    else:
        opener = (
            functools.partial(gzip.open, mode="wb", compresslevel=1)
            if fmt.endswith("gz")
            else functools.partial(open, mode="wb")
        )
        labels_path = path.with_name(path.name.replace("images-idx3", "labels-idx1"))
        with opener(part) as f, opener(labels_path) as g:
            f.write(idx_header((n, 28, 28)))
            g.write(idx_header((n,)))
            for tile, tile_labels in source:
                f.write(np.ascontiguousarray(tile).tobytes())
                g.write(tile_labels.tobytes())
    part.rename(path)
    print(
        f"wrote {path.name} ({n:,} images, {path.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return path


# --- measuring ------------------------------------------------------------------


def run(args: list[str], cwd: Path, extra: dict | None = None) -> dict:
    """Run a child process (`extra` added to its environment); its wall time, peak RSS (MB), exit status and output."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CI": "true", **(extra or {})}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(args, cwd=cwd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    # CPU time as well as wall time: on a shared machine the wall time also measures the neighbours.
    return {
        "seconds": round(wall, 3),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "status": child.returncode,
        "stdout": stdout,
        "stderr": stderr,
    }


def floor(path: Path) -> None:
    """Child: read `path` to a uint8 matrix and compute class means; print the seconds."""
    started = time.perf_counter()
    if path.suffix == ".csv":
        import polars as pl

        frame = pl.read_csv(path, has_header=False, schema_overrides=[pl.UInt8] * 785)
        labels, images = frame[:, 0].to_numpy(), frame[:, 1:].to_numpy()
        del frame
    else:
        labels_path = path.with_name(path.name.replace("images-idx3", "labels-idx1"))
        if path.suffix == ".gz":
            images = np.frombuffer(gzip.decompress(path.read_bytes()), np.uint8, offset=16).reshape(-1, 784)
            labels = np.frombuffer(gzip.decompress(labels_path.read_bytes()), np.uint8, offset=8)
        else:
            images = np.fromfile(path, np.uint8, offset=16).reshape(-1, 784)
            labels = np.fromfile(labels_path, np.uint8, offset=8)
    means = [images[labels == k].mean(axis=0) for k in range(10)]
    assert len(means) == 10
    print(json.dumps({"seconds": time.perf_counter() - started}))


def probe(path: Path | None) -> None:
    """Child: `load()` and one pass over its chunks; print the seconds of each."""
    from mnist_report.loading import load

    started = time.perf_counter()
    dataset = load(path)
    loaded = time.perf_counter()
    ink = sum(int(chunk.sum(dtype=np.int64)) for _, chunk, _ in dataset.main.chunks())
    print(
        json.dumps(
            {
                "load_seconds": loaded - started,
                "chunks_seconds": time.perf_counter() - loaded,
                "images": len(dataset),
                "mapped": type(dataset.images).__name__ == "memmap",
                "ink": ink,
            }
        )
    )


def error_line(stderr: str) -> str:
    """The line that names the error: a traceback's exception line (its message may run on), or the last line."""
    lines = stderr.strip().splitlines() or ["(no message)"]
    named = [line for line in lines if re.match(r"^[\w.]+(Error|Exception)\b|^mnist-report: error:", line)]
    return (named or lines)[-1][:300]


def measure(name: str, path: Path | None, work: Path, runs: int, skip: str = "") -> dict:
    n = INPUTS[name][0]
    files = (
        []
        if path is None
        else [path]
        if path.suffix == ".csv"
        else [path, path.with_name(path.name.replace("images-idx3", "labels-idx1"))]
    )
    result: dict = {"images": n, "input_bytes": sum(f.stat().st_size for f in files)}
    if path is not None:
        done = run([sys.executable, __file__, "--floor", str(path)], work)
        result["floor"] = (
            {
                "seconds": round(json.loads(done["stdout"])["seconds"], 3),
                "process_seconds": done["seconds"],
                "process_cpu_seconds": done["cpu_seconds"],
                "peak_rss_mb": done["peak_rss_mb"],
            }
            if done["status"] == 0
            else {"error": error_line(done["stderr"])}
        )
    done = run([sys.executable, __file__, "--probe"] + ([str(path)] if path else []), work)
    if done["status"] == 0:
        numbers = json.loads(done["stdout"])
        result["load"] = {
            "seconds": round(numbers["load_seconds"], 3),
            "chunks_seconds": round(numbers["chunks_seconds"], 3),
            "memory_mapped": numbers["mapped"],
            "process_seconds": done["seconds"],
            "process_cpu_seconds": done["cpu_seconds"],
            "peak_rss_mb": done["peak_rss_mb"],
        }
    else:
        result["load"] = {"error": error_line(done["stderr"])}
    builds = []
    for _ in range(0 if runs == 0 else runs if n <= SMALL else 1):
        out = work / f"out-{name}"
        shutil.rmtree(out, ignore_errors=True)
        command = [sys.executable, "-m", "mnist_report", "build", "--out", str(out), "--force"] + (
            ["--data", str(path)] if path else []
        )
        command += ["--skip", skip] if skip else []
        done = run(command, work)
        build = {
            "seconds": done["seconds"],
            "cpu_seconds": done["cpu_seconds"],
            "peak_rss_mb": done["peak_rss_mb"],
            "ok": done["status"] == 0,
            "stages": {m[1]: float(m[2]) for line in done["stdout"].splitlines() if (m := STAGE.match(line.strip()))},
        }
        if done["status"] == 0:
            build["output_bytes"] = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        else:
            build["error"] = error_line(done["stderr"])
        shutil.rmtree(out, ignore_errors=True)
        builds.append(build)
        print(
            f"  build {name}: {'ok' if build['ok'] else 'FAILED'} in {build['seconds']:.2f} s, {build['peak_rss_mb']:.0f} MB, "
            f"stages {build['stages']}" + ("" if build["ok"] else f": {build['error']}"),
            flush=True,
        )
    if not builds:
        return result
    ok = [b for b in builds if b["ok"]] or builds
    result["build"] = {
        "runs": len(builds),
        "ok": all(b["ok"] for b in builds),
        "median_seconds": statistics.median(b["seconds"] for b in ok),
        "median_cpu_seconds": statistics.median(b["cpu_seconds"] for b in ok),
        "median_stages": {
            s: statistics.median(b["stages"][s] for b in ok if s in b["stages"]) for s in ok[0]["stages"]
        },
        "peak_rss_mb": max(b["peak_rss_mb"] for b in ok),
        **({"output_bytes": ok[0]["output_bytes"]} if "output_bytes" in ok[0] else {"error": ok[0]["error"]}),
        "all": builds,
    }
    return result


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "",
    )
    memory = next(
        (
            int(line.split()[1]) // 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    import polars as pl

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_mb": memory,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "polars": pl.__version__,
        "platform": platform.platform(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--only",
        default=",".join(DEFAULT),
        help=f"inputs or groups, comma-separated: {', '.join(INPUTS)}; {', '.join(GROUPS)} (default: {','.join(DEFAULT)})",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=3,
        help="builds per small input, the median reported; 0: floor and load only (default 3)",
    )
    parser.add_argument(
        "--work",
        type=Path,
        help="folder for the inputs and outputs, kept afterwards (default: a temporary one, removed)",
    )
    parser.add_argument("--out", type=Path, help="JSON file to write (default: bench/results/build-<time>.json)")
    parser.add_argument(
        "--skip",
        default="",
        help="parts the builds leave out, as build --skip takes them (e.g. classifiers,health: the six exploring pages)",
    )
    parser.add_argument("--floor", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--probe", nargs="?", const="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:
        floor(args.floor)
        return 0
    if args.probe is not None:
        probe(Path(args.probe) if args.probe else None)
        return 0
    names = list(dict.fromkeys(n for word in args.only.split(",") for n in GROUPS.get(word, [word])))
    unknown = [n for n in names if n not in INPUTS]
    if unknown:
        parser.error(f"unknown input {', '.join(unknown)}; choose from {', '.join(INPUTS)} or {', '.join(GROUPS)}")
    if not MNIST.is_dir():
        parser.error(f"MNIST not found at {MNIST}; set MNIST_REPORT_SHARED to the shared folder")
    work = args.work or Path(tempfile.mkdtemp(prefix="mnist-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        mnist = read_mnist()
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        report = {
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": commit,
            "machine": machine(),
            "skip": args.skip,
            "inputs": {},
        }
        for name in names:
            path = write_input(name, work, mnist)
            print(f"{name}: measuring (load average {os.getloadavg()[0]:.1f})", flush=True)
            report["inputs"][name] = {
                "load_average_before": round(os.getloadavg()[0], 2),
                **measure(name, path, work, args.runs, args.skip),
            }
            print(
                f"{name}: {json.dumps({k: v for k, v in report['inputs'][name].items() if k != 'build'})}", flush=True
            )
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    out = args.out or ROOT / "bench" / "results" / f"build-{datetime.now(timezone.utc):%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
