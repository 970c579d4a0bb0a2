"""Reading input files: hashed as stored, streamed (through gzip when compressed), and their
pixels kept in memory up to IN_MEMORY bytes, beyond that in a temporary file mapped in turn.

Also where the ways reading can fail become one-line ReportErrors (`reading`).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import math
import os
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..errors import ReportError
from ..progress import Progress
from .model import Source

GZIP_MAGIC = b"\x1f\x8b"
HEAD = 4096  # bytes sniffed to tell one format from another
# Decompressed or parsed pixels up to this size stay in memory (60,000 MNIST images are 47 MB);
# beyond it (about 340,000 of them) they go to a temporary file that is memory-mapped.
IN_MEMORY = 256 << 20
# Bytes read from a file (or a gzip stream) at a time: a CSV block is parsed whole, and parsing
# holds about three times its text (the text, polars' columns, the pixels), so 32 MB keeps that
# near 100 MB while each block still holds about 18,000 rows.
READ_BLOCK = 32 << 20


class StoredFile(io.RawIOBase):
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
        return Source(
            self.path.name, self.fmt + (", gzip" if self.compressed else ""), self.hash.hexdigest(), self.size
        )

    def close(self) -> None:
        self.progress.close()
        self.file.close()
        super().close()


@contextmanager
def stored(path: Path, fmt: str) -> Iterator[StoredFile]:
    """A StoredFile, closed afterwards; failures to read it become one-line ReportErrors."""
    with reading(path):
        file = StoredFile(path, fmt)
        try:
            yield file
        finally:
            file.close()


class PixelStore:
    """uint8 values gathered in file order: in memory up to IN_MEMORY bytes, beyond that in a temporary file.

    The temporary file is unlinked as soon as it is made (`tempfile.TemporaryFile`, in $TMPDIR), so its
    space returns when its memory map is garbage collected, or when the process ends however it ends.
    """

    def __init__(self, in_memory: bool = False, expected: int = 0):
        self.parts: list[np.ndarray | bytes] = []
        self.size = 0
        self.in_memory = in_memory
        # When the size is known (an IDX header) and too large, spill from the start rather than past IN_MEMORY.
        self.spill = None if in_memory or expected <= IN_MEMORY else _spill_file()

    def add(self, values: np.ndarray | bytes) -> None:
        if self.spill is None and not self.in_memory and self.size + len(memoryview(values).cast("B")) > IN_MEMORY:
            self.spill = _spill_file()
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


class ArrayFile:
    """An open file of unsigned bytes laid out as `shape` after a header of `header` bytes (IDX, .npy),
    the header checked: its values, read mapped or streamed."""

    def __init__(self, stored: StoredFile, shape: tuple[int, ...], header: int, describe: str, member=None):
        """`member`: the stream of a member inside the file (an .npz's array), read instead of the file's own."""
        self.stored, self.shape, self.header, self.describe = stored, shape, header, describe
        self.stream = stored.stream if member is None else member
        self.expected = header + math.prod(shape)

    def values(
        self, rows: int, in_memory: bool = False, transpose: bool = False, into: PixelStore | None = None
    ) -> np.ndarray | None:
        """The first `rows` entries, checked against the file's length: mapped when the file is plain (unless
        `in_memory`, `transpose` or `into`), else streamed, each image transposed when `transpose`, into the
        store `into` when given (then None is returned). Compressed data past `rows` is not decompressed
        (only hashed), as CSV rows past --limit are not parsed."""
        stored, stream, item, row = self.stored, self.stream, self.shape[1:], math.prod(self.shape[1:])
        if stream is stored and not (in_memory or transpose or into is not None):  # a plain file: length checked
            return np.memmap(stored.path, np.uint8, "r", offset=self.header, shape=(rows, *item))
        wanted, got, partial = rows * row, 0, b""
        sink = into or PixelStore(in_memory, expected=wanted)
        step = max(READ_BLOCK // max(row, 1), 1) * row  # whole images a block, so each can be turned
        while got < wanted and (block := read_up_to(stream, min(step, wanted - got))):
            if len(block) % row:  # the file ends inside an image: the length check below says so
                partial = block
                break
            got += len(block)
            sink.add(
                np.frombuffer(block, np.uint8).reshape(-1, *item).transpose(0, 2, 1).copy() if transpose else block
            )
            stored.show(got // max(row, 1))
        extra = stream.read(1) if got == wanted == row * self.shape[0] else b""
        if got < wanted or extra:
            self.check_length(self.header + got + len(partial) + len(extra) + drain(stream))
        return None if into is not None else sink.array(item[::-1] if transpose else item)

    def check_length(self, length: int) -> None:
        if length != self.expected:
            problem = "truncated" if length < self.expected else "trailing bytes"
            dims = "x".join(f"{n:,}" for n in self.shape)
            raise ReportError(
                f"{self.stored.path}: {problem}: {length:,} bytes, the {self.describe} announces {dims} values in {self.expected:,}"
            )


def _spill_file():
    """An unlinked temporary file, open until the pixels' memory map is made (PixelStore.array closes it)."""
    return tempfile.TemporaryFile(prefix="mnist-report-")


def read_up_to(stream, size: int) -> bytes:
    """`size` bytes, or fewer at the end of the stream."""
    parts, got = [], 0
    while got < size and (part := stream.read(size - got)):
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def drain(stream) -> int:
    """Read `stream` to its end (so a hash or a length covers it all); the number of bytes read."""
    buffer, total = bytearray(1 << 20), 0
    while n := stream.readinto(buffer):
        total += n
    return total


@contextmanager
def reading(path: Path):
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
        raise ReportError(f"{path}: corrupt gzip data ({reason(e).split(' 0x')[0]})") from None
    except OSError as e:
        raise ReportError(f"{path}: cannot read: {reason(e)}") from None


def head(path: Path) -> bytes:
    """The first bytes of the (decompressed) file, to tell IDX from CSV."""
    with reading(path):
        with path.open("rb") as f:
            start = f.read(HEAD)
        if start[:2] != GZIP_MAGIC:
            return start
        with gzip.open(path) as g:
            return g.read(HEAD)


def reason(e: BaseException) -> str:
    return getattr(e, "strerror", None) or str(e) or type(e).__name__
