"""Other MNIST-format datasets: their own class names and words, and --download from a mirror."""

from __future__ import annotations

import http.server
import re
import subprocess
import sys
import threading

import pytest

from mnist_report.analysis import analyze
from mnist_report.errors import ReportError
from mnist_report.loading import load
from mnist_report.loading.catalogue import DOWNLOADS, KINDS, detect
from mnist_report.report import output, pages, render

from .test_download import official_fashion_bytes
from .utils import Page


@pytest.fixture(scope="module")
def fashion_site(tmp_path_factory, fashion):
    dataset = load(fashion, limit=2_000, kind=KINDS["fashion-mnist"])
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


def test_custom_class_names_one_per_class():
    with pytest.raises(ReportError, match=r"^--classes: 3 names given, but the data holds 10 classes \(labels 0-9\)$"):
        load(limit=50, classes=["a", "b", "c"])
    with pytest.raises(
        ReportError, match=r"^--classes: 25 names given, but EMNIST Letters has 26 classes \(labels 1-26\)$"
    ):
        load(limit=50, classes=list("abcdefghijklmnopqrstuvwxy"), kind=KINDS["emnist-letters"])
    custom = load(limit=50, classes=[f" c{i} " for i in range(10)])
    assert custom.class_names[0] == "c0"
    assert custom.kind.noun == ("class", "classes")  # names of your own: no longer MNIST's digits
    assert custom.kind.credit == ""


# EMNIST's mapping files: balanced and bymerge keep these lower case letters apart from their capitals.
KEPT = list("abdefghnqrt")
DIGITS, UPPER = [str(d) for d in range(10)], [chr(c) for c in range(ord("A"), ord("Z") + 1)]


@pytest.mark.parametrize(
    ("key", "classes", "values", "noun"),
    [
        ("emnist-balanced", DIGITS + UPPER + KEPT, range(47), "character"),
        ("emnist-byclass", DIGITS + UPPER + [c.lower() for c in UPPER], range(62), "character"),
        ("emnist-bymerge", DIGITS + UPPER + KEPT, range(47), "character"),
        ("emnist-digits", DIGITS, range(10), "digit"),
        ("emnist-letters", UPPER, range(1, 27), "letter"),
        ("emnist-mnist", DIGITS, range(10), "digit"),
    ],
)
def test_emnist_records(key, classes, values, noun):
    kind = KINDS[key]
    assert list(kind.class_names) == classes
    assert kind.values == tuple(values)
    assert kind.noun[0] == noun
    assert kind.transposed
    assert "Cohen" in kind.credit
    assert "NIST" in kind.credit
    assert kind.download is None
    assert detect(f"{key}-train-images-idx3-ubyte.gz") is kind


def test_kuzushiji_and_quickdraw_records():
    k49, quickdraw = KINDS["k49"], KINDS["quickdraw"]
    assert len(k49.class_names) == 49
    assert k49.class_names[:5] == ("a", "i", "u", "e", "o")
    assert k49.class_names[-4:] == ("we", "wo", "n", "ゝ")
    assert "CC BY-SA 4.0" in k49.credit
    assert detect("k49-train-imgs.npz") is k49
    assert detect("kmnist-test-labels.npz") is KINDS["kmnist"]
    assert len(quickdraw.class_names) == len(set(quickdraw.class_names)) == 345
    files = [f"full_numpy_bitmap_{name}.npy" for name in quickdraw.class_names]
    assert files == sorted(files)  # the order a folder of all 345 files gives
    assert quickdraw.noun == ("category", "categories")
    assert "CC BY 4.0" in quickdraw.credit
    assert detect(files[0]) is quickdraw
    assert detect("train-images-idx3-ubyte.gz") is None  # MNIST, Fashion-MNIST and KMNIST share these names


def test_only_records_with_files_can_be_downloaded():
    assert sorted(DOWNLOADS) == ["fashion-mnist", "kmnist", "mnist"]
    assert {"emnist-letters", "k49", "quickdraw"} <= set(KINDS)


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


@pytest.mark.parametrize("split", ["train", "test"])
def test_a_known_dataset_is_recognised_by_its_first_labels(tmp_path, split):
    """Fashion-MNIST's files are named as MNIST's and copies are re-compressed: its labels tell it, in any format."""
    import numpy as np

    from mnist_report.loading.catalogue import FINGERPRINT, FIRST_LABELS

    first = next(labels for (s, *labels), kind in FIRST_LABELS.items() if s == split and kind.key == "fashion-mnist")
    labels = np.array([*map(int, first), 3, 1, 4], dtype=np.uint8)
    images = np.random.default_rng(0).integers(0, 256, (len(labels), 28 * 28))
    path = tmp_path / f"{split}.csv"
    np.savetxt(path, np.column_stack([labels, images]), fmt="%d", delimiter=",")
    assert load(path).kind is KINDS["fashion-mnist"]
    assert load(path, kind=KINDS["mnist"]).kind is KINDS["mnist"]  # --kind still decides
    labels[FINGERPRINT - 1] = (labels[FINGERPRINT - 1] + 1) % 10  # one label off: other data of ten classes
    np.savetxt(path, np.column_stack([labels, images]), fmt="%d", delimiter=",")
    assert load(path).kind is KINDS["mnist"]
    assert load(path, limit=FINGERPRINT - 1).kind is KINDS["mnist"]  # too few labels to tell


def test_the_fashion_folder_reads_as_fashion_without_kind(fashion):
    dataset = load(fashion, limit=100)
    assert dataset.kind is KINDS["fashion-mnist"]
    assert dataset.class_names[0] == "T-shirt/top"


# Words of handwriting and drawing; "stroke" is left out, a Vega property in every spec.
HANDWRITING = re.compile(
    r"(?<![\"\w-])(handwrit\w*|writers?|written|drawn|drawings?|ink|inked|pens?|scribbl\w*|digits?)(?![\"\w-])", re.I
)


def test_fashion_pages_have_no_handwriting_words(fashion_site):
    """Clothes are photographed, not written: no page, caption, alt text or chart title speaks of ink or digits."""
    for path in sorted(fashion_site.rglob("*.html")):  # the class pages too
        page = Page(path)
        said = [page.text()] + [
            v for e in page.elements for k, v in e.attrs.items() if k in ("alt", "aria-label", "title", "content")
        ]
        found = {m.group(0) for text in said for m in HANDWRITING.finditer(text)}
        assert not found, f"{path.name}: {sorted(found)}"
