"""Pictures of a page drawn as one sprite in reading order, with what each is: the class pages' galleries.

One PNG per gallery, grey and dark on white, written beside the page (a data: URL in the one-file
report) and loaded lazily; the rows list each picture's instance number in the same order."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..analysis.gallery import Gallery
from . import images

COLUMNS = 6  # pictures to a row: 6 of 28 px, drawn twice as large, fit a phone
# zlib's fastest level: a sprite of 30 MNIST images took 18 ms at level 9 (345 classes, ten pictures each:
# a minute), 1.3 ms at 6 and 0.4 ms at 1, for files 5% and 19% larger than at 9.
LEVEL = 1


@dataclass(frozen=True)
class Shown:
    """Pictures drawn as one sprite, `columns` to a row in reading order; `rows` says what each is."""

    path: str
    columns: int
    width: int  # px of the sprite; pages draw it twice as large
    height: int
    rows: list[dict]


def picture(pixels: np.ndarray) -> bytes:
    """A class page's picture as PNG."""
    return images.png(pixels, LEVEL)


def sprite(
    pictures_: np.ndarray, rows: list[dict], path: str, pictures: dict[str, bytes], columns: int = COLUMNS
) -> Shown:
    """Images (uint8[n, h, w]) as one sprite added to `pictures` at `path` (when there are any), with their rows."""
    n_rows = -(-len(rows) // columns) or 1
    sheet = images.sheet(list(255 - pictures_), [divmod(i, columns) for i in range(len(rows))], n_rows, columns, gap=2)
    if len(rows):
        pictures[path] = picture(sheet)
    return Shown(path, columns, sheet.shape[1], sheet.shape[0], rows)


@dataclass(frozen=True, eq=False)
class ByClass:
    """A gallery's rows grouped by class once, so each class page takes its own without a scan."""

    gallery: Gallery
    rows: list[dict]
    positions: dict[int, np.ndarray]

    def shown(self, k: int, path: str, pictures: dict[str, bytes], columns: int = COLUMNS) -> Shown:
        mine = self.positions.get(k, np.zeros(0, np.int64))
        return sprite(self.gallery.images[mine], [self.rows[i] for i in mine], path, pictures, columns)


def by_class(gallery: Gallery, column: str) -> ByClass:
    values = gallery.table[column].to_numpy()
    order = np.argsort(values, kind="stable")
    keys, starts = np.unique(values[order], return_index=True)
    groups = np.split(order, starts[1:]) if len(order) else []
    return ByClass(gallery, gallery.table.to_dicts(), {int(k): g for k, g in zip(keys, groups, strict=True)})
