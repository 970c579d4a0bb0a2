"""The k-NN search as the classifiers page runs it: MNIST's 10,000 test images against its 60,000
training images, k=3, timed in wall and CPU seconds, with a digest of the answer to compare runs.

    python bench/neighbours.py [--shared ../shared] [--rounds 3] [--axes]

--axes hands the search the report's own principal axes, as analyze() does (the fit not timed).
Runs with any version of mnist_report on PYTHONPATH that has `nearest(queries, reference, k)`.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import statistics
import time
from pathlib import Path

import numpy as np

from mnist_report.analysis.neighbours import nearest


def images(folder: Path, split: str) -> np.ndarray:
    with gzip.open(folder / f"{split}-images-idx3-ubyte.gz") as f:
        return np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--axes", action="store_true")
    args = parser.parse_args()
    train, test = images(args.shared / "data" / "mnist", "train"), images(args.shared / "data" / "mnist", "t10k")
    shared = {}
    if args.axes:
        from mnist_report.analysis import neighbours, pca

        components = pca.fit(train[:: len(train) // pca.MAX_FIT], max(pca.DIMS, neighbours.AXES))
        shared = {"axes": components.axes, "mean": components.mean}
    walls, cpus = [], []
    for _ in range(args.rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        found = nearest(test, train, 3, **shared)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    digest = hashlib.sha256(found.index.tobytes() + found.distance.tobytes()).hexdigest()[:16]
    print(f"wall {statistics.median(walls):.2f} s, cpu {statistics.median(cpus):.2f} s (median of {args.rounds})")
    print(f"answer {digest}")


if __name__ == "__main__":
    main()
