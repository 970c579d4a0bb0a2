"""Shared fixtures: real MNIST from ../shared/data, and sites built once per session."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
import pytest

from mnist_report import site
from mnist_report.analysis import analyze
from mnist_report.datasets import load

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MNIST_REPORT_SHARED", ROOT.parent / "shared"))
MNIST = SHARED / "data" / "mnist"
FASHION = SHARED / "data" / "fashion-mnist"
PUBLISHED_LIMIT = 10_000  # the tidy-MNIST analysis uses the first 10,000 training images


def pytest_configure(config):
    if not MNIST.is_dir():
        raise pytest.UsageError(f"real MNIST data not found at {MNIST}; set MNIST_REPORT_SHARED to the shared folder")


@pytest.fixture(scope="session")
def train_arrays() -> tuple[np.ndarray, np.ndarray]:
    """The 60,000 training images (uint8[N, 784]) and labels, read directly from the IDX files."""
    images = np.frombuffer(gzip.open(MNIST / "train-images-idx3-ubyte.gz").read(), np.uint8, offset=16).reshape(-1, 784)
    labels = np.frombuffer(gzip.open(MNIST / "train-labels-idx1-ubyte.gz").read(), np.uint8, offset=8)
    return images, labels


@pytest.fixture(scope="session")
def analysis_10k():
    return analyze(load(MNIST, limit=PUBLISHED_LIMIT))


@pytest.fixture(scope="session")
def site_10k(tmp_path_factory, analysis_10k) -> Path:
    """The report on the first 10,000 training images, built once."""
    out = tmp_path_factory.mktemp("site") / "report"
    files = site.render(analysis_10k, "MNIST, explored", "mnist-report build --data train-images-idx3-ubyte.gz --limit 10000")
    return site.write(files, out)


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Path:
    """The report on the embedded sample, built once."""
    out = tmp_path_factory.mktemp("sample") / "report"
    return site.write(site.render(analyze(load()), "MNIST, explored", "mnist-report build"), out)


@pytest.fixture(scope="session")
def test_arrays() -> tuple[np.ndarray, np.ndarray]:
    """The 10,000 test images (uint8[N, 784]) and labels, read directly from the IDX files."""
    images = np.frombuffer(gzip.open(MNIST / "t10k-images-idx3-ubyte.gz").read(), np.uint8, offset=16).reshape(-1, 784)
    labels = np.frombuffer(gzip.open(MNIST / "t10k-labels-idx1-ubyte.gz").read(), np.uint8, offset=8)
    return images, labels
