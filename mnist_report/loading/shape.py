"""Image sizes: what every format accepts (8 to 64 pixels high and wide), what a flat row of
pixels is (square when it can be, else as --size or a header says), and --size itself.

Imports nothing heavy: the command line's options go through `parse_size`.
"""

from __future__ import annotations

import math
import re

from ..errors import ReportError

SMALLEST, LARGEST = 8, 64  # pixels, high and wide: the MNIST family's sizes and a margin
Size = tuple[int, int]  # (height, width)


def parse_size(text: str) -> Size:
    """--size HxW: "28x28", "32x20" (height first)."""
    match = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", text)
    if not match:
        raise ReportError(f"--size {text}: expected height x width in pixels, such as 28x28 or 32x20")
    size = int(match[1]), int(match[2])
    check(f"--size {text}", size)
    return size


def check(where, size: Size) -> None:
    """Images of this size can be reported on."""
    if not all(SMALLEST <= side <= LARGEST for side in size):
        raise ReportError(
            f"{where}: images are {size[0]}x{size[1]} pixels, expected {SMALLEST} to {LARGEST} pixels high and wide"
        )


def agree(where, size: Size, asked: Size | None) -> Size:
    """The size a format states (an IDX header, a PNG file), checked, and against --size when given."""
    check(where, size)
    if asked is not None and asked != size:
        raise ReportError(f"{where}: images are {size[0]}x{size[1]} pixels, not the {asked[0]}x{asked[1]} of --size")
    return size


def flat(where, pixels: int, asked: Size | None) -> Size:
    """The size of images stored as rows of `pixels` values: --size when given, else square."""
    if asked is not None:
        if asked[0] * asked[1] != pixels:
            raise ReportError(
                f"{where}: rows of {pixels:,} pixels, but --size {asked[0]}x{asked[1]} makes {asked[0] * asked[1]:,}"
            )
        return asked
    side = math.isqrt(pixels)
    if side * side != pixels:
        raise ReportError(f"{where}: rows of {pixels:,} pixels are not a square image; give its size with --size HxW")
    check(where, (side, side))
    return side, side
