"""Load any MNIST-format input into one `Dataset`: what a path is (a folder, a CSV or IDX file,
nothing: the embedded sample), which split it holds, and which reader takes it.

Every check on the input lives in this package; anything malformed raises `ReportError`
with one line naming the file and the problem.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np

from ..errors import ReportError
from .csvfile import load_csv
from .idx import find_idx_pair, is_idx, load_folder, load_idx
from .model import Dataset, Source, Split, check_limit
from .storage import head

SAMPLE = Path(__file__).parent.parent / "data" / "mnist_sample.npz"
# Control characters that CSV text does not hold (tab, newline, form feed and carriage return it may):
# more than 1% of them in the first bytes means a binary file; fewer are reported cell by cell.
BINARY_BYTES = bytes(range(0x09)) + b"\x0b" + bytes(range(0x0E, 0x20))


def load(
    data: Path | None = None, labels: Path | None = None, limit: int | None = None, test: Path | None = None
) -> Dataset:
    """Read `data` (a CSV file, an IDX images file or a folder), or the embedded sample, and `test` beside it.

    A folder gives each split whose standard files it holds. A single file's split is what
    its name says, or unknown; with `test` named, `data` is the training data. `limit`
    applies to each split.
    """
    if limit is not None and limit < 1:
        where = "the embedded sample" if data is None else data
        raise ReportError(f"{where}: --limit {limit}: the number of images must be at least 1")
    if data is None:
        if labels is not None:
            raise ReportError(f"{labels}: --labels needs --data naming the images file")
        sample = load_sample().main
        splits = [sample.limited(check_limit(limit, len(sample), "the embedded sample"))]
    elif Path(data).is_dir():
        if labels is not None:
            raise ReportError(f"{labels}: --labels goes with an IDX images file, not with the folder {data}")
        splits = load_folder(Path(data), limit)
    else:
        splits = [
            _load_file(
                Path(data), labels and Path(labels), limit, "train" if test is not None else split_named(Path(data))
            )
        ]
    if test is not None:
        test = Path(test)
        if any(s.name == "test" for s in splits):
            raise ReportError(f"{test}: --test names a test split, but the folder {data} holds its own (t10k-*)")
        if test.is_dir():
            splits.append(load_idx(*find_idx_pair(test, "test"), limit, "test"))
        else:
            splits.append(_load_file(test, None, limit, "test"))
    return Dataset(tuple(splits))


def load_sample() -> Dataset:
    """The first 500 training images of each digit, shipped with the package: part of the training split."""
    with np.load(SAMPLE) as z:
        images, labels, instances = z["images"], z["labels"], z["instances"]
    data = SAMPLE.read_bytes()
    source = Source(
        "mnist_sample.npz (embedded)", "NumPy archive, embedded sample", hashlib.sha256(data).hexdigest(), len(data)
    )
    return Dataset((Split("train", images, labels, instances, (source,)),))


def split_named(path: Path) -> str:
    """The split a file's name says it holds ("t10k-images…", "mnist_test.csv", "train.csv"), or "" when it says neither."""
    name = path.name.lower()
    test = re.search(r"(?<![a-z])(t10k|test|testing)(?![a-z])", name)
    train = re.search(r"(?<![a-z])(train|training)(?![a-z])", name)
    return "test" if test and not train else "train" if train and not test else ""


def _load_file(path: Path, labels: Path | None, limit: int | None, split: str) -> Split:
    """One CSV file, or one IDX images file with its labels."""
    start = head(path)
    if is_idx(start):
        return load_idx(path, labels, limit, split)
    if len(start) - len(start.translate(None, BINARY_BYTES)) > len(start) // 100:
        hint = "; UTF-16 text? save it as UTF-8" if start[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        raise ReportError(
            f"{path}: binary data, neither CSV text nor IDX (magic number 0x{start[:4].hex()}, expected 0x00000803 for IDX images{hint})"
        )
    if labels is not None:
        raise ReportError(f"{path}: a CSV file carries its labels; --labels is only for IDX images")
    return load_csv(path, limit, split)
