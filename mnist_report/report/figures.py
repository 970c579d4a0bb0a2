"""Figures made ready without waiting on them: each chart's Vega, static image and reserved box
(vega.resolve) are made on vl-convert's thread (engine.py) while Python builds the next chart, and
kept in the cache between builds.

What vl-convert makes of a chart depends only on the chart's Vega-Lite, the figure's settings,
vl-convert's version and the code that asks it (vega.py): those are the cache key, so a chart
whose data or look changed is made again and one that did not is read back, byte for byte what
vl-convert would give. A rebuild of the same data skips vl-convert altogether (the embedded
sample's 17 figures: about 2 s of its work). The folder is kept under CACHE_BYTES by removing the
entries used least recently.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
from concurrent.futures import Future
from pathlib import Path

from ..cache import cache_dir
from . import engine, fit, vega
from .output import write_atomically
from .page import Figure

CACHE_BYTES = 200_000_000  # the figure cache's size at most: the figures of some 100 MNIST-sized builds
_written: list[Path] = []  # entries this process wrote: the cache is trimmed once after them


def submit(figure: Figure) -> Future[vega.Rendered]:
    """The figure made ready: from the cache when its key is there, else by vl-convert in the background."""
    chart = figure.chart.to_dict(validate=False)
    key = _key(figure, chart)
    found = _read(figure, key)
    if found is not None:
        done: Future[vega.Rendered] = Future()
        done.set_result(found)
        return done
    return engine.submit(_make, figure, chart, key)


def trim(limit: int = CACHE_BYTES) -> None:
    """Remove the least recently used entries until the cache holds at most `limit` bytes (after a build that added some)."""
    if not _written:
        return
    _written.clear()
    with contextlib.suppress(OSError):
        entries = sorted((p.stat().st_mtime, p.stat().st_size, p) for p in _folder().glob("*.json"))
        total = sum(size + _static(p).stat().st_size for _, size, p in entries if _static(p).is_file())
        for _, size, entry in entries:
            if total <= limit:
                break
            static = _static(entry)
            total -= size + (static.stat().st_size if static.is_file() else 0)
            entry.unlink(missing_ok=True)  # the entry first: a static image alone is never read
            static.unlink(missing_ok=True)


def _make(figure: Figure, chart: dict, key: str) -> vega.Rendered:
    made = vega.resolve(figure, chart)
    entry = _folder() / f"{key}.json"
    with contextlib.suppress(OSError):  # an unwritable cache only costs time
        write_atomically(_static(entry), made.static)
        write_atomically(entry, json.dumps({"spec": made.spec, "box": made.box}).encode())
        _written.append(entry)
    return made


def _read(figure: Figure, key: str) -> vega.Rendered | None:
    entry = _folder() / f"{key}.json"
    try:
        stored = json.loads(entry.read_bytes())
        static = _static(entry).read_bytes()
        os.utime(entry)  # used now: trim() removes the least recently used
    except (OSError, ValueError):
        return None
    return vega.Rendered(figure, stored["spec"], static, stored["box"])


def _key(figure: Figure, chart: dict) -> str:
    import vl_convert

    settings = {f.name: getattr(figure, f.name) for f in dataclasses.fields(figure) if f.name != "chart"}
    digest = hashlib.sha256()
    for part in (vl_convert.__version__, _CODE, repr(sorted(settings.items())), json.dumps(chart, sort_keys=True)):
        digest.update(part.encode())
        digest.update(b"\0")
    return f"{digest.hexdigest()[:32]}-{figure.static}"


def _static(entry: Path) -> Path:
    return entry.with_suffix("." + entry.stem.rsplit("-", 1)[1])


def _folder() -> Path:
    return cache_dir() / "figures"


# The code that asks vl-convert for a figure and sizes its box (vega.py, fit.py): a change to it makes every figure again.
_CODE = hashlib.sha256(b"".join(Path(m.__file__).read_bytes() for m in (vega, fit))).hexdigest()
