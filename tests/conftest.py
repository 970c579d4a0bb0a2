"""Shared fixtures: real MNIST from ../shared/data, and sites built once per session.

Tests that need the full MNIST and Fashion-MNIST files take them from the `shared`
fixture (or `mnist`, `fashion`): without the files those tests skip, all for the one
reason below, and everything else runs on the embedded sample and generated data.
Under CI the files must be there: a missing folder fails instead.
"""

from __future__ import annotations

import gzip
import inspect
import os
from pathlib import Path

import numpy as np
import pytest

from mnist_report.analysis import analyze
from mnist_report.loading import load
from mnist_report.report import output, render

from .utils import CHROMIUM, LAUNCH_ARGS

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("MNIST_REPORT_SHARED", ROOT.parent / "shared")) / "data"
FOLDERS = ("mnist", "fashion-mnist")  # the official files, as the shared folder holds them
PUBLISHED_LIMIT = 10_000  # the tidy-MNIST analysis uses the first 10,000 training images
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _missing() -> str | None:
    """Why the full data cannot be used, or None when it is there."""
    absent = [name for name in FOLDERS if not (SHARED_DATA / name).is_dir()]
    if not absent:
        return None
    return (
        f"full data not found: {', '.join(str(SHARED_DATA / name) for name in absent)} "
        "(set MNIST_REPORT_SHARED; see README, Developing)"
    )


def pytest_report_header(config):
    reason = _missing()
    if reason is None:
        return f"shared data: {SHARED_DATA}"
    return f"{reason}: the tests that need it {'fail (CI)' if IN_CI else 'skip'}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Report every skip for missing data at one place, so `-ra` states the reason once."""
    report = yield
    reason = _missing()
    if report.skipped and reason and isinstance(report.longrepr, tuple) and report.longrepr[2] == f"Skipped: {reason}":
        report.longrepr = (__file__, inspect.getsourcelines(_missing)[1], report.longrepr[2])
    return report


@pytest.fixture(scope="session")
def shared() -> Path:
    """The folder holding data/mnist and data/fashion-mnist (the official IDX gzip files)."""
    reason = _missing()
    if reason is not None:
        if IN_CI:
            pytest.fail(f"{reason}: under CI every test must run")
        pytest.skip(reason)
    return SHARED_DATA


@pytest.fixture(scope="session")
def mnist(shared) -> Path:
    return shared / "mnist"


@pytest.fixture(scope="session")
def fashion(shared) -> Path:
    return shared / "fashion-mnist"


def _unzipped(path: Path) -> bytes:
    with gzip.open(path) as f:
        return f.read()


@pytest.fixture(scope="session")
def train_arrays(mnist) -> tuple[np.ndarray, np.ndarray]:
    """The 60,000 training images (uint8[N, 784]) and labels, read directly from the IDX files."""
    images = np.frombuffer(_unzipped(mnist / "train-images-idx3-ubyte.gz"), np.uint8, offset=16).reshape(-1, 784)
    labels = np.frombuffer(_unzipped(mnist / "train-labels-idx1-ubyte.gz"), np.uint8, offset=8)
    return images, labels


@pytest.fixture(scope="session")
def test_arrays(mnist) -> tuple[np.ndarray, np.ndarray]:
    """The 10,000 test images (uint8[N, 784]) and labels, read directly from the IDX files."""
    images = np.frombuffer(_unzipped(mnist / "t10k-images-idx3-ubyte.gz"), np.uint8, offset=16).reshape(-1, 784)
    labels = np.frombuffer(_unzipped(mnist / "t10k-labels-idx1-ubyte.gz"), np.uint8, offset=8)
    return images, labels


@pytest.fixture(scope="session")
def first_images() -> tuple[np.ndarray, np.ndarray]:
    """The first 1,000 training images (uint8[N, 784]) and labels, read directly from the embedded sample.

    The sample holds the first 500 images of each digit in file order, so it starts with
    the training set's first 1,000 images: real data that needs no download.
    """
    with np.load(ROOT / "mnist_report" / "data" / "mnist_sample.npz") as sample:
        assert (sample["instances"][:1000] == np.arange(1, 1001)).all()
        return sample["images"][:1000].reshape(-1, 784), sample["labels"][:1000]


@pytest.fixture(scope="session")
def analysis_10k(mnist):
    return analyze(load(mnist, limit=PUBLISHED_LIMIT))


@pytest.fixture(scope="session")
def site_10k(tmp_path_factory, analysis_10k) -> Path:
    """The report on the first 10,000 training images, built once."""
    out = tmp_path_factory.mktemp("site") / "report"
    files = render.site(
        analysis_10k, "MNIST, explored", "mnist-report build --data train-images-idx3-ubyte.gz --limit 10000"
    )
    return output.write(files, out)


@pytest.fixture(scope="session")
def sample_analysis():
    return analyze(load())


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory, sample_analysis) -> Path:
    """The report on the embedded sample, built once."""
    out = tmp_path_factory.mktemp("sample") / "report"
    return output.write(render.site(sample_analysis, "MNIST, explored", "mnist-report build"), out)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for every browser test (Playwright allows one sync driver per process)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: the browser tests must run under CI")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()
