"""Download the standard MNIST-format datasets into a local cache, verified by checksum.

``fetch("mnist")`` returns a folder holding the four standard files
(train/t10k images/labels, gzip-compressed IDX), each checked against the
checksum published for the official file. Nothing that fails verification is
ever left under its final name: downloads go to ``<file>.part`` and are renamed
only once their checksum matches.

Environment variables:

``MNIST_REPORT_CACHE``
    The cache folder. Default: ``$XDG_CACHE_HOME/mnist-report``, or
    ``~/.cache/mnist-report``. Each dataset goes in ``<cache>/<name>/``.
``MNIST_REPORT_MIRROR``
    One base URL to use instead of the dataset's own mirrors, for example a
    mirror inside a company network; files are fetched as ``<URL>/<file name>``
    and verified against the same checksums. Like every mirror it must be
    ``https://`` (plain ``http://`` is accepted only for localhost).

Standard library only.
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import os
import re
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from .. import __version__, cache
from ..errors import ReportError
from .catalogue import KINDS, Kind, parse_digest
from .download_progress import Meter, Reporter, progress_callable

CACHE_ENV = "MNIST_REPORT_CACHE"
MIRROR_ENV = "MNIST_REPORT_MIRROR"


_CHUNK = 64 * 1024
_RETRY_DELAY = 0.5  # seconds, times the attempt number; tests set it to 0
_STDERR: Any = object()  # default for `progress`: sys.stderr as it is at call time


def cache_root(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The cache folder: `cache_dir`, else the shared one (see cache.py)."""
    return Path(cache_dir) if cache_dir is not None else cache.cache_dir()


def fetch(
    dataset: str | Kind,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    base_urls: Sequence[str] | None = None,
    progress: Reporter | TextIO | None = _STDERR,
    retries: int = 2,
    timeout: float = 30.0,
) -> Path:
    """Return the cache folder holding the dataset's files, downloading what is missing.

    `dataset` is a name from catalogue.KINDS or a Kind record with a download. Mirrors come from
    `base_urls`, else $MNIST_REPORT_MIRROR, else the record. Files already in
    the cache are re-verified (cheap) and only downloaded again if they do not
    match. Each mirror is tried `retries` more times after a network error;
    a checksum mismatch moves straight to the next mirror. `progress` is a
    text stream (default sys.stderr), a Reporter callable, or None for quiet.
    Raises ReportError when a file cannot be had from any mirror.
    """
    kind = _resolve(dataset)
    record = kind.download
    if retries < 0:
        raise ValueError(f"retries must be 0 or more, not {retries}")
    if timeout <= 0:
        raise ValueError(f"timeout must be positive, not {timeout}")
    mirrors = _mirrors(kind, base_urls)
    report = progress_callable(sys.stderr if progress is _STDERR else progress)

    folder = cache_root(cache_dir) / kind.key
    created = not folder.is_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ReportError(f"cannot create cache folder {folder}: {error.strerror or error}") from error

    try:
        for filename, digest in record.files:
            _fetch_file(folder / filename, parse_digest(digest), mirrors, report, retries, timeout)
    except BaseException:
        if created and not any(folder.iterdir()):  # nothing arrived: leave no trace of this call
            folder.rmdir()
        raise
    return folder


# --- one file ---------------------------------------------------------------


class _Mismatch(Exception):
    """The downloaded bytes do not hash to the expected checksum."""


class _Retry(Exception):
    """A failure worth another attempt at the same mirror (besides OSError)."""


class _NextMirror(Exception):
    """A failure that retrying this mirror will not fix."""


_RETRYABLE = (OSError, http.client.HTTPException, _Retry)


def _fetch_file(
    final: Path,
    digest: tuple[str, str],
    mirrors: tuple[str, ...],
    report: Reporter,
    retries: int,
    timeout: float,
) -> None:
    algorithm, expected = digest
    if final.is_file():
        if _hasher(final, algorithm).hexdigest() == expected:
            return
        # Damaged or stale: remove it so a failed download cannot leave it looking usable.
        final.unlink()
    part = final.with_name(final.name + ".part")
    # A complete download whose rename was interrupted needs no request.
    if part.is_file() and _hasher(part, algorithm).hexdigest() == expected:
        os.replace(part, final)
        return

    failures = []
    for base in mirrors:
        url = base.rstrip("/") + "/" + final.name
        meter = Meter(final.name, report)
        reason = _try_mirror(url, part, digest, meter, retries, timeout)
        if reason is None:
            os.replace(part, final)
            meter.end("done")
            return
        meter.end(f"{_host(url)}: {reason}")
        failures.append(f"{_without_password(base)}: {reason}")
    raise ReportError(f"could not download {final.name}: " + "; ".join(failures))


def _try_mirror(
    url: str, part: Path, digest: tuple[str, str], meter: Meter, retries: int, timeout: float
) -> str | None:
    """Download url into part until it verifies: None on success, else a short reason."""
    reason = ""
    for attempt in range(retries + 1):
        if attempt:
            meter.end(f"{_host(url)}: {reason}, retrying")
            time.sleep(_RETRY_DELAY * attempt)
        try:
            _attempt(url, part, digest, meter, timeout)
            return None
        except _Mismatch:
            # Useless for resuming too: the next mirror starts from zero.
            part.unlink(missing_ok=True)
            return "checksum mismatch"
        except _NextMirror as error:
            return str(error)
        except urllib.error.HTTPError as error:
            error.close()
            # Client errors (404, 403...) will not change on retry; 408 and 429 might.
            if 400 <= error.code < 500 and error.code not in (408, 429):
                return f"HTTP {error.code}"
            reason = f"HTTP {error.code}"
        except _RETRYABLE as error:
            reason = _describe(error)
    tries = retries + 1
    return f"{reason} ({tries} tries)" if tries > 1 else reason


def _attempt(url: str, part: Path, digest: tuple[str, str], meter: Meter, timeout: float) -> None:
    """One request for url into part, continuing what part already holds.

    Returns once part holds the whole file and it verifies; otherwise raises
    _Mismatch, or an error that a retry may fix (and part keeps what arrived).
    """
    algorithm, expected = digest
    have = part.stat().st_size if part.is_file() else 0
    request = urllib.request.Request(url, headers={"User-Agent": f"mnist-report/{__version__}"})
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        response = _OPENER.open(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        if error.code == 416 and have:
            error.close()
            # The server cannot continue our .part (it is as long as the file,
            # or longer, yet did not verify): start over on the next attempt.
            part.unlink()
            raise _Retry("cannot resume, restarting") from error
        raise

    with response:
        if response.status == 206 and have:
            start, total = _content_range(response.headers.get("Content-Range", ""))
            if start != have:
                part.unlink()
                raise _Retry("server resumed at the wrong offset, restarting")
            hasher = _hasher(part, algorithm)
            mode, done = "ab", have
        elif response.status == 200:
            # A full response: the server ignored Range (or we sent none).
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            hasher, mode, done = hashlib.new(algorithm), "wb", 0
        else:
            raise _NextMirror(f"unexpected HTTP {response.status}")

        meter.update(done, total)  # lets progress time this attempt from here
        with open(part, mode) as out:
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                hasher.update(chunk)
                done += len(chunk)
                meter.update(done, total)

    # http.client returns EOF quietly when the connection drops early, so
    # compare with the announced length: a short file is resumable, not wrong.
    if total is not None and done < total:
        raise _Retry("connection closed early")
    if hasher.hexdigest() != expected:
        raise _Mismatch()


def _content_range(value: str) -> tuple[int, int | None]:
    """(first byte, total length) from a Content-Range header."""
    match = re.fullmatch(r"bytes (\d+)-\d+/(\d+|\*)", value.strip())
    if not match:
        raise _Retry(f"bad Content-Range {value!r}")
    return int(match[1]), None if match[2] == "*" else int(match[2])


def _hasher(path: Path, algorithm: str) -> Any:
    """A hashlib object fed with the file's bytes (so a resumed download can go on feeding it)."""
    hasher = hashlib.new(algorithm)
    with open(path, "rb") as f:
        while block := f.read(1024 * 1024):
            hasher.update(block)
    return hasher


def _describe(error: BaseException) -> str:
    """A short, one-line reason for a network error."""
    if isinstance(error, urllib.error.URLError) and not isinstance(error, urllib.error.HTTPError):
        if not isinstance(error.reason, BaseException):
            return str(error.reason).splitlines()[0]
        error = error.reason
    if isinstance(error, (TimeoutError, socket.timeout)):
        return "timed out"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    text = str(error).strip()
    return text.splitlines()[0][:120] if text else type(error).__name__


# --- mirrors ------------------------------------------------------------------


def _host(url: str) -> str:
    """The mirror's host (and port), for progress lines: never the user name or password a URL may hold."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)


def _without_password(url: str) -> str:
    """The URL as an error message may show it: any user name and password left out."""
    parts = urllib.parse.urlsplit(url)
    return parts._replace(netloc=_host(url)).geturl() if parts.username or parts.password else url


def _resolve(dataset: str | Kind) -> Kind:
    kind = dataset if isinstance(dataset, Kind) else KINDS.get(dataset)
    if kind is None or kind.download is None:
        known = ", ".join(key for key, k in KINDS.items() if k.download is not None)
        raise ReportError(f"unknown dataset {dataset!r}: choose one of {known}")
    return kind


def _mirrors(kind: Kind, base_urls: Sequence[str] | None) -> tuple[str, ...]:
    if isinstance(base_urls, str):
        base_urls = (base_urls,)  # a lone string would otherwise be split into characters
    if base_urls is not None:
        mirrors = tuple(base_urls)
    elif os.environ.get(MIRROR_ENV):
        mirrors = (os.environ[MIRROR_ENV],)
    else:
        mirrors = kind.download.mirrors
    if not mirrors:
        raise ReportError(f"no mirror to download {kind.key} from")
    for url in mirrors:
        if not _allowed(url):
            raise ReportError(f"refusing mirror {url}: only https:// URLs are allowed (http:// only for localhost)")
    return mirrors


def _allowed(url: str) -> bool:
    """https anywhere; plain http only to this machine (for tests and local mirrors)."""
    parts = urllib.parse.urlsplit(url)
    if not parts.hostname:
        return False
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and _is_loopback(parts.hostname)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to URLs a mirror could have: no downgrade to http."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        if not _allowed(urllib.parse.urljoin(req.full_url, newurl)):
            raise _NextMirror(f"refused redirect to {newurl}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_CheckedRedirects)
