"""Publish a built site folder to a GitHub Pages branch (like `mkdocs gh-deploy`).

The commit is written with `ghp-import`, which feeds the files to
`git fast-import`: the branch is updated directly, so the repository's working
tree, index and checked-out branch are never touched.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import ghp_import

from mnist_report import __version__
from mnist_report.errors import ReportError


def _git(repo_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run one git command in repo_dir and capture its output (never raises on exit status)."""
    try:
        return subprocess.run(
            ["git", "-C", str(repo_dir), *args],
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        raise ReportError("cannot publish: git is not installed or not on PATH") from None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _branch_sha(repo_dir: Path, branch: str) -> str | None:
    proc = _git(repo_dir, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}")
    return proc.stdout.strip() if proc.returncode == 0 else None


def check(repo_dir: Path, branch: str = "gh-pages", remote: str = "origin", push: bool = False) -> None:
    """Refuse, with a one-line ReportError, a repository, branch or remote that publishing would fail on.

    Cheap, so the command runs it before building anything.
    """
    if not repo_dir.is_dir():
        raise ReportError(f"repository folder {repo_dir} does not exist")
    if _git(repo_dir, "rev-parse", "--git-dir").returncode != 0:
        raise ReportError(f"{repo_dir} is not a git repository")
    if _git(repo_dir, "check-ref-format", "--branch", branch).returncode != 0:
        raise ReportError(f"{branch!r} is not a valid git branch name")
    current = _git(repo_dir, "symbolic-ref", "--quiet", "--short", "HEAD").stdout.strip()
    if current == branch:
        # fast-import would move the checked-out branch under the working tree.
        raise ReportError(f"branch {branch!r} is checked out in {repo_dir}; switch to another branch to publish")
    if push and _remote_url(repo_dir, remote) is None:
        raise ReportError(f"remote {remote!r} is not configured in repository {repo_dir}")


@dataclass(frozen=True)
class Published:
    commit: str  # the tip of the branch afterwards
    changed: bool  # False when the site was the same as the tip's: nothing was committed


def publish(
    site_dir: Path,
    *,
    repo_dir: Path,
    branch: str = "gh-pages",
    remote: str = "origin",
    push: bool = False,
    message: str | None = None,
) -> Published:
    """Commit the contents of site_dir (plus an empty .nojekyll) as the new tip of `branch`.

    The commit's parent is the previous tip of `branch` (or of `remote`/`branch`
    when that remote-tracking ref exists: ghp-import starts from it). A site
    whose files are those of the parent adds no commit. With push=True the
    branch is then pushed to `remote`, which must be a configured remote name.
    Every known problem raises ReportError with a one-line message.

    Not thread-safe: ghp-import runs git in the current directory, so the
    process's cwd is switched to repo_dir for the duration of the call.
    """
    site_dir = Path(site_dir).resolve()  # absolute: it must survive the chdir below
    repo_dir = Path(repo_dir).resolve()

    if not site_dir.is_dir():
        raise ReportError(f"site folder {site_dir} does not exist or is not a folder")
    if not (site_dir / "index.html").is_file():
        raise ReportError(f"site folder {site_dir} has no index.html: build the site first")
    # Checked before committing, so a bad remote leaves the repository as it was.
    check(repo_dir, branch, remote, push)

    if message is None:
        head = _git(repo_dir, "rev-parse", "--short", "--verify", "--quiet", "HEAD")
        source = f" {head.stdout.strip()}" if head.returncode == 0 else ""  # none while unborn
        message = f"Deployed{source} with mnist-report {__version__}"

    before = _branch_sha(repo_dir, branch)
    where = f"branch {branch!r} of {repo_dir}"
    old_cwd = os.getcwd()
    os.chdir(repo_dir)  # ghp-import 2.1 has no cwd option: every git call uses the cwd
    try:
        ghp_import.ghp_import(str(site_dir), mesg=message, branch=branch, remote=remote, nojekyll=True)
    except ghp_import.GhpError as e:
        raise ReportError(f"cannot publish {site_dir} to {where}: {_one_line(e.message)}") from None
    except TypeError:
        # ghp-import 2.1 reports a failed `git fast-import` by writing bytes to the text
        # sys.stdout, which raises TypeError; git has already printed the reason on stderr.
        raise ReportError(f"git fast-import failed to commit {site_dir} to {where}") from None
    finally:
        os.chdir(old_cwd)

    after = _branch_sha(repo_dir, branch)
    if after is None or after == before:  # the fast-import failure can also pass silently
        raise ReportError(f"nothing was committed to {where}")
    parent = _git(repo_dir, "rev-parse", "--verify", "--quiet", f"{after}^").stdout.strip()
    changed = not parent or _tree(repo_dir, after) != _tree(repo_dir, parent)
    if not changed:  # ghp-import always commits: take back a commit that changes no file
        _git(repo_dir, "update-ref", f"refs/heads/{branch}", parent, after)
    published = Published(after if changed else parent, changed)
    if push:
        _push(repo_dir, branch, remote, published.commit)
    return published


def _tree(repo_dir: Path, commit: str) -> str:
    return _git(repo_dir, "rev-parse", f"{commit}^{{tree}}").stdout.strip()


def _push(repo_dir: Path, branch: str, remote: str, commit: str) -> None:
    proc = _git(repo_dir, "push", "--quiet", remote, f"refs/heads/{branch}:refs/heads/{branch}")
    if proc.returncode == 0:
        return
    lines = [line.strip() for line in proc.stderr.splitlines() if line.strip()]
    # git's verdict: "! [remote rejected] ... (pre-receive hook declined)", or "fatal: ..."
    reason = next((line for line in lines if line.startswith(("!", "fatal:"))), lines[-1] if lines else "")
    raise ReportError(
        f"pushing branch {branch!r} to remote {remote!r} failed: {reason.lstrip('! ')}; "
        f"commit {commit[:12]} is kept on the local branch {branch!r}: "
        f"push it with `git push {remote} {branch}` once the remote accepts it"
    )


def _remote_url(repo_dir: Path, remote: str) -> str | None:
    proc = _git(repo_dir, "remote", "get-url", remote)
    return proc.stdout.strip() if proc.returncode == 0 else None


# owner and repository of a github.com remote: https://github.com/O/R(.git), git@github.com:O/R, ssh://git@github.com/O/R
_GITHUB = re.compile(r"(?:[a-z+]+://)?(?:[^@/]+@)?github\.com[:/]+([^/]+)/([^/]+?)(?:\.git)?/*", re.IGNORECASE)


def pages_url(remote_url: str) -> str | None:
    """The address GitHub Pages serves a repository's site at, or None for a remote not on github.com."""
    match = _GITHUB.fullmatch(remote_url.strip())
    if match is None:
        return None
    owner, name = match[1], match[2]
    host = f"{owner.lower()}.github.io"  # host names are case-insensitive; GitHub writes them lower-case
    # A repository named OWNER.github.io is the owner's own site, served at the root.
    return f"https://{host}/" if name.lower() == host else f"https://{host}/{name}/"


def address(repo_dir: Path, remote: str, branch: str) -> str:
    """One line saying where the site will be served, or why that cannot be known."""
    url = _remote_url(repo_dir, remote)
    if url is None:
        return f"the site's address cannot be known: the repository has no remote {remote!r}"
    served = pages_url(url)
    if served is None:
        return f"the site's address cannot be known: remote {remote!r} is not on github.com"
    return f"the site will be at {served} once the repository's Pages settings serve branch {branch!r} (or at its custom domain)"
