"""Dataset health on MNIST and Fashion-MNIST (train + test): time per part, the label-issue
ranking measured against the published human review, and the duplicate counts.

    python bench/health.py [--shared ../shared] [--compare] [--json health.json]

--compare also scores the MNIST test split by the other methods tried (a distance-weighted
10-nearest-neighbour vote on raw pixels, 1 - p(given label), and the mean rank of k-NN and
margin); it retrains the network and runs the 10,000 x 60,000 raw-pixel search (slow).
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import time
from pathlib import Path

import numpy as np

from mnist_report.analysis import pca
from mnist_report.analysis.health import duplicates, labels, odd
from mnist_report.analysis.health.sample import sample_splits
from mnist_report.analysis.neighbours import nearest

ROOT = Path(__file__).resolve().parents[1]


def _unzipped(path: Path) -> bytes:
    with gzip.open(path) as f:
        return f.read()


def read(folder: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    images = np.frombuffer(_unzipped(folder / f"{split}-images-idx3-ubyte.gz"), np.uint8, offset=16).reshape(-1, 784)
    labels = np.frombuffer(_unzipped(folder / f"{split}-labels-idx1-ubyte.gz"), np.uint8, offset=8)
    return images, labels


def confirmed_errors(shared: Path) -> np.ndarray:
    """0-based test rows that at most 2 of 5 reviewers kept the label of (see label-review/README.md)."""
    review = json.loads((shared / "data" / "label-review" / "mnist_mturk.json").read_text())
    return np.array(sorted(entry["id"] for entry in review if entry["mturk"]["given"] <= 2))


def found(score: np.ndarray, errors: np.ndarray) -> dict:
    rank = labels.rank_of(score)[errors]
    return {"top50": int((rank <= 50).sum()), "top100": int((rank <= 100).sum()), "ranks": sorted(rank.tolist())}


def timed(results: dict, name: str, fn, *args):
    start, cpu = time.perf_counter(), time.process_time()
    out = fn(*args)
    results[name] = round(time.perf_counter() - start, 2)
    results[f"{name}_cpu"] = round(time.process_time() - cpu, 2)
    print(f"  {name}: {results[name]} s (cpu {results[f'{name}_cpu']} s)", flush=True)
    return out


def compare(train, train_y, test, test_y, errors) -> dict:
    """The MNIST test split's recall of confirmed errors by each method tried."""
    rows = np.arange(len(test))
    components = pca.fit(train, labels.PCA_DIMS, np.float32)
    _, p = labels.out_of_sample_probabilities(
        components.project(train, np.float32) / 255,
        train_y.astype(np.int64),
        components.project(test, np.float32) / 255,
        10,
    )
    margin = labels.margin(p, test_y.astype(np.int64))
    near = nearest(test, train, 10)
    weight = 1 / (near.distance + 1e-9)
    knn = 1 - (weight * (train_y[near.index] == test_y[:, None])).sum(axis=1) / weight.sum(axis=1)
    both = -(labels.rank_of(margin) + labels.rank_of(knn)).astype(float)
    return {
        "margin": found(margin, errors),
        "self_confidence": found(1 - p[rows, test_y], errors),
        "knn10_weighted_vote": found(knn, errors),
        "mean_rank_knn_margin": found(both, errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--compare", action="store_true")
    parser.add_argument("--json", type=Path, default=Path("health.json"))
    args = parser.parse_args()
    report = {}
    for name in ("mnist", "fashion-mnist"):
        folder = args.shared / "data" / name
        train, train_y = read(folder, "train")
        test, test_y = read(folder, "t10k")
        print(name, flush=True)
        seconds: dict = {}
        splits = sample_splits(train, train_y, test, test_y)
        issues = timed(seconds, "label_issues", labels.label_issues, splits, 10)
        dups = timed(seconds, "duplicates", duplicates.duplicates, splits)
        oddest = timed(seconds, "odd_images", odd.odd_images, splits, 10, (28, 28))
        seconds["total"] = round(sum(v for k, v in seconds.items() if not k.endswith("_cpu")), 2)
        seconds["total_cpu"] = round(sum(v for k, v in seconds.items() if k.endswith("_cpu")), 2)
        print(f"  total: {seconds['total']} s (cpu {seconds['total_cpu']} s)")
        entry = {
            "seconds": seconds,
            "method": issues.method,
            "duplicate_pairs": dups.n_pairs,
            "exact_duplicate_pairs": int((dups.table["distance"] == 0).sum()),
            "images_with_twin": {
                f"{a}-{b} rms {rms:g}": dups.images_with_twin(a, b, rms)
                for a, b in (("train", "train"), ("test", "train"), ("test", "test"))
                for rms in (1, duplicates.NEAR_RMS)
            },
            "odd_images": {kind: int(oddest.counts[kind].sum()) for kind in ("faint", "heavy", "off_centre")},
        }
        if name == "mnist":
            errors = confirmed_errors(args.shared)
            test_score = issues.table.filter(issues.table["split"] == "test").sort("instance_row")["score"].to_numpy()
            entry["confirmed_errors"] = {"n": len(errors), "chosen": found(test_score, errors)}
            print(
                f"  confirmed errors in top 50 / 100: {entry['confirmed_errors']['chosen']['top50']} / "
                f"{entry['confirmed_errors']['chosen']['top100']} of {len(errors)}"
            )
            if args.compare:
                entry["confirmed_errors"].update(compare(train, train_y, test, test_y, errors))
                for method, figures in entry["confirmed_errors"].items():
                    if isinstance(figures, dict):
                        print(f"    {method}: top 50 {figures['top50']}, top 100 {figures['top100']}")
        print("  twins:", entry["images_with_twin"], "exact pairs:", entry["exact_duplicate_pairs"])
        print("  odd images:", entry["odd_images"])
        report[name] = entry
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)  # whole run, data included
    print(f"peak memory: {report['peak_rss_mb']} MB")
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
