"""The command as a user runs it: a real process, real files, from another folder."""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import subprocess
import signal
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from .conftest import MNIST


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mnist_report", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A report built by the command on the embedded sample, from a folder of its own."""
    cwd = tmp_path_factory.mktemp("cli")
    result = run("build", cwd=cwd)
    assert result.returncode == 0, result.stderr
    for stage in ("load", "analyze", "render", "write"):
        assert any(line.startswith(stage) and line.rstrip().endswith(" s") for line in result.stdout.splitlines()), result.stdout
    assert "built " in result.stdout and "5,000 images" in result.stdout
    return cwd / "report"


def test_default_build_writes_report_folder(built):
    assert (built / "index.html").is_file()
    assert "mnist_sample.npz (embedded)" in (built / "index.html").read_text()


def test_build_from_csv_with_limit_out_and_title(tmp_path, train_arrays):
    images, labels = train_arrays[0][:400], train_arrays[1][:400]
    with gzip.open(tmp_path / "mnist_train.csv.gz", "wt") as f:
        np.savetxt(f, np.column_stack([labels, images]), fmt="%d", delimiter=",")
    result = run("build", "--data", "mnist_train.csv.gz", "--limit", "300", "--out", "site/", "--title", "Three hundred <digits>", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    index = (tmp_path / "site" / "index.html").read_text()
    assert "300 images" in index
    assert "Three hundred &lt;digits&gt;" in index and "<digits>" not in index
    lines = (tmp_path / "site" / "data" / "image_distances.csv").read_text().splitlines()
    assert len(lines) == 301


def test_console_script_is_installed(tmp_path):
    exe = shutil.which("mnist-report")
    assert exe, "pip install . puts mnist-report on PATH"
    result = subprocess.run([exe, "--version"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("mnist-report ")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--data", "missing.csv"], "missing.csv: no such file"),
        (["--data", "empty.csv"], "empty.csv: empty file"),
        (["--data", "images-idx3-ubyte"], "images-idx3-ubyte: IDX data type 0x0c"),
        (["--data", "{mnist}", "--limit", "0"], "--limit 0"),
        (["--data", "{mnist}", "--limit", "70000"], "more images than the 60,000"),
        (["--out", "occupied"], "occupied: folder is not empty"),
        (["--skip", "pairs,nope"], "--skip nope: no page of that name; pages that can be left out: data, pixels,"),
        (["--skip", "index"], "--skip index: the overview always stays"),
        (["--template-dir", "nowhere"], "nowhere: no such folder for --template-dir"),
    ],
    ids=["missing", "empty", "bad-idx", "limit-0", "limit-too-large", "foreign-folder", "skip-unknown", "skip-index", "no-template-dir"],
)
def test_errors_are_one_line_exit_2_and_leave_the_report(tmp_path, built, args, message):
    report = tmp_path / "report"
    shutil.copytree(built, report)
    before = snapshot(report)
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "images-idx3-ubyte").write_bytes(b"\x00\x00\x0c\x03" + bytes(16))  # type 0x0c: int32, not bytes
    (tmp_path / "labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x01" + bytes(4))
    (tmp_path / "occupied").mkdir()
    (tmp_path / "occupied" / "thesis.tex").write_text("precious")
    args = [a.replace("{mnist}", str(MNIST)) for a in args]
    result = run("build", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("mnist-report: error: ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(report) == before
    assert (tmp_path / "occupied" / "thesis.tex").read_text() == "precious"


def test_rebuild_replaces_previous_report(tmp_path, built):
    report = tmp_path / "report"
    shutil.copytree(built, report)
    (report / "stale.html").write_text("from an older version")
    result = run("build", "--data", str(MNIST), "--limit", "200", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not (report / "stale.html").exists()
    assert "200 images" in (report / "index.html").read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".report")], "no staging folders left behind"


def test_output_path_that_is_a_file(tmp_path):
    (tmp_path / "report").write_text("not a folder")
    result = run("build", cwd=tmp_path)
    assert result.returncode == 2 and "report: exists and is not a folder" in result.stderr
    assert (tmp_path / "report").read_text() == "not a folder"


def test_usage_errors_exit_2(tmp_path):
    result = run("build", "--limit", "many", cwd=tmp_path)
    assert result.returncode == 2 and "invalid int value" in result.stderr


def test_single_file_is_self_contained_and_lean(tmp_path):
    result = run("build", "--single-file", "report.html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    path = tmp_path / "report.html"
    html = path.read_text()
    assert path.stat().st_size < 3_000_000, "target: under 3 MB for the embedded sample"
    assert not (tmp_path / "report").exists()
    markup = re.sub(r"<script[^>]*>.*?</script>", "", html, flags=re.S)
    assert 'src="' not in markup.replace('src="data:', "")  # every image and script inline
    assert not re.search(r'<link(?![^>]*href="data:)', markup)  # the icon is inline too
    assert html.count('<section id="page-') == 6
    assert html.count('class="view"') >= 10
    assert "vegaEmbed" in html


def test_publish_commits_to_gh_pages_without_touching_the_work_tree(tmp_path):
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org")
    git = lambda *a: subprocess.run(["git", *a], cwd=tmp_path, capture_output=True, text=True, env=env, check=True).stdout  # noqa: E731
    git("init", "-q", "-b", "main")
    (tmp_path / "notes.txt").write_text("mine")
    git("add", "notes.txt")
    git("commit", "-qm", "start")
    (tmp_path / "notes.txt").write_text("edited, not committed")
    result = subprocess.run([sys.executable, "-m", "mnist_report", "publish", "--limit", "300", "--data", str(MNIST), "--out", "site"],
                            cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    files = git("ls-tree", "-r", "--name-only", "gh-pages").split()
    assert ".nojekyll" in files and "index.html" in files and "data/manifest.json" in files
    assert git("rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    assert (tmp_path / "notes.txt").read_text() == "edited, not committed"
    assert "300 images" in git("show", "gh-pages:index.html")
    result = subprocess.run([sys.executable, "-m", "mnist_report", "publish", "--no-build", "--out", "nowhere"],
                            cwd=tmp_path, capture_output=True, text=True, env=env)
    assert result.returncode == 2 and "nowhere: no report here to publish" in result.stderr


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["term", "kill"])
def test_killed_mid_build_leaves_the_old_report(tmp_path, built, sig):
    """Kill the build once it is writing or rendering: the previous report stays whole."""
    report = tmp_path / "report"
    shutil.copytree(built, report)
    before = snapshot(report)
    proc = subprocess.Popen([sys.executable, "-m", "mnist_report", "build", "--data", str(MNIST), "--limit", "20000"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # wait until it reports the analysis done: it is rendering (and about to write) now
    for line in proc.stdout:
        if line.startswith("analyze"):
            break
    time.sleep(0.5)
    proc.send_signal(sig)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    assert snapshot(report) == before
    if sig == signal.SIGTERM:
        assert "Traceback" not in proc.stderr.read()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["report"], "staging folder removed"


def test_force_replaces_a_foreign_folder(tmp_path):
    (tmp_path / "report").mkdir()
    (tmp_path / "report" / "old.txt").write_text("x")
    result = run("build", "--force", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "report" / "old.txt").exists() and (tmp_path / "report" / "index.html").is_file()


def test_two_builds_are_identical_unless_timestamped(tmp_path):
    for where in ("a", "b"):
        (tmp_path / where).mkdir()
        assert run("build", "--limit", "400", cwd=tmp_path / where).returncode == 0
    assert snapshot(tmp_path / "a" / "report") == snapshot(tmp_path / "b" / "report")
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    result = subprocess.run([sys.executable, "-m", "mnist_report", "build", "--limit", "400", "--out", "c", "--timestamp"],
                            cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Built on 2023-11-14 22:13 UTC by mnist-report" in (tmp_path / "c" / "index.html").read_text()
