"""Images handed out a bounded chunk at a time, so memory follows the chunk, not the input.

Mapped images are copied out a chunk (or a few rows) at a time and their pages handed back
to the kernel, so resident memory stays small however large the file.
"""

from __future__ import annotations

import mmap
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np

from ..progress import Progress

# Images per chunk: 3.2 MB of MNIST pixels, so a pass's float64 temporaries (26 MB each) stay small
# while the per-chunk Python overhead is nothing next to the arithmetic (245 chunks per million images).
CHUNK = 4096
WORKERS = min(4, os.cpu_count() or 1)  # threads working on chunks at once (map_chunks): one per core, up to four
GATHER = (
    16  # rows read from a map between hand-backs: a fault can map a whole large page-cache folio (MBs) around its row
)
T = TypeVar("T")


def chunks(images: np.ndarray, labels: np.ndarray, size: int = CHUNK) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """(offset, uint8[k, pixels] C-contiguous, int64 labels[k]) in file order, `size` images at a time."""
    flat = images.reshape(len(labels), -1)
    mapped = getattr(images, "_mmap", None) is not None
    for start in range(0, len(labels), size):
        chunk = flat[start : start + size]
        if mapped:
            view, chunk = chunk, np.array(chunk)
            release_pages(view)
        # Labels as int64: numpy indexes with them (centroids[labels]) two to three times faster than with uint8.
        yield start, chunk, labels[start : start + size].astype(np.int64)


def map_chunks(
    parts: Iterator[tuple[int, np.ndarray, np.ndarray]],
    total: int,
    fn: Callable[[int, np.ndarray, np.ndarray], T],
    what: str = "images",
) -> Iterator[T]:
    """fn(offset, images, labels) for each chunk, results in file order, WORKERS chunks at a time
    in threads (numpy lets go of the GIL in its loops); at most 2 x WORKERS chunks in memory.
    A terminal shows the images done under the name `what`."""
    progress = Progress(what, total)
    done = 0
    with ThreadPoolExecutor(WORKERS) as pool:
        pending: deque = deque()
        try:
            for chunk in parts:
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


def gather(images: np.ndarray, rows: np.ndarray, batch: int = GATHER) -> np.ndarray:
    """images[rows] as a new array; from a memory map a batch of rows at a time, in file
    order, handing the pages back after each, so a selection spread over a file holds only a batch."""
    rows = np.asarray(rows, dtype=np.int64)
    if getattr(images, "_mmap", None) is None:
        return np.array(images[rows])
    out = np.empty((len(rows), *images.shape[1:]), images.dtype)
    order = np.argsort(rows, kind="stable")
    for start in range(0, len(rows), batch):
        part = order[start : start + batch]
        out[part] = images[rows[part]]
        release_pages(images[rows[part[0]] : rows[part[-1]] + 1])
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
