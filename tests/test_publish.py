"""publish(): real git repositories in tmp_path, no mocks."""

from __future__ import annotations

import functools
import http.server
import os
import re
import subprocess
import threading
import urllib.request
from pathlib import Path

import pytest

from mnist_report import __version__
from mnist_report.errors import ReportError
from mnist_report.publish import address, pages_url, publish

SITE_FILES = {".nojekyll", "index.html", "assets/x.js", "data/y.csv"}


@pytest.fixture(autouse=True)
def git_env(monkeypatch, tmp_path):
    """A fixed identity and no user/system git config, so tests run on any machine."""
    for name in ("GIT_AUTHOR", "GIT_COMMITTER"):
        monkeypatch.setenv(f"{name}_NAME", "Test User")
        monkeypatch.setenv(f"{name}_EMAIL", "test@example.com")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    # Never let git find a repository above tmp_path (e.g. when /tmp is inside one).
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(var, raising=False)


def git(repo: Path, *args: str, check: bool = True) -> str:
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout.strip()


def make_site(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture
def site(tmp_path) -> Path:
    return make_site(
        tmp_path / "site",
        {
            "index.html": "<!doctype html><title>MNIST report</title><h1>MNIST</h1>\n",
            "assets/x.js": "console.log('x');\n",
            "data/y.csv": "label,count\n0,5923\n",
        },
    )


@pytest.fixture
def repo(tmp_path) -> Path:
    """A repo with one commit on main, plus a modified and an untracked file."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "README.md").write_text("hello\n")
    git(repo, "add", "README.md")
    git(repo, "commit", "-q", "-m", "first")
    (repo / "README.md").write_text("hello, edited\n")
    (repo / "notes.txt").write_text("untracked\n")
    return repo


def tree(repo: Path, ref: str) -> set[str]:
    return set(git(repo, "ls-tree", "-r", "--name-only", ref).splitlines())


def test_publish_creates_branch_and_leaves_checkout_alone(site, repo):
    def state():
        return (
            git(repo, "status", "--porcelain"),
            git(repo, "rev-parse", "--abbrev-ref", "HEAD"),
            git(repo, "rev-parse", "HEAD"),
            (repo / "README.md").read_text(),
        )

    before = state()

    sha = publish(site, repo_dir=repo).commit

    assert sha == git(repo, "rev-parse", "refs/heads/gh-pages")
    assert tree(repo, "gh-pages") == SITE_FILES
    assert git(repo, "cat-file", "-s", "gh-pages:.nojekyll") == "0"
    assert git(repo, "show", "gh-pages:data/y.csv") == (site / "data/y.csv").read_text().strip()
    short = git(repo, "rev-parse", "--short", "main")
    assert git(repo, "log", "-1", "--format=%s", "gh-pages") == (f"Deployed {short} with mnist-report {__version__}")
    assert state() == before
    assert not (repo / "index.html").exists()


def test_publish_twice_adds_a_child_commit(site, repo):
    first = publish(site, repo_dir=repo).commit
    (site / "data/y.csv").unlink()
    (site / "data").rmdir()
    (site / "new.txt").write_text("new\n")

    second = publish(site, repo_dir=repo, message="second deploy").commit

    assert second != first
    assert git(repo, "rev-parse", f"{second}^") == first
    assert git(repo, "rev-list", "--count", "gh-pages") == "2"
    assert tree(repo, "gh-pages") == {".nojekyll", "index.html", "assets/x.js", "new.txt"}
    assert git(repo, "log", "-1", "--format=%s", "gh-pages") == "second deploy"


def test_publishing_the_same_site_again_adds_no_commit(site, repo):
    first = publish(site, repo_dir=repo)
    again = publish(site, repo_dir=repo, message="same files")

    assert first.changed
    assert not again.changed
    assert again.commit == first.commit == git(repo, "rev-parse", "refs/heads/gh-pages")
    assert git(repo, "rev-list", "--count", "gh-pages") == "1"


def test_custom_branch_and_unborn_head(site, tmp_path):
    repo = tmp_path / "empty"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")

    sha = publish(site, repo_dir=repo, branch="pages").commit

    assert git(repo, "rev-parse", "pages") == sha
    assert git(repo, "log", "-1", "--format=%s", "pages") == f"Deployed with mnist-report {__version__}"
    assert git(repo, "symbolic-ref", "--short", "HEAD") == "main"  # still unborn, untouched


@pytest.fixture
def bare(tmp_path, repo) -> Path:
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    git(repo, "remote", "add", "origin", str(bare))
    return bare


def test_push_updates_the_remote(site, repo, bare):
    sha = publish(site, repo_dir=repo, push=True).commit
    assert git(bare, "rev-parse", "refs/heads/gh-pages") == sha
    assert tree(bare, "gh-pages") == SITE_FILES

    # A second publish starts from the pushed commit and fast-forwards the remote.
    (site / "index.html").write_text("<h1>v2</h1>\n")
    sha2 = publish(site, repo_dir=repo, push=True).commit
    assert git(bare, "rev-parse", "refs/heads/gh-pages") == sha2
    assert git(bare, "rev-parse", f"{sha2}^") == sha


def test_no_push_leaves_the_remote_alone(site, repo, bare):
    publish(site, repo_dir=repo, push=False)
    assert git(bare, "rev-parse", "--verify", "--quiet", "refs/heads/gh-pages", check=False) == ""
    assert git(bare, "for-each-ref") == ""


def test_missing_site_folder(tmp_path, repo):
    missing = tmp_path / "nope"
    with pytest.raises(ReportError, match=re.escape(str(missing))):
        publish(missing, repo_dir=repo)


def test_site_folder_without_index(tmp_path, repo):
    site = make_site(tmp_path / "half", {"assets/x.js": "1;\n"})
    with pytest.raises(ReportError, match=rf"{re.escape(str(site))}.*index\.html"):
        publish(site, repo_dir=repo)
    assert git(repo, "branch", "--list", "gh-pages") == ""


def test_repo_dir_not_a_git_repository(site, tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(ReportError, match=rf"{re.escape(str(plain))} is not a git repository"):
        publish(site, repo_dir=plain)


def test_push_to_missing_remote(site, repo):
    with pytest.raises(ReportError, match=r"remote 'upstream' is not configured"):
        publish(site, repo_dir=repo, remote="upstream", push=True)
    assert git(repo, "branch", "--list", "gh-pages") == ""  # nothing committed either


def test_push_rejected(site, repo, bare, tmp_path):
    cwd = os.getcwd()
    # Someone else pushed an unrelated gh-pages: our local one is not a fast-forward of it.
    other = tmp_path / "other"
    subprocess.run(["git", "clone", "-q", str(bare), str(other)], check=True, capture_output=True)
    git(other, "checkout", "-q", "--orphan", "gh-pages")
    git(other, "commit", "-q", "--allow-empty", "-m", "theirs")
    git(other, "push", "-q", "origin", "gh-pages")
    with pytest.raises(ReportError, match=r"pushing branch 'gh-pages' to remote 'origin' failed"):
        publish(site, repo_dir=repo, push=True)
    assert os.getcwd() == cwd  # restored even when ghp-import fails


def test_push_declined_by_the_remote_keeps_the_commit_locally(site, repo, bare):
    hook = bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    with pytest.raises(ReportError) as caught:
        publish(site, repo_dir=repo, push=True)
    local = git(repo, "rev-parse", "refs/heads/gh-pages")
    message = str(caught.value)
    assert "\n" not in message
    assert "[remote rejected] gh-pages -> gh-pages (pre-receive hook declined)" in message
    assert f"commit {local[:12]} is kept on the local branch 'gh-pages'" in message
    assert "push it with `git push origin gh-pages`" in message
    assert git(bare, "for-each-ref") == ""


@pytest.mark.parametrize(
    ("remote", "served"),
    [
        ("https://github.com/Ann/mnist-report.git", "https://ann.github.io/mnist-report/"),
        ("https://github.com/Ann/mnist-report", "https://ann.github.io/mnist-report/"),
        ("https://token@github.com/Ann/mnist-report.git/", "https://ann.github.io/mnist-report/"),
        ("git@github.com:Ann/mnist-report.git", "https://ann.github.io/mnist-report/"),
        ("ssh://git@github.com/Ann/mnist-report.git", "https://ann.github.io/mnist-report/"),
        ("https://github.com/Ann/Ann.github.io.git", "https://ann.github.io/"),
        ("git@github.com:ann/ann.github.io", "https://ann.github.io/"),
        ("https://gitlab.com/Ann/mnist-report.git", None),
        ("https://github.com.example.org/Ann/mnist-report.git", None),
        ("/srv/git/mnist-report.git", None),
    ],
)
def test_pages_address_of_a_remote(remote, served):
    assert pages_url(remote) == served


def test_address_says_when_it_cannot_be_known(repo):
    assert (
        address(repo, "origin", "gh-pages")
        == "the site's address cannot be known: the repository has no remote 'origin'"
    )
    git(repo, "remote", "add", "origin", "https://gitlab.com/Ann/mnist-report.git")
    assert (
        address(repo, "origin", "gh-pages")
        == "the site's address cannot be known: remote 'origin' is not on github.com"
    )
    git(repo, "remote", "set-url", "origin", "git@github.com:Ann/mnist-report.git")
    assert address(repo, "origin", "gh-pages").startswith(
        "the site will be at https://ann.github.io/mnist-report/ once"
    )


def test_refuses_the_checked_out_branch(site, repo):
    with pytest.raises(ReportError, match=r"branch 'main' is checked out"):
        publish(site, repo_dir=repo, branch="main")


def test_published_branch_serves_over_http(site, repo, tmp_path):
    publish(site, repo_dir=repo)
    served = tmp_path / "served"
    served.mkdir()
    archive = subprocess.run(["git", "-C", str(repo), "archive", "gh-pages"], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(served)], input=archive, check=True)

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # keep pytest output clean
            pass

    handler = functools.partial(QuietHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
        # An empty ProxyHandler: never send a loopback request through an http_proxy setting.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(url, timeout=5) as resp:
            assert resp.status == 200
            assert resp.read() == (site / "index.html").read_bytes()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
