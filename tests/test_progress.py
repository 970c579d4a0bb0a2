"""Progress lines: drawn on a terminal after the stage label and erased when done; nothing in logs."""

from __future__ import annotations

import io

from mnist_report import progress
from mnist_report.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_drawn_on_a_terminal_then_erased(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(progress, "SHOW_AFTER", 0)
    monkeypatch.setattr(progress, "EVERY", 0)
    out = Terminal()
    line = Progress("distances", 1_000, out)
    line.update(250, 250)
    line.update(500, 500)
    text = out.getvalue()
    assert text.startswith("\x1b7distances: 250 images, ")  # the cursor saved once, after the stage label
    assert "\x1b8distances: 500 images, " in text
    assert text.endswith(" s left\x1b[K")
    line.close()
    assert out.getvalue().endswith("\x1b8\x1b[K")  # back to the label, the line erased


def test_nothing_when_not_a_terminal_or_under_ci(monkeypatch):
    monkeypatch.setattr(progress, "SHOW_AFTER", 0)
    monkeypatch.setattr(progress, "EVERY", 0)
    for stream, ci in ((io.StringIO(), None), (Terminal(), "true")):
        if ci:
            monkeypatch.setenv("CI", ci)
        line = Progress("neighbours", 10, stream)
        line.update(5, 5)
        line.close()
        assert stream.getvalue() == ""
