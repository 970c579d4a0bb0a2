"""The files every report ships beside its pages: the stylesheet and script (from the templates'
static/ folder, or the user's), the Vega libraries, and the favicon."""

from __future__ import annotations

import base64
import contextlib
from pathlib import Path

from ..cache import cache_dir
from . import bundle
from .output import write_atomically

TEMPLATES = Path(__file__).parent.parent / "templates"  # inside the wheel
if not TEMPLATES.is_dir():  # running from a source checkout
    TEMPLATES = Path(__file__).parent.parent.parent / "templates"
# Inline, so no page asks a web server for /favicon.ico (a 404 in every log): a 7 on the ink colour.
FAVICON = (
    "data:image/svg+xml;base64,"
    + base64.b64encode(
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f4e79"/>'
        b'<path d="M4 4h8l-4.5 9" fill="none" stroke="#fff" stroke-width="2.4"/></svg>'
    ).decode()
)


def static(name: str, custom: Path | None = None) -> bytes:
    """A static file shipped with the templates, or its replacement in the user's template folder."""
    mine = Path(custom or TEMPLATES) / "static" / name
    return (mine if mine.is_file() else TEMPLATES / "static" / name).read_bytes()


def inline(source: str, tag: str) -> str:
    """JavaScript or CSS safe inside <script> or <style>: "</tag" cannot occur.

    A backslash before the slash keeps the meaning in JavaScript strings and regexes and in CSS.
    """
    return source.replace(f"</{tag}", f"<\\/{tag}")


def vega_bundle() -> bytes:
    """The Vega runtime (bundle.py): the one the wheel carries, else made once per vl-convert version and cached."""
    name = bundle.name(bundle.vl_version())
    for found in (bundle.PACKAGED / name, cache_dir() / name):
        if found.is_file():
            return found.read_bytes()
    made = bundle.make(bundle.vl_version())
    with contextlib.suppress(OSError):  # an unwritable cache only costs time
        write_atomically(cache_dir() / name, made)
    return made
