"""The `mnist-report` command: parse, run the stages in a line, report each stage's time."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from . import __version__
from .build import DEFAULT_OUT, Options, build
from .errors import ReportError
from .loading.catalogue import DOWNLOADS, KINDS


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


class _Once(argparse.Action):
    """Store an option's value, refusing a second one: with two --data the later silently won."""

    def __call__(self, parser, namespace, values, option_string=None):
        given = namespace.__dict__.setdefault("_given", set())
        if self.dest in given:
            parser.error(f"{option_string} given twice; give it once")
        given.add(self.dest)
        setattr(namespace, self.dest, values)


class _Parser(argparse.ArgumentParser):
    """Every option that stores a value takes it once (_Once), its subcommands' and parents' options too."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.register("action", None, _Once)


def _page_names() -> str:
    """The pages --skip may name, with what each shows, read from the page modules' constants without importing
    them: --help answers at once, before Altair or polars are loaded."""
    import ast

    lines = []
    for path in sorted((Path(__file__).parent / "report" / "pages").glob("[!_]*.py")):
        found = {
            node.targets[0].id: node.value.value
            for node in ast.parse(path.read_text(encoding="utf-8")).body
            if isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
        }
        if found.get("FILE", "index.html") != "index.html":
            lines.append((found.get("ORDER", 0), f"  {found['FILE'].removesuffix('.html'):<12} {found['SUMMARY']}"))
    return "\n".join(line for _, line in sorted(lines)).format(noun="class", nouns="classes")


def _epilog() -> str:
    kinds = "\n".join(f"  {key:<16} {kind.name}" for key, kind in sorted(KINDS.items()))
    return f"pages --skip can leave out:\n{_page_names()}\n\nkinds (--kind):\n{kinds}"


def _skip(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("name at least one page (see the list below --help)")
    return names


def _parser() -> argparse.ArgumentParser:
    # allow_abbrev=False: "--dat" is a typo to report, not --data.
    parser = _Parser(
        prog="mnist-report",
        description="Build an offline, interactive report site for MNIST-format image data.",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"mnist-report {__version__}")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")
    inputs = _outputs(_inputs())
    _build_command(commands, inputs)
    _publish_command(commands, inputs)
    return parser


def _inputs() -> argparse.ArgumentParser:
    """What to read: the same for build and publish."""
    inputs = _Parser(add_help=False, allow_abbrev=False)
    inputs.add_argument(
        "--data",
        type=Path,
        metavar="PATH",
        help="CSV file (with or without header, plain or .gz), IDX images file (MNIST's or EMNIST's names), .npz images (KMNIST, Kuzushiji-49) or .npy images (one class); or a folder of those, of one .npy file per class (Quick, Draw!) or of PNG class folders; default: the embedded 5,000-image sample",
    )
    inputs.add_argument(
        "--labels",
        type=Path,
        metavar="PATH",
        help="IDX or .npz labels file, when it is not beside the images under the standard name",
    )
    inputs.add_argument(
        "--test",
        type=Path,
        metavar="PATH",
        help="test split (CSV or IDX file, in any form --data takes), when --data is not a folder holding both splits; --data is then the training split",
    )
    inputs.add_argument(
        "--limit", type=int, metavar="N", help="use only the first N images of each split, in file order"
    )
    inputs.add_argument(
        "--per-class",
        type=int,
        metavar="N",
        help="use only the first N images of each class file or folder (.npy files, PNG class folders)",
    )
    inputs.add_argument(
        "--download",
        choices=sorted(DOWNLOADS),
        metavar="NAME",
        help=f"fetch a standard dataset ({', '.join(sorted(DOWNLOADS))}) into the cache, verify its checksums and use its training and test splits",
    )
    inputs.add_argument(
        "--kind",
        choices=sorted(KINDS),
        metavar="NAME",
        help=f"what the labels mean: class names, label values, words and credit ({', '.join(sorted(KINDS))}; default: what the file names say, else the labels)",
    )
    inputs.add_argument(
        "--classes",
        metavar="NAMES",
        help="class names of your own, separated by commas, one for each class in ascending label order",
    )
    inputs.add_argument(
        "--size",
        metavar="HxW",
        help="the image size (such as 32x20) of rows of pixels that are not square (CSV, .npy)",
    )
    return inputs


def _outputs(inputs: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Where to write and what to leave out: the same for build and publish."""
    inputs.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="output folder (default: report; for publish, a temporary one)",
    )
    inputs.add_argument("--title", metavar="TEXT", help="site title (default: '<dataset>, explored')")
    inputs.add_argument(
        "--timestamp",
        action="store_true",
        help="say when the report was built (SOURCE_DATE_EPOCH if set); without it, builds are byte-identical",
    )
    inputs.add_argument("--force", action="store_true", help="replace --out even if it is a folder of other files")
    inputs.add_argument(
        "--skip",
        type=_skip,
        default=[],
        metavar="PAGE[,PAGE]",
        help="leave these pages out, named as their files without .html (pairs for pairs.html); the overview always stays",
    )
    inputs.add_argument(
        "--template-dir",
        type=Path,
        metavar="DIR",
        help="templates (and static/report.css, static/report.js) found here replace the packaged ones; see README",
    )
    return inputs


def _build_command(commands, inputs: argparse.ArgumentParser) -> None:
    building = commands.add_parser(
        "build",
        parents=[inputs],
        help="build the report site",
        description="Build the report site from a CSV, IDX or NumPy file, a folder, or the embedded sample.",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    building.add_argument(
        "--single-file",
        type=Path,
        metavar="FILE",
        help="write the whole report as one HTML file instead of a folder",
    )
    building.set_defaults(run=_build)


def _publish_command(commands, inputs: argparse.ArgumentParser) -> None:
    publish = commands.add_parser(
        "publish",
        parents=[inputs],
        help="build, then commit the site to the gh-pages branch",
        description="Build the report (or take the one in --out with --no-build) and commit it to a branch of the git "
        "repository in the current folder, without touching the working tree; push only with --push.",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    publish.add_argument(
        "--no-build", action="store_true", help="publish the report already in --out (default: report)"
    )
    publish.add_argument("--branch", default="gh-pages", help="branch to commit to (default: gh-pages)")
    publish.add_argument("--remote", default="origin", help="remote to push to (default: origin)")
    publish.add_argument("--push", action="store_true", help="push the branch to the remote")
    publish.add_argument(
        "--message",
        metavar="TEXT",
        help="commit message (default: names the source commit and tool version)",
    )
    publish.set_defaults(run=_publish)


@contextmanager
def _stage(name: str):
    """A line per stage with its time. On a terminal the name shows while the stage runs and is wiped if it
    fails, so the error stands alone; elsewhere (a log, a pipe) the line is written once the stage is done."""
    start, live = time.perf_counter(), sys.stdout.isatty()
    if live:
        print(f"{name:<8}", end="", flush=True)
    try:
        yield
    except BaseException:
        if live:
            print("\r\033[K", end="", flush=True)
        raise
    print(f"{'' if live else f'{name:<8}'} {time.perf_counter() - start:6.2f} s", flush=True)


def _options(args: argparse.Namespace) -> Options:
    return Options(
        **{
            name: getattr(args, name, None)
            for name in (
                "data",
                "labels",
                "test",
                "limit",
                "download",
                "per_class",
                "kind",
                "classes",
                "size",
                "title",
                "template_dir",
                "out",
                "single_file",
            )
        },
        timestamp=args.timestamp,
        skip=tuple(args.skip),
        force=args.force,
    )


def _build(args: argparse.Namespace) -> int:
    page = _report(args)
    print(f"open it in a browser: {page.as_uri()}")
    return 0


def _report(args: argparse.Namespace, out: Path | None = None) -> Path:
    """Build the report (into `out` instead of --out when given) and return the page to open."""
    start = time.perf_counter()
    built = build(_options(args), _stage, out)
    print(f"built {built.page} from {built.images:,} images in {time.perf_counter() - start:.2f} s")
    return built.page


def _publish(args: argparse.Namespace) -> int:
    from .publish import check
    from .report.output import is_report

    repo = Path.cwd()
    check(repo, args.branch, args.remote, args.push)  # before building: a refusal costs nothing
    if args.no_build:
        folder = args.out or DEFAULT_OUT
        if not is_report(folder):
            raise ReportError(f"{folder}: no report here to publish; build one first or drop --no-build")
        return _commit(args, repo, folder)
    if args.out:
        return _commit(args, repo, _report(args).parent)
    # Without --out the report is built aside, so the working tree is left as it was.
    with tempfile.TemporaryDirectory(prefix="mnist-report-") as tmp:
        return _commit(args, repo, _report(args, Path(tmp) / DEFAULT_OUT).parent)


def _commit(args: argparse.Namespace, repo: Path, folder: Path) -> int:
    from .publish import address, publish

    with _stage("publish"):
        done = publish(
            folder, repo_dir=repo, branch=args.branch, remote=args.remote, push=args.push, message=args.message
        )
    what = (
        f"committed {done.commit[:12]} to"
        if done.changed
        else f"unchanged, nothing committed; {done.commit[:12]} stays the tip of"
    )
    pushed = f"; pushed to {args.remote}" if args.push else " (not pushed; add --push)"
    print(f"published: {what} branch {args.branch}{pushed}")
    print(address(repo, args.remote, args.branch))
    return 0
