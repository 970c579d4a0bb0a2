"""Where mnist-report keeps files worth reusing between runs (the Vega bundle, downloads)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """MNIST_REPORT_CACHE if set, else the XDG user cache folder."""
    if os.environ.get("MNIST_REPORT_CACHE"):
        return Path(os.environ["MNIST_REPORT_CACHE"])
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    # The XDG spec says to ignore a relative path.
    base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "mnist-report"
