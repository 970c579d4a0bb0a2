"""A few whole images with what a caption or tooltip says about them: what a figure of pictures draws.

Gathered at analysis time, so drawing never reads the input files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl


@dataclass(frozen=True, eq=False)
class Gallery:
    images: np.ndarray  # uint8[k, height, width]
    table: pl.DataFrame  # one row per image, in display order

    def top(self, most: int) -> Gallery:
        """The rows ranked `most` or better (a `rank` column), with their pictures: the six of a class's thirty."""
        keep = self.table["rank"].to_numpy() <= most
        return Gallery(self.images[keep], self.table.filter(pl.Series(keep)))
