"""Trust: bad input never hurts.

Every malformed input, written here into tmp_path (no stored binaries), must give a
`ReportError` whose one-line message names the file and says what is wrong (row and
column where they apply); at the command line that is exit status 2, one line on
stderr, no traceback, and an earlier report in --out left byte for byte as it was.
Harmless variations (BOM, Windows line endings, gzip sniffed rather than named,
an absent or single-image class) must just work.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mnist_report.analysis import analyze
from mnist_report.errors import ReportError
from mnist_report.loading import load
from mnist_report.loading.catalogue import KINDS
from mnist_report.loading.csvfile import kaggle_header
from mnist_report.loading.shape import parse_size
from mnist_report.report import render

HEADER = kaggle_header(784)  # MNIST's Kaggle header

# --- building inputs --------------------------------------------------------

N = 5  # rows in a synthetic file
LABELS = [5, 0, 4, 1, 9]
PIXELS = (np.arange(N * 784).reshape(N, 784) * 37 % 256).astype(np.uint8)  # every value 0-255 shows up
IMAGES_NAME, LABELS_NAME = "train-images-idx3-ubyte", "train-labels-idx1-ubyte"


def rows(n: int = N) -> list[list[str]]:
    """Valid rows as text cells: the label, then 784 pixels."""
    return [[str(LABELS[i])] + [str(v) for v in PIXELS[i]] for i in range(n)]


def csv(table: list[list[str]], header: bool = False, eol: str = "\n") -> bytes:
    lines = ([",".join(HEADER)] if header else []) + [",".join(r) for r in table]
    return "".join(line + eol for line in lines).encode()


def cell(row: int, column: int, value: str, **kw) -> bytes:
    """A CSV whose data row `row`, column `column` (both 1-based) holds `value`."""
    table = rows()
    table[row - 1][column - 1] = value
    return csv(table, **kw)


def fields(row: int, count: int, **kw) -> bytes:
    """A CSV whose data row `row` has `count` fields (784 drops a pixel, 786 adds one)."""
    table = rows()
    table[row - 1] = (table[row - 1] + ["7"] * count)[:count]
    return csv(table, **kw)


def idx(array: np.ndarray, dtype: int = 0x08) -> bytes:
    """An IDX file: magic 00 00 <dtype> <ndim>, big-endian sizes, then the bytes."""
    return (
        bytes([0, 0, dtype, array.ndim])
        + b"".join(int(s).to_bytes(4, "big") for s in array.shape)
        + array.astype(np.uint8).tobytes()
    )


IMAGES = idx(PIXELS.reshape(N, 28, 28))
LABELS_IDX = idx(np.array(LABELS, np.uint8))
GOOD_CSV = csv(rows())
GZ = gzip.compress(GOOD_CSV, mtime=0)


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]


def npy(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    np.save(out, array)
    return out.getvalue()


def npz(**arrays: np.ndarray) -> bytes:
    out = io.BytesIO()
    np.savez(out, **arrays)
    return out.getvalue()


def png(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(array).save(out, format="PNG")
    return out.getvalue()


GREY = np.arange(14 * 14, dtype=np.uint8).reshape(14, 14)
COLOUR = np.stack([GREY, GREY, 255 - GREY], axis=-1)
K49_IMAGES, K49_LABELS = "k49-train-imgs.npz", "k49-train-labels.npz"
MAP_HEADER = "index,codepoint,char\n"
MAP_0_TO_4 = (MAP_HEADER + "".join(f"{k},U+{0x3042 + 2 * k:04X},{chr(0x3042 + 2 * k)}\n" for k in range(5))).encode()
MAP_GAP = MAP_0_TO_4.replace("3,U+3048,\u3048\n".encode(), b"")  # names 0, 1, 2, 4: not 3
MANY = idx(np.zeros((10_001, 8, 8)))  # ten thousand and one small images
MANY_LABELS = idx(np.array([0] * 10_000 + [19]))


# --- the table of bad inputs --------------------------------------------------


NINES = "9" * 20  # a cell of endless digits is quoted by its first twenty


def case(
    id: str,
    files: dict[str, bytes | None],
    phrase: str,
    data: str | None = None,
    labels: str | None = None,
    limit: int | None = None,
    named: str | None = None,
    **flags: str,
):
    """`files` are written into tmp_path (None makes a folder); `load(data, labels, limit, ...)` with the
    command line's `flags` (kind="mnist", size="32x20", per_class="2") must fail with a message naming
    `named` (default: `data`) and containing `phrase`."""
    data = data if data is not None else next(iter(files), None)
    return pytest.param(files, data, labels, limit, named or data, phrase, flags, id=id)


def load_with(data, labels, limit, flags: dict[str, str]):
    """load() given the command line's flags, as build() passes them."""
    kind = flags.get("kind")
    size = flags.get("size")
    per_class = flags.get("per_class")
    return load(
        data,
        labels,
        limit,
        kind=kind and KINDS[kind],
        size=size and parse_size(size),
        per_class=per_class and int(per_class),
    )


# One case a line: a table reads down its columns.
# fmt: off
CASES = [
    # CSV: nothing there
    case("empty", {"x.csv": b""}, "empty file"),
    case("blank-lines-only", {"x.csv": b"\n \n\r\n\n"}, "empty file"),
    case("bom-only", {"x.csv": b"\xef\xbb\xbf"}, "empty file"),
    case("header-only", {"x.csv": csv([], header=True)}, "header only"),
    case("header-only-crlf-bom", {"x.csv": b"\xef\xbb\xbf" + csv([], header=True, eol="\r\n")}, "header only"),
    case("row-col-header-typo", {"x.csv": ("label," + ",".join(f"{i // 28 + 1}x{i % 28 + 1}" if i != 60 else "3x6" for i in range(784)) + "\n").encode() + GOOD_CSV}, "row 1, column 62: header name '3x6', expected '3x5'"),
    case("text-not-csv", {"x.csv": b"hello, world\nthis is not MNIST\n"}, "row 1, column 1: header name 'hello', expected 'label'"),
    case("numbered-header", {"x.csv": ("label," + ",".join(map(str, range(784))) + "\n").encode() + GOOD_CSV}, "row 1, column 2: header name '0', expected 'pixel0'"),
    case("header-typo", {"x.csv": ",".join([*HEADER[:401], "pixelX", *HEADER[402:]]).encode() + b"\n" + GOOD_CSV}, "row 1, column 402: header name 'pixelX', expected 'pixel400'"),
    case("header-short", {"x.csv": ",".join(HEADER[:-1]).encode() + b"\n" + GOOD_CSV}, "row 1: header of 784 names: rows of 783 pixels are not a square image; give its size with --size HxW"),
    # CSV: the shape of the rows
    case("784-fields", {"x.csv": fields(2, 784)}, "row 2 has 784 fields, expected 785"),
    case("786-fields", {"x.csv": fields(3, 786)}, "row 3 has 786 fields, expected 785"),
    case("786-fields-first-row", {"x.csv": fields(1, 786)}, "row 1 has 786 fields"),
    case("ragged-middle", {"x.csv": fields(3, 400)}, "row 3 has 400 fields"),
    case("ragged-after-header", {"x.csv": fields(2, 10, header=True)}, "row 3 has 10 fields"),
    case("ragged-crlf", {"x.csv": fields(4, 785 + 28, eol="\r\n")}, "row 4 has 813 fields"),
    case("one-field-per-line", {"x.csv": b"5\n0\n4\n"}, "row 1 has 1 field: images are 0x0 pixels, expected 8 to 64 pixels high and wide"),
    case("blank-line-middle", {"x.csv": GOOD_CSV.replace(b"\n", b"\n\n", 2).replace(b"\n\n", b"\n", 1)}, "row 3 is blank"),
    case("old-mac-line-endings", {"x.csv": csv(rows(), eol="\r")}, "row 1 has 3,921 fields"),
    # CSV: the cells
    case("non-numeric", {"x.csv": cell(2, 17, "abc")}, "row 2, column 17: 'abc' is not a whole number"),
    case("non-numeric-after-header", {"x.csv": cell(2, 100, "x7", header=True)}, "row 3, column 100: 'x7' is not a whole number"),
    case("negative-pixel", {"x.csv": cell(4, 300, "-3")}, "row 4, column 300: pixel value -3 outside 0-255"),
    case("fractional-pixel", {"x.csv": cell(2, 9, "12.5")}, "row 2, column 9: '12.5' is not a whole number"),
    case("pixel-256", {"x.csv": cell(5, 785, "256")}, "row 5, column 785: pixel value 256 outside 0-255"),
    case("pixel-huge", {"x.csv": cell(1, 2, "99999999999")}, "row 1, column 2: pixel value 99999999999 outside 0-255"),
    case("pixel-endless-digits", {"x.csv": cell(1, 2, "9" * 5000)}, f"row 1, column 2: pixel value {NINES} outside 0-255"),
    case("pixel-exponent", {"x.csv": cell(3, 40, "1e2")}, "row 3, column 40: '1e2' is not a whole number"),
    case("pixel-nan", {"x.csv": cell(2, 50, "NaN")}, "row 2, column 50: 'NaN' is not a whole number"),
    case("pixel-empty", {"x.csv": cell(2, 50, "")}, "row 2, column 50: empty cell, expected a pixel value 0-255"),
    case("pixel-last-empty", {"x.csv": cell(3, 785, "")}, "row 3, column 785: empty cell"),
    case("pixel-trailing-space", {"x.csv": cell(2, 3, "7 ")}, "row 2, column 3: '7 ' is not a whole number"),
    case("pixel-space-then-quotes", {"x.csv": cell(2, 3, ' "7"')}, """row 2, column 3: ' "7"' is not a whole number"""),
    case("pixel-quoted-256", {"x.csv": cell(3, 4, '"256"')}, "row 3, column 4: pixel value 256 outside 0-255"),
    case("last-cell-blanks", {"x.csv": cell(5, 785, "7 \t") + b"\n\n"}, "row 5, column 785: '7 \\t' is not a whole number"),
    case("pixel-unicode-digit", {"x.csv": cell(2, 3, "\u0663")}, "row 2, column 3: '\u0663' is not a whole number"),
    case("label-10-kind-mnist", {"x.csv": cell(2, 1, "10")}, "label 2 is 10, outside 0-9", kind="mnist"),
    case("label-255-kind-mnist", {"x.csv": cell(4, 1, "255")}, "label 4 is 255, outside 0-9", kind="mnist"),
    case("label-256-kind-fashion", {"x.csv": cell(4, 1, "256")}, "label 4 is 256, outside 0-9", kind="fashion-mnist"),
    case("label-0-kind-letters", {"x.csv": GOOD_CSV}, "label 2 is 0, outside 1-26", kind="emnist-letters"),
    case("label-too-wide", {"x.csv": cell(2, 1, "65536")}, "row 2, column 1: label 65536 outside 0-65,535"),
    case("label-negative", {"x.csv": cell(1, 1, "-1")}, "row 1, column 1: label -1 outside 0-65,535"),
    case("label-missing", {"x.csv": cell(3, 1, "")}, "row 3, column 1: empty cell, expected a label 0-65,535"),
    case("label-fractional", {"x.csv": cell(2, 1, "3.0")}, "row 2, column 1: '3.0' is not a whole number"),
    case("label-word", {"x.csv": cell(2, 1, "five")}, "row 2, column 1: 'five' is not a whole number"),
    case("label-word-row-1", {"x.csv": cell(1, 1, "five")}, "row 1, column 1: header name 'five', expected 'label'"),
    case("label-nan-after-header", {"x.csv": cell(5, 1, "nan", header=True)}, "row 6, column 1: 'nan' is not a whole number"),
    case("first-of-two-problems", {"x.csv": cell(2, 5, "300")[:-10] + b"\n"}, "row 2, column 5: pixel value 300 outside 0-255"),
    # binary files
    case("binary-junk", {"x.csv": bytes(np.random.default_rng(1).integers(0, 256, 3000, dtype=np.uint8))}, "binary data, neither CSV text nor IDX"),
    case("zeros-block", {"x.csv": b"\x00" * 1000 + GOOD_CSV}, "IDX data type 0x00 in the magic number, expected 0x08"),
    case("stray-nul", {"x.csv": cell(2, 3, "\x00")}, "row 2, column 3: '\\x00' is not a whole number"),
    case("stray-control", {"x.csv": cell(1, 700, "1\x1b[0m")}, "row 1, column 700: '1\\x1b[0m' is not a whole number"),
    case("utf-16", {"x.csv": b"\xff\xfe" + GOOD_CSV.decode().encode("utf-16-le")}, "UTF-16 text? save it as UTF-8"),
    # gzip
    case("gz-truncated", {"x.csv.gz": GZ[: len(GZ) // 2]}, "truncated gzip file"),
    case("gz-header-only", {"x.csv.gz": GZ[:10]}, "truncated gzip file"),
    case("gz-corrupt", {"x.csv.gz": flip(GZ, len(GZ) // 2)}, "corrupt gzip data"),
    case("gz-bad-crc", {"x.csv.gz": flip(GZ, len(GZ) - 6)}, "corrupt gzip data (CRC check failed)"),
    case("gz-trailing-junk", {"x.csv.gz": GZ + b"junk"}, "corrupt gzip data"),
    case("gz-empty-inside", {"x.csv.gz": gzip.compress(b"")}, "empty file once decompressed"),
    case("gz-bad-row-inside", {"x.csv.gz": gzip.compress(cell(2, 17, "abc"))}, "row 2, column 17: 'abc' is not a whole number"),
    case("idx-gz-truncated", {IMAGES_NAME + ".gz": gzip.compress(IMAGES)[:-20], LABELS_NAME: LABELS_IDX}, "truncated gzip file"),
    # IDX: the header
    case("idx-little-endian-magic", {IMAGES_NAME: bytes([3, 8, 0, 0]) + IMAGES[4:], LABELS_NAME: LABELS_IDX}, "binary data, neither CSV text nor IDX (magic number 0x03080000, expected 0x00000803 for IDX images)"),
    case("idx-signed-bytes", {IMAGES_NAME: idx(PIXELS.reshape(N, 28, 28), dtype=0x09), LABELS_NAME: LABELS_IDX}, "IDX data type 0x09"),
    case("idx-float", {IMAGES_NAME: idx(PIXELS.reshape(N, 28, 28), dtype=0x0D), LABELS_NAME: LABELS_IDX}, "IDX data type 0x0d"),
    case("idx-2-dims-for-images", {IMAGES_NAME: idx(PIXELS), LABELS_NAME: LABELS_IDX}, "IDX file with 2 dimensions, expected 3 for images"),
    case("idx-4-dims-for-images", {IMAGES_NAME: idx(PIXELS.reshape(N, 1, 28, 28)), LABELS_NAME: LABELS_IDX}, "IDX file with 4 dimensions, expected 3"),
    case("idx-65x65", {IMAGES_NAME: idx(np.zeros((N, 65, 65))), LABELS_NAME: LABELS_IDX}, "images are 65x65 pixels, expected 8 to 64 pixels high and wide"),
    case("idx-7x28", {IMAGES_NAME: idx(np.zeros((N, 7, 28))), LABELS_NAME: LABELS_IDX}, "images are 7x28 pixels, expected 8 to 64 pixels high and wide"),
    case("idx-header-cut", {IMAGES_NAME: IMAGES[:10], LABELS_NAME: LABELS_IDX}, "truncated IDX header: the file holds 10 of its 16 bytes"),
    case("idx-magic-only", {IMAGES_NAME: IMAGES[:2], LABELS_NAME: LABELS_IDX}, "truncated IDX header: the file holds 2 of its 16 bytes"),
    case("idx-labels-one-byte", {IMAGES_NAME: IMAGES, LABELS_NAME: b"\0"}, "truncated IDX header: the file holds 1 of its 8 bytes", named=LABELS_NAME),
    case("idx-bad-second-byte", {IMAGES_NAME: IMAGES, LABELS_NAME: b"\0\x01" + LABELS_IDX[2:]}, "not an IDX labels file (magic number 0x00010801, expected 0x00000801)", named=LABELS_NAME),
    case("idx-zero-images", {IMAGES_NAME: idx(np.zeros((0, 28, 28))), LABELS_NAME: idx(np.zeros(0))}, "no images"),
    # IDX: the data
    case("idx-truncated", {IMAGES_NAME: IMAGES[:-100], LABELS_NAME: LABELS_IDX}, f"truncated: {len(IMAGES) - 100:,} bytes, the header announces 5x28x28 values in {len(IMAGES):,}"),
    case("idx-trailing-bytes", {IMAGES_NAME: IMAGES + b"\0" * 7, LABELS_NAME: LABELS_IDX}, "trailing bytes"),
    case("idx-huge-announced", {IMAGES_NAME: IMAGES[:4] + b"\xff" * 12 + IMAGES[16:], LABELS_NAME: LABELS_IDX}, "truncated"),
    case("idx-gz-trailing-bytes", {IMAGES_NAME + ".gz": gzip.compress(IMAGES + b"\0" * 7), LABELS_NAME: LABELS_IDX}, f"trailing bytes: {len(IMAGES) + 7:,} bytes, the header announces 5x28x28 values in {len(IMAGES):,}"),
    case("idx-gz-truncated-data", {IMAGES_NAME + ".gz": gzip.compress(IMAGES[:-100]), LABELS_NAME: LABELS_IDX}, f"truncated: {len(IMAGES) - 100:,} bytes, the header announces 5x28x28 values in {len(IMAGES):,}"),
    case("idx-labels-truncated", {IMAGES_NAME: IMAGES, LABELS_NAME: LABELS_IDX[:-2]}, "truncated", named=LABELS_NAME),
    case("idx-labels-trailing", {IMAGES_NAME: IMAGES, LABELS_NAME: LABELS_IDX + b"\x01"}, "trailing bytes", named=LABELS_NAME),
    case("idx-fewer-labels", {IMAGES_NAME: IMAGES, LABELS_NAME: idx(np.array(LABELS[:4]))}, f"4 labels for 5 images in {IMAGES_NAME}", named=LABELS_NAME),
    case("idx-more-images", {IMAGES_NAME: idx(np.concatenate([PIXELS, PIXELS]).reshape(-1, 28, 28)), LABELS_NAME: LABELS_IDX}, "5 labels for 10 images", named=LABELS_NAME),
    case("idx-label-10-kind-mnist", {IMAGES_NAME: IMAGES, LABELS_NAME: idx(np.array([5, 0, 10, 1, 9]))}, "label 3 is 10, outside 0-9", named=LABELS_NAME, kind="mnist"),
    case("idx-labels-are-images", {IMAGES_NAME: IMAGES}, "IDX file with 3 dimensions, expected 1 for labels", labels=IMAGES_NAME),
    case("idx-labels-are-csv", {IMAGES_NAME: IMAGES, "labels.csv": b"5\n0\n4\n1\n9\n"}, "not an IDX labels file (magic number 0x350a300a, expected 0x00000801)", labels="labels.csv", named="labels.csv"),
    case("idx-labels-empty", {IMAGES_NAME: IMAGES, LABELS_NAME: b""}, "empty file", named=LABELS_NAME),
    # IDX: finding the labels
    case("idx-no-labels-beside", {IMAGES_NAME: IMAGES}, f"no labels file {LABELS_NAME} beside it"),
    case("idx-unknown-name", {"digits.idx": IMAGES}, "cannot tell the labels file's name"),
    case("labels-missing", {IMAGES_NAME: IMAGES}, "no such file or folder", labels="nothere-idx1-ubyte", named="nothere-idx1-ubyte"),
    case("labels-is-folder", {IMAGES_NAME: IMAGES, "labels": None}, "is a folder, expected a file", labels="labels", named="labels"),
    case("labels-with-csv", {"x.csv": GOOD_CSV, LABELS_NAME: LABELS_IDX}, "a CSV file carries its labels", labels=LABELS_NAME, named="x.csv"),
    case("labels-with-folder", {"mnist": None, LABELS_NAME: LABELS_IDX}, "--labels goes with an images file, not with the folder", labels=LABELS_NAME),
    # folders
    case("folder-empty", {"mnist": None}, "none of the known layouts in this folder (looked for train-images-idx3-ubyte[.gz]"),
    case("folder-images-only", {"mnist": None, f"mnist/{IMAGES_NAME}.gz": gzip.compress(IMAGES)}, f"no {LABELS_NAME}[.gz] in this folder", data="mnist"),
    case("folder-test-images-only", {"mnist": None, f"mnist/{IMAGES_NAME}": IMAGES, f"mnist/{LABELS_NAME}": LABELS_IDX, "mnist/t10k-images-idx3-ubyte": IMAGES,}, "no t10k-labels-idx1-ubyte[.gz] in this folder", data="mnist"),
    case("folder-csv-inside", {"mnist": None, "mnist/train.csv": GOOD_CSV}, "none of the known layouts", data="mnist"),
    case("folder-bad-labels", {"mnist": None, f"mnist/{IMAGES_NAME}": IMAGES, f"mnist/{LABELS_NAME}.gz": gzip.compress(LABELS_IDX)[:-3]}, "truncated gzip file", data="mnist", named=f"mnist/{LABELS_NAME}.gz"),
    # paths and --limit
    case("nonexistent", {}, "no such file or folder", data="nothere.csv"),
    case("nonexistent-folder", {}, "no such file or folder", data="nothere/train.csv"),
    case("limit-0", {"x.csv": GOOD_CSV}, "--limit 0: the number of images must be at least 1", limit=0),
    case("limit-negative", {"x.csv": GOOD_CSV}, "--limit -3: the number of images must be at least 1", limit=-3),
    case("limit-too-large-csv", {"x.csv": GOOD_CSV}, "--limit 6 asks for more images than the 5 it holds", limit=6),
    case("limit-too-large-idx", {IMAGES_NAME: IMAGES, LABELS_NAME: LABELS_IDX}, "--limit 1,000 asks for more images than the 5", limit=1000),
    case("limit-too-large-folder", {"mnist": None, f"mnist/{IMAGES_NAME}": IMAGES, f"mnist/{LABELS_NAME}": LABELS_IDX}, "--limit 9 asks for more images than the 5", data="mnist", limit=9, named=f"mnist/{IMAGES_NAME}"),
    # --kind, --size and --per-class
    case("kind-mnist-label-19", {IMAGES_NAME: MANY, LABELS_NAME: MANY_LABELS}, "label 10,001 is 19, outside 0-9", named=LABELS_NAME, kind="mnist"),
    case("size-not-the-idx-size", {IMAGES_NAME: IMAGES, LABELS_NAME: LABELS_IDX}, "images are 28x28 pixels, not the 32x20 of --size", size="32x20"),
    case("csv-not-square", {"x.csv": b"1," + b",".join([b"0"] * 600) + b"\n"}, "row 1 has 601 fields: rows of 600 pixels are not a square image; give its size with --size HxW"),
    case("csv-size-does-not-fit", {"x.csv": GOOD_CSV}, "row 1 has 785 fields: rows of 784 pixels, but --size 32x20 makes 640", size="32x20"),
    case("csv-header-not-square", {"x.csv": ",".join(kaggle_header(600)).encode() + b"\n"}, "row 1: header of 601 names: rows of 600 pixels are not a square image"),
    case("csv-too-large", {"x.csv": b"1," + b",".join([b"0"] * 65 * 65) + b"\n"}, "images are 65x65 pixels, expected 8 to 64 pixels high and wide"),
    case("per-class-for-csv", {"x.csv": GOOD_CSV}, "--per-class is for folders of one .npy file or PNG folder per class", per_class="2"),
    # .npz pairs
    case("npz-without-arr_0", {K49_IMAGES: npz(images=PIXELS), K49_LABELS: npz(arr_0=np.array(LABELS))}, "no arr_0 in this .npz (it holds images)"),
    case("npz-lengths-differ", {K49_IMAGES: npz(arr_0=PIXELS.reshape(N, 28, 28)), K49_LABELS: npz(arr_0=np.array(LABELS[:4]))}, f"4 labels for 5 images in {K49_IMAGES}", named=K49_LABELS),
    case("npz-no-labels-beside", {K49_IMAGES: npz(arr_0=PIXELS)}, "no labels file k49-train-labels.npz beside it"),
    case("npz-float-images", {K49_IMAGES: npz(arr_0=PIXELS / 255), K49_LABELS: npz(arr_0=np.array(LABELS))}, "images of type float64, expected uint8 (grey levels 0-255)"),
    case("npz-float-labels", {K49_IMAGES: npz(arr_0=PIXELS), K49_LABELS: npz(arr_0=np.array(LABELS) / 1)}, "labels of shape (5,) and type float64, expected whole numbers", named=K49_LABELS),
    case("npz-label-beyond-k49", {K49_IMAGES: npz(arr_0=PIXELS), K49_LABELS: npz(arr_0=np.array([5, 0, 49, 1, 9]))}, "label 3 is 49, outside 0-48", named=K49_LABELS),
    case("npz-not-a-zip", {K49_IMAGES: b"PK\x03\x04" + b"\0" * 40, K49_LABELS: npz(arr_0=np.array(LABELS))}, "not a readable .npz (zip) file"),
    case("npz-folder-of-two-sets", {"d": None, f"d/{K49_IMAGES}": npz(arr_0=PIXELS), "d/kmnist-train-imgs.npz": npz(arr_0=PIXELS)}, "holds 2 .npz sets (k49, kmnist); choose one with --kind (kmnist, k49)", data="d"),
    # .npy files
    case("npy-not-square", {"cat.npy": npy(np.zeros((3, 600), np.uint8))}, "rows of 600 pixels are not a square image; give its size with --size HxW"),
    case("npy-float", {"cat.npy": npy(np.zeros((3, 784)))}, "images of type float64, expected uint8"),
    case("npy-truncated", {"cat.npy": npy(PIXELS)[:-10]}, f"truncated: {len(npy(PIXELS)) - 10:,} bytes, the .npy header announces 5x28x28 values"),
    case("npy-header-cut", {"cat.npy": npy(PIXELS)[:20]}, "truncated .npy header"),
    case("npy-4-dims", {"cat.npy": npy(np.zeros((1, 2, 28, 28), np.uint8))}, "an array of 4 dimensions, expected images"),
    case("npy-labels-given", {"cat.npy": npy(PIXELS), LABELS_NAME: LABELS_IDX}, "an .npy file is one class; --labels is for IDX and .npz images", labels=LABELS_NAME, named="cat.npy"),
    case("npy-folder-mixed-sizes", {"qd": None, "qd/a.npy": npy(PIXELS), "qd/b.npy": npy(np.zeros((2, 14, 14), np.uint8))}, "images of 14x14 pixels, but a.npy holds 28x28", data="qd", named="qd/b.npy"),
    # PNG class folders
    case("png-mixed-sizes", {"p/a/0.png": png(GREY), "p/a/1.png": png(np.zeros((16, 16), np.uint8))}, "16x16 pixels, but a/0.png is 14x14; every image must be the same size", data="p", named="p/a/1.png"),
    case("png-colour", {"p/a/0.png": png(GREY), "p/b/0.png": png(COLOUR)}, "a colour image (its red, green and blue differ); expected grey images", data="p", named="p/b/0.png"),
    case("png-empty-class-folder", {"p/a/0.png": png(GREY), "p/b": None}, "an empty class folder (no .png files)", data="p", named="p/b"),
    case("png-all-class-folders-empty", {"p/a": None, "p/b": None}, "an empty class folder (no .png files)", data="p", named="p/a"),
    case("png-not-png", {"p/a/0.png": b"GIF89a" + b"\0" * 20}, "not a PNG file", data="p", named="p/a/0.png"),
    case("png-broken", {"p/a/0.png": png(GREY)[:40]}, "not a readable PNG image", data="p", named="p/a/0.png"),
    case("png-too-small", {"p/a/0.png": png(GREY[:7])}, "images are 7x14 pixels, expected 8 to 64", data="p", named="p/a/0.png"),
    case("png-one-file", {"x.png": png(GREY)}, "one PNG image; give the folder of class folders that holds it"),
    # class maps and EMNIST
    case("class-map-misses-a-label", {"d": None, f"d/{IMAGES_NAME}": IMAGES, f"d/{LABELS_NAME}": idx(np.array([0, 1, 3, 2, 4])), "d/mine_classmap.csv": MAP_GAP}, "label 3 is 3, which the class map mine_classmap.csv does not name", data="d", named=f"d/{LABELS_NAME}"),
    case("label-beyond-the-class-map", {"d": None, f"d/{IMAGES_NAME}": IMAGES, f"d/{LABELS_NAME}": LABELS_IDX, "d/mine_classmap.csv": MAP_0_TO_4}, "label 1 is 5, beyond the class map mine_classmap.csv (0-4)", data="d", named=f"d/{LABELS_NAME}"),
    case("class-map-malformed", {"d": None, f"d/{IMAGES_NAME}": IMAGES, f"d/{LABELS_NAME}": LABELS_IDX, "d/mine_classmap.csv": MAP_HEADER.encode() + b"zero,U+3042\n"}, "row 2: expected index,codepoint,char", data="d", named="d/mine_classmap.csv"),
    case("emnist-mapping-malformed", {"d": None, f"d/{IMAGES_NAME}": IMAGES, f"d/{LABELS_NAME}": LABELS_IDX, "d/emnist-x-mapping.txt": b"0 48\n1 x\n"}, "line 2: expected a label and character codes", data="d", named="d/emnist-x-mapping.txt"),
    case("emnist-two-variants", {"d": None, "d/emnist-digits-train-images-idx3-ubyte": IMAGES, "d/emnist-letters-train-images-idx3-ubyte": IMAGES}, "holds 2 EMNIST variants (emnist-digits, emnist-letters); choose one with --kind (emnist-digits, emnist-letters)", data="d"),
    case("emnist-letter-0", {"emnist-letters-train-images-idx3-ubyte": IMAGES, "emnist-letters-train-labels-idx1-ubyte": LABELS_IDX}, "label 2 is 0, outside 1-26", named="emnist-letters-train-labels-idx1-ubyte"),
]
# fmt: on


def write_files(tmp_path: Path, files: dict[str, bytes | None]) -> None:
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            path.mkdir(exist_ok=True)
        else:
            path.write_bytes(content)


def arguments(tmp_path: Path, data: str | None, labels: str | None) -> tuple[Path | None, Path | None]:
    return (tmp_path / data if data else None), (tmp_path / labels if labels else None)


@pytest.mark.parametrize(("files", "data", "labels", "limit", "named", "phrase", "flags"), CASES)
def test_bad_input_is_one_clear_line(tmp_path, files, data, labels, limit, named, phrase, flags):
    write_files(tmp_path, files)
    with pytest.raises(ReportError) as raised:
        load_with(*arguments(tmp_path, data, labels), limit, flags)
    message = str(raised.value)
    assert len(message.splitlines()) == 1, message
    assert message == message.strip(), message
    assert str(tmp_path / named) in message
    assert phrase in message


TEST_CASES = [  # --test: the message names the test file (or the folder that already holds a test split)
    pytest.param(
        {"test.csv": cell(3, 40, "1e2")},
        "test.csv",
        None,
        "test.csv",
        "row 3, column 40: '1e2' is not a whole number",
        id="bad-row",
    ),
    pytest.param(
        {"t10k-images-idx3-ubyte": idx(np.zeros((N, 65, 65)))},
        "t10k-images-idx3-ubyte",
        None,
        "t10k-images-idx3-ubyte",
        "images are 65x65 pixels, expected 8 to 64 pixels high and wide",
        id="other-image-size",
    ),
    pytest.param(
        {"t10k-images-idx3-ubyte": IMAGES, "t10k-labels-idx1-ubyte": idx(np.array([5, 0, 12, 1, 9]))},
        "t10k-images-idx3-ubyte",
        None,
        "t10k-labels-idx1-ubyte",
        "label 3 is 12, outside 0-9",
        id="more-classes",
    ),
    pytest.param(
        {"test.csv": GOOD_CSV},
        "test.csv",
        6,
        "test.csv",
        "--limit 6 asks for more images than the 5 it holds",
        id="limit-too-large",
    ),
    pytest.param({}, "nothere.csv", None, "nothere.csv", "no such file or folder", id="missing"),
    pytest.param(
        {"held-out": None},
        "held-out",
        None,
        "held-out",
        "no t10k-images-idx3-ubyte[.gz] in this folder",
        id="folder-without-test-pair",
    ),
    pytest.param(
        {
            "mnist": None,
            f"mnist/{IMAGES_NAME}": IMAGES,
            f"mnist/{LABELS_NAME}": LABELS_IDX,
            "mnist/t10k-images-idx3-ubyte": IMAGES,
            "mnist/t10k-labels-idx1-ubyte": LABELS_IDX,
            "test.csv": GOOD_CSV,
        },
        "test.csv",
        None,
        "test.csv",
        "--test names a test split, but the folder",
        id="folder-has-its-own",
    ),
]


@pytest.mark.parametrize(("files", "test", "limit", "named", "phrase"), TEST_CASES)
def test_bad_test_split_is_one_clear_line(tmp_path, files, test, limit, named, phrase):
    """With --kind mnist, so that a test label beyond 9 is an error."""
    files = {"train.csv": GOOD_CSV * 2, **files}  # 10 rows: --limit 6 fits the training data
    write_files(tmp_path, files)
    data = tmp_path / ("mnist" if "mnist" in files else "train.csv")
    with pytest.raises(ReportError) as raised:
        load(data, limit=limit, test=tmp_path / test, kind=KINDS["mnist"])
    message = str(raised.value)
    assert len(message.splitlines()) == 1, message
    assert message.startswith(f"{tmp_path / named}: "), message
    assert phrase in message


def test_limit_on_the_sample_names_it():
    with pytest.raises(ReportError, match=r"^the embedded sample: --limit 0: "):
        load(limit=0)
    with pytest.raises(ReportError, match=r"^the embedded sample: --limit 5,001 asks for more images than the 5,000"):
        load(limit=5001)


# --- harmless variations must just work ------------------------------------


@pytest.fixture(scope="module")
def real(first_images) -> tuple[np.ndarray, np.ndarray]:
    """The first 40 training images, uint8[40, 784], and their labels."""
    images, labels = first_images
    return images[:40], labels[:40]


def real_csv(images: np.ndarray, labels: np.ndarray, **kw) -> bytes:
    return csv([[str(label)] + [str(v) for v in image] for image, label in zip(images, labels, strict=True)], **kw)


VARIANTS = {
    "plain": lambda b: b,
    "bom": lambda b: b"\xef\xbb\xbf" + b,
    "crlf": lambda b: b.replace(b"\n", b"\r\n"),
    "bom-crlf": lambda b: b"\xef\xbb\xbf" + b.replace(b"\n", b"\r\n"),
    "no-final-newline": lambda b: b[:-1],
    "blank-lines-at-end": lambda b: b + b"\n\n\n",
    "blanks-after-last-newline": lambda b: b + b" \t\n  ",
    "crlf-blank-lines-at-end": lambda b: b.replace(b"\n", b"\r\n") + b"\r\n\r\n",
    "quoted-cells": lambda b: b.replace(b",0,", b',"0",'),
    "all-quoted": lambda b: b"".join(b'"' + line.replace(b",", b'","') + b'"\n' for line in b.splitlines()),
    "leading-blanks": lambda b: b.replace(b",", b", ").replace(b"\n", b"\n\t"),
    "gzip": lambda b: gzip.compress(b),
    "bom-crlf-gzip": lambda b: gzip.compress(b"\xef\xbb\xbf" + b.replace(b"\n", b"\r\n")),
}


@pytest.mark.parametrize("header", [False, True], ids=["no-header", "header"])
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("name", ["digits.csv", "digits.csv.gz"])
def test_harmless_variations_load_the_same_images(tmp_path, real, variant, header, name):
    """A BOM, Windows line endings, gzip or not whatever the name says: the same images as the plain file."""
    images, labels = real
    path = tmp_path / name
    path.write_bytes(VARIANTS[variant](real_csv(images, labels, header=header)))
    dataset = load(path)
    assert np.array_equal(dataset.images.reshape(-1, 784), images)
    assert np.array_equal(dataset.labels, labels)
    assert np.array_equal(dataset.instances, np.arange(1, len(labels) + 1))
    assert dataset.images.dtype == np.uint8
    assert dataset.images.shape == (40, 28, 28)


def test_errors_past_the_limit_are_not_read(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(cell(4, 17, "abc"))
    assert len(load(path, limit=3)) == 3
    with pytest.raises(ReportError, match="row 4, column 17"):
        load(path, limit=4)


def write_idx_pair(folder: Path, images: np.ndarray, labels: np.ndarray) -> Path:
    folder.mkdir()
    (folder / (IMAGES_NAME + ".gz")).write_bytes(gzip.compress(idx(images.reshape(-1, 28, 28))))
    (folder / LABELS_NAME).write_bytes(idx(labels))
    return folder


@pytest.mark.parametrize("shape", ["absent-class", "single-image-class"])
def test_odd_class_counts_load_and_build(tmp_path, real, shape):
    """One digit absent, or only one image of a digit: a CSV and an IDX dataset load the same, and the report builds."""
    images, labels = real
    keep = labels != 7 if shape == "absent-class" else (labels != 3) | (np.cumsum(labels == 3) == 1)
    images, labels = images[keep], labels[keep]
    (tmp_path / "x.csv").write_bytes(real_csv(images, labels))
    from_csv = load(tmp_path / "x.csv")
    from_idx = load(write_idx_pair(tmp_path / "mnist", images, labels))
    for dataset in (from_csv, from_idx):
        assert np.array_equal(dataset.images.reshape(-1, 784), images)
        assert np.array_equal(dataset.labels, labels)
    counts = np.bincount(from_csv.labels, minlength=10)
    assert (counts[7] == 0) if shape == "absent-class" else (counts[3] == 1)
    files = render.site(analyze(from_csv), "MNIST, explored", "mnist-report build --data x.csv")
    assert "index.html" in files


# --- the command line: exit 2, one line, the old report untouched ---------------


def hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mnist_report", "build", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def previous_report(tmp_path_factory) -> Path:
    """A report built by the command line on the embedded sample, once for the module."""
    work = tmp_path_factory.mktemp("previous")
    done = cli("--out", work / "report", cwd=work)
    assert done.returncode == 0, done.stderr
    return work / "report"


CLI_CASES = [  # a representative few: each run starts Python and imports the whole package
    "empty",
    "ragged-middle",
    "pixel-256",
    "binary-junk",
    "gz-truncated",
    "idx-little-endian-magic",
    "idx-truncated",
    "labels-is-folder",
    "folder-images-only",
    "limit-0",
    "limit-too-large-csv",
    "label-10-kind-mnist",
]


@pytest.mark.parametrize(
    ("files", "data", "labels", "limit", "named", "phrase", "flags"), [c for c in CASES if c.id in CLI_CASES]
)
def test_cli_bad_input_exits_2_and_keeps_the_report(
    tmp_path, previous_report, files, data, labels, limit, named, phrase, flags
):
    out = tmp_path / "report"
    shutil.copytree(previous_report, out)
    before = hashes(out)
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    write_files(inputs, files)
    data_path, labels_path = arguments(inputs, data, labels)
    args = ["--data", data_path, "--out", out]
    args += ["--labels", labels_path] if labels_path else []
    args += [f"--limit={limit}"] if limit is not None else []
    args += [word for flag, value in flags.items() for word in (f"--{flag.replace('_', '-')}", value)]
    done = cli(*args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("mnist-report: error: "), done.stderr
    assert str(inputs / named) in lines[0]
    assert phrase in lines[0]
    assert hashes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inputs", "report"]  # no staging folders left behind


def test_cli_cases_are_all_in_the_table():
    assert set(CLI_CASES) <= {c.id for c in CASES}


def test_cli_bad_test_file_exits_2_and_keeps_the_report(tmp_path, previous_report):
    out = tmp_path / "report"
    shutil.copytree(previous_report, out)
    before = hashes(out)
    (tmp_path / "train.csv").write_bytes(GOOD_CSV)
    (tmp_path / "test.csv").write_bytes(cell(2, 1, "10"))
    test = tmp_path / "test.csv"
    done = cli("--data", tmp_path / "train.csv", "--test", test, "--kind", "mnist", "--out", out, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stderr.splitlines() == [f"mnist-report: error: {test}: label 2 is 10, outside 0-9"]
    assert hashes(out) == before
