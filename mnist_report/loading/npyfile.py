"""NumPy files: the .npz pairs KMNIST and Kuzushiji-49 ship (`k49-train-imgs.npz` and
`k49-train-labels.npz`, each array under the key arr_0), and .npy files of unlabelled images, one
class a file (Quick, Draw!'s `full_numpy_bitmap_<class>.npy`, N x 784), alone or a folder of them.

A folder of .npy files is one split, its files read one after another (sorted by name) into one
pixel store, so any number of images streams in bounded memory. Nothing is unpickled: the .npy
header is parsed as the literal it is, and the values are read as raw bytes.
"""

from __future__ import annotations

import ast
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ReportError
from . import shape
from .csvfile import LABEL_TOP
from .model import Raw, check_limit
from .shape import Size
from .storage import ArrayFile, PixelStore, StoredFile, read_up_to, reading, stored

NPY_MAGIC = b"\x93NUMPY"
ZIP_MAGIC = b"PK\x03\x04"
QUICKDRAW = "full_numpy_bitmap_"  # Quick, Draw!'s files: full_numpy_bitmap_<class>.npy
HEADER_MOST = 1 << 16  # bytes a .npy header may take (numpy writes 128 or so)


@dataclass(frozen=True)
class Header:
    shape: tuple[int, ...]
    dtype: np.dtype
    length: int  # bytes before the values


def read_header(path: Path, stream) -> Header:
    """A .npy header, checked: version, length, the literal it holds, C order."""
    start = read_up_to(stream, 8)
    if not start.startswith(NPY_MAGIC):
        raise ReportError(f"{path}: not a NumPy .npy array (it starts 0x{start[:6].hex()})")
    if len(start) < 8 or start[6] not in (1, 2, 3):
        raise ReportError(
            f"{path}: a .npy file of an unknown version" if len(start) == 8 else f"{path}: truncated .npy header"
        )
    size_bytes = 2 if start[6] == 1 else 4
    count = read_up_to(stream, size_bytes)
    size = int.from_bytes(count, "little")
    text = read_up_to(stream, min(size, HEADER_MOST))
    if len(count) < size_bytes or len(text) < size:
        raise ReportError(f"{path}: truncated .npy header" if size <= HEADER_MOST else f"{path}: corrupt .npy header")
    try:
        fields = ast.literal_eval(text.decode("latin1"))
        header = Header(tuple(int(n) for n in fields["shape"]), np.dtype(fields["descr"]), 8 + size_bytes + size)
        fortran = bool(fields["fortran_order"])
    except (ValueError, SyntaxError, TypeError, KeyError, MemoryError, RecursionError):
        raise ReportError(f"{path}: corrupt .npy header") from None
    if any(n < 0 for n in header.shape):
        raise ReportError(f"{path}: corrupt .npy header (a negative size)")
    if fortran and len(header.shape) > 1:
        raise ReportError(f"{path}: an array in Fortran order; save it in C order (numpy's default)")
    return header


def open_images(path: Path, file: StoredFile, size: Size | None, member=None) -> ArrayFile:
    """The images array of a .npy (or of an .npz's `member`): uint8, N x pixels or N x height x width."""
    header = read_header(path, file.stream if member is None else member)
    if header.dtype != np.uint8:
        raise ReportError(f"{path}: images of type {header.dtype}, expected uint8 (grey levels 0-255)")
    dims = header.shape
    if len(dims) == 2:
        found = shape.flat(f"{path}: rows", dims[1], size)
    elif len(dims) == 3:
        found = shape.agree(path, dims[1:], size)
    else:
        raise ReportError(
            f"{path}: an array of {len(dims)} dimensions, expected images (N x pixels or N x height x width)"
        )
    array = ArrayFile(file, (dims[0], *found), header.length, ".npy header", member)
    if member is None and not file.compressed:
        array.check_length(file.size)
    return array


# --- .npz pairs --------------------------------------------------------------------------------


def labels_beside(images: Path) -> Path:
    """k49-train-imgs.npz's labels: k49-train-labels.npz."""
    if "-imgs" not in images.name:
        raise ReportError(f"{images}: cannot tell the labels file's name from this one; name it with --labels")
    guess = images.with_name(images.name.replace("-imgs", "-labels"))
    if not guess.is_file():
        raise ReportError(f"{images}: no labels file {guess.name} beside it; name one with --labels")
    return guess


@contextmanager
def npz_member(path: Path, what: str) -> Iterator[tuple[StoredFile, object, int]]:
    """The stored .npz (hashed when its source is taken), arr_0's stream and that member's length."""
    with stored(path, f"NumPy .npz {what}") as file, reading(path):
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise ReportError(f"{path}: not a readable .npz (zip) file") from None
        with archive:
            names = archive.namelist()
            if "arr_0.npy" not in names:
                held = ", ".join(n.removesuffix(".npy") for n in names[:5]) or "nothing"
                raise ReportError(f"{path}: no arr_0 in this .npz (it holds {held}); expected KMNIST's layout")
            try:
                with archive.open("arr_0.npy") as member:
                    yield file, member, archive.getinfo("arr_0.npy").file_size
            except zipfile.BadZipFile as e:
                raise ReportError(f"{path}: corrupt .npz ({e})") from None


def load_npz(images_path: Path, labels_path: Path | None, limit: int | None, split: str, size: Size | None) -> Raw:
    """An .npz pair: images (uint8) and labels (whole numbers), each under arr_0."""
    labels_path = labels_path or labels_beside(images_path)
    with npz_member(labels_path, "labels") as (file, member, length):
        header = read_header(labels_path, member)
        if len(header.shape) != 1 or header.dtype.kind not in "iu":
            raise ReportError(
                f"{labels_path}: labels of shape {header.shape} and type {header.dtype}, expected whole numbers, one an image"
            )
        array = ArrayFile(file, (header.shape[0], header.dtype.itemsize), header.length, ".npy header", member)
        array.check_length(length)
        n = header.shape[0]
        labels = array.values(n, in_memory=True).view(header.dtype).reshape(-1)
        label_source = file.source()
    with npz_member(images_path, "images") as (file, member, length):
        images_file = open_images(images_path, file, size, member)
        images_file.check_length(length)
        if images_file.shape[0] != n:
            raise ReportError(f"{labels_path}: {n:,} labels for {images_file.shape[0]:,} images in {images_path.name}")
        rows = check_limit(limit, n, images_path)
        images = images_file.values(rows)
        image_source = file.source()
    labels = labels[:rows]
    if labels.min(initial=0) < 0 or labels.max(initial=0) > LABEL_TOP:
        at = int(np.flatnonzero((labels < 0) | (labels > LABEL_TOP))[0])
        raise ReportError(f"{labels_path}: label {at + 1:,} is {labels[at]:,}, outside 0-{LABEL_TOP:,}")
    instances = np.arange(1, rows + 1, dtype=np.int64)
    return Raw(split, images, labels.astype(np.uint16), instances, (image_source, label_source), labels_path)


def npz_prefixes(folder: Path) -> list[str]:
    """How the .npz pairs in `folder` are named ("k49-", "kmnist-"), from their images files."""
    ends = ("train-imgs.npz", "test-imgs.npz")
    return sorted({p.name[: -len(end)] for p in folder.glob("*.npz") for end in ends if p.name.endswith(end)})


def load_npz_folder(folder: Path, prefix: str, limit: int | None, size: Size | None) -> list[Raw]:
    """The splits of one .npz set in `folder`: train, test or both."""
    present = [split for split in ("train", "test") if (folder / f"{prefix}{split}-imgs.npz").is_file()]
    return [load_npz(folder / f"{prefix}{split}-imgs.npz", None, limit, split, size) for split in present]


# --- .npy files, one class each ----------------------------------------------------------------


def class_name(path: Path) -> str:
    """The class a .npy file holds: its name without Quick, Draw!'s prefix and the suffix."""
    return path.name.removesuffix(".npy").removeprefix(QUICKDRAW)


def load_npy(
    paths: list[Path], where: Path, limit: int | None, per_class: int | None, size: Size | None, split: str = ""
) -> Raw:
    """One split of .npy files, one class each, read in the order given into one pixel store: the first
    `per_class` images of each, the first `limit` of all. Instances count every image of the files in order."""
    pixels, values, instances, sources, names = PixelStore(), [], [], [], []
    shape_seen, offset, taken = None, 0, 0
    for path in paths:
        if limit is not None and taken >= limit:
            break
        with stored(path, "NumPy .npy images") as file:
            array = open_images(path, file, size)
            if shape_seen is not None and array.shape[1:] != shape_seen:
                (h, w), (first_h, first_w) = array.shape[1:], shape_seen
                raise ReportError(
                    f"{path}: images of {h}x{w} pixels, but {paths[0].name} holds {first_h}x{first_w}; every file must hold one size"
                )
            n = array.shape[0]
            rows = min(n, per_class or n, n if limit is None else limit - taken)
            if rows:
                array.values(rows, into=pixels)
                values.append(np.full(rows, len(names), np.uint16))
                instances.append(np.arange(offset + 1, offset + rows + 1, dtype=np.int64))
                names.append(class_name(path))
            sources.append(file.source())
        shape_seen, offset, taken = array.shape[1:], offset + n, taken + rows
    if taken == 0:
        raise ReportError(f"{where}: no images in its .npy files")
    check_limit(limit, taken, where)
    return Raw(
        split,
        pixels.array(shape_seen),
        np.concatenate(values),
        np.concatenate(instances),
        tuple(sources),
        where,
        tuple(names),
    )
