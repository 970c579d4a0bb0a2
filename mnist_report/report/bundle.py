"""The Vega runtime the pages load (assets/vega.js), made by vl-convert from the copy it
carries, offline, in about 1.2 s: so they are made when the wheel is built (hatch_build.py puts
them in the package, under the name `name()` gives) and a user's first build only reads them.
A source checkout makes them once per vl-convert version and keeps them in the cache (assets.py).

Nothing heavy is imported at the top: the build hook loads this file alone.
"""

from __future__ import annotations

from pathlib import Path

PACKAGED = Path(__file__).parent.parent / "bundled"  # where the wheel carries it


def name(vl_version: str) -> str:
    """The bundle's file name: it depends on vl-convert's version and the Vega-Lite version asked for."""
    import vl_convert

    return f"vega-{vl_convert.__version__}-vl{vl_version}-runtime.js"


def vl_version() -> str:
    """The Vega-Lite version Altair writes its charts in, major.minor."""
    import altair as alt

    return ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


def make(vl_version: str) -> bytes:
    """Vega alone, as `window.vega`: the specs are compiled to Vega when the report is built, so a page
    needs neither Vega-Lite nor vega-embed (report.js draws and gives tooltips itself): 586 KB instead
    of 898 KB, a third less for a phone to parse on every page."""
    import vl_convert

    snippet = f'import * as runtime from "{_vega_module()}"; window.vega = runtime;'
    return vl_convert.javascript_bundle(snippet, vl_version=vl_version).encode()


def _vega_module() -> str:
    """The address under which vl-convert's bundler holds its copy of Vega. vl-convert has no call that
    says it, and the `vega` its snippets are given is a default import, which Vega does not have (null);
    its copies are named in its library, so the address is read from there (0.1 s, once a version).
    Should it carry several, the newest is the one its own charts are compiled for."""
    import mmap
    import re

    import vl_convert

    with open(vl_convert.vl_convert.__file__, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as lib:
        versions = {tuple(map(int, v)) for v in re.findall(rb"/npm/vega@(\d+)\.(\d+)\.(\d+)/\+esm", lib)}
    if not versions:
        raise RuntimeError(f"no copy of Vega found in {vl_convert.vl_convert.__file__}")
    return "https://cdn.jsdelivr.net/npm/vega@{}.{}.{}/+esm".format(*max(versions))
