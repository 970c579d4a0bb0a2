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
