"""The `mnist-report` command: parse, run the stages in a line, report each stage's time."""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from . import __version__
from .loading.catalogue import KINDS, Kind, custom_kind
from .errors import ReportError

DEFAULT_OUT = Path("report")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    # A polite kill (SIGTERM) unwinds like Ctrl-C, so the half-written site is removed.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return args.run(args)
    except ReportError as e:
        print(f"mnist-report: error: {' '.join(str(e).split())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mnist-report: interrupted; the previous report is untouched", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped to a reader that stopped (`| head`): stop quietly, as a shell tool does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's flush does not fail again
        return 141


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mnist-report", description="Build an offline, interactive report site for MNIST-format image data.")
    parser.add_argument("--version", action="version", version=f"mnist-report {__version__}")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    # What to read and where to write: the same for build and publish.
    inputs = argparse.ArgumentParser(add_help=False)
    inputs.add_argument("--data", type=Path, metavar="PATH", help="CSV file (with or without header, plain or .gz), IDX images file, or a folder with the standard MNIST files; default: the embedded 5,000-image sample")
    inputs.add_argument("--labels", type=Path, metavar="PATH", help="IDX labels file, when it is not beside the images under the standard name")
    inputs.add_argument("--test", type=Path, metavar="PATH", help="test split (CSV or IDX file, in any form --data takes), when --data is not a folder holding both splits; --data is then the training split")
    inputs.add_argument("--limit", type=int, metavar="N", help="use only the first N images of each split, in file order")
    inputs.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: report; for publish, a temporary one)")
    inputs.add_argument("--download", choices=sorted(KINDS), metavar="NAME",
                        help=f"fetch a standard dataset ({', '.join(sorted(KINDS))}) into the cache, verify its checksums and use its training and test splits")
    inputs.add_argument("--kind", choices=sorted(KINDS), metavar="NAME",
                        help="what the labels mean, for class names and credits (default: mnist, or the --download name)")
    inputs.add_argument("--classes", metavar="NAMES", help="the ten class names, separated by commas, for other MNIST-format data")
    inputs.add_argument("--title", metavar="TEXT", help="site title (default: '<dataset>, explored')")
    inputs.add_argument("--timestamp", action="store_true",
                        help="say when the report was built (SOURCE_DATE_EPOCH if set); without it, builds are byte-identical")
    inputs.add_argument("--force", action="store_true", help="replace --out even if it is a folder of other files")
    inputs.add_argument("--skip", type=lambda text: [name.strip() for name in text.split(",") if name.strip()], default=[], metavar="PAGE[,PAGE]",
                        help="leave these pages out, named as their files without .html (pairs for pairs.html); the overview always stays")
    inputs.add_argument("--template-dir", type=Path, metavar="DIR",
                        help="templates (and static/report.css, static/report.js) found here replace the packaged ones; see README")

    build = commands.add_parser("build", parents=[inputs], help="build the report site",
                                description="Build the report site from a CSV or IDX file, a folder, or the embedded sample.")
    build.add_argument("--single-file", type=Path, metavar="FILE", help="write the whole report as one HTML file instead of a folder")
    build.set_defaults(run=_build)

    publish = commands.add_parser(
        "publish", parents=[inputs], help="build, then commit the site to the gh-pages branch",
        description="Build the report (or take the one in --out with --no-build) and commit it to a branch of the git "
                    "repository in the current folder, without touching the working tree; push only with --push.",
    )
    publish.add_argument("--no-build", action="store_true", help="publish the report already in --out (default: report)")
    publish.add_argument("--branch", default="gh-pages", help="branch to commit to (default: gh-pages)")
    publish.add_argument("--remote", default="origin", help="remote to push to (default: origin)")
    publish.add_argument("--push", action="store_true", help="push the branch to the remote")
    publish.add_argument("--message", metavar="TEXT", help="commit message (default: names the source commit and tool version)")
    publish.set_defaults(run=_publish)
    return parser


@contextmanager
def _stage(name: str):
    start = time.perf_counter()
    print(f"{name:<8}", end="", flush=True)
    try:
        yield
    except BaseException:
        print(flush=True)  # end the stage's line, so an error message starts a line of its own
        raise
    print(f" {time.perf_counter() - start:6.2f} s", flush=True)


def _build(args: argparse.Namespace) -> int:
    single = getattr(args, "single_file", None)
    page = _report(args, single or args.out or DEFAULT_OUT, single=single is not None)
    print(f"open it in a browser: {page.as_uri()}")
    return 0


def _report(args: argparse.Namespace, out: Path, single: bool) -> Path:
    """Build the report into `out` (a folder, or one file) and return the page to open."""
    # Imported here so `--help` and argument errors answer at once.
    from . import site
    from .analysis import analyze
    from .loading.inputs import load

    start = time.perf_counter()
    if args.download and args.data:
        raise ReportError(f"{args.data}: give --data or --download, not both")
    # A destination that would be refused is refused before any work.
    if single:
        site.check_file(out)
    else:
        site.check_folder(out, force=args.force)
    # Checked now, not after the analysis.
    pages = site.select_pages(args.skip)
    site.environment(args.template_dir)
    data = args.data
    if args.download:
        from .loading.download import fetch

        data = fetch(args.download)  # prints its own progress
    kind = _kind(args)
    with _stage("load"):
        dataset = load(data, args.labels, args.limit, args.test).with_kind(kind)
    with _stage("analyze"):
        analysis = analyze(dataset, skip=set(args.skip))
    title = args.title or f"{dataset.name}, explored"
    built_at = _build_time() if args.timestamp else None
    with _stage("render"):
        render = site.render_single if single else site.render
        output = render(analysis, title, _command(args), built_at, pages=pages, templates=args.template_dir)
    with _stage("write"):
        page = site.write_file(output, out) if single else site.write(output, out, force=args.force) / "index.html"
    print(f"built {page} from {len(dataset):,} images in {time.perf_counter() - start:.2f} s")
    return page


def _publish(args: argparse.Namespace) -> int:
    from . import site
    from .publish import check

    repo = Path.cwd()
    check(repo, args.branch, args.remote, args.push)  # before building: a refusal costs nothing
    if args.no_build:
        folder = args.out or DEFAULT_OUT
        if not site.is_report(folder):
            raise ReportError(f"{folder}: no report here to publish; build one first or drop --no-build")
        return _commit(args, repo, folder)
    if args.out:
        return _commit(args, repo, _report(args, args.out, single=False).parent)
    # Without --out the report is built aside, so the working tree is left as it was.
    with tempfile.TemporaryDirectory(prefix="mnist-report-") as tmp:
        return _commit(args, repo, _report(args, Path(tmp) / DEFAULT_OUT, single=False).parent)


def _commit(args: argparse.Namespace, repo: Path, folder: Path) -> int:
    from .publish import address, publish

    with _stage("publish"):
        done = publish(folder, repo_dir=repo, branch=args.branch, remote=args.remote, push=args.push, message=args.message)
    what = f"committed {done.commit[:12]} to" if done.changed else f"unchanged, nothing committed; {done.commit[:12]} stays the tip of"
    pushed = f"; pushed to {args.remote}" if args.push else " (not pushed; add --push)"
    print(f"published: {what} branch {args.branch}{pushed}")
    print(address(repo, args.remote, args.branch))
    return 0


def _build_time() -> str:
    """Now, or SOURCE_DATE_EPOCH for reproducible builds (as mkdocs does), in UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    try:
        moment = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch else datetime.now(timezone.utc)
    except ValueError:
        raise ReportError(f"SOURCE_DATE_EPOCH={epoch!r}: expected whole seconds since 1970") from None
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _kind(args: argparse.Namespace) -> Kind:
    if args.classes:
        return custom_kind(args.classes.split(","))
    return KINDS[args.kind or args.download or "mnist"]


def _command(args: argparse.Namespace) -> str:
    """The build command as a user could retype it: file and folder names, never where they are on this machine."""
    words = ["mnist-report", "build"]
    for flag in ("download", "data", "labels", "test", "limit", "kind", "classes", "out", "single_file", "title"):
        value = getattr(args, flag, None)
        if value is not None and not (flag == "out" and getattr(args, "single_file", None)):
            words += [f"--{flag.replace('_', '-')}", value.name if isinstance(value, Path) else str(value)]
    return shlex.join(words)
