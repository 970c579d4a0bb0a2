"""IDX files (the format MNIST ships in): images and labels, plain or gzip, named or found in a folder.

As torchvision's reader does, the header (magic number, type code, dimensions, big-endian
sizes) is decoded and checked against the file's length before any value is read.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..errors import ReportError
from .model import Source, Split, check_labels, check_limit
from .storage import READ_BLOCK, PixelStore, StoredFile, drain, read_up_to, stored

SIDE = 28  # MNIST's images are 28 x 28 pixels
UBYTE = 0x08  # the IDX type code of unsigned bytes
N_CLASSES = 10  # labels 0-9

IDX_NAMES = {
    # split: (images, labels) as distributed, and as some mirrors rename them
    "train": (
        ("train-images-idx3-ubyte", "train-images.idx3-ubyte"),
        ("train-labels-idx1-ubyte", "train-labels.idx1-ubyte"),
    ),
    "test": (
        ("t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"),
        ("t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"),
    ),
}


def load_folder(folder: Path, limit: int | None) -> list[Split]:
    """Each split whose standard files are in `folder`: train, test or both (a split with one file of two is an error)."""
    present = [split for split, files in IDX_NAMES.items() if any(_find(folder, names) for names in files)]
    return [load_idx(*find_idx_pair(folder, split), limit, split) for split in present or ["train"]]


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


def labels_beside(images: Path) -> Path:
    name = images.name
    for stem in ("images-idx3", "images.idx3"):
        if stem in name:
            guess = images.with_name(name.replace(stem, stem.replace("images", "labels").replace("idx3", "idx1")))
            for candidate in (
                guess,
                guess.with_name(guess.name + ".gz"),
                guess.with_name(guess.name.removesuffix(".gz")),
            ):
                if candidate.is_file():
                    return candidate
            raise ReportError(f"{images}: no labels file {guess.name} beside it; name one with --labels")
    raise ReportError(f"{images}: cannot tell the labels file's name from this one; name it with --labels")


def load_idx(images_path: Path, labels_path: Path | None, limit: int | None, split: str) -> Split:
    """IDX images and their labels (by default the labels file beside the images): headers first, then the values."""
    with open_idx(images_path, ndim=3) as images_file:
        n, height, width = images_file.shape
        if (height, width) != (SIDE, SIDE):
            raise ReportError(f"{images_path}: images are {height}x{width} pixels, expected {SIDE}x{SIDE}")
        if n == 0:
            raise ReportError(f"{images_path}: no images (the IDX header announces 0)")
        rows = check_limit(limit, n, images_path)
        labels_path = labels_path or labels_beside(images_path)
        with open_idx(labels_path, ndim=1) as labels_file:
            if labels_file.shape[0] != n:
                raise ReportError(
                    f"{labels_path}: {labels_file.shape[0]:,} labels for {n:,} images in {images_path.name}"
                )
            labels = labels_file.values(rows, in_memory=True)
            check_labels(labels_path, labels, N_CLASSES)
            label_source = labels_file.source()
        images = images_file.values(rows)
        image_source = images_file.source()
    return Split(split, images, labels, np.arange(1, rows + 1, dtype=np.int64), (image_source, label_source))


def is_idx(start: bytes) -> bool:
    """Whether the file starts as an IDX file does, with two zero bytes (too short to tell counts: it is truncated)."""
    return b"\0\0".startswith(start[:2])


class IdxFile:
    """An open IDX file of unsigned bytes whose header has been checked: its shape, then its values."""

    def __init__(self, stored: StoredFile, shape: tuple[int, ...], header: int):
        self.stored, self.shape, self.header = stored, shape, header
        self.expected = header + math.prod(shape)

    def values(self, rows: int, in_memory: bool = False) -> np.ndarray:
        """The first `rows` entries, checked against the file's length: mapped when the file is plain (unless
        `in_memory`), else streamed. Gzip data past `rows` is not decompressed (only hashed), as CSV rows past --limit are not parsed."""
        stored, row = self.stored, math.prod(self.shape[1:])
        if not stored.compressed and not in_memory:  # its length was checked with the header
            return np.memmap(stored.path, np.uint8, "r", offset=self.header, shape=(rows, *self.shape[1:]))
        wanted = rows * row
        sink = PixelStore(in_memory, expected=wanted)
        while sink.size < wanted and (block := stored.stream.read(min(READ_BLOCK, wanted - sink.size))):
            sink.add(block)
            stored.show(sink.size // max(row, 1))
        extra = stored.stream.read(1) if sink.size == wanted == row * self.shape[0] else b""
        if sink.size < wanted or extra:
            self.check_length(self.header + sink.size + len(extra) + drain(stored.stream))
        return sink.array(self.shape[1:])

    def check_length(self, length: int) -> None:
        if length != self.expected:
            problem = "truncated" if length < self.expected else "trailing bytes"
            dims = "x".join(f"{n:,}" for n in self.shape)
            raise ReportError(
                f"{self.stored.path}: {problem}: {length:,} bytes, the header announces {dims} values in {self.expected:,}"
            )

    def source(self) -> Source:
        return self.stored.source()


@contextmanager
def open_idx(path: Path, ndim: int) -> Iterator[IdxFile]:
    """An IDX file of unsigned bytes with `ndim` dimensions, its header checked, open for its values."""
    kind = "images" if ndim == 3 else "labels"
    with stored(path, f"IDX {kind}") as file:
        header = 4 + 4 * ndim
        raw = read_up_to(file.stream, header)
        if not raw:
            raise ReportError(f"{path}: empty file" + (" once decompressed" if file.compressed else ""))
        if not is_idx(raw):
            raise ReportError(
                f"{path}: not an IDX {kind} file (magic number 0x{raw[:4].hex()}, expected 0x{UBYTE << 8 | ndim:08x})"
            )
        if len(raw) >= 4 and raw[2] != UBYTE:
            raise ReportError(
                f"{path}: IDX data type 0x{raw[2]:02x} in the magic number, expected 0x08 (unsigned bytes)"
            )
        if len(raw) >= 4 and raw[3] != ndim:
            raise ReportError(f"{path}: IDX file with {raw[3]} dimensions, expected {ndim} for {kind}")
        if len(raw) < header:
            raise ReportError(f"{path}: truncated IDX header: the file holds {len(raw)} of its {header} bytes")
        idx = IdxFile(file, tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)), header)
        if not file.compressed:  # a plain file's length is known at once; a gzip stream's only once read
            idx.check_length(file.size)
        yield idx
