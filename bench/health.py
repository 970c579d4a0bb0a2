"""Dataset health on MNIST and Fashion-MNIST (train + test): time per part, the label-issue
ranking measured against the published human review, and the duplicate counts.

    python bench/health.py [--shared ../shared] [--compare [--seeds 10]] [--json health.json]

--compare also trains the network with --seeds seeds (the confirmed-error count moves by one or
two with the seed alone, so one seed's count says little) and scores the MNIST test split by a
distance-weighted vote of its 10 nearest training images on raw pixels (slow).
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
from mnist_report.analysis.sampling import evenly_spaced

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


def compare(train, train_y, test, test_y, errors, splits, components, seeds: int) -> dict:
    """The MNIST test split's recall of confirmed errors over `seeds` seeds of the network, and by a
    distance-weighted vote of the 10 nearest training images (raw pixels)."""
    recalls = []
    for seed in range(seeds):
        labels.SEED = seed
        table = labels.label_issues(splits, 10, components).table
        recalls.append(found(table.filter(table["split"] == "test").sort("instance_row")["margin"].to_numpy(), errors))
    labels.SEED = 0
    near = nearest(test, train, 10)
    weight = 1 / (near.distance + 1e-9)
    knn = 1 - (weight * (train_y[near.index] == test_y[:, None])).sum(axis=1) / weight.sum(axis=1)
    top50, top100 = [r["top50"] for r in recalls], [r["top100"] for r in recalls]
    return {
        "seeds": {
            "top50": top50,
            "top100": top100,
            "mean_top50": float(np.mean(top50)),
            "mean_top100": float(np.mean(top100)),
        },
        "knn10_weighted_vote": found(knn, errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--compare", action="store_true")
    parser.add_argument(
        "--seeds", type=int, default=10, help="with --compare: seeds of the network to measure the recall over"
    )
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
        components = timed(seconds, "pca", pca.fit, train[evenly_spaced(len(train), pca.MAX_FIT)], pca.DIMS)
        issues = timed(seconds, "label_issues", labels.label_issues, splits, 10, components)
        dups = timed(seconds, "duplicates", duplicates.duplicates, splits, components)
        oddest = timed(seconds, "odd_images", odd.odd_images, splits, 10, (28, 28))
        seconds["total"] = round(sum(v for k, v in seconds.items() if not k.endswith("_cpu")), 2)
        seconds["total_cpu"] = round(sum(v for k, v in seconds.items() if k.endswith("_cpu")), 2)
        print(f"  total: {seconds['total']} s (cpu {seconds['total_cpu']} s)")
        entry = {
            "seconds": seconds,
            "method": issues.method,
            "duplicate_pairs": dups.n_pairs,
            "exact_duplicate_pairs": dups.n_exact,
            "images_with_twin": {
                f"{a}-{b} rms {rms:g}": dups.images_with_twin(a, b, rms)
                for a, b in (("train", "train"), ("test", "train"), ("test", "test"))
                for rms in (1, duplicates.NEAR_RMS)
            },
            "odd_images": {kind: int(oddest.counts[kind].sum()) for kind in ("faint", "heavy", "off_centre")},
        }
        if name == "mnist":
            errors = confirmed_errors(args.shared)
            test_score = issues.table.filter(issues.table["split"] == "test").sort("instance_row")["margin"].to_numpy()
            entry["confirmed_errors"] = {"n": len(errors), "chosen": found(test_score, errors)}
            print(
                f"  confirmed errors in top 50 / 100: {entry['confirmed_errors']['chosen']['top50']} / "
                f"{entry['confirmed_errors']['chosen']['top100']} of {len(errors)}"
            )
            if args.compare:
                entry["confirmed_errors"].update(
                    compare(train, train_y, test, test_y, errors, splits, components, args.seeds)
                )
                for method, figures in entry["confirmed_errors"].items():
                    if isinstance(figures, dict) and "mean_top100" in figures:
                        print(
                            f"    over {len(figures['top100'])} seeds: top 50 {figures['top50']} (mean {figures['mean_top50']:.1f}), "
                            f"top 100 {figures['top100']} (mean {figures['mean_top100']:.1f})"
                        )
                    elif isinstance(figures, dict) and "top50" in figures:
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
