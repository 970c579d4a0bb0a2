"""Other MNIST-format datasets: their own class names and words, and --download from a mirror."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading

import pytest

from mnist_report.analysis import analyze
from mnist_report.errors import ReportError
from mnist_report.loading import load
from mnist_report.loading.catalogue import KINDS, custom_kind
from mnist_report.report import output, pages, render

from .test_download import official_fashion_bytes
from .utils import Page


@pytest.fixture(scope="module")
def fashion_site(tmp_path_factory, fashion):
    dataset = load(fashion, limit=2_000).with_kind(KINDS["fashion-mnist"])
    return output.write(
        render.site(analyze(dataset), "Fashion-MNIST, explored", "mnist-report build"),
        tmp_path_factory.mktemp("f") / "r",
    )


def test_fashion_pages_never_say_digit(fashion_site):
    for page in pages.PAGES:
        text = (fashion_site / page.file).read_text()
        assert "digit" not in text.lower(), page.file
        assert "MNIST is by Yann LeCun" not in text
    overview = Page(fashion_site / "index.html").text()
    assert "Fashion-MNIST" in overview
    assert "articles" in overview
    assert (
        next(a.text for a in Page(fashion_site / "index.html").find_all("a") if a.attrs.get("href") == "pairs.html")
        == "Pairs of articles"
    )
    atypical = Page(fashion_site / "atypical.html").text()
    assert "is the least variable article" in atypical
    pairs = Page(fashion_site / "pairs.html").text()
    assert "The hardest pair by this measure is" in pairs
    assert any(name in pairs for name in ("Shirt", "Pullover", "Coat", "T-shirt/top"))


def test_custom_class_names_need_ten():
    with pytest.raises(ReportError, match="3 names given, expected 10"):
        custom_kind(["a", "b", "c"])
    assert custom_kind([f" c{i} " for i in range(10)]).class_names[0] == "c0"


def test_download_then_build_from_a_local_mirror(tmp_path, fashion):
    """--download fetches the official Fashion-MNIST files, verifies them and reports on them."""
    files = {name: official_fashion_bytes(fashion, name) for name, _ in KINDS["fashion-mnist"].download.files}
    requests = []

    class Mirror(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            body = files.get(self.path.lstrip("/"))
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Mirror)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {
            "MNIST_REPORT_MIRROR": f"http://127.0.0.1:{server.server_address[1]}/",
            "MNIST_REPORT_CACHE": str(tmp_path / "cache"),
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
        }
        command = [sys.executable, "-m", "mnist_report", "build", "--download", "fashion-mnist", "--limit", "500"]
        first = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300)
        assert first.returncode == 0, first.stderr
        assert len(requests) == 4
        index = (tmp_path / "report" / "index.html").read_text()
        assert "Fashion-MNIST, explored" in index
        assert "mnist-report build --download fashion-mnist --limit 500" in index
        # a second build uses the verified cache
        second = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300)
        assert second.returncode == 0
        assert len(requests) == 4
    finally:
        server.shutdown()
