"""vl-convert's JavaScript engine, fed from a thread of its own.

vl-convert runs one engine and lets go of Python's GIL while it works, so one thread feeding it
is as fast as it goes, and Python goes on building the next chart and the data files on the
other core meanwhile. The engine takes about half a second to start: `warm()` starts it as the
build starts, while the data is read and analysed. Nothing heavy is imported here, so `warm()`
may run before numpy, polars and Altair are loaded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None


def submit(work: Callable, *args) -> Future:
    """Run `work(*args)` on the engine's thread, after whatever was submitted before."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(1, thread_name_prefix="vl-convert")
        return _pool.submit(work, *args)


def warm() -> Future:
    """Start the engine (and load its fonts) now, so the first figure does not wait for it."""
    return submit(_start)


def _start() -> None:
    import vl_convert

    # A chart with an axis: the first drawing of text also loads the fonts vl-convert measures with.
    vl_convert.vegalite_to_svg({"data": {"values": [{"a": 1}]}, "mark": "tick", "encoding": {"x": {"field": "a"}}})
