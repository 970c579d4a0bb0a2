"""CSV files of one image per row (label, then the pixels), with or without a header, plain or gzip.

Read a block of whole lines at a time and parsed by polars straight into bytes; when the
fast parser finds a fault, `_diagnose` finds the first bad row and cell and says so.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from queue import Full, Queue
from typing import TypeVar

import numpy as np
import polars as pl

from ..errors import ReportError
from .idx import N_CLASSES, SIDE
from .model import Split, check_limit
from .storage import HEAD, READ_BLOCK, PixelStore, StoredFile, read_up_to, stored

T = TypeVar("T")
PIXELS = SIDE * SIDE
BOM = b"\xef\xbb\xbf"

HEADER = ["label"] + [f"pixel{i}" for i in range(PIXELS)]
CSV_SCHEMA = dict.fromkeys(HEADER, pl.UInt8)  # a whole schema parses 12% faster than overriding every column's type
# The other widely shared CSV form names pixels by 1-based row and column: label,1x1,1x2,...,28x28.
HEADER_ROW_COL = ["label"] + [f"{r}x{c}" for r in range(1, SIDE + 1) for c in range(1, SIDE + 1)]
# A whole number as the fast parser reads one: optional sign, after blanks or inside quotes.
WHOLE = re.compile(rb"([+-]?)([0-9]+)")
# A row that is certainly good (a digit, then 784 values 0-255): the diagnosis skips these quickly.
GOOD_ROW = re.compile(rb"[0-9](?:,(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){%d}" % PIXELS)


def load_csv(path: Path, limit: int | None, split: str) -> Split:
    """A CSV file, a block of whole lines at a time; row numbers in messages count from the file's first line."""
    labels, rows, has_header = [], 0, None
    # The reading thread is stopped before the file closes, whatever happens.
    with stored(path, "CSV") as file, closing(read_ahead(_blocks(file))) as blocks:
        # Every pixel takes at least two bytes of text ("0,"): a plain file's size bounds its pixels' from above.
        expected = 0 if file.compressed else file.size // 2
        pixels = PixelStore(expected=expected if limit is None else min(expected, limit * PIXELS))
        for text in blocks:
            if has_header is None:
                has_header = _header(path, text)
                if has_header:
                    newline = text.find(b"\n")
                    text = text[newline + 1 :] if newline >= 0 else b""
            if limit is not None:  # keep only the rows asked for: the parser would read on and fail on later rows
                text = _first_lines(text, limit - rows)
            if text:
                frame = _parse(path, text, first_row=rows + 1 + has_header)
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
    source = replace(
        source, format=source.format.replace("CSV", "CSV with header" if has_header else "CSV without header")
    )
    return Split(
        split, pixels.array((SIDE, SIDE)), np.concatenate(labels), np.arange(1, rows + 1, dtype=np.int64), (source,)
    )


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


def _header(path: Path, text: bytes) -> bool:
    """Whether the first line is a header (checked name by name); a label, even a bad one such as -1, is not a name."""
    end = text.find(b"\n")
    cells = text[: end if end >= 0 else len(text)].rstrip(b"\r").split(b",")
    if not cells[0].strip(b' \t"')[:1].isalpha():
        return False
    names = [c.strip(b' \t"').decode(errors="replace") for c in cells]
    expected_names = HEADER_ROW_COL if names[1:2] == ["1x1"] else HEADER
    # The first name that differs; a header too short or too long is caught by the count below.
    column = next(
        (i for i, (name, expected) in enumerate(zip(names, expected_names, strict=False)) if name != expected), None
    )
    header = f"label,pixel0,...,pixel{PIXELS - 1}"
    if column is not None:
        raise ReportError(
            f"{path}: row 1, column {column + 1}: header name {names[column][:20]!r}, expected {expected_names[column]!r} ({header})"
        )
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


def _parse(path: Path, text: bytes, first_row: int) -> pl.DataFrame:
    """One block of whole rows; `first_row` is the file row number of its first line, for messages."""
    try:
        # Pixels and labels are read straight into bytes: a value outside 0-255 fails the parse.
        frame = pl.read_csv(text, has_header=False, schema=CSV_SCHEMA, raise_if_empty=False)
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException, ValueError):
        frame = None
    if (
        frame is None
        or frame.width != len(HEADER)
        or frame.null_count().sum_horizontal().item()
        or frame["label"].max() >= N_CLASSES
    ):
        # The fast parser does not say where the problem is: find it ourselves.
        _diagnose(path, text, first_row)
        raise ReportError(f"{path}: not a CSV of one label and {PIXELS} pixels per row")
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


def _diagnose(path: Path, text: bytes, first_row: int) -> None:
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
            what, top = ("label", N_CLASSES - 1) if column == 1 else ("pixel value", 255)
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
