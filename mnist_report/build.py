"""The build, one straight line: load, analyse what the chosen pages need, render in memory, write.

The command line and the notebook API both call `build`:

    from mnist_report.build import Options, build
    build(Options(data=Path("mnist/"), out=Path("site")))
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .errors import ReportError
from .loading.catalogue import Kind, kind_named
from .loading.shape import Size, parse_size

DEFAULT_OUT = Path("report")


@dataclass(frozen=True)
class Built:
    page: Path  # the page to open: index.html, or the one file
    images: int  # images explored


@dataclass(frozen=True)
class Options:
    """What to read, what to leave out and where to write; the command line's options."""

    data: Path | None = None  # a file or folder; None: the embedded sample
    labels: Path | None = None
    test: Path | None = None
    limit: int | None = None
    download: str | None = None  # a catalogue name to fetch instead of `data`
    kind: str | None = None  # a catalogue name: class names, label values, words, credit
    classes: str | None = None  # class names of your own, separated by commas
    size: str | None = None  # HxW: the image size of flat rows of pixels (CSV, .npy)
    per_class: int | None = None  # only the first N images of each class file or folder
    title: str | None = None
    timestamp: bool = False
    skip: tuple[str, ...] = ()  # pages to leave out
    template_dir: Path | None = None
    out: Path | None = None  # default: report/
    single_file: Path | None = None  # write one HTML file here instead of a folder
    force: bool = False

    def command(self) -> str:
        """The build command as a user could retype it: file and folder names, never where they are on this machine."""
        words = ["mnist-report", "build"]
        flags = ("download", "data", "labels", "test", "limit", "per_class", "kind", "classes", "size", "out")
        for flag in (*flags, "single_file", "title"):
            value = getattr(self, flag)
            if value is not None and not (flag == "out" and self.single_file):
                words += [f"--{flag.replace('_', '-')}", value.name if isinstance(value, Path) else str(value)]
        return shlex.join(words)

    def kind_record(self) -> Kind | None:
        """The catalogue record --kind (or --download) names; None: the files or labels say."""
        key = self.kind or self.download
        return None if key is None else kind_named(key)

    def image_size(self) -> Size | None:
        return None if self.size is None else parse_size(self.size)

    def class_names(self) -> list[str] | None:
        return None if self.classes is None else self.classes.split(",")


Stage = Callable[[str], AbstractContextManager]


def quiet(name: str) -> AbstractContextManager:
    return nullcontext()


def build(options: Options, stage: Stage = quiet, out: Path | None = None) -> Built:
    """Build the report; say which page to open.

    `out` writes the folder elsewhere than `options.out` without changing the command the report
    records (publish builds in a temporary folder). `stage(name)` wraps each stage (the command
    line prints its time).

    Everything that would be refused (the destination, the pages, the templates) is refused
    before any input is read; an earlier report is replaced only once the new one is complete.
    """
    # Imported here so `mnist-report --help` and argument errors answer at once.
    from .report import engine, output

    if options.download and options.data:
        raise ReportError(f"{options.data}: give --data or --download, not both")
    single = options.single_file is not None
    destination = options.single_file if single else out or options.out or DEFAULT_OUT
    output.check_file(destination) if single else output.check_folder(destination, force=options.force)
    engine.warm()  # vl-convert starts on its own thread while the libraries load and the data is read
    from . import analysis, loading
    from .report import pages, render

    chosen = pages.select(list(options.skip))
    kind, size = options.kind_record(), options.image_size()
    render.environment(options.template_dir)
    data = options.data
    if options.download:
        from .loading.download import fetch

        data = fetch(options.download)  # prints its own progress
    with stage("load"):
        dataset = loading.load(
            data, options.labels, options.limit, options.test, kind, options.class_names(), size, options.per_class
        )
    with stage("analyze"):
        result = analysis.analyze(dataset, parts=pages.needs(chosen))
    title = options.title or f"{dataset.name}, explored"
    built_at = build_time() if options.timestamp else None
    with stage("render"):
        make = render.single if single else render.site
        files = make(result, title, options.command(), built_at=built_at, pages=chosen, templates=options.template_dir)
    with stage("write"):
        page = (
            output.write_file(files, destination)
            if single
            else output.write(files, destination, force=options.force) / "index.html"
        )
    return Built(page, len(dataset))


def build_time() -> str:
    """Now, or SOURCE_DATE_EPOCH for reproducible builds (as mkdocs does), in UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    try:
        moment = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch else datetime.now(timezone.utc)
    except ValueError:
        raise ReportError(f"SOURCE_DATE_EPOCH={epoch!r}: expected whole seconds since 1970") from None
    return moment.strftime("%Y-%m-%d %H:%M UTC")
