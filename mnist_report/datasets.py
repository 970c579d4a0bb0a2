"""Load any MNIST-format input into one `Dataset`; every check on the input lives here.

Formats: CSV without header (label, then 784 pixels), CSV with a header
(``label,pixel0,...,pixel783``), plain or gzip; IDX image and label files, plain
or gzip, named directly or found in a folder; and the sample embedded in the
package. Anything else, or anything malformed, raises `ReportError` with one line
naming the file and the problem.

Memory does not grow with the input beyond the pixels themselves, and not even
with those when they are large: plain IDX images are memory-mapped; gzip IDX and
CSV are read a block at a time, and their pixels kept in memory up to `IN_MEMORY`
bytes, beyond it in a temporary file that is mapped in turn. Every file is hashed
as it is read. `Split.chunks` then hands the images out a bounded chunk at a time.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import math
import mmap
import os
import re
import tempfile
import threading
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from queue import Full, Queue
from typing import TypeVar

import numpy as np
import polars as pl

from .errors import ReportError
from .kinds import DIGITS, KINDS, MNIST, Kind, custom_kind  # noqa: F401 (re-exported: what a dataset's classes are)
from .progress import Progress

SIDE = 28
PIXELS = SIDE * SIDE
SAMPLE = Path(__file__).parent / "data" / "mnist_sample.npz"
GZIP_MAGIC = b"\x1f\x8b"
BOM = b"\xef\xbb\xbf"
IDX_UBYTE = 0x08
HEAD = 4096  # bytes sniffed to tell IDX from CSV text from anything else
# Control characters that CSV text does not hold (tab, newline, form feed and carriage return it may):
# more than 1% of them in the first bytes means a binary file; fewer are reported cell by cell.
BINARY_BYTES = bytes(range(0x09)) + b"\x0b" + bytes(range(0x0e, 0x20))
# Images per chunk: 3.2 MB of pixels, so a pass's float64 temporaries (26 MB each) stay small
# while the per-chunk Python overhead is nothing next to the arithmetic (245 chunks per million images).
CHUNK = 4096
WORKERS = min(4, os.cpu_count() or 1)  # threads working on chunks at once (map_chunks): one per core, up to four
T = TypeVar("T")
# Decompressed or parsed pixels up to this size stay in memory (60,000 images are 47 MB);
# beyond it (about 340,000 images) they go to a temporary file that is memory-mapped.
IN_MEMORY = 256 << 20
# Bytes read from a file (or a gzip stream) at a time: a CSV block is parsed whole, and parsing
# holds about three times its text (the text, polars' columns, the pixels), so 32 MB keeps that
# near 100 MB while each block still holds about 18,000 rows.
BLOCK = 32 << 20


@dataclass(frozen=True)
class Source:
    """One input file, as the overview page credits it."""

    name: str  # file name shown in the report (no local folders)
    format: str
    sha256: str
    size: int  # bytes


@dataclass(frozen=True, eq=False)
class Split:
    """One split's images with their labels, 1-based instance numbers and where they came from.

    `images` is uint8[N, 28, 28] (0 = background, 255 = full ink), in memory or a read-only
    memory map; `labels` uint8[N] indexes the class names; `instances` int64[N] is each image's
    row in its own input file (for the embedded sample: its row in the full training set).
    `name` is "train", "test", or "" when nothing says which.
    """

    name: str
    images: np.ndarray
    labels: np.ndarray
    instances: np.ndarray
    sources: tuple[Source, ...]

    def __post_init__(self) -> None:
        for array in (self.images, self.labels, self.instances):
            array.setflags(write=False)

    def __len__(self) -> int:
        return len(self.labels)

    def chunks(self, size: int = CHUNK) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """(offset, uint8[k, 784] C-contiguous, int64 labels[k]) in file order, `size` images at a time.

        Mapped images are copied out a chunk at a time and their pages handed back to the
        kernel, so resident memory stays at about one chunk however large the file.
        """
        flat = self.images.reshape(len(self), PIXELS)
        mapped = getattr(self.images, "_mmap", None) is not None
        for start in range(0, len(self), size):
            chunk = flat[start:start + size]
            if mapped:
                view, chunk = chunk, np.array(chunk)
                release_pages(view)
            # Labels as int64: numpy indexes with them (centroids[labels]) two to three times faster than with uint8.
            yield start, chunk, self.labels[start:start + size].astype(np.int64)

    def map_chunks(self, fn: Callable[[int, np.ndarray, np.ndarray], T], size: int = CHUNK, what: str = "images") -> Iterator[T]:
        """fn(offset, images, labels) for each of chunks(), results in file order, WORKERS chunks
        at a time in threads (numpy lets go of the GIL in its loops); at most 2 x WORKERS chunks
        in memory. A terminal shows the images done under the name `what`."""
        progress = Progress(what, len(self))
        done = 0
        with ThreadPoolExecutor(WORKERS) as pool:
            pending: deque = deque()
            try:
                for chunk in self.chunks(size):
                    pending.append((len(chunk[2]), pool.submit(fn, *chunk)))
                    while pending and (len(pending) >= 2 * WORKERS or pending[0][1].done()):
                        n, future = pending.popleft()
                        yield future.result()
                        done += n
                        progress.update(done, done)
                for _, future in pending:
                    yield future.result()
            finally:
                progress.close()
                for _, future in pending:
                    future.cancel()

    def take(self, rows: np.ndarray) -> np.ndarray:
        """uint8[k, 28, 28]: the images at these 0-based rows, in the order given.

        Mapped pages are handed back afterwards, as chunks() does: an evenly spaced
        selection touches every page of the file.
        """
        return gather(self.images, rows)


GATHER = 16  # rows read from a map between hand-backs: a fault can map a whole large page-cache folio (MBs) around its row


def gather(images: np.ndarray, rows: np.ndarray, batch: int = GATHER) -> np.ndarray:
    """images[rows] as a new array; from a memory map a batch of rows at a time, in file
    order, handing the pages back after each, so a selection spread over a file holds only a batch."""
    rows = np.asarray(rows, dtype=np.int64)
    if getattr(images, "_mmap", None) is None:
        return np.array(images[rows])
    out = np.empty((len(rows), *images.shape[1:]), images.dtype)
    order = np.argsort(rows, kind="stable")
    for start in range(0, len(rows), batch):
        part = order[start:start + batch]
        out[part] = images[rows[part]]
        release_pages(images[rows[part[0]]:rows[part[-1]] + 1])
    return out


def release_pages(view: np.ndarray) -> None:
    """Hand the pages under `view`, a slice of a memory map, back to the kernel (a no-op in memory).

    Reading rows faults in whole runs of pages around each, so reading a file would soon map
    all of it; the data stays in the page cache, outside the process.
    """
    mapped = getattr(view, "_mmap", None)
    if mapped is None or not view.nbytes:
        return
    first = view.ctypes.data - np.frombuffer(mapped, np.uint8, count=1).ctypes.data
    page = first - first % mmap.PAGESIZE
    mapped.madvise(mmap.MADV_DONTNEED, page, first + view.nbytes - page)


@dataclass(frozen=True, eq=False)
class Dataset:
    """The splits of one dataset ("train" before "test") and what their classes are.

    The report's six original pages describe `main`; the attributes they read (images,
    labels, instances, sources, split) are `main`'s.
    """

    splits: tuple[Split, ...]
    kind: Kind = MNIST

    def __post_init__(self) -> None:
        if not self.splits:
            raise ValueError("a Dataset needs at least one split")

    @property
    def main(self) -> Split:
        """The training split if there is one, else the first."""
        return self.train or self.splits[0]

    @property
    def train(self) -> Split | None:
        return self._named("train")

    @property
    def test(self) -> Split | None:
        return self._named("test")

    def _named(self, name: str) -> Split | None:
        return next((s for s in self.splits if s.name == name), None)

    @property
    def images(self) -> np.ndarray:
        return self.main.images

    @property
    def labels(self) -> np.ndarray:
        return self.main.labels

    @property
    def instances(self) -> np.ndarray:
        return self.main.instances

    @property
    def sources(self) -> tuple[Source, ...]:
        return self.main.sources

    @property
    def split(self) -> str:
        return self.main.name

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


def load(data: Path | None = None, labels: Path | None = None, limit: int | None = None, test: Path | None = None) -> Dataset:
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
        splits = [_limited(sample, limit, "the embedded sample")]
    elif Path(data).is_dir():
        if labels is not None:
            raise ReportError(f"{labels}: --labels goes with an IDX images file, not with the folder {data}")
        splits = _load_folder(Path(data), limit)
    else:
        splits = [_load_file(Path(data), labels and Path(labels), limit, "train" if test is not None else split_named(Path(data)))]
    if test is not None:
        test = Path(test)
        if any(s.name == "test" for s in splits):
            raise ReportError(f"{test}: --test names a test split, but the folder {data} holds its own (t10k-*)")
        if test.is_dir():
            splits.append(_load_idx(*find_idx_pair(test, "test"), limit, "test"))
        else:
            splits.append(_load_file(test, None, limit, "test"))
    return Dataset(tuple(splits))


def load_sample() -> Dataset:
    """The first 500 training images of each digit, shipped with the package: part of the training split."""
    with np.load(SAMPLE) as z:
        images, labels, instances = z["images"], z["labels"], z["instances"]
    data = SAMPLE.read_bytes()
    source = Source("mnist_sample.npz (embedded)", "NumPy archive, embedded sample", hashlib.sha256(data).hexdigest(), len(data))
    return Dataset((Split("train", images, labels, instances, (source,)),))


def split_named(path: Path) -> str:
    """The split a file's name says it holds ("t10k-images…", "mnist_test.csv", "train.csv"), or "" when it says neither."""
    name = path.name.lower()
    test = re.search(r"(?<![a-z])(t10k|test|testing)(?![a-z])", name)
    train = re.search(r"(?<![a-z])(train|training)(?![a-z])", name)
    return "test" if test and not train else "train" if train and not test else ""


def _load_file(path: Path, labels: Path | None, limit: int | None, split: str) -> Split:
    """One CSV file, or one IDX images file with its labels."""
    head = _head(path)
    if _idx_like(head):
        return _load_idx(path, labels, limit, split)
    if len(head) - len(head.translate(None, BINARY_BYTES)) > len(head) // 100:
        hint = "; UTF-16 text? save it as UTF-8" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        raise ReportError(
            f"{path}: binary data, neither CSV text nor IDX (magic number 0x{head[:4].hex()}, expected 0x00000803 for IDX images{hint})"
        )
    if labels is not None:
        raise ReportError(f"{path}: a CSV file carries its labels; --labels is only for IDX images")
    return _load_csv(path, limit, split)


# --- IDX -------------------------------------------------------------------

IDX_NAMES = {
    # split: (images, labels) as distributed, and as some mirrors rename them
    "train": (("train-images-idx3-ubyte", "train-images.idx3-ubyte"), ("train-labels-idx1-ubyte", "train-labels.idx1-ubyte")),
    "test": (("t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"), ("t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte")),
}


def _load_folder(folder: Path, limit: int | None) -> list[Split]:
    """Each split whose standard files are in `folder`: train, test or both (a split with one file of two is an error)."""
    present = [split for split, files in IDX_NAMES.items() if any(_find(folder, names) for names in files)]
    return [_load_idx(*find_idx_pair(folder, split), limit, split) for split in present or ["train"]]


def find_idx_pair(folder: Path, split: str) -> tuple[Path, Path]:
    """The images and labels files of `split` in `folder`, plain or .gz."""
    found = []
    for names in IDX_NAMES[split]:
        hit = _find(folder, names)
        if hit is None:
            raise ReportError(f"{folder}: no {names[0]}[.gz] in this folder (expected the standard MNIST file names)")
        found.append(hit)
    return found[0], found[1]


def _find(folder: Path, names: tuple[str, ...]) -> Path | None:
    return next((p for p in (folder / (n + ext) for n in names for ext in ("", ".gz")) if p.is_file()), None)


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


def _load_idx(images_path: Path, labels_path: Path | None, limit: int | None, split: str) -> Split:
    """IDX images and their labels (by default the labels file beside the images): headers first, then the values."""
    with _idx(images_path, ndim=3) as images_file:
        n, height, width = images_file.shape
        if (height, width) != (SIDE, SIDE):
            raise ReportError(f"{images_path}: images are {height}x{width} pixels, expected {SIDE}x{SIDE}")
        if n == 0:
            raise ReportError(f"{images_path}: no images (the IDX header announces 0)")
        rows = _check_limit(limit, n, images_path)
        labels_path = labels_path or _labels_beside(images_path)
        with _idx(labels_path, ndim=1) as labels_file:
            if labels_file.shape[0] != n:
                raise ReportError(f"{labels_path}: {labels_file.shape[0]:,} labels for {n:,} images in {images_path.name}")
            labels = labels_file.values(rows, in_memory=True)
            _check_labels(labels_path, labels, DIGITS)
            label_source = labels_file.source()
        images = images_file.values(rows)
        image_source = images_file.source()
    return Split(split, images, labels, np.arange(1, rows + 1, dtype=np.int64), (image_source, label_source))


def _idx_like(start: bytes) -> bool:
    """Whether the file starts as an IDX file does, with two zero bytes (too short to tell counts: it is truncated)."""
    return b"\0\0".startswith(start[:2])


class _IdxFile:
    """An open IDX file of unsigned bytes whose header has been checked: its shape, then its values."""

    def __init__(self, stored: _Stored, shape: tuple[int, ...], header: int):
        self.stored, self.shape, self.header = stored, shape, header
        self.expected = header + math.prod(shape)

    def values(self, rows: int, in_memory: bool = False) -> np.ndarray:
        """The first `rows` entries, checked against the file's length: mapped when the file is plain (unless
        `in_memory`), else streamed. Gzip data past `rows` is not decompressed (only hashed), as CSV rows past --limit are not parsed."""
        stored, row = self.stored, math.prod(self.shape[1:])
        if not stored.compressed:  # its length was checked with the header
            if not in_memory:
                return np.memmap(stored.path, np.uint8, "r", offset=self.header, shape=(rows, *self.shape[1:]))
        wanted = rows * row
        sink = _Pixels(in_memory, expected=wanted)
        while sink.size < wanted and (block := stored.stream.read(min(BLOCK, wanted - sink.size))):
            sink.add(block)
            stored.show(sink.size // max(row, 1))
        extra = stored.stream.read(1) if sink.size == wanted == row * self.shape[0] else b""
        if sink.size < wanted or extra:
            self.check_length(self.header + sink.size + len(extra) + _drain(stored.stream))
        return sink.array(self.shape[1:])

    def check_length(self, length: int) -> None:
        if length != self.expected:
            problem = "truncated" if length < self.expected else "trailing bytes"
            dims = "x".join(f"{n:,}" for n in self.shape)
            raise ReportError(f"{self.stored.path}: {problem}: {length:,} bytes, the header announces {dims} values in {self.expected:,}")

    def source(self) -> Source:
        return self.stored.source()


@contextmanager
def _idx(path: Path, ndim: int) -> Iterator[_IdxFile]:
    """An IDX file of unsigned bytes with `ndim` dimensions, its header checked, open for its values."""
    kind = "images" if ndim == 3 else "labels"
    with _stored(path, f"IDX {kind}") as stored:
        header = 4 + 4 * ndim
        raw = _read_up_to(stored.stream, header)
        if not raw:
            raise ReportError(f"{path}: empty file" + (" once decompressed" if stored.compressed else ""))
        if not _idx_like(raw):
            raise ReportError(f"{path}: not an IDX {kind} file (magic number 0x{raw[:4].hex()}, expected 0x{IDX_UBYTE << 8 | ndim:08x})")
        if len(raw) >= 4 and raw[2] != IDX_UBYTE:
            raise ReportError(f"{path}: IDX data type 0x{raw[2]:02x} in the magic number, expected 0x08 (unsigned bytes)")
        if len(raw) >= 4 and raw[3] != ndim:
            raise ReportError(f"{path}: IDX file with {raw[3]} dimensions, expected {ndim} for {kind}")
        if len(raw) < header:
            raise ReportError(f"{path}: truncated IDX header: the file holds {len(raw)} of its {header} bytes")
        idx = _IdxFile(stored, tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)), header)
        if not stored.compressed:  # a plain file's length is known at once; a gzip stream's only once read
            idx.check_length(stored.size)
        yield idx


# --- CSV -------------------------------------------------------------------

HEADER = ["label"] + [f"pixel{i}" for i in range(PIXELS)]
CSV_SCHEMA = dict.fromkeys(HEADER, pl.UInt8)  # a whole schema parses 12% faster than overriding every column's type
# The other widely shared CSV form names pixels by 1-based row and column: label,1x1,1x2,...,28x28.
HEADER_ROW_COL = ["label"] + [f"{r}x{c}" for r in range(1, SIDE + 1) for c in range(1, SIDE + 1)]
# A whole number as the fast parser reads one: optional sign, after blanks or inside quotes.
WHOLE = re.compile(rb"([+-]?)([0-9]+)")
# A row that is certainly good (a digit, then 784 values 0-255): the diagnosis skips these quickly.
GOOD_ROW = re.compile(rb"[0-9](?:,(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){%d}" % PIXELS)


def _load_csv(path: Path, limit: int | None, split: str) -> Split:
    """A CSV file, a block of whole lines at a time; row numbers in messages count from the file's first line."""
    labels, rows, has_header = [], 0, None
    # The reading thread is stopped before the file closes, whatever happens.
    with _stored(path, "CSV") as stored, closing(_read_ahead(_csv_blocks(stored))) as blocks:
        # Every pixel takes at least two bytes of text ("0,"): a plain file's size bounds its pixels' from above.
        expected = 0 if stored.compressed else stored.size // 2
        pixels = _Pixels(expected=expected if limit is None else min(expected, limit * PIXELS))
        for text in blocks:
            if has_header is None:
                has_header = _csv_header(path, text)
                if has_header:
                    newline = text.find(b"\n")
                    text = text[newline + 1:] if newline >= 0 else b""
            if limit is not None:  # keep only the rows asked for: the parser would read on and fail on later rows
                text = _first_lines(text, limit - rows)
            if text:
                frame = _parse_csv(path, text, first_row=rows + 1 + has_header)
                del text
                labels.append(frame["label"].to_numpy())
                pixels.add(frame.drop("label").to_numpy(order="c"))
                rows += frame.height
                del frame
                stored.show(rows)
            if limit is not None and rows >= limit:
                break
        blocks.close()  # the reading thread stops before source() reads the rest
        if rows == 0:
            raise ReportError(f"{path}: header only, no images")
        _check_limit(limit, rows, path)
        source = stored.source()
    source = replace(source, format=source.format.replace("CSV", "CSV with header" if has_header else "CSV without header"))
    return Split(split, pixels.array((SIDE, SIDE)), np.concatenate(labels), np.arange(1, rows + 1, dtype=np.int64), (source,))


def _csv_blocks(stored: _Stored) -> Iterator[bytes]:
    """The decompressed text in blocks of whole lines, without a BOM or the blank lines at its end.

    Blank lines at the end of a block are held back until text follows them: only then are they
    rows (reported as blank), and at the end of the file they are dropped.
    """
    carry, total, any_text = b"", 0, False
    while True:
        raw = _read_up_to(stored.stream, BLOCK if total else max(BLOCK, len(BOM)))  # a BOM is never cut in two
        at_end = not raw
        text = raw.removeprefix(BOM) if total == 0 else raw
        total += len(raw)
        text = carry + text if carry else text
        del raw
        end = _text_end(text, len(text) if at_end else text.rfind(b"\n") + 1)
        if end:
            any_text = True
            yield text[:end]
        if at_end:
            break
        carry = text[end:]
        del text
    if not any_text:
        once = " once decompressed" if stored.compressed else ""
        raise ReportError(f"{stored.path}: empty file{once}" if total == 0 else f"{stored.path}: empty file, expected one image per row")


def _read_ahead(items: Iterator[T]) -> Iterator[T]:
    """The items, made one ahead in a thread: reading, decompressing and hashing the next
    block (all of which let go of the GIL) overlap the parsing of this one. The producer's
    errors are raised here; closing this generator stops and joins the thread."""
    queue: Queue = Queue(maxsize=1)
    stop = threading.Event()

    def put(entry) -> bool:
        while not stop.is_set():
            try:
                queue.put(entry, timeout=0.05)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((_END, None))
        except BaseException as e:  # handed to the consumer, who raises it
            put((None, e))

    thread = threading.Thread(target=produce, name="mnist-report-read", daemon=True)
    thread.start()
    try:
        while True:
            item, error = queue.get()
            if error is not None:
                raise error
            if item is _END:
                return
            yield item
    finally:
        stop.set()
        thread.join()


_END = object()


def _csv_header(path: Path, text: bytes) -> bool:
    """Whether the first line is a header (checked name by name); a label, even a bad one such as -1, is not a name."""
    end = text.find(b"\n")
    cells = text[: end if end >= 0 else len(text)].rstrip(b"\r").split(b",")
    if not cells[0].strip(b' \t"')[:1].isalpha():
        return False
    names = [c.strip(b' \t"').decode(errors="replace") for c in cells]
    expected_names = HEADER_ROW_COL if names[1:2] == ["1x1"] else HEADER
    column = next((i for i, (name, expected) in enumerate(zip(names, expected_names)) if name != expected), None)
    header = f"label,pixel0,...,pixel{PIXELS - 1}"
    if column is not None:
        raise ReportError(f"{path}: row 1, column {column + 1}: header name {names[column][:20]!r}, expected {expected_names[column]!r} ({header})")
    if len(names) != len(HEADER):
        raise ReportError(f"{path}: row 1: header of {len(names)} names, expected {len(HEADER)} ({header})")
    return True


def _first_lines(text: bytes, count: int) -> bytes:
    """The first `count` lines of `text` (all of it when it holds fewer)."""
    end = -1
    for _ in range(count):
        end = text.find(b"\n", end + 1)
        if end < 0:
            return text
    return text[: end + 1]


def _parse_csv(path: Path, text: bytes, first_row: int) -> pl.DataFrame:
    """One block of whole rows; `first_row` is the file row number of its first line, for messages."""
    try:
        # Pixels and labels are read straight into bytes: a value outside 0-255 fails the parse.
        frame = pl.read_csv(text, has_header=False, schema=CSV_SCHEMA, raise_if_empty=False)
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException, ValueError):
        frame = None
    if frame is None or frame.width != len(HEADER) or frame.null_count().sum_horizontal().item() or frame["label"].max() >= len(DIGITS):
        # The fast parser does not say where the problem is: find it ourselves.
        _diagnose_csv(path, text, first_row)
        raise ReportError(f"{path}: not a CSV of one label and {PIXELS} pixels per row")
    return frame


def _text_end(text: bytes, stop: int) -> int:
    """Where `text[:stop]` ends without its blank lines at the end: after the newline that ends its last
    non-blank line (or at `stop` when that line has none), 0 when it is all blank."""
    tail = text[max(0, stop - HEAD):stop]  # look at the end only: stripping the whole block would copy it
    last = stop - len(tail) + len(tail.rstrip()) if tail.strip() else len(text[:stop].rstrip())
    if last == 0:
        return 0
    newline = text.find(b"\n", last, stop)
    return newline + 1 if newline >= 0 else stop


def _diagnose_csv(path: Path, text: bytes, first_row: int) -> None:
    """Raise a ReportError naming the first malformed row and column of `text`, if there is one.

    This is where every check of a CSV row and cell is worded; it runs only when the
    fast parser has found that something is wrong.
    """
    lines = text.split(b"\n")
    for index, line in enumerate(lines):
        number = first_row + index
        line = line.removesuffix(b"\r")
        if GOOD_ROW.fullmatch(line):
            continue
        if not line.strip():
            if index == len(lines) - 1:
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


# --- reading files: hashed as stored, streamed, pixels in memory or spilled --------


class _Stored(io.RawIOBase):
    """A file read as stored, hashed and counted on the way through; `stream` gives its (decompressed) bytes."""

    def __init__(self, path: Path, fmt: str):
        super().__init__()
        self.path, self.fmt = path, fmt
        self.file = path.open("rb")
        self.size = os.fstat(self.file.fileno()).st_size
        self.compressed = self.file.peek(2)[:2] == GZIP_MAGIC
        self.stream = gzip.GzipFile(fileobj=self, mode="rb") if self.compressed else self
        self.hash, self.done = hashlib.sha256(), 0
        self.progress = Progress(path.name, self.size)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:  # RawIOBase's would read into a new buffer and copy it out
        data = self.file.read(size)
        self.hash.update(data)
        self.done += len(data)
        return data

    def readinto(self, buffer) -> int:
        n = self.file.readinto(buffer)
        self.hash.update(memoryview(buffer)[:n])
        self.done += n
        return n

    def show(self, images: int | None = None) -> None:
        self.progress.update(self.done, images)

    def source(self) -> Source:
        """The credit line, once the rest of the file has been hashed (all of a memory-mapped one)."""
        buffer = bytearray(1 << 20)
        while self.readinto(buffer):
            self.show()
        return Source(self.path.name, self.fmt + (", gzip" if self.compressed else ""), self.hash.hexdigest(), self.size)

    def close(self) -> None:
        self.progress.close()
        self.file.close()
        super().close()


@contextmanager
def _stored(path: Path, fmt: str) -> Iterator[_Stored]:
    with _reading(path):
        stored = _Stored(path, fmt)
        try:
            yield stored
        finally:
            stored.close()


class _Pixels:
    """uint8 values gathered in file order: in memory up to IN_MEMORY bytes, beyond that in a temporary file.

    The temporary file is unlinked as soon as it is made (`tempfile.TemporaryFile`, in $TMPDIR), so its
    space returns when its memory map is garbage collected, or when the process ends however it ends.
    """

    def __init__(self, in_memory: bool = False, expected: int = 0):
        self.parts: list[np.ndarray | bytes] = []
        self.size = 0
        self.in_memory = in_memory
        # When the size is known (an IDX header) and too large, spill from the start rather than past IN_MEMORY.
        self.spill = None if in_memory or expected <= IN_MEMORY else tempfile.TemporaryFile(prefix="mnist-report-")

    def add(self, values: np.ndarray | bytes) -> None:
        if self.spill is None and not self.in_memory and self.size + len(memoryview(values).cast("B")) > IN_MEMORY:
            self.spill = tempfile.TemporaryFile(prefix="mnist-report-")
            for part in self.parts:
                self.spill.write(part)
            self.parts = []
        if self.spill is not None:
            self.spill.write(values)
        else:
            self.parts.append(values)
        self.size += len(memoryview(values).cast("B"))

    def array(self, shape: tuple[int, ...]) -> np.ndarray:
        """The values as uint8[n, *shape]: a read-only memory map of the spill file, or an array in memory."""
        rows = self.size // max(math.prod(shape), 1)
        if self.spill is not None:
            self.spill.flush()
            array = np.memmap(self.spill, np.uint8, "r", shape=(rows, *shape))
            self.spill.close()  # the map keeps the file open
            return array
        flat = [np.frombuffer(p, np.uint8) if isinstance(p, bytes) else p.reshape(-1) for p in self.parts]
        joined = flat[0] if len(flat) == 1 else np.concatenate(flat) if flat else np.empty(0, np.uint8)
        return joined.reshape(rows, *shape)


def _read_up_to(stream, size: int) -> bytes:
    """`size` bytes, or fewer at the end of the stream."""
    parts, got = [], 0
    while got < size and (part := stream.read(size - got)):
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def _drain(stream) -> int:
    """Read `stream` to its end (so a hash or a length covers it all); the number of bytes read."""
    buffer, total = bytearray(1 << 20), 0
    while n := stream.readinto(buffer):
        total += n
    return total


# --- shared checks and helpers ----------------------------------------------


def _check_labels(path: Path, labels: np.ndarray, class_names: tuple[str, ...]) -> None:
    bad = np.flatnonzero(labels >= len(class_names))
    if len(bad):
        raise ReportError(f"{path}: label {bad[0] + 1:,} is {labels[bad[0]]}, outside 0-{len(class_names) - 1}")


def _check_limit(limit: int | None, n: int, where: Path | str) -> int:
    """How many of the `n` images to keep."""
    if limit is not None and limit > n:
        raise ReportError(f"{where}: --limit {limit:,} asks for more images than the {n:,} it holds")
    return n if limit is None else limit


def _limited(split: Split, limit: int | None, where: str) -> Split:
    rows = _check_limit(limit, len(split), where)
    return replace(split, images=split.images[:rows], labels=split.labels[:rows], instances=split.instances[:rows])


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
        # The streaming reader adds the two checksums to "CRC check failed": they tell the reader nothing.
        raise ReportError(f"{path}: corrupt gzip data ({_reason(e).split(' 0x')[0]})") from None
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


def _reason(e: BaseException) -> str:
    return getattr(e, "strerror", None) or str(e) or type(e).__name__
