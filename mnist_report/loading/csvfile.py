"""CSV files of one image per row (label, then the pixels), with or without a header, plain or gzip.

Read a block of whole lines at a time and parsed by polars straight into bytes; when the
fast parser finds a fault, `_diagnose` finds the first bad row and cell and says so.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from queue import Full, Queue
from typing import TypeVar

import numpy as np
import polars as pl

from ..errors import ReportError
from . import shape
from .model import Raw, check_limit
from .shape import Size
from .storage import HEAD, READ_BLOCK, PixelStore, StoredFile, read_up_to, stored

T = TypeVar("T")
BOM = b"\xef\xbb\xbf"
LABEL_TOP = 65_535  # labels are read as 16-bit numbers: any class count the family has, and room beyond
# A whole number as the fast parser reads one: optional sign, after blanks or inside quotes.
WHOLE = re.compile(rb"([+-]?)([0-9]+)")


def kaggle_header(pixels: int) -> list[str]:
    """The header Kaggle's CSV files carry: label,pixel0,...,pixel783 for 784 pixels."""
    return ["label"] + [f"pixel{i}" for i in range(pixels)]


def row_col_header(height: int, width: int) -> list[str]:
    """The other widely shared header, pixels by 1-based row and column: label,1x1,1x2,...,28x28."""
    return ["label"] + [f"{r}x{c}" for r in range(1, height + 1) for c in range(1, width + 1)]


@dataclass(frozen=True)
class Layout:
    """What every row of a file holds: a label, then `pixels` values making images of `size`."""

    size: Size
    has_header: bool

    @property
    def pixels(self) -> int:
        return self.size[0] * self.size[1]

    @cached_property
    def schema(self) -> dict:
        # A whole schema parses 12% faster than overriding every column's type.
        return {"label": pl.UInt16} | dict.fromkeys(kaggle_header(self.pixels)[1:], pl.UInt8)

    @cached_property
    def good_row(self) -> re.Pattern:
        """A row that is certainly good (a label, then the pixels 0-255): the diagnosis skips these quickly."""
        return re.compile(rb"[0-9]{1,4}(?:,(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){%d}" % self.pixels)


def load_csv(path: Path, limit: int | None, split: str, size: Size | None = None) -> Raw:
    """A CSV file, a block of whole lines at a time; row numbers in messages count from the file's first line."""
    labels, rows, layout = [], 0, None
    # The reading thread is stopped before the file closes, whatever happens.
    with stored(path, "CSV") as file, closing(read_ahead(_blocks(file))) as blocks:
        for text in blocks:
            if layout is None:
                layout = _layout(path, text, size)
                # Every pixel takes at least two bytes of text ("0,"): a plain file's size bounds its pixels' from above.
                expected = 0 if file.compressed else file.size // 2
                pixels = PixelStore(expected=expected if limit is None else min(expected, limit * layout.pixels))
                if layout.has_header:
                    newline = text.find(b"\n")
                    text = text[newline + 1 :] if newline >= 0 else b""
            if limit is not None:  # keep only the rows asked for: the parser would read on and fail on later rows
                text = _first_lines(text, limit - rows)
            if text:
                frame = _parse(path, text, rows + 1 + layout.has_header, layout)
                del text
                labels.append(frame["label"].to_numpy())
                pixels.add(frame.drop("label").to_numpy(order="c"))
                rows += frame.height
                del frame
                file.show(rows)
            if limit is not None and rows >= limit:
                break
        blocks.close()  # the reading thread stops before source() reads the rest
        if rows == 0:
            raise ReportError(f"{path}: header only, no images")
        check_limit(limit, rows, path)
        source = file.source()
    header = "CSV with header" if layout.has_header else "CSV without header"
    source = replace(source, format=source.format.replace("CSV", header))
    instances = np.arange(1, rows + 1, dtype=np.int64)
    return Raw(split, pixels.array(layout.size), np.concatenate(labels), instances, (source,), path)


def _blocks(stored: StoredFile) -> Iterator[bytes]:
    """The decompressed text in blocks of whole lines, without a BOM or the blank lines at its end.

    Blank lines at the end of a block are held back until text follows them: only then are they
    rows (reported as blank), and at the end of the file they are dropped.
    """
    carry, total, any_text = b"", 0, False
    while True:
        raw = read_up_to(stored.stream, READ_BLOCK if total else max(READ_BLOCK, len(BOM)))  # a BOM is never cut in two
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
        raise ReportError(
            f"{stored.path}: empty file{once}"
            if total == 0
            else f"{stored.path}: empty file, expected one image per row"
        )


def read_ahead(items: Iterator[T]) -> Iterator[T]:
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


def _layout(path: Path, text: bytes, size: Size | None) -> Layout:
    """The layout the first line gives: a header (checked name by name) or a first row; a label, even
    a bad one such as -1, is not a name."""
    end = text.find(b"\n")
    cells = text[: end if end >= 0 else len(text)].rstrip(b"\r").split(b",")
    if cells[0].strip(b' \t"')[:1].isalpha():
        names = [c.strip(b' \t"').decode(errors="replace") for c in cells]
        return Layout(_header_size(path, names, size), has_header=True)
    count = f"{len(cells):,} field" + "s" * (len(cells) != 1)
    return Layout(shape.flat(f"{path}: row 1 has {count}", len(cells) - 1, size), has_header=False)


def _header_size(path: Path, names: list[str], size: Size | None) -> Size:
    """The image size a header says: label,1x1,...,RxC gives R x C; label,pixel0,... a flat row."""
    if names[1:2] == ["1x1"]:
        last = re.fullmatch(r"([0-9]+)x([0-9]+)", names[-1])
        found = (int(last[1]), int(last[2])) if last else (0, 0)
        expected = row_col_header(*found) if last else [*names[:-1], "RxC"]
    else:
        expected = kaggle_header(len(names) - 1)
    # The first name that differs; a header too short or too long is caught by the count below.
    column = next((i for i, (name, want) in enumerate(zip(names, expected, strict=False)) if name != want), None)
    if column is not None:
        raise ReportError(
            f"{path}: row 1, column {column + 1}: header name {names[column][:20]!r}, expected {expected[column]!r} (label,pixel0,pixel1,... or label,1x1,1x2,...)"
        )
    where = f"{path}: row 1: header of {len(names):,} names"
    if len(names) != len(expected):
        raise ReportError(f"{where}, expected {len(expected):,} (label,1x1,...,{names[-1]})")
    return shape.agree(where, found, size) if names[1:2] == ["1x1"] else shape.flat(where, len(names) - 1, size)


def _first_lines(text: bytes, count: int) -> bytes:
    """The first `count` lines of `text` (all of it when it holds fewer)."""
    end = -1
    for _ in range(count):
        end = text.find(b"\n", end + 1)
        if end < 0:
            return text
    return text[: end + 1]


def _parse(path: Path, text: bytes, first_row: int, layout: Layout) -> pl.DataFrame:
    """One block of whole rows; `first_row` is the file row number of its first line, for messages."""
    try:
        # Pixels are read straight into bytes, labels into 16 bits: a value beyond either fails the parse.
        frame = pl.read_csv(text, has_header=False, schema=layout.schema, raise_if_empty=False)
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException, ValueError):
        frame = None
    if frame is None or frame.width != layout.pixels + 1 or frame.null_count().sum_horizontal().item():
        # The fast parser does not say where the problem is: find it ourselves.
        _diagnose(path, text, first_row, layout)
        raise ReportError(f"{path}: not a CSV of one label and {layout.pixels} pixels per row")
    return frame


def _text_end(text: bytes, stop: int) -> int:
    """Where `text[:stop]` ends without its blank lines at the end: after the newline that ends its last
    non-blank line (or at `stop` when that line has none), 0 when it is all blank."""
    tail = text[max(0, stop - HEAD) : stop]  # look at the end only: stripping the whole block would copy it
    last = stop - len(tail) + len(tail.rstrip()) if tail.strip() else len(text[:stop].rstrip())
    if last == 0:
        return 0
    newline = text.find(b"\n", last, stop)
    return newline + 1 if newline >= 0 else stop


def _diagnose(path: Path, text: bytes, first_row: int, layout: Layout) -> None:
    """Raise a ReportError naming the first malformed row and column of `text`, if there is one.

    This is where every check of a CSV row and cell is worded; it runs only when the
    fast parser has found that something is wrong.
    """
    lines = text.split(b"\n")
    for index, line in enumerate(lines):
        number = first_row + index
        line = line.removesuffix(b"\r")
        if layout.good_row.fullmatch(line):
            continue
        if not line.strip():
            if index == len(lines) - 1:
                continue  # after the last newline
            raise ReportError(f"{path}: row {number} is blank")
        fields = line.split(b",")
        if len(fields) != layout.pixels + 1:
            count = f"{len(fields):,} field" + "s" * (len(fields) != 1)
            raise ReportError(
                f"{path}: row {number} has {count}, expected {layout.pixels + 1:,} (a label and {layout.pixels:,} pixels)"
            )
        for column, cell in enumerate(fields, start=1):
            what, top = ("label", LABEL_TOP) if column == 1 else ("pixel value", 255)
            whole = WHOLE.fullmatch(cell[1:-1] if cell[:1] == cell[-1:] == b'"' else cell.lstrip(b" \t"))
            if not cell.strip():
                problem = f"empty cell, expected a {what} 0-{top:,}"
            elif not whole:
                problem = f"{cell[:20].decode(errors='replace')!r} is not a whole number"
            elif whole[1] == b"-" or len(whole[2].lstrip(b"0")) > 5 or int(whole[2]) > top:
                problem = f"{what} {whole[0][:20].decode()} outside 0-{top:,}"
            else:
                continue
            raise ReportError(f"{path}: row {number}, column {column}: {problem}")
