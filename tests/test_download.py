"""Tests for mnist_report.loading.download against a real HTTP server on 127.0.0.1.

The server serves the MNIST files from the shared data (read into memory;
corrupted variants are derived in memory, the shared folder is never written).
The shared training-images file is re-compressed, so the test record carries a
checksum computed here from that file instead of the official one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from mnist_report.errors import ReportError
from mnist_report.loading import download
from mnist_report.loading.catalogue import KINDS, Download, Kind
from mnist_report.loading.download import fetch

NAMES = [name for name, _ in KINDS["mnist"].download.files]
BIG = "train-images-idx3-ubyte.gz"  # the largest file: the one to cut short

# --- the server -----------------------------------------------------------------


@dataclasses.dataclass
class Mirror:
    """What the server answers under one path prefix."""

    files: dict[str, bytes]
    ignore_range: bool = False
    drop_after: dict[str, int] = dataclasses.field(default_factory=dict)  # close after N bytes...
    drops_left: dict[str, int] = dataclasses.field(default_factory=dict)  # ...this many times
    status: int | None = None  # answer every request with this error status
    redirect: str | None = None  # answer every request with a 302 to here


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        server = self.server
        prefix, _, name = self.path.lstrip("/").partition("/")
        server.requests.append((prefix, name, self.headers.get("Range")))
        mirror = server.mirrors.get(prefix)
        if mirror is None or (mirror.status is None and mirror.redirect is None and name not in mirror.files):
            self.send_error(404)
            return
        if mirror.status is not None:
            self.send_error(mirror.status)
            return
        if mirror.redirect is not None:
            self.send_response(302)
            self.send_header("Location", mirror.redirect)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return

        data = mirror.files[name]
        start = 0
        range_header = self.headers.get("Range")
        if range_header and not mirror.ignore_range:
            start = int(range_header.removeprefix("bytes=").rstrip("-"))
            if start >= len(data):
                self.send_error(416)
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()

        if mirror.drops_left.get(name, 0) > 0:
            mirror.drops_left[name] -= 1
            # Announce the whole body, send part of it, then hang up.
            self.wfile.write(body[: mirror.drop_after[name]])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        self.wfile.write(body)


@pytest.fixture(scope="module")
def shared_files(mnist) -> dict[str, bytes]:
    return {name: (mnist / name).read_bytes() for name in NAMES}


@contextlib.contextmanager
def serving(mirrors: dict[str, Mirror]):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.requests = []
    httpd.mirrors = mirrors
    httpd.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture
def server(shared_files):
    with serving({"a": Mirror(dict(shared_files)), "b": Mirror(dict(shared_files))}) as httpd:
        yield httpd


def refused_url() -> str:
    """A URL on a port that nothing listens on: what a machine without network gets."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/"


@pytest.fixture(autouse=True)
def no_retry_delay(monkeypatch):
    monkeypatch.setattr(download, "_RETRY_DELAY", 0)
    # Keep the user's settings out of the tests.
    for name in (download.CACHE_ENV, download.MIRROR_ENV, "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)


def record(server, shared_files, mirrors=("a", "b"), files=None) -> Kind:
    """The real MNIST record pointed at the test server.

    The three official files keep their published checksums; the re-compressed
    training images get the checksum of the shared file.
    """
    official = dict(KINDS["mnist"].download.files)
    official[BIG] = hashlib.sha256(shared_files[BIG]).hexdigest()
    mirrors = tuple(f"{server.base}/{m}/" for m in mirrors)
    return dataclasses.replace(KINDS["mnist"], download=Download(mirrors, files or tuple(official.items())))


def corrupt(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]


def requests_for(server, name):
    return [(prefix, rng) for prefix, n, rng in server.requests if n == name]


# --- behaviour ------------------------------------------------------------------


def test_clean_fetch_gets_four_verified_files(server, shared_files, tmp_path):
    out = io.StringIO()
    folder = fetch(record(server, shared_files), cache_dir=tmp_path, progress=out)

    assert folder == tmp_path / "mnist"
    assert sorted(p.name for p in folder.iterdir()) == sorted(NAMES)  # no .part left
    for name in NAMES:
        assert (folder / name).read_bytes() == shared_files[name]
    # Not a terminal: one line per finished file, with sizes and speed.
    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines] == NAMES
    assert "\r" not in out.getvalue()
    assert all("/s" in line for line in lines)
    assert "9.6 MB / 9.6 MB" in lines[0]


def test_second_fetch_makes_no_requests(server, shared_files, tmp_path):
    fetch(record(server, shared_files), cache_dir=tmp_path, progress=None)
    server.requests.clear()
    out = io.StringIO()
    fetch(record(server, shared_files), cache_dir=tmp_path, progress=out)
    assert server.requests == []
    assert out.getvalue() == ""


def test_corrupt_on_first_mirror_verified_from_second(server, shared_files, tmp_path):
    name = "t10k-labels-idx1-ubyte.gz"
    server.mirrors["a"].files[name] = corrupt(shared_files[name])

    folder = fetch(record(server, shared_files), cache_dir=tmp_path, progress=None)

    assert (folder / name).read_bytes() == shared_files[name]
    assert requests_for(server, name) == [("a", None), ("b", None)]  # mismatch: no retry on "a"


def test_corrupt_everywhere_raises_and_leaves_nothing(server, shared_files, tmp_path):
    name = "t10k-images-idx3-ubyte.gz"
    for mirror in server.mirrors.values():
        mirror.files[name] = corrupt(shared_files[name])

    with pytest.raises(ReportError) as caught:
        fetch(record(server, shared_files), cache_dir=tmp_path, progress=None)

    message = str(caught.value)
    assert "\n" not in message
    assert name in message
    assert f"{server.base}/a/: checksum mismatch" in message
    assert f"{server.base}/b/: checksum mismatch" in message
    folder = tmp_path / "mnist"
    assert not (folder / name).exists()
    assert not (folder / (name + ".part")).exists()


def test_truncated_response_is_resumed_with_range(server, shared_files, tmp_path):
    cut = 1_000_000
    server.mirrors["a"].drop_after[BIG] = cut
    server.mirrors["a"].drops_left[BIG] = 1
    out = io.StringIO()

    folder = fetch(record(server, shared_files), cache_dir=tmp_path, progress=out)

    assert (folder / BIG).read_bytes() == shared_files[BIG]
    assert requests_for(server, BIG) == [("a", None), ("a", f"bytes={cut}-")]
    assert "1.0 MB / 9.6 MB" in out.getvalue()
    assert "connection closed early, retrying" in out.getvalue()


def test_truncated_response_restarts_when_range_is_ignored(server, shared_files, tmp_path):
    server.mirrors["a"].ignore_range = True
    server.mirrors["a"].drop_after[BIG] = 1_000_000
    server.mirrors["a"].drops_left[BIG] = 1

    folder = fetch(record(server, shared_files), cache_dir=tmp_path, progress=None)

    # We asked to resume, the server answered 200 with the whole file: start over.
    assert requests_for(server, BIG) == [("a", None), ("a", "bytes=1000000-")]
    assert (folder / BIG).read_bytes() == shared_files[BIG]


def test_leftover_part_is_resumed(server, shared_files, tmp_path):
    folder = tmp_path / "mnist"
    folder.mkdir()
    (folder / (BIG + ".part")).write_bytes(shared_files[BIG][:4_000_000])

    fetch(record(server, shared_files), cache_dir=tmp_path, progress=None)

    assert requests_for(server, BIG) == [("a", "bytes=4000000-")]
    assert (folder / BIG).read_bytes() == shared_files[BIG]
    assert not (folder / (BIG + ".part")).exists()


def test_unresumable_part_is_discarded(server, shared_files, tmp_path):
    """A .part as long as the file but wrong: the server says 416, we start over."""
    name = "t10k-labels-idx1-ubyte.gz"
    folder = tmp_path / "mnist"
    folder.mkdir()
    (folder / (name + ".part")).write_bytes(corrupt(shared_files[name]))

    fetch(record(server, shared_files), cache_dir=tmp_path, progress=None)

    assert requests_for(server, name) == [("a", f"bytes={len(shared_files[name])}-"), ("a", None)]
    assert (folder / name).read_bytes() == shared_files[name]


def test_network_errors_are_retried_then_next_mirror(server, shared_files, tmp_path):
    server.mirrors["a"].status = 503

    fetch(record(server, shared_files), cache_dir=tmp_path, progress=None, retries=2)

    assert requests_for(server, BIG) == [("a", None)] * 3 + [("b", None)]


def test_not_found_is_not_retried(server, shared_files, tmp_path):
    del server.mirrors["a"].files[BIG]
    fetch(record(server, shared_files), cache_dir=tmp_path, progress=None)
    assert requests_for(server, BIG) == [("a", None), ("b", None)]


def test_unreachable_mirrors_raise_with_each_reason(server, shared_files, tmp_path):
    closed = refused_url()
    server.mirrors["b"].status = 500

    with pytest.raises(ReportError) as caught:
        fetch(
            record(server, shared_files),
            cache_dir=tmp_path,
            base_urls=[closed, f"{server.base}/b/"],
            progress=None,
            retries=1,
        )
    message = str(caught.value)
    assert message.startswith(f"could not download {BIG}: ")
    assert f"{closed}: Connection refused (2 tries)" in message
    assert f"{server.base}/b/: HTTP 500 (2 tries)" in message


def test_without_network_each_line_names_the_mirror_and_no_empty_folder_is_left(tmp_path):
    name = "t10k-labels-idx1-ubyte.gz"
    closed = refused_url()
    with serving({"busy": Mirror({}, status=503)}) as httpd:
        record = dataclasses.replace(
            KINDS["mnist"], download=Download((closed, f"{httpd.base}/busy/"), ((name, "0" * 64),))
        )
        out = io.StringIO()
        with pytest.raises(ReportError, match=f"could not download {name}"):
            fetch(record, cache_dir=tmp_path, progress=out, retries=1)
        refused, busy = closed.removeprefix("http://").rstrip("/"), httpd.base.removeprefix("http://")
        assert out.getvalue().splitlines() == [
            f"{name}  {refused}: Connection refused, retrying",
            f"{name}  {refused}: Connection refused (2 tries)",
            f"{name}  {busy}: HTTP 503, retrying",
            f"{name}  {busy}: HTTP 503 (2 tries)",
        ]
        assert list(tmp_path.iterdir()) == [], "the cache folder this call made is gone again"
        # A folder that was there before is the user's: it stays.
        (tmp_path / "mnist").mkdir()
        with pytest.raises(ReportError):
            fetch(record, cache_dir=tmp_path, progress=None, retries=0)
        assert (tmp_path / "mnist").is_dir()


def test_corrupt_cached_file_is_replaced(server, shared_files, tmp_path):
    folder = tmp_path / "mnist"
    folder.mkdir()
    for name in NAMES:
        (folder / name).write_bytes(shared_files[name])
    damaged = "train-labels-idx1-ubyte.gz"
    (folder / damaged).write_bytes(corrupt(shared_files[damaged]))

    fetch(record(server, shared_files), cache_dir=tmp_path, progress=None)

    assert [n for _, n, _ in server.requests] == [damaged]
    assert (folder / damaged).read_bytes() == shared_files[damaged]


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/mnist/",
        "http://192.168.1.10/mnist/",
        "ftp://example.com/mnist/",
        "file:///tmp/mnist/",
        "https:///no-host/",
    ],
)
def test_unsafe_mirror_is_refused(server, shared_files, tmp_path, url):
    with pytest.raises(ReportError, match="refusing mirror"):
        fetch(record(server, shared_files), cache_dir=tmp_path, base_urls=[url], progress=None)
    with pytest.raises(ReportError, match="refusing mirror"):
        fetch(
            dataclasses.replace(KINDS["mnist"], download=Download((url,), KINDS["mnist"].download.files)),
            cache_dir=tmp_path,
        )
    assert server.requests == []


def test_redirect_to_plain_http_is_refused(server, shared_files, tmp_path):
    server.mirrors["a"].redirect = "http://example.invalid/mnist/file.gz"
    fetch(record(server, shared_files), cache_dir=tmp_path, progress=None)  # from "b"
    assert {prefix for prefix, _, _ in server.requests} == {"a", "b"}
    assert len(requests_for(server, BIG)) == 2  # no retries: it will not get better


def test_cache_env_is_honoured(server, shared_files, tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_REPORT_CACHE", str(tmp_path / "env-cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    folder = fetch(record(server, shared_files), progress=None)
    assert folder == tmp_path / "env-cache" / "mnist"
    assert sorted(p.name for p in folder.iterdir()) == sorted(NAMES)
    # An explicit cache_dir wins over the environment.
    assert download.cache_root(tmp_path / "explicit") == tmp_path / "explicit"


def test_cache_root_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert download.cache_root() == tmp_path / "mnist-report"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # ignored, per the XDG spec
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert download.cache_root() == tmp_path / "home" / ".cache" / "mnist-report"


def test_mirror_env_overrides_the_record(server, shared_files, tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_REPORT_MIRROR", f"{server.base}/b")  # no trailing slash needed
    fetch(record(server, shared_files, mirrors=("nowhere",)), cache_dir=tmp_path, progress=None)
    assert {prefix for prefix, _, _ in server.requests} == {"b"}


def test_tty_progress_updates_in_place(server, shared_files, tmp_path):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Terminal()
    fetch(record(server, shared_files), cache_dir=tmp_path, progress=out)
    text = out.getvalue()
    assert text.startswith("\r")
    assert text.endswith("\n")
    assert text.count("\n") == 4  # one finished line per file


def test_progress_callable_sees_every_file(server, shared_files, tmp_path):
    events = []
    fetch(record(server, shared_files), cache_dir=tmp_path, progress=lambda *e: events.append(e))
    finished = [(name, done, total) for name, done, total, outcome in events if outcome == "done"]
    assert finished == [(n, len(shared_files[n]), len(shared_files[n])) for n in NAMES]


def test_unknown_dataset_and_bad_arguments(tmp_path):
    with pytest.raises(ReportError, match="unknown dataset 'emnist'"):
        fetch("emnist", cache_dir=tmp_path)
    with pytest.raises(ValueError, match="retries must be 0 or more"):
        fetch("mnist", cache_dir=tmp_path, retries=-1)
    with pytest.raises(ValueError, match="hex digest"):
        Download(("https://example.com/",), (("f.gz", "abc"),))
    with pytest.raises(ValueError, match="algorithm"):
        Download(("https://example.com/",), (("f.gz", ("crc32", "00000000")),))


def test_md5_records_are_supported(server, shared_files, tmp_path):
    name = "t10k-labels-idx1-ubyte.gz"
    rec = record(server, shared_files, files=((name, ("md5", hashlib.md5(shared_files[name]).hexdigest())),))
    folder = fetch(rec, cache_dir=tmp_path, progress=None)
    assert (folder / name).read_bytes() == shared_files[name]


# --- the published checksums ------------------------------------------------------

# md5s of the official files: ../shared/data/README.md for MNIST, torchvision's
# FashionMNIST.resources for Fashion-MNIST.
OFFICIAL_MD5 = {
    "mnist": {
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    },
    "fashion-mnist": {
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    },
}

# Debian's package stripped the file name and time from the official files'
# gzip headers (reproducible builds) and left the compressed data as it was;
# putting them back gives the official bytes. The times were found by search.
FASHION_GZIP_MTIME = {
    "train-images-idx3-ubyte.gz": 1504176606,  # 2017-08-31 10:50:06 UTC
    "train-labels-idx1-ubyte.gz": 1504176606,
    "t10k-images-idx3-ubyte.gz": 1504176627,
    "t10k-labels-idx1-ubyte.gz": 1504176627,
}


def official_fashion_bytes(folder: Path, name: str) -> bytes:
    data = (folder / name).read_bytes()
    if data[:4] == b"\x1f\x8b\x08\x08":  # gzip with its file name: the official file itself
        return data
    assert data[:4] == b"\x1f\x8b\x08\x00"  # gzip, deflate, no file name
    header = b"\x1f\x8b\x08\x08" + struct.pack("<I", FASHION_GZIP_MTIME[name]) + data[8:10]
    return header + name.removesuffix(".gz").encode() + b"\0" + data[10:]


def test_mnist_checksums_match_the_official_files(mnist):
    digests = dict(KINDS["mnist"].download.files)
    for name, md5 in OFFICIAL_MD5["mnist"].items():
        data = (mnist / name).read_bytes()
        assert hashlib.md5(data).hexdigest() == md5, name  # it is the official file...
        assert hashlib.sha256(data).hexdigest() == digests[name], name  # ...and our checksum is its


def test_fashion_checksums_match_the_official_files(fashion):
    digests = dict(KINDS["fashion-mnist"].download.files)
    for name, md5 in OFFICIAL_MD5["fashion-mnist"].items():
        data = official_fashion_bytes(fashion, name)
        assert hashlib.md5(data).hexdigest() == md5, name
        assert hashlib.sha256(data).hexdigest() == digests[name], name


def test_dataset_records():
    downloadable = {name: kind for name, kind in KINDS.items() if kind.download is not None}
    assert set(downloadable) == {"mnist", "fashion-mnist", "kmnist"}
    assert all(kind.key == name for name, kind in KINDS.items())
    for kind in downloadable.values():
        assert [f for f, _ in kind.download.files] == NAMES
        assert len(kind.class_names) == len(set(kind.class_names)) == 10
        assert kind.download.mirrors
        assert all(m.startswith("https://") and m.endswith("/") for m in kind.download.mirrors)
    assert KINDS["fashion-mnist"].class_names[0] == "T-shirt/top"
    assert KINDS["kmnist"].class_names == ("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo")


def test_a_failed_mirror_is_named_without_its_password():
    from mnist_report.loading.download import _without_password

    assert _without_password("https://me:secret@mirror.example:8443/mnist/") == "https://mirror.example:8443/mnist/"
    assert _without_password("http://127.0.0.1:8000/mnist/") == "http://127.0.0.1:8000/mnist/"
