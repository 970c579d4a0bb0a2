"""What every input becomes: a `Dataset` of one or two `Split`s, each crediting its `Source` files."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

from ..errors import ReportError
from . import chunks as chunking
from .catalogue import MNIST, Kind

T = TypeVar("T")


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

    `images` is uint8[N, height, width] (0 = background, 255 = full ink), upright, in memory or a
    read-only memory map; `labels` indexes the class names (uint8[N] up to 256 classes, else
    uint16[N]); `instances` int64[N] is each image's row in its own input (for the embedded sample:
    its row in the full training set; for a folder of files, its place counting the files in
    sorted order). `name` is "train", "test", or "" when nothing says which. `files` gives each
    image's file, relative to the folder read, when every image is a file of its own (PNG folders).
    """

    name: str
    images: np.ndarray
    labels: np.ndarray
    instances: np.ndarray
    sources: tuple[Source, ...]
    files: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        for array in (self.images, self.labels, self.instances):
            array.setflags(write=False)

    def __len__(self) -> int:
        return len(self.labels)

    def chunks(self, size: int = chunking.CHUNK) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """(offset, uint8[k, pixels] C-contiguous, int64 labels[k]) in file order, `size` images at a time."""
        return chunking.chunks(self.images, self.labels, size)

    def map_chunks(
        self, fn: Callable[[int, np.ndarray, np.ndarray], T], size: int = chunking.CHUNK, what: str = "images"
    ) -> Iterator[T]:
        """fn(offset, images, labels) for each of chunks(), results in file order (see chunks.map_chunks)."""
        return chunking.map_chunks(self.chunks(size), len(self), fn, what)

    def take(self, rows: np.ndarray) -> np.ndarray:
        """uint8[k, height, width]: the images at these 0-based rows, in the order given."""
        return chunking.gather(self.images, rows)


@dataclass(frozen=True, eq=False)
class Raw:
    """One split as a reader gives it, before its labels become class indexes (classes.py).

    `values` are the labels as the files hold them, or, where each file or folder is a class
    (`names` then says which), that class's place among them. `where` is the file or folder
    the labels came from, for messages.
    """

    name: str
    images: np.ndarray
    values: np.ndarray
    instances: np.ndarray
    sources: tuple[Source, ...]
    where: Path | str
    names: tuple[str, ...] | None = None
    files: tuple[str, ...] | None = None

    def split(self, labels: np.ndarray) -> Split:
        return Split(self.name, self.images, labels, self.instances, self.sources, self.files)


@dataclass(frozen=True, eq=False)
class Dataset:
    """The splits of one dataset ("train" before "test") and what their classes are.

    The report's exploring pages describe `main`; the attributes they read (images,
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

    def __len__(self) -> int:
        return len(self.main)


def check_limit(limit: int | None, n: int, where) -> int:
    """How many of the `n` images to keep (--limit)."""
    if limit is not None and limit > n:
        raise ReportError(f"{where}: --limit {limit:,} asks for more images than the {n:,} it holds")
    return n if limit is None else limit
