"""How a download shows its progress: a callable told each file's bytes and outcome, or a text
stream on which a line is redrawn in place on a terminal and one line per file is written elsewhere."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

# progress(file name, bytes done, total bytes or None, outcome): outcome is None
# while bytes arrive, then "done" once the file is verified, or a short reason
# when an attempt fails.
Reporter = Callable[[str, int, int | None, str | None], None]


class Meter:
    """One file's byte counts, forwarded to the progress callable."""

    def __init__(self, filename: str, report: Reporter) -> None:
        self.filename, self.report = filename, report
        self.done, self.total = 0, None

    def update(self, done: int, total: int | None) -> None:
        self.done, self.total = done, total
        self.report(self.filename, done, total, None)

    def end(self, outcome: str) -> None:
        self.report(self.filename, self.done, self.total, outcome)


class _StreamProgress:
    """Progress on a text stream: a line redrawn in place on a terminal, else one line per file."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        try:
            self.tty = stream.isatty()
        except (AttributeError, ValueError):
            self.tty = False
        self.started: tuple[float, int] | None = None  # (time, bytes) when this attempt began
        self.drawn_at = 0.0
        self.width = 0

    def __call__(self, filename: str, done: int, total: int | None, outcome: str | None) -> None:
        now = time.monotonic()
        if self.started is None and outcome is not None:
            line = f"{filename}  {outcome}"  # failed before a byte arrived
        else:
            if self.started is None:
                self.started = (now, done)  # speed counts this attempt's bytes, not resumed ones
            if outcome is None and (not self.tty or now - self.drawn_at < 0.1):
                return
            began, first = self.started
            speed = (done - first) / max(now - began, 1e-6)
            line = f"{filename}  {_human(done)} / {_human(total) if total else '?'}  {_human(speed)}/s"
            if outcome != "done" and outcome is not None:
                line += f"  {outcome}"
        self.drawn_at = now
        if self.tty:
            self.stream.write("\r" + line.ljust(self.width))
            self.width = len(line)
        if outcome is not None:
            self.stream.write(("" if self.tty else line) + "\n")
            self.started, self.width = None, 0
        self.stream.flush()


def progress_callable(progress: Reporter | TextIO | None) -> Reporter:
    if progress is None:
        return lambda *_: None
    if callable(progress):
        return progress
    if hasattr(progress, "write"):
        return _StreamProgress(progress)
    raise TypeError(f"progress must be a text stream, a callable or None, not {type(progress).__name__}")


def _human(n: float) -> str:
    for unit in ("B", "kB", "MB"):
        if n < 1000:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"
