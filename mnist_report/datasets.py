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
import math
import re
import zlib
from contextlib import contextmanager
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
HEAD = 4096  # bytes sniffed to tell IDX from CSV text from anything else
# Control characters that CSV text does not hold (tab, newline, form feed and carriage return it may):
# more than 1% of them in the first bytes means a binary file; fewer are reported cell by cell.
BINARY_BYTES = bytes(range(0x09)) + b"\x0b" + bytes(range(0x0e, 0x20))


@dataclass(frozen=True)
class Source:
    """One input file, as the overview page credits it."""

    name: str  # file name shown in the report (no local folders)
    format: str
    sha256: str
    size: int  # bytes


@dataclass(frozen=True)
class Kind:
    """What a dataset's classes are: their names, what one is called in prose, whom to credit.

    Everything in the report that would otherwise say "digit" or "MNIST" reads it from here,
    so Fashion-MNIST reads as garments, not digits.
    """

    name: str
    class_names: tuple[str, ...]
    noun: tuple[str, str]  # singular, plural
    credit: str


MNIST = Kind("MNIST", DIGITS, ("digit", "digits"),
             "MNIST is by Yann LeCun, Corinna Cortes and Christopher J. C. Burges (CC BY-SA 3.0).")
KINDS = {
    "mnist": MNIST,
    "fashion-mnist": Kind(
        "Fashion-MNIST",
        ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
        ("article", "articles"),
        "Fashion-MNIST is by Han Xiao, Kashif Rasul and Roland Vollgraf, Zalando Research (MIT licence).",
    ),
    "kmnist": Kind(
        # One hiragana per row of the syllabary: お き す つ な は ま や れ を.
        "Kuzushiji-MNIST", ("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"), ("character", "characters"),
        "Kuzushiji-MNIST is by Tarin Clanuwat et al., ROIS-DS Center for Open Data in the Humanities (CC BY-SA 4.0).",
    ),
}


def custom_kind(class_names: list[str], name: str = "an MNIST-format dataset") -> Kind:
    """Kind for user-supplied class names (--classes): ten names, none empty."""
    names = tuple(n.strip() for n in class_names)
    if len(names) != len(DIGITS) or not all(names):
        raise ReportError(f"--classes: {len(names)} names given, expected {len(DIGITS)} non-empty names separated by commas")
    return Kind(name, names, ("class", "classes"), "")


CHUNK = 4096  # images per chunk: a few float64 temporaries of 4096 x 784, about 25 MB each


@dataclass(frozen=True, eq=False)
class Split:
    """One split's images with their labels, 1-based instance numbers and where they came from.

    `images` is uint8[N, 28, 28] (0 = background, 255 = full ink), `labels` uint8[N]
    indexes the class names, `instances` int64[N] is each image's row in its input.
    The arrays are read-only so the analysis can share them without copying.
    """

    name: str  # "train", "test", or "" when nothing says which
    images: np.ndarray
    labels: np.ndarray
    instances: np.ndarray
    sources: tuple[Source, ...]

    def __post_init__(self) -> None:
        for array in (self.images, self.labels, self.instances):
            array.setflags(write=False)

    def __len__(self) -> int:
        return len(self.labels)

    def chunks(self, size: int | None = None):
        """(offset, uint8 images [k, 784], labels) a bounded slice at a time, in file order."""
        size = size or CHUNK
        flat = self.images.reshape(len(self), PIXELS)
        for start in range(0, len(self), size):
            yield start, flat[start:start + size], self.labels[start:start + size]

    def take(self, rows: np.ndarray) -> np.ndarray:
        """uint8[k, 28, 28]: the images at these 0-based rows."""
        return self.images[np.asarray(rows, dtype=np.int64)]


@dataclass(frozen=True, eq=False)
class Dataset:
    """A dataset's splits (training before test) and what its classes are."""

    splits: tuple[Split, ...]
    kind: Kind = MNIST

    def _named(self, name: str) -> Split | None:
        return next((s for s in self.splits if s.name == name), None)

    @property
    def train(self) -> Split | None:
        return self._named("train")

    @property
    def test(self) -> Split | None:
        return self._named("test")

    @property
    def main(self) -> Split:
        """The split the six exploring pages describe: training if there is one, else the first."""
        return self.train or self.splits[0]

    # The exploring pages read the main split through these.
    images = property(lambda self: self.main.images)
    labels = property(lambda self: self.main.labels)
    instances = property(lambda self: self.main.instances)
    sources = property(lambda self: self.main.sources)
    split = property(lambda self: self.main.name)

    @property
    def name(self) -> str:
        return self.kind.name

    @property
    def class_names(self) -> tuple[str, ...]:
        return self.kind.class_names

    @property
    def class_noun(self) -> tuple[str, str]:
        return self.kind.noun

    def with_kind(self, kind: Kind) -> "Dataset":
        return replace(self, kind=kind)

    def __len__(self) -> int:
        return len(self.main)


def load(data: Path | None = None, labels: Path | None = None, limit: int | None = None) -> Dataset:
    """Read `data` (a CSV file, an IDX images file or a folder), or the embedded sample."""
    if limit is not None and limit < 1:
        where = "the embedded sample" if data is None else data
        raise ReportError(f"{where}: --limit {limit}: the number of images must be at least 1")
    if data is None:
        if labels is not None:
            raise ReportError(f"{labels}: --labels needs --data naming the images file")
        return _limited(load_sample(), limit, "the embedded sample")
    data = Path(data)
    if data.is_dir():
        if labels is not None:
            raise ReportError(f"{labels}: --labels goes with an IDX images file, not with the folder {data}")
        images_path, labels_path = find_idx_pair(data, "train")
        return _load_idx(images_path, labels_path, limit)
    head = _head(data)
    if _idx_like(head):
        return _load_idx(data, Path(labels) if labels else None, limit)
    if len(head) - len(head.translate(None, BINARY_BYTES)) > len(head) // 100:
        hint = "; UTF-16 text? save it as UTF-8" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        raise ReportError(
            f"{data}: binary data, neither CSV text nor IDX (magic number 0x{head[:4].hex()}, expected 0x00000803 for IDX images{hint})"
        )
    if labels is not None:
        raise ReportError(f"{data}: a CSV file carries its labels; --labels is only for IDX images")
    return _load_csv(data, limit)


def load_sample() -> Dataset:
    """The first 500 training images of each digit, shipped with the package."""
    with np.load(SAMPLE) as z:
        images, labels, instances = z["images"], z["labels"], z["instances"]
    data = SAMPLE.read_bytes()
    source = Source("mnist_sample.npz (embedded)", "NumPy archive, embedded sample", hashlib.sha256(data).hexdigest(), len(data))
    return Dataset((Split("train", images, labels, instances, (source,)),))


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


def _load_idx(images_path: Path, labels_path: Path | None, limit: int | None) -> Dataset:
    """IDX images and their labels (by default the labels file beside the images)."""
    images, image_source = read_idx(images_path, ndim=3)
    if images.shape[1:] != (SIDE, SIDE):
        raise ReportError(f"{images_path}: images are {images.shape[1]}x{images.shape[2]} pixels, expected {SIDE}x{SIDE}")
    if len(images) == 0:
        raise ReportError(f"{images_path}: no images (the IDX header announces 0)")
    labels_path = labels_path or _labels_beside(images_path)
    labels, label_source = read_idx(labels_path, ndim=1)
    if len(images) != len(labels):
        raise ReportError(f"{labels_path}: {len(labels):,} labels for {len(images):,} images in {images_path.name}")
    _check_labels(labels_path, labels, DIGITS)
    dataset = Dataset((Split("train", images, labels, np.arange(1, len(labels) + 1, dtype=np.int64), (image_source, label_source)),))
    return _limited(dataset, limit, str(images_path))


def _idx_like(start: bytes) -> bool:
    """Whether the file starts as an IDX file does, with two zero bytes (too short to tell counts: it is truncated)."""
    return b"\0\0".startswith(start[:2])


def read_idx(path: Path, ndim: int) -> tuple[np.ndarray, Source]:
    """An IDX array of unsigned bytes with `ndim` dimensions, checked against the file's length."""
    kind = "images" if ndim == 3 else "labels"
    raw, source = _read(path, f"IDX {kind}")
    if not _idx_like(raw):
        raise ReportError(f"{path}: not an IDX {kind} file (magic number 0x{raw[:4].hex()}, expected 0x{IDX_UBYTE << 8 | ndim:08x})")
    if len(raw) >= 4 and raw[2] != IDX_UBYTE:
        raise ReportError(f"{path}: IDX data type 0x{raw[2]:02x} in the magic number, expected 0x08 (unsigned bytes)")
    if len(raw) >= 4 and raw[3] != ndim:
        raise ReportError(f"{path}: IDX file with {raw[3]} dimensions, expected {ndim} for {kind}")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ReportError(f"{path}: truncated IDX header: the file holds {len(raw)} of its {header} bytes")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = header + math.prod(shape)
    if len(raw) != expected:
        problem = "truncated" if len(raw) < expected else "trailing bytes"
        dims = "x".join(f"{n:,}" for n in shape)
        raise ReportError(f"{path}: {problem}: {len(raw):,} bytes, the header announces {dims} values in {expected:,}")
    return np.frombuffer(raw, np.uint8, offset=header).reshape(shape), source


# --- CSV -------------------------------------------------------------------

HEADER = ["label"] + [f"pixel{i}" for i in range(PIXELS)]
# The other widely shared CSV form names pixels by 1-based row and column: label,1x1,1x2,...,28x28.
HEADER_ROW_COL = ["label"] + [f"{r}x{c}" for r in range(1, SIDE + 1) for c in range(1, SIDE + 1)]
# A whole number as the fast parser reads one: optional sign, after blanks or inside quotes.
WHOLE = re.compile(rb"([+-]?)([0-9]+)")
# A row that is certainly good (a digit, then 784 values 0-255): the diagnosis skips these quickly.
GOOD_ROW = re.compile(rb"[0-9](?:,(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){%d}" % PIXELS)


def _load_csv(path: Path, limit: int | None) -> Dataset:
    raw, source = _read(path, "CSV")
    raw = _without_blank_lines_at_end(raw.removeprefix(b"\xef\xbb\xbf"))
    if not raw or raw.isspace():
        raise ReportError(f"{path}: empty file, expected one image per row")
    end = raw.find(b"\n")
    cells = raw[: end if end >= 0 else len(raw)].rstrip(b"\r").split(b",")
    has_header = cells[0].strip(b' \t"')[:1].isalpha()  # a name, not a label (even a bad one such as -1)
    if has_header:
        names = [c.strip(b' \t"').decode(errors="replace") for c in cells]
        expected_names = HEADER_ROW_COL if names[1:2] == ["1x1"] else HEADER
        column = next((i for i, (name, expected) in enumerate(zip(names, expected_names)) if name != expected), None)
        header = f"label,pixel0,...,pixel{PIXELS - 1}"
        if column is not None:
            raise ReportError(f"{path}: row 1, column {column + 1}: header name {names[column][:20]!r}, expected {expected_names[column]!r} ({header})")
        if len(names) != len(HEADER):
            raise ReportError(f"{path}: row 1: header of {len(names)} names, expected {len(HEADER)} ({header})")
    if limit is not None:  # keep only the rows asked for: the fast parser would read on and fail on later rows
        end = -1
        for _ in range(limit + has_header):
            end = raw.find(b"\n", end + 1)
            if end < 0:
                break
        else:
            raw = raw[: end + 1]
    try:
        # Pixels and labels are read straight into bytes: a value outside 0-255 fails the parse.
        frame = pl.read_csv(
            io.BytesIO(raw),
            has_header=has_header,
            new_columns=HEADER,
            schema_overrides=[pl.UInt8] * len(HEADER),
            raise_if_empty=False,
        )
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException, ValueError):
        frame = None
    if frame is not None and frame.height == 0:
        raise ReportError(f"{path}: header only, no images")
    if frame is None or frame.width != len(HEADER) or frame.null_count().sum_horizontal().item() or frame["label"].max() >= len(DIGITS):
        # The fast parser does not say where the problem is: find it ourselves.
        _diagnose_csv(path, raw, has_header)
        raise ReportError(f"{path}: not a CSV of one label and {PIXELS} pixels per row")
    del raw  # the text is no longer needed: free it before the pixels are copied out
    source = replace(source, format=source.format.replace("CSV", "CSV with header" if has_header else "CSV without header"))
    labels = frame["label"].to_numpy()
    # Row-major in one copy, so the analysis can take flat chunks of it without copying again.
    images = frame.drop("label").to_numpy(order="c").reshape(-1, SIDE, SIDE)
    del frame
    dataset = Dataset((Split("train", images, labels, np.arange(1, len(labels) + 1, dtype=np.int64), (source,)),))
    return _limited(dataset, limit, str(path))


def _without_blank_lines_at_end(raw: bytes) -> bytes:
    """`raw` cut after the newline that ends its last non-blank line: blank lines would read as empty rows."""
    tail = raw[-HEAD:]  # look at the end only: copying the whole file would cost more than parsing a tenth of it
    text_end = len(raw) - len(tail) + len(tail.rstrip()) if tail.strip() else len(raw.rstrip())
    cut = raw.find(b"\n", text_end)
    return raw[: cut + 1] if 0 <= cut < len(raw) - 1 else raw


def _diagnose_csv(path: Path, raw: bytes, has_header: bool) -> None:
    """Raise a ReportError naming the first malformed row and column, if there is one.

    This is where every check of a CSV row and cell is worded; it runs only when the
    fast parser has found that something is wrong.
    """
    lines = raw.split(b"\n")
    for number, line in enumerate(lines[has_header:], start=1 + has_header):
        line = line.removesuffix(b"\r")
        if GOOD_ROW.fullmatch(line):
            continue
        if not line.strip():
            if number == len(lines):
                continue  # after the last newline
            raise ReportError(f"{path}: row {number} is blank")
        fields = line.split(b",")
        if len(fields) != len(HEADER):
            count = f"{len(fields):,} field" + "s" * (len(fields) != 1)
            raise ReportError(f"{path}: row {number} has {count}, expected {len(HEADER)} (a label and {PIXELS} pixels)")
        for column, cell in enumerate(fields, start=1):
            what, top = ("label", len(DIGITS) - 1) if column == 1 else ("pixel value", 255)
            whole = WHOLE.fullmatch(cell[1:-1] if cell[:1] == cell[-1:] == b'"' else cell.lstrip(b" \t"))
            if not cell.strip():
                problem = f"empty cell, expected a {what} 0-{top}"
            elif not whole:
                problem = f"{cell[:20].decode(errors='replace')!r} is not a whole number"
            elif whole[1] == b"-" or len(whole[2].lstrip(b"0")) > 3 or int(whole[2]) > top:
                problem = f"{what} {whole[0][:20].decode()} outside 0-{top}"
            else:
                continue
            raise ReportError(f"{path}: row {number}, column {column}: {problem}")


# --- shared checks and helpers ----------------------------------------------


def _check_labels(path: Path, labels: np.ndarray, class_names: tuple[str, ...]) -> None:
    bad = np.flatnonzero(labels >= len(class_names))
    if len(bad):
        raise ReportError(f"{path}: label {bad[0] + 1:,} is {labels[bad[0]]}, outside 0-{len(class_names) - 1}")


def _limited(dataset: Dataset, limit: int | None, where: str) -> Dataset:
    if limit is None:
        return dataset
    if limit > len(dataset):
        raise ReportError(f"{where}: --limit {limit:,} asks for more images than the {len(dataset):,} it holds")
    return replace(dataset, splits=tuple(replace(s, images=s.images[:limit], labels=s.labels[:limit], instances=s.instances[:limit]) for s in dataset.splits))


@contextmanager
def _reading(path: Path):
    """Turn the ways reading a file (and unzipping it) can fail into one-line ReportErrors."""
    try:
        yield
    except FileNotFoundError:
        raise ReportError(f"{path}: no such file or folder") from None
    except IsADirectoryError:
        raise ReportError(f"{path}: is a folder, expected a file") from None
    except EOFError:
        raise ReportError(f"{path}: truncated gzip file (the compressed data ends early)") from None
    except (gzip.BadGzipFile, zlib.error) as e:
        raise ReportError(f"{path}: corrupt gzip data ({_reason(e)})") from None
    except OSError as e:
        raise ReportError(f"{path}: cannot read: {_reason(e)}") from None


def _head(path: Path) -> bytes:
    """The first bytes of the (decompressed) file, to tell IDX from CSV."""
    with _reading(path):
        with path.open("rb") as f:
            start = f.read(HEAD)
        if start[:2] != GZIP_MAGIC:
            return start
        with gzip.open(path) as g:
            return g.read(HEAD)


def _read(path: Path, fmt: str) -> tuple[bytes, Source]:
    """The file's decompressed bytes, and its credit line (hashed as stored)."""
    with _reading(path):
        data = path.read_bytes()
        compressed = data[:2] == GZIP_MAGIC
        raw = gzip.decompress(data) if compressed else data
    if not raw:
        raise ReportError(f"{path}: empty file" + (" once decompressed" if compressed else ""))
    return raw, Source(path.name, fmt + (", gzip" if compressed else ""), hashlib.sha256(data).hexdigest(), len(data))


def _reason(e: BaseException) -> str:
    return getattr(e, "strerror", None) or str(e) or type(e).__name__
