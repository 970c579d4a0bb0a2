"""Load any MNIST-format input into one `Dataset`; every check on the input lives here.

Formats: CSV without header (label, then 784 pixels), CSV with a header
(``label,pixel0,...,pixel783``), plain or gzip; IDX image and label files, plain
or gzip, named directly or found in a folder; and the sample embedded in the
package. Anything else, or anything malformed, raises `ReportError` with one line
naming the file and the problem.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import polars as pl

from .errors import ReportError

SIDE = 28
PIXELS = SIDE * SIDE
DIGITS = tuple(str(d) for d in range(10))
SAMPLE = Path(__file__).parent / "data" / "mnist_sample.npz"
GZIP_MAGIC = b"\x1f\x8b"
IDX_UBYTE = 0x08


@dataclass(frozen=True)
class Source:
    """One input file, as the overview page credits it."""

    name: str  # file name shown in the report (no local folders)
    format: str
    sha256: str
    size: int  # bytes


@dataclass(frozen=True, eq=False)
class Dataset:
    """Images with their labels, 1-based instance numbers and where they came from.

    `images` is uint8[N, 28, 28] (0 = background, 255 = full ink), `labels` uint8[N]
    indexes `class_names`, `instances` int64[N] is each image's row in its input.
    The arrays are read-only so the analysis can share them without copying.
    """

    images: np.ndarray
    labels: np.ndarray
    instances: np.ndarray
    sources: tuple[Source, ...]
    name: str = "MNIST"
    split: str = "train"
    class_names: tuple[str, ...] = DIGITS
    # What one class is called in prose ("digit"; "class" for Fashion-MNIST).
    class_noun: tuple[str, str] = ("digit", "digits")

    def __post_init__(self) -> None:
        for array in (self.images, self.labels, self.instances):
            array.setflags(write=False)

    def __len__(self) -> int:
        return len(self.labels)


def load(data: Path | None = None, labels: Path | None = None, limit: int | None = None) -> Dataset:
    """Read `data` (a CSV file, an IDX images file or a folder), or the embedded sample."""
    if limit is not None and limit < 1:
        raise ReportError(f"--limit {limit}: the number of images must be at least 1")
    if data is None:
        if labels is not None:
            raise ReportError(f"{labels}: --labels needs --data naming the images file")
        return _limited(load_sample(), limit, "the embedded sample")
    data = Path(data)
    if data.is_dir():
        images_path, labels_path = find_idx_pair(data, "train")
        return _load_idx(images_path, labels_path, limit)
    head = _head(data)
    if head[:2] == b"\0\0":
        return _load_idx(data, Path(labels) if labels else _labels_beside(data), limit)
    if labels is not None:
        raise ReportError(f"{data}: a CSV file carries its labels; --labels is only for IDX images")
    return _load_csv(data, limit)


def load_sample() -> Dataset:
    """The first 500 training images of each digit, shipped with the package."""
    with np.load(SAMPLE) as z:
        images, labels, instances = z["images"], z["labels"], z["instances"]
    data = SAMPLE.read_bytes()
    source = Source("mnist_sample.npz (embedded)", "NumPy archive, embedded sample", hashlib.sha256(data).hexdigest(), len(data))
    return Dataset(images, labels, instances, (source,))


# --- IDX -------------------------------------------------------------------

IDX_NAMES = {
    # split: (images, labels) as distributed, and as some mirrors rename them
    "train": (("train-images-idx3-ubyte", "train-images.idx3-ubyte"), ("train-labels-idx1-ubyte", "train-labels.idx1-ubyte")),
    "test": (("t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"), ("t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte")),
}


def find_idx_pair(folder: Path, split: str) -> tuple[Path, Path]:
    """The images and labels files of `split` in `folder`, plain or .gz."""
    found = []
    for names in IDX_NAMES[split]:
        candidates = [folder / (n + ext) for n in names for ext in ("", ".gz")]
        hit = next((p for p in candidates if p.is_file()), None)
        if hit is None:
            raise ReportError(f"{folder}: no {names[0]}[.gz] in this folder (expected the standard MNIST file names)")
        found.append(hit)
    return found[0], found[1]


def _labels_beside(images: Path) -> Path:
    name = images.name
    for stem in ("images-idx3", "images.idx3"):
        if stem in name:
            guess = images.with_name(name.replace(stem, stem.replace("images", "labels").replace("idx3", "idx1")))
            for candidate in (guess, guess.with_name(guess.name + ".gz"), guess.with_name(guess.name.removesuffix(".gz"))):
                if candidate.is_file():
                    return candidate
            raise ReportError(f"{images}: no labels file {guess.name} beside it; name one with --labels")
    raise ReportError(f"{images}: cannot tell the labels file's name from this one; name it with --labels")


def _load_idx(images_path: Path, labels_path: Path, limit: int | None) -> Dataset:
    images, image_source = read_idx(images_path, ndim=3)
    labels, label_source = read_idx(labels_path, ndim=1)
    if images.shape[1:] != (SIDE, SIDE):
        raise ReportError(f"{images_path}: images are {images.shape[1]}x{images.shape[2]} pixels, expected {SIDE}x{SIDE}")
    if len(images) != len(labels):
        raise ReportError(f"{labels_path}: {len(labels):,} labels for {len(images):,} images in {images_path.name}")
    _check_labels(labels_path, labels, DIGITS)
    dataset = Dataset(images, labels, np.arange(1, len(labels) + 1, dtype=np.int64), (image_source, label_source))
    return _limited(dataset, limit, str(images_path))


def read_idx(path: Path, ndim: int) -> tuple[np.ndarray, Source]:
    """An IDX array of unsigned bytes with `ndim` dimensions, checked against the file's length."""
    raw, source = _read(path, "IDX " + ("images" if ndim == 3 else "labels"))
    if len(raw) < 4 or raw[:2] != b"\0\0":
        raise ReportError(f"{path}: not an IDX file (bad magic number)")
    if raw[2] != IDX_UBYTE:
        raise ReportError(f"{path}: IDX data type 0x{raw[2]:02x}, expected 0x08 (unsigned bytes)")
    if raw[3] != ndim:
        kind = "images" if ndim == 3 else "labels"
        raise ReportError(f"{path}: IDX file with {raw[3]} dimensions, expected {ndim} for {kind}")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ReportError(f"{path}: truncated IDX header")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(shape))
    if len(raw) != expected:
        problem = "truncated" if len(raw) < expected else "has trailing bytes"
        raise ReportError(f"{path}: {problem}: {len(raw):,} bytes, the header announces {expected:,}")
    return np.frombuffer(raw, np.uint8, offset=header).reshape(shape), source


# --- CSV -------------------------------------------------------------------

HEADER = ["label"] + [f"pixel{i}" for i in range(PIXELS)]


def _load_csv(path: Path, limit: int | None) -> Dataset:
    raw, source = _read(path, "CSV")
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    first_line = raw.split(b"\n", 1)[0].strip()
    if not first_line:
        raise ReportError(f"{path}: empty file, expected one image per row")
    has_header = not first_line.split(b",", 1)[0].strip().isdigit()
    if has_header:
        names = [c.strip().decode(errors="replace") for c in first_line.split(b",")]
        if names != HEADER:
            raise ReportError(f"{path}: header should be label,pixel0,...,pixel783; found {len(names)} columns starting {','.join(names[:3])}")
    try:
        frame = pl.read_csv(
            io.BytesIO(raw),
            has_header=has_header,
            new_columns=HEADER,
            schema_overrides=[pl.Int32] * len(HEADER),
            n_rows=limit,
            raise_if_empty=False,
        )
    except (pl.exceptions.PolarsError, ValueError):
        frame = None
    if frame is None or frame.width != len(HEADER) or frame.null_count().sum_horizontal().item():
        # The fast parser does not say where the problem is: find it ourselves.
        _diagnose_csv(path, raw, has_header, limit)
        raise ReportError(f"{path}: not a CSV of one label and {PIXELS} pixels per row")
    if frame.height == 0:
        raise ReportError(f"{path}: header only, no images")
    values = frame.to_numpy()
    bad = np.argwhere((values[:, 1:] < 0) | (values[:, 1:] > 255))
    if len(bad):
        row, col = bad[0]
        raise ReportError(f"{path}: row {_line(row, has_header)}, column {col + 2}: pixel value {values[row, col + 1]} outside 0-255")
    labels = values[:, 0]
    _check_labels(path, labels, DIGITS, first_line=1 + has_header)
    source = replace(source, format=source.format.replace("CSV", "CSV with header" if has_header else "CSV without header"))
    images = values[:, 1:].astype(np.uint8).reshape(-1, SIDE, SIDE)
    dataset = Dataset(images, labels.astype(np.uint8), np.arange(1, len(labels) + 1, dtype=np.int64), (source,))
    return _limited(dataset, limit, str(path))


def _diagnose_csv(path: Path, raw: bytes, has_header: bool, limit: int | None) -> None:
    """Raise a ReportError naming the first malformed row and column, if there is one."""
    lines = raw.decode("utf-8", errors="replace").splitlines()
    start = 1 if has_header else 0
    stop = len(lines) if limit is None else start + limit
    for number, line in enumerate(lines[start:stop], start=start + 1):
        if not line.strip() and number == len(lines):
            continue
        fields = line.split(",")
        if len(fields) != len(HEADER):
            raise ReportError(f"{path}: row {number} has {len(fields)} fields, expected {len(HEADER)} (a label and {PIXELS} pixels)")
        for column, cell in enumerate(fields, start=1):
            text = cell.strip()
            if not text.lstrip("-").isdigit():
                what = "empty cell" if not text else f"{text[:20]!r} is not a whole number"
                raise ReportError(f"{path}: row {number}, column {column}: {what}")


def _line(row: int, has_header: bool) -> int:
    return row + 1 + has_header


# --- shared checks and helpers ----------------------------------------------


def _check_labels(path: Path, labels: np.ndarray, class_names: tuple[str, ...], first_line: int = 1) -> None:
    bad = np.flatnonzero((labels < 0) | (labels >= len(class_names)))
    if len(bad):
        raise ReportError(f"{path}: row {bad[0] + first_line}: label {labels[bad[0]]} outside 0-{len(class_names) - 1}")


def _limited(dataset: Dataset, limit: int | None, where: str) -> Dataset:
    if limit is None:
        return dataset
    if limit > len(dataset):
        raise ReportError(f"{where}: --limit {limit:,} asks for more images than the {len(dataset):,} it holds")
    return Dataset(
        dataset.images[:limit], dataset.labels[:limit], dataset.instances[:limit], dataset.sources,
        dataset.name, dataset.split, dataset.class_names, dataset.class_noun,
    )


def _head(path: Path) -> bytes:
    """The first bytes of the (decompressed) file, to tell IDX from CSV."""
    try:
        with path.open("rb") as f:
            start = f.read(4)
            if start[:2] != GZIP_MAGIC:
                return start
        with gzip.open(path) as g:
            return g.read(4)
    except FileNotFoundError:
        raise ReportError(f"{path}: no such file or folder") from None
    except (OSError, EOFError, zlib.error) as e:
        raise ReportError(f"{path}: cannot read: {_reason(e)}") from None


def _read(path: Path, fmt: str) -> tuple[bytes, Source]:
    """The file's decompressed bytes, and its credit line (hashed as stored)."""
    try:
        data = path.read_bytes()
        compressed = data[:2] == GZIP_MAGIC
        source = Source(path.name, fmt + (", gzip" if compressed else ""), hashlib.sha256(data).hexdigest(), len(data))
        return (gzip.decompress(data) if compressed else data), source
    except FileNotFoundError:
        raise ReportError(f"{path}: no such file") from None
    except EOFError:
        raise ReportError(f"{path}: truncated gzip file") from None
    except (OSError, zlib.error) as e:
        raise ReportError(f"{path}: cannot read: {_reason(e)}") from None


def _reason(e: BaseException) -> str:
    return getattr(e, "strerror", None) or str(e) or type(e).__name__
