"""Writing the report: the whole site into a fresh folder swapped in at once, or one file
renamed into place, so a failed build never leaves half a report behind; and the manifest
that marks a folder as a report this tool wrote."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from .. import __version__
from ..errors import ReportError

MANIFEST = "data/manifest.json"
GENERATOR = "mnist-report"


def manifest(files: dict[str, bytes]) -> bytes:
    """Every file of the site with its SHA-256."""
    listing = {path: hashlib.sha256(data).hexdigest() for path, data in sorted(files.items())}
    return json.dumps({"generator": GENERATOR, "version": __version__, "files": listing}, indent=1).encode() + b"\n"


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` beside `path`, then rename it into place: readers see the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as tmp:
        tmp.write(data)
    try:
        Path(tmp.name).chmod(0o644)
        os.replace(tmp.name, path)
    except BaseException:
        Path(tmp.name).unlink(missing_ok=True)
        raise


def check_folder(out: Path, force: bool = False) -> Path:
    """`out` as an absolute path, if a report may be written there (the command asks before any work).

    A folder that is neither empty nor an earlier report is refused unless `force`:
    replacing it would delete someone's files.
    """
    out = Path(out).absolute()
    if out.exists() and not out.is_dir():
        raise ReportError(f"{out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not is_report(out) and not force:
        raise ReportError(
            f"{out}: folder is not empty and holds no earlier report; choose another --out (or --force to replace it)"
        )
    return out


def write(files: dict[str, bytes], out: Path, force: bool = False) -> Path:
    """Write the site into a fresh folder beside `out`, then swap it in for the old report."""
    out = check_folder(out, force)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as e:
        raise ReportError(f"{out.parent}: cannot write here: {e.strerror}") from None
    old = None
    try:
        for relative, data in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        staging.chmod(0o755)  # mkdtemp makes it private; a site is meant to be read
        if out.exists():
            old = out.with_name(staging.name + ".old")
            out.rename(old)
        staging.rename(out)
    except BaseException as e:  # interrupted or failed: leave the old report, remove our half
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None and not out.exists():
            old.rename(out)
        if isinstance(e, OSError):
            raise ReportError(f"{out}: cannot write the report: {e.strerror or e}") from None
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return out


def check_file(path: Path) -> Path:
    """`path` as an absolute path, if the one-file report may be written there."""
    path = Path(path).absolute()
    if path.is_dir():
        raise ReportError(f"{path}: is a folder; --single-file wants a file name such as report.html")
    return path


def write_file(data: bytes, path: Path) -> Path:
    """Write one file beside its destination, then rename it into place."""
    path = check_file(path)
    try:
        write_atomically(path, data)
    except OSError as e:
        raise ReportError(f"{path}: cannot write: {e.strerror or e}") from None
    return path


def is_report(folder: Path) -> bool:
    """Whether `folder` holds a report this tool wrote (its manifest says so)."""
    try:
        return json.loads((Path(folder) / MANIFEST).read_text()).get("generator") == GENERATOR
    except (OSError, ValueError, AttributeError):
        return False
