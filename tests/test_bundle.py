"""The Vega bundle travels in the wheel (hatch_build.py), so an installed report's first build reads it
instead of spending 1.2 s making it; a source checkout makes it once and keeps it in the cache."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from mnist_report.report import assets, bundle

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_carries_the_bundle_a_source_checkout_makes(tmp_path):
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = tmp_path.glob("mnist_report-*.whl")
    with zipfile.ZipFile(wheel) as contents:
        carried = contents.read(f"mnist_report/bundled/{bundle.name(bundle.vl_version())}")
    assert carried == assets.vega_bundle()
    assert b"window.vega=" in carried[-100:]  # the namespace, set last
    assert b"vegaEmbed" not in carried  # Vega alone: the specs are compiled at build time


def test_a_carried_bundle_is_read_and_nothing_is_made(tmp_path, monkeypatch):
    name = bundle.name(bundle.vl_version())
    (tmp_path / "bundled").mkdir()
    (tmp_path / "bundled" / name).write_bytes(b"// the carried bundle")
    monkeypatch.setattr(bundle, "PACKAGED", tmp_path / "bundled")
    monkeypatch.setenv("MNIST_REPORT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(bundle, "make", lambda version: pytest_fail())
    assert assets.vega_bundle() == b"// the carried bundle"
    assert not (tmp_path / "cache").exists()


def test_a_source_checkout_makes_it_once_into_the_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(bundle, "PACKAGED", tmp_path / "none")
    monkeypatch.setenv("MNIST_REPORT_CACHE", str(tmp_path / "cache"))
    made = []
    monkeypatch.setattr(bundle, "make", lambda version: made.append(version) or b"// made")
    assert assets.vega_bundle() == b"// made"
    assert assets.vega_bundle() == b"// made"
    assert made == [bundle.vl_version()]
    assert (tmp_path / "cache" / bundle.name(bundle.vl_version())).read_bytes() == b"// made"


def pytest_fail():
    raise AssertionError("the bundle was made although the package carries it")
