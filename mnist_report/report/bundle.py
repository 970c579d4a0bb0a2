"""The Vega libraries the pages load (assets/vega.js), made by vl-convert from the copies it
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

    return f"vega-{vl_convert.__version__}-vl{vl_version}.js"


def vl_version() -> str:
    """The Vega-Lite version Altair writes its charts in, major.minor."""
    import altair as alt

    return ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


def make(vl_version: str) -> bytes:
    """Vega, Vega-Lite and vega-embed in one script (vl-convert's bundler exposes only vegaEmbed)."""
    import vl_convert

    return vl_convert.javascript_bundle(vl_version=vl_version).encode()
