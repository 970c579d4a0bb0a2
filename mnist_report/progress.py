"""Progress of a long step (a read, a pass over the images, the neighbour search) on a terminal:
images done, rate, time left. Nothing when not a terminal.

The line is drawn after the stage label the command has printed (the cursor position is
saved and restored), and erased when done, so the stage's time follows the label as usual
and logs (CI, redirected output) see only the plain stage lines.
"""

from __future__ import annotations

import os
import sys
import time

SHOW_AFTER = 1.0  # seconds: quicker reads never draw a line
EVERY = 0.25  # seconds between redraws


class Progress:
    def __init__(self, name: str, total: int, stream=None):
        self.name, self.total = name, total
        self.stream = sys.stderr if stream is None else stream  # as it is now, not when this module was imported
        self.on = self.stream.isatty() and not os.environ.get("CI")
        self.start = self.drawn = time.monotonic()
        self.shown = False

    def update(self, done: int, images: int | None = None) -> None:
        """`done` of `total` (bytes read, or images), `images` done so far (None while only hashing what is mapped)."""
        now = time.monotonic()
        if not self.on or now - self.start < SHOW_AFTER or now - self.drawn < EVERY or not done:
            return
        elapsed = now - self.start
        left = elapsed * (self.total - done) / done
        what = f"{done / self.total:.0%} checked" if images is None else f"{images:,} images, {images / elapsed:,.0f}/s"
        line = f"{self.name}: {what}, {left:.0f} s left"
        self.stream.write(("\x1b8" if self.shown else "\x1b7") + line + "\x1b[K")
        self.stream.flush()
        self.shown, self.drawn = True, now

    def close(self) -> None:
        if self.shown:
            self.stream.write("\x1b8\x1b[K")
            self.stream.flush()
            self.shown = False
