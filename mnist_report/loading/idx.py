"""IDX files (the format MNIST ships in): images and labels, plain or gzip, named or found in a folder.

As torchvision's reader does, the header (magic number, type code, dimensions, big-endian
sizes) is decoded and checked against the file's length before any value is read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..errors import ReportError
from . import shape
from .model import Raw, check_limit
from .shape import Size
from .storage import ArrayFile, read_up_to, stored

UBYTE = 0x08  # the IDX type code of unsigned bytes

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


# EMNIST's files, one set per variant: emnist-letters-train-images-idx3-ubyte.gz and so on.
EMNIST_IMAGES = re.compile(r"(emnist-[a-z]+-)(?:train|test)-images-idx3-ubyte(?:\.gz)?", re.IGNORECASE)


def idx_names(split: str, prefix: str = "") -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The names of a split's images and labels files: MNIST's, or with `prefix` EMNIST's (which say "test", not "t10k")."""
    if not prefix:
        return IDX_NAMES[split]
    return (f"{prefix}{split}-images-idx3-ubyte",), (f"{prefix}{split}-labels-idx1-ubyte",)


def has_idx(folder: Path, prefix: str = "") -> bool:
    return any(_find(folder, names) for split in IDX_NAMES for names in idx_names(split, prefix))


def emnist_prefixes(folder: Path) -> list[str]:
    """The EMNIST variants whose images files are in `folder`, as their names begin ("emnist-letters-")."""
    return sorted({m[1].lower() for p in folder.iterdir() if (m := EMNIST_IMAGES.fullmatch(p.name))})


def load_folder(
    folder: Path, limit: int | None, size: Size | None = None, prefix: str = "", transposed: bool = False
) -> list[Raw]:
    """Each split whose files are in `folder`: train, test or both (a split with one file of two is an error)."""
    present = [split for split in IDX_NAMES if any(_find(folder, names) for names in idx_names(split, prefix))]
    return [
        load_idx(*find_idx_pair(folder, split, prefix), limit, split, size, transposed)
        for split in present or ["train"]
    ]


def find_idx_pair(folder: Path, split: str, prefix: str = "") -> tuple[Path, Path]:
    """The images and labels files of `split` in `folder`, plain or .gz."""
    found = []
    for names in idx_names(split, prefix):
        hit = _find(folder, names)
        if hit is None:
            which = "EMNIST" if prefix else "MNIST"
            raise ReportError(f"{folder}: no {names[0]}[.gz] in this folder (expected the standard {which} file names)")
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


def load_idx(
    images_path: Path,
    labels_path: Path | None,
    limit: int | None,
    split: str,
    size: Size | None = None,
    transposed: bool = False,
) -> Raw:
    """IDX images and their labels (by default the labels file beside the images): headers first, then the values.

    `transposed` images (EMNIST's) are stored column by column: they are turned upright as they stream in."""
    with open_idx(images_path, ndim=3) as images_file:
        n, height, width = images_file.shape
        shape.agree(images_path, (width, height) if transposed else (height, width), size)
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
            label_source = labels_file.stored.source()
        images = images_file.values(rows, transpose=transposed)
        image_source = images_file.stored.source()
    instances = np.arange(1, rows + 1, dtype=np.int64)
    return Raw(split, images, labels, instances, (image_source, label_source), labels_path)


def is_idx(start: bytes) -> bool:
    """Whether the file starts as an IDX file does, with two zero bytes (too short to tell counts: it is truncated)."""
    return b"\0\0".startswith(start[:2])


@contextmanager
def open_idx(path: Path, ndim: int) -> Iterator[ArrayFile]:
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
        dims = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
        idx = ArrayFile(file, dims, header, "header")
        if not file.compressed:  # a plain file's length is known at once; a gzip stream's only once read
            idx.check_length(file.size)
        yield idx
