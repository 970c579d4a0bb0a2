"""Load any input of the MNIST family into one `Dataset`: what a path is (a folder, a file of a
format told by its first bytes, nothing: the embedded sample), which split it holds, which reader
takes it, and which known dataset its file names say it is.

Every check on the input lives in this package; anything malformed raises `ReportError`
with one line naming the file and the problem.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..errors import ReportError
from . import idx, npyfile, pngfolder, shape
from .catalogue import KINDS, Kind, detect, recognise
from .classes import find_class_map, resolve
from .csvfile import load_csv
from .model import Dataset, Raw, Source, check_limit
from .shape import Size
from .storage import head

SAMPLE = Path(__file__).parent.parent / "data" / "mnist_sample.npz"
# Control characters that CSV text does not hold (tab, newline, form feed and carriage return it may):
# more than 1% of them in the first bytes means a binary file; fewer are reported cell by cell.
BINARY_BYTES = bytes(range(0x09)) + b"\x0b" + bytes(range(0x0E, 0x20))
LAYOUTS = (  # what a folder may hold, as the error for a folder of none of them lists it
    "train-images-idx3-ubyte[.gz] and t10k-* (IDX)",
    "emnist-<variant>-train-images-idx3-ubyte[.gz] (EMNIST)",
    "<name>-train-imgs.npz and -labels.npz (KMNIST, Kuzushiji-49)",
    "<class>.npy files (Quick, Draw!)",
    "<class>/*.png folders, or train/<class>/ and test/<class>/",
)


@dataclass(frozen=True)
class Reading:
    """What every reader is asked for: the options of `load`, the kind given (None: detect it)."""

    limit: int | None
    size: Size | None
    per_class: int | None
    kind: Kind | None

    def kind_of(self, name: str) -> Kind | None:
        """The kind given, else the one a standard file name says."""
        return self.kind or detect(name)


def load(
    data: Path | None = None,
    labels: Path | None = None,
    limit: int | None = None,
    test: Path | None = None,
    kind: Kind | None = None,
    classes: list[str] | None = None,
    size: Size | None = None,
    per_class: int | None = None,
) -> Dataset:
    """Read `data` (a file or a folder), or the embedded sample, and `test` beside it.

    A folder gives each split whose files it holds. A single file's split is what its name says,
    or unknown; with `test` named, `data` is the training data. `limit` applies to each split,
    `per_class` (folders of one file or folder per class) to each class. `kind` (a catalogue
    record), `classes` (names of your own) and `size` (height, width) are --kind, --classes, --size.
    """
    where = "the embedded sample" if data is None else data
    for flag, value in (("--limit", limit), ("--per-class", per_class)):
        if value is not None and value < 1:
            raise ReportError(f"{where}: {flag} {value}: the number of images must be at least 1")
    reading = Reading(limit, size, per_class, kind)
    if data is None:
        if labels is not None:
            raise ReportError(f"{labels}: --labels needs --data naming the images file")
        raws = [_sample(reading)]
    elif Path(data).is_dir():
        if labels is not None:
            raise ReportError(f"{labels}: --labels goes with an images file, not with the folder {data}")
        raws = _folder(Path(data), reading)
    else:
        path = Path(data)
        raws = [_file(path, labels and Path(labels), reading, "train" if test is not None else split_named(path))]
    if test is not None:  # beside a test split, a split that does not say which is the training split
        raws = [replace(raw, name=raw.name or "train") for raw in raws] + [_test(Path(test), data, raws, reading)]
    detected = kind or (None if data is None else detect(raws[0].sources[0].name) or _recognised(raws))
    folder = None if data is None else Path(data) if Path(data).is_dir() else Path(data).parent
    class_map = None if folder is None else find_class_map(folder, Path(data).name)
    chosen, splits = resolve(raws, detected, classes, class_map)
    return Dataset(tuple(splits), chosen)


def _recognised(raws) -> Kind | None:
    """A known dataset every split of the input begins as (by its labels), where the file names do not say."""
    found = {recognise(raw.name, raw.values) if raw.names is None else None for raw in raws}
    return found.pop() if len(found) == 1 else None


def load_sample() -> Dataset:
    """The first 500 training images of each digit, shipped with the package: part of the training split."""
    return load()


def _sample(reading: Reading) -> Raw:
    with np.load(SAMPLE) as z:
        images, labels, instances = z["images"], z["labels"], z["instances"]
    data = SAMPLE.read_bytes()
    source = Source(
        "mnist_sample.npz (embedded)", "NumPy archive, embedded sample", hashlib.sha256(data).hexdigest(), len(data)
    )
    shape.agree("the embedded sample", images.shape[1:], reading.size)
    rows = check_limit(reading.limit, len(labels), "the embedded sample")
    return Raw("train", images[:rows], labels[:rows], instances[:rows], (source,), "the embedded sample")


def split_named(path: Path) -> str:
    """The split a file's name says it holds ("t10k-images…", "mnist_test.csv", "train.csv"), or "" when it says neither."""
    name = path.name.lower()
    test = re.search(r"(?<![a-z])(t10k|test|testing)(?![a-z])", name)
    train = re.search(r"(?<![a-z])(train|training)(?![a-z])", name)
    return "test" if test and not train else "train" if train and not test else ""


def _file(path: Path, labels: Path | None, reading: Reading, split: str) -> Raw:
    """One file, told by its first bytes: IDX images (with their labels), .npy, .npz, or CSV."""
    start = head(path)
    if idx.is_idx(start):
        kind = reading.kind_of(path.name)
        return idx.load_idx(path, labels, reading.limit, split, reading.size, kind is not None and kind.transposed)
    if start.startswith(npyfile.ZIP_MAGIC):
        return npyfile.load_npz(path, labels, reading.limit, split, reading.size)
    if labels is not None:
        what = "an .npy file is one class" if start.startswith(npyfile.NPY_MAGIC) else "a CSV file carries its labels"
        raise ReportError(f"{path}: {what}; --labels is for IDX and .npz images")
    if start.startswith(npyfile.NPY_MAGIC):
        return npyfile.load_npy([path], path, reading.limit, reading.per_class, reading.size, split)
    if start.startswith(pngfolder.PNG_MAGIC):
        raise ReportError(f"{path}: one PNG image; give the folder of class folders that holds it")
    if len(start) - len(start.translate(None, BINARY_BYTES)) > len(start) // 100:
        hint = "; UTF-16 text? save it as UTF-8" if start[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        raise ReportError(
            f"{path}: binary data, neither CSV text nor IDX (magic number 0x{start[:4].hex()}, expected 0x00000803 for IDX images{hint}), nor a NumPy file"
        )
    if reading.per_class is not None:
        raise ReportError(f"{path}: --per-class is for folders of one .npy file or PNG folder per class")
    return load_csv(path, reading.limit, split, reading.size)


def _layout(folder: Path) -> str | None:
    """Which of LAYOUTS the folder holds, the first in that order: idx, emnist, npz, npy or png."""
    if idx.has_idx(folder):
        return "idx"
    if idx.emnist_prefixes(folder):
        return "emnist"
    if npyfile.npz_prefixes(folder):
        return "npz"
    if any(p.is_file() for p in folder.glob("*.npy")):
        return "npy"
    if any(pngfolder.holds_classes(f) for f in (folder, *(folder / s for s in pngfolder.SPLITS))):
        return "png"
    return None


def _folder(folder: Path, reading: Reading) -> list[Raw]:
    """The splits of the layout the folder holds."""
    limit, size, layout = reading.limit, reading.size, _layout(folder)
    if layout in ("idx", "emnist", "npz") and reading.per_class is not None:
        raise ReportError(f"{folder}: --per-class is for folders of one .npy file or PNG folder per class")
    if layout == "idx":
        return idx.load_folder(folder, limit, size, transposed=reading.kind is not None and reading.kind.transposed)
    if layout == "emnist":
        prefix = _one_of(folder, idx.emnist_prefixes(folder), reading.kind, "EMNIST variants")
        return idx.load_folder(folder, limit, size, prefix, transposed=reading.kind_of(prefix).transposed)
    if layout == "npz":
        prefix = _one_of(folder, npyfile.npz_prefixes(folder), reading.kind, ".npz sets")
        return npyfile.load_npz_folder(folder, prefix, limit, size)
    if layout == "npy":
        files = sorted(p for p in folder.glob("*.npy") if p.is_file())
        return [npyfile.load_npy(files, folder, limit, reading.per_class, size)]
    if layout == "png" or (pngfolder.class_folders(folder) and not any(p.is_file() for p in folder.iterdir())):
        return pngfolder.load_png_folder(folder, limit, reading.per_class, size)  # class folders all empty: it says so
    raise ReportError(f"{folder}: none of the known layouts in this folder (looked for {'; '.join(LAYOUTS)})")


def _one_of(folder: Path, prefixes: list[str], kind: Kind | None, what: str) -> str:
    """The set of files to read where a folder holds several (EMNIST's six variants): the kind's, or the only one."""
    if kind is not None and kind.prefix in prefixes:
        return kind.prefix
    if len(prefixes) == 1:
        return prefixes[0]
    keys = [k for k, record in KINDS.items() if record.prefix in prefixes]
    raise ReportError(
        f"{folder}: holds {len(prefixes)} {what} ({', '.join(p.rstrip('-') for p in prefixes)}); choose one with --kind ({', '.join(keys) or 'a file of one as --data'})"
    )


def _test(test: Path, data: Path | None, raws: list[Raw], reading: Reading) -> Raw:
    """The --test split: a file, or the test split of a folder (a folder of one split is the test split)."""
    if any(raw.name == "test" for raw in raws):
        raise ReportError(f"{test}: --test names a test split, but the folder {data} holds its own (t10k-*)")
    if not test.is_dir():
        return _file(test, None, reading, "test")
    if _layout(test) in (None, "idx"):  # MNIST's standard names, or what is missing of them
        transposed = reading.kind is not None and reading.kind.transposed
        return idx.load_idx(*idx.find_idx_pair(test, "test"), reading.limit, "test", reading.size, transposed)
    found = _folder(test, reading)
    chosen = next((raw for raw in found if raw.name == "test"), found[0] if len(found) == 1 else None)
    if chosen is None:
        raise ReportError(f"{test}: --test names a folder without a test split of its own")
    return replace(chosen, name="test")
