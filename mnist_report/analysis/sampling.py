"""How the report works on part of a large set: an evenly spaced, deterministic selection.

Health's checks are the one exception: a seeded random sample (health/sample.py).
"""

from __future__ import annotations

import numpy as np


def evenly_spaced(n: int, most: int) -> np.ndarray:
    """At most `most` of the rows 0..n-1, evenly spaced and the first included: the same every
    build, and spread over the whole file rather than its start (files are often sorted)."""
    return np.arange(n) if n <= most else np.linspace(0, n - 1, most).round().astype(np.int64)
