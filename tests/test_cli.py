"""The command as a user runs it: a real process, real files, from another folder."""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from subprocess import PIPE, STDOUT

import numpy as np
import pytest

from .test_download import refused_url

BUILD_MISSING = [
    sys.executable,
    "-m",
    "mnist_report",
    "build",
    "--data",
    "missing.csv",
]  # fails at once, in the load stage


GIT_AUTHOR = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.org",
}


def run(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "mnist_report", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, timeout=300)


def snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file()
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A report built by the command on the embedded sample, from a folder of its own."""
    cwd = tmp_path_factory.mktemp("cli")
    result = run("build", cwd=cwd)
    assert result.returncode == 0, result.stderr
    for stage in ("load", "analyze", "render", "write"):
        assert any(line.startswith(stage) and line.rstrip().endswith(" s") for line in result.stdout.splitlines()), (
            result.stdout
        )
    assert "built " in result.stdout
    assert "5,000 images" in result.stdout
    assert result.stdout.endswith(f"open it in a browser: {(cwd / 'report' / 'index.html').as_uri()}\n")
    return cwd / "report"


def test_default_build_writes_report_folder(built):
    assert (built / "index.html").is_file()
    assert "mnist_sample.npz (embedded)" in (built / "index.html").read_text()


def test_build_from_csv_with_limit_out_and_title(tmp_path, first_images):
    images, labels = first_images[0][:400], first_images[1][:400]
    with gzip.open(tmp_path / "mnist_train.csv.gz", "wt") as f:
        np.savetxt(f, np.column_stack([labels, images]), fmt="%d", delimiter=",")
    result = run(
        "build",
        "--data",
        "mnist_train.csv.gz",
        "--limit",
        "300",
        "--out",
        "site/",
        "--title",
        "Three hundred <digits>",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    index = (tmp_path / "site" / "index.html").read_text()
    assert "300 images" in index
    assert "Three hundred &lt;digits&gt;" in index
    assert "<digits>" not in index
    lines = (tmp_path / "site" / "data" / "image_distances.csv").read_text().splitlines()
    assert len(lines) == 301


def test_console_script_is_installed(tmp_path):
    exe = shutil.which("mnist-report")
    assert exe, "pip install . puts mnist-report on PATH"
    result = subprocess.run([exe, "--version"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.startswith("mnist-report ")


@pytest.mark.parametrize(
    ("args", "message"),
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
        (["--size", "28"], "--size 28: expected height x width in pixels, such as 28x28 or 32x20"),
        (["--size", "100x100"], "--size 100x100: images are 100x100 pixels, expected 8 to 64 pixels high and wide"),
        (["--classes", "a,b,c"], "--classes: 3 names given, but the data holds 10 classes (labels 0-9)"),
        (["--kind", "emnist-letters"], "error: the embedded sample: label 2 is 0, outside 1-26"),
    ],
    ids=[
        "missing",
        "empty",
        "bad-idx",
        "limit-0",
        "limit-too-large",
        "foreign-folder",
        "skip-unknown",
        "skip-index",
        "no-template-dir",
        "size-malformed",
        "size-too-large",
        "classes-count",
        "kind-emnist-letters-on-digits",
    ],
)
def test_errors_are_one_line_exit_2_and_leave_the_report(request, tmp_path, built, args, message):
    report = tmp_path / "report"
    shutil.copytree(built, report)
    before = snapshot(report)
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "images-idx3-ubyte").write_bytes(b"\x00\x00\x0c\x03" + bytes(16))  # type 0x0c: int32, not bytes
    (tmp_path / "labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x01" + bytes(4))
    (tmp_path / "occupied").mkdir()
    (tmp_path / "occupied" / "thesis.tex").write_text("precious")
    if "{mnist}" in args:
        args = [a.replace("{mnist}", str(request.getfixturevalue("mnist"))) for a in args]
    result = run("build", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("mnist-report: error: ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(report) == before
    assert (tmp_path / "occupied" / "thesis.tex").read_text() == "precious"


def test_a_failed_stage_leaves_no_line_behind(tmp_path):
    """Piped, a stage's line is written when it is done, so a failure prints the error alone."""
    result = subprocess.run(BUILD_MISSING, cwd=tmp_path, stdout=PIPE, stderr=STDOUT, text=True, timeout=300)
    assert result.returncode == 2
    assert result.stdout.splitlines() == ["mnist-report: error: missing.csv: no such file or folder"]


def test_on_a_terminal_a_failed_stage_is_wiped_before_the_error(tmp_path):
    """On a terminal the stage's name shows while it runs; when it fails, the line is cleared and the error
    takes its place, as the screen then reads."""
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen(BUILD_MISSING, cwd=tmp_path, stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        out += chunk
    assert process.wait(timeout=300) == 2
    os.close(leader)
    text = out.decode()
    assert text.startswith("load"), text
    screen = [line.rsplit("\r\x1b[K", 1)[-1] for line in text.replace("\r\n", "\n").split("\n") if line]
    assert screen == ["mnist-report: error: missing.csv: no such file or folder"], text


def test_options_are_not_abbreviated_given_twice_or_empty(tmp_path):
    for args, message in [
        (["build", "--dat", "x.csv"], "unrecognized arguments: --dat"),
        (["build", "--data", "a.csv", "--data", "b.csv"], "--data given twice"),
        (["build", "--skip", ""], "argument --skip: name at least one page"),
        (["build", "--skip", " , "], "argument --skip: name at least one page"),
    ]:
        result = run(*args, cwd=tmp_path)
        assert result.returncode == 2, args
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_build_help_lists_the_pages_and_kinds(tmp_path):
    from mnist_report.loading.catalogue import KINDS
    from mnist_report.report.pages import OVERVIEW, PAGES

    shown = run("build", "--help", cwd=tmp_path).stdout
    for page in PAGES:
        if page.name != OVERVIEW:
            assert re.search(
                rf"^  {page.name} +{re.escape(page.summary.format(noun='class', nouns='classes'))}$", shown, re.M
            ), page.name
    for key, kind in KINDS.items():
        assert re.search(rf"^  {key} +{re.escape(kind.name)}$", shown, re.M), key


def test_the_command_line_starts_without_the_heavy_libraries():
    """--help, and refusing bad arguments, need no numpy, polars or Altair: they answer at once."""
    code = "import sys, mnist_report.cli; print(sorted(m for m in ('numpy', 'polars', 'altair', 'vl_convert') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


def test_output_piped_to_a_reader_that_stops(tmp_path):
    """`mnist-report build | head -1`: the build stops quietly, as a shell tool does, and leaves no report half-written."""
    build = [sys.executable, "-m", "mnist_report", "build", "--limit", "200"]
    process = subprocess.Popen(build, cwd=tmp_path, stdout=PIPE, stderr=PIPE, text=True)
    process.stdout.close()  # the reader is gone before the first stage line, written once loading is done
    stderr = process.stderr.read()
    assert process.wait(timeout=300) == 141
    assert "Traceback" not in stderr, stderr
    assert "BrokenPipeError" not in stderr, stderr
    assert not (tmp_path / "report").exists()


def test_destination_refused_before_any_work(tmp_path):
    (tmp_path / "occupied").mkdir()
    (tmp_path / "occupied" / "thesis.tex").write_text("precious")
    (tmp_path / "folder.html").mkdir()
    for args, message in [
        (["build", "--out", "occupied"], "occupied: folder is not empty"),
        (["build", "--single-file", "folder.html"], "folder.html: is a folder"),
        (["publish"], "is not a git repository"),
    ]:
        result = run(*args, cwd=tmp_path)
        assert result.returncode == 2
        assert message in result.stderr
        assert result.stdout == "", "refused before the load stage"
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=tmp_path, check=True)
    for args, message in [
        (["publish", "--push"], "remote 'origin' is not configured"),
        (["publish", "--branch", "main"], "branch 'main' is checked out"),
    ]:
        result = run(*args, cwd=tmp_path)
        assert result.returncode == 2
        assert message in result.stderr
        assert result.stdout == "", "refused before the load stage"


def test_download_without_network_names_the_mirror_and_leaves_no_cache_folder(tmp_path):
    closed = refused_url()
    env = dict(os.environ, MNIST_REPORT_MIRROR=closed, MNIST_REPORT_CACHE=str(tmp_path / "cache"))
    result = subprocess.run(
        [sys.executable, "-m", "mnist_report", "build", "--download", "mnist"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    host = closed.removeprefix("http://").rstrip("/")
    assert result.stderr.splitlines() == [
        f"train-images-idx3-ubyte.gz  {host}: Connection refused, retrying",
        f"train-images-idx3-ubyte.gz  {host}: Connection refused, retrying",
        f"train-images-idx3-ubyte.gz  {host}: Connection refused (3 tries)",
        f"mnist-report: error: could not download train-images-idx3-ubyte.gz: {closed}: Connection refused (3 tries)",
    ]
    assert list((tmp_path / "cache").iterdir()) == []


def test_rebuild_replaces_previous_report(tmp_path, built):
    report = tmp_path / "report"
    shutil.copytree(built, report)
    (report / "stale.html").write_text("from an older version")
    result = run("build", "--limit", "200", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not (report / "stale.html").exists()
    assert "200 images" in (report / "index.html").read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".report")], "no staging folders left behind"


def test_output_path_that_is_a_file(tmp_path):
    (tmp_path / "report").write_text("not a folder")
    result = run("build", cwd=tmp_path)
    assert result.returncode == 2
    assert "report: exists and is not a folder" in result.stderr
    assert (tmp_path / "report").read_text() == "not a folder"


def test_usage_errors_exit_2(tmp_path):
    result = run("build", "--limit", "many", cwd=tmp_path)
    assert result.returncode == 2
    assert "invalid int value" in result.stderr


def test_single_file_is_self_contained_and_lean(tmp_path):
    result = run("build", "--single-file", "report.html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    path = tmp_path / "report.html"
    html = path.read_text()
    # 3 MB for the six exploring pages; the classifiers page (map, cell images) and the health page add 0.4 MB,
    # each class's section at most 80 KB more (63 KB: its 60 typical images, look-alikes and odd images as PNG).
    sections = html.count('class="item"')
    assert sections == 10
    assert path.stat().st_size < 3_500_000 + 80_000 * sections, "target: under 3.5 MB and 80 KB a class"
    assert not (tmp_path / "report").exists()
    markup = re.sub(r"<script[^>]*>.*?</script>", "", html, flags=re.S)
    assert 'src="' not in markup.replace('src="data:', "")  # every image and script inline
    assert not re.search(r'<link(?![^>]*href="data:)', markup)  # the icon is inline too
    assert result.stdout.endswith(f"open it in a browser: {path.as_uri()}\n")
    sections = re.findall(r'<section id="(page-[a-z]+)"', html)
    assert len(sections) >= 7  # the six exploring pages, the classifiers' and the health page
    assert all(f'href="#{anchor}"' in html for anchor in sections)
    assert html.count('class="view"') >= 10
    assert "window.vega=" in html  # the Vega runtime, inline


def test_publish_commits_to_gh_pages_without_touching_the_work_tree(tmp_path):
    env = dict(os.environ, **GIT_AUTHOR)

    def git(*a):
        return subprocess.run(["git", *a], cwd=tmp_path, capture_output=True, text=True, env=env, check=True).stdout

    git("init", "-q", "-b", "main")
    (tmp_path / "notes.txt").write_text("mine")
    git("add", "notes.txt")
    git("commit", "-qm", "start")
    (tmp_path / "notes.txt").write_text("edited, not committed")
    result = run("publish", "--limit", "300", "--out", "site", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    files = git("ls-tree", "-r", "--name-only", "gh-pages").split()
    assert ".nojekyll" in files
    assert "index.html" in files
    assert "data/manifest.json" in files
    assert git("rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    assert (tmp_path / "notes.txt").read_text() == "edited, not committed"
    assert "300 images" in git("show", "gh-pages:index.html")
    result = subprocess.run(
        [sys.executable, "-m", "mnist_report", "publish", "--no-build", "--out", "nowhere"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 2
    assert "nowhere: no report here to publish" in result.stderr


def test_publish_says_where_leaves_no_folder_and_adds_no_empty_commit(tmp_path):
    """Built aside, committed once, the address said; a push the remote declines leaves the commit here."""
    env = dict(os.environ, **GIT_AUTHOR)

    def git(*a, cwd=tmp_path / "work"):
        return subprocess.run(["git", *a], cwd=cwd, capture_output=True, text=True, env=env, check=True).stdout.strip()

    def publish(*a):
        return subprocess.run(
            [sys.executable, "-m", "mnist_report", "publish", "--limit", "300", *a],
            cwd=tmp_path / "work",
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )

    (tmp_path / "work").mkdir()
    git("init", "-q", "-b", "main")
    git("commit", "-q", "--allow-empty", "-m", "start")
    git("init", "-q", "--bare", str(tmp_path / "remote.git"))
    git("remote", "add", "origin", "git@github.com:Ann/mnist-report.git")  # where Pages will serve it
    git("remote", "set-url", "--push", "origin", str(tmp_path / "remote.git"))  # where it goes here
    hook = tmp_path / "remote.git" / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)

    first = publish()
    assert first.returncode == 0, first.stderr
    tip = git("rev-parse", "gh-pages")
    assert f"published: committed {tip[:12]} to branch gh-pages (not pushed; add --push)" in first.stdout
    assert "the site will be at https://ann.github.io/mnist-report/ once" in first.stdout
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == [".git"], "nothing built in the work tree"
    assert git("status", "--porcelain") == ""

    again = publish()
    assert again.returncode == 0, again.stderr
    assert f"published: unchanged, nothing committed; {tip[:12]} stays the tip of branch gh-pages" in again.stdout
    assert git("rev-list", "--count", "gh-pages") == "1"

    declined = publish("--push")
    assert declined.returncode == 2
    assert "(pre-receive hook declined)" in declined.stderr
    assert (
        f"commit {tip[:12]} is kept on the local branch 'gh-pages': push it with `git push origin gh-pages`"
        in declined.stderr
    )
    assert git("rev-parse", "gh-pages") == tip


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["term", "kill"])
def test_killed_mid_build_leaves_the_old_report(tmp_path, built, mnist, sig):
    """Kill the build once it is writing or rendering: the previous report stays whole."""
    report = tmp_path / "report"
    shutil.copytree(built, report)
    before = snapshot(report)
    proc = subprocess.Popen(
        [sys.executable, "-m", "mnist_report", "build", "--data", str(mnist), "--limit", "20000"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
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
    assert not (tmp_path / "report" / "old.txt").exists()
    assert (tmp_path / "report" / "index.html").is_file()


def test_two_builds_are_identical_unless_timestamped(tmp_path):
    """Also into two folders named by their absolute paths: the report shows --out by name, like --data."""
    for where in ("a", "b"):
        result = run("build", "--limit", "400", "--out", str(tmp_path / where / "site"), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    assert snapshot(tmp_path / "a" / "site") == snapshot(tmp_path / "b" / "site")
    index = (tmp_path / "a" / "site" / "index.html").read_text()
    assert "mnist-report build --limit 400 --out site" in index
    assert str(tmp_path) not in index
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    result = run("build", "--limit", "400", "--out", "c", "--timestamp", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "Built on 2023-11-14 22:13 UTC by mnist-report" in (tmp_path / "c" / "index.html").read_text()
