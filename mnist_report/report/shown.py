"""Pictures of a page drawn as one sprite in reading order, with what each is: the class pages' galleries.

One PNG per gallery, grey and dark on white, written beside the page (a data: URL in the one-file
report) and loaded lazily; the rows list each picture's instance number in the same order."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..analysis.gallery import Gallery
from . import images

COLUMNS = 6  # pictures to a row: 6 of 28 px, drawn twice as large, fit a phone


@dataclass(frozen=True)
class Shown:
    """Pictures drawn as one sprite, `columns` to a row in reading order; `rows` says what each is."""

    path: str
    columns: int
    width: int  # px of the sprite; pages draw it twice as large
    height: int
    rows: list[dict]


def sprite(gallery: Gallery, rows: np.ndarray, path: str, pictures: dict[str, bytes], columns: int = COLUMNS) -> Shown:
    """The gallery's pictures at `rows` as one sprite added to `pictures` at `path` (when there are any),
    with their table's rows."""
    n_rows = -(-len(rows) // columns) or 1
    sheet = images.sheet(
        list(255 - gallery.images[rows]), [divmod(i, columns) for i in range(len(rows))], n_rows, columns, gap=2
    )
    if len(rows):
        pictures[path] = images.png(sheet)
    return Shown(path, columns, sheet.shape[1], sheet.shape[0], gallery.table[rows].to_dicts())
