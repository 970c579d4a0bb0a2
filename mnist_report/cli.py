"""The `mnist-report` command: parse, run the stages in a line, report each stage's time."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from . import __version__
from .errors import ReportError

DEFAULT_TITLE = "MNIST, explored"


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except ReportError as e:
        print(f"mnist-report: error: {' '.join(str(e).split())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mnist-report: interrupted; the previous report is untouched", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mnist-report", description="Build an offline, interactive report site for MNIST-format image data.")
    parser.add_argument("--version", action="version", version=f"mnist-report {__version__}")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    build = commands.add_parser("build", help="build the report site", description="Build the report site from a CSV or IDX file, a folder, or the embedded sample.")
    build.add_argument("--data", type=Path, metavar="PATH", help="CSV file (with or without header, plain or .gz), IDX images file, or a folder with the standard MNIST files; default: the embedded 5,000-image sample")
    build.add_argument("--labels", type=Path, metavar="PATH", help="IDX labels file, when it is not beside the images under the standard name")
    build.add_argument("--limit", type=int, metavar="N", help="use only the first N images, in file order")
    build.add_argument("--out", type=Path, default=Path("report"), metavar="DIR", help="output folder (default: report)")
    build.add_argument("--title", default=DEFAULT_TITLE, metavar="TEXT", help=f"site title (default: {DEFAULT_TITLE!r})")
    build.set_defaults(run=_build)
    return parser


@contextmanager
def _stage(name: str):
    start = time.perf_counter()
    print(f"{name:<8}", end="", flush=True)
    yield
    print(f" {time.perf_counter() - start:6.2f} s", flush=True)


def _build(args: argparse.Namespace) -> int:
    # Imported here so `--help` and argument errors answer at once.
    from .analysis import analyze
    from .datasets import load
    from . import site

    start = time.perf_counter()
    with _stage("load"):
        dataset = load(args.data, args.labels, args.limit)
    with _stage("analyze"):
        analysis = analyze(dataset)
    with _stage("render"):
        files = site.render(analysis, args.title, _command(args))
    with _stage("write"):
        out = site.write(files, args.out)
    print(f"built {len(files)} files from {len(dataset):,} images in {time.perf_counter() - start:.2f} s: {out / 'index.html'}")
    return 0


def _command(args: argparse.Namespace) -> str:
    """The build command as a user could retype it (file names, not local folders)."""
    words = ["mnist-report", "build"]
    for flag in ("data", "labels", "limit", "out"):
        value = getattr(args, flag)
        if value is not None and not (flag == "out" and value == Path("report")):
            words += [f"--{flag}", value.name if isinstance(value, Path) and flag != "out" else str(value)]
    if args.title != DEFAULT_TITLE:
        words += ["--title", args.title]
    return shlex.join(words)
