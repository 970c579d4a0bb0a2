"""Rendering: every page of the report in memory, from its module's facts and figures and its
template, as a folder of files (`site`) or as one self-contained HTML file (`single`).

Like mkdocs' build, everything is gathered first so all pages agree; writing is output.py's.
One Jinja environment, autoescaping on and StrictUndefined, so a missing value fails the build
instead of printing nothing.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from .. import __version__
from ..analysis import Analysis
from ..cache import cache_dir
from ..errors import ReportError
from . import assets, export, figures
from .output import MANIFEST, manifest
from .page import Page, about
from .pages import PAGES
from .vega import Rendered
from .words import FILTERS


@dataclass(frozen=True)
class Entry:
    """A page as the navigation, the table of contents and its own head name it."""

    file: str
    title: str
    summary: str
    description: str  # the summary as a sentence, for search results and link previews


@dataclass(frozen=True)
class Model:
    """Everything the templates read, computed once for every page."""

    env: jinja2.Environment
    context: dict  # what every page's template sees
    # each shown page, its entry, its facts and figures (made in the background: see shown())
    pages: list[tuple[Page, Entry, object, dict[str, Future[Rendered]]]]
    templates: Path | None  # the user's template folder, whose static/ files replace the packaged ones

    def shown(self):
        """Each page, its entry, facts and figures, once vl-convert has made them."""
        for page, entry, f, made in self.pages:
            yield page, entry, f, {name: figure.result() for name, figure in made.items()}


def environment(custom: Path | None = None) -> jinja2.Environment:
    """Templates from `custom` first (a user's --template-dir), then the packaged ones."""
    if custom is not None and not Path(custom).is_dir():
        raise ReportError(f"{custom}: no such folder for --template-dir")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*([custom] if custom else []), assets.TEMPLATES]),
        bytecode_cache=_Compiled(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    # tojson escapes <, >, & and ' so a spec can never close its <script> block.
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "separators": (",", ":")}
    return env


class _Compiled(jinja2.FileSystemBytecodeCache):
    """Templates compiled once and kept in the cache (Jinja checks each against its source): compiling
    them took a tenth of a second of every build. An unwritable cache only costs that time."""

    def __init__(self):
        super().__init__(str(cache_dir() / "templates"))

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):  # Jinja itself forgives only a missing file
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            Path(self.directory).mkdir(parents=True, exist_ok=True)
            super().dump_bytecode(bucket)


def model(
    analysis: Analysis,
    title: str,
    command: str,
    built_at: str | None = None,
    pages: tuple[Page, ...] = PAGES,
    templates: Path | None = None,
) -> Model:
    """The shared context and each page with its nav entry, facts and resolved figures.

    `pages` leaves some out (pages.select); `templates` is a folder whose templates and
    static/ files replace the packaged ones. Nothing depends on when or where it is
    built unless `built_at` is given, so two builds from the same input are byte-identical.
    """
    env = environment(templates)
    noun, nouns = analysis.dataset.class_noun
    shown = [p for p in pages if p.applies(analysis)]  # pages about parts the data lacks (a test split) are left out
    nav = []
    for p in shown:
        summary = p.summary.format(noun=noun, nouns=nouns)
        nav.append(
            Entry(p.file, p.title.format(noun=noun, nouns=nouns), summary, summary[:1].upper() + summary[1:] + ".")
        )
    context = {
        "about": about(analysis),
        "noun": noun,
        "nouns": nouns,
        "site_title": title,
        "nav": nav,
        "version": __version__,
        "command": command,
        "built_at": built_at,
        "favicon": assets.FAVICON,
    }
    resolved = []
    for page, entry in zip(shown, nav, strict=True):
        f = page.facts(analysis)
        resolved.append((page, entry, f, {fig.id: figures.submit(fig) for fig in page.figures(analysis, f)}))
    return Model(env, context, resolved, templates)


def _template_errors(render: Callable) -> Callable:
    """A user's template (--template-dir) that does not parse or render is their input error: one line saying where."""

    @functools.wraps(render)
    def checked(*args, **kwargs):
        try:
            return render(*args, **kwargs)
        except jinja2.TemplateError as e:
            where = (
                f"{e.filename}:{e.lineno}"
                if getattr(e, "filename", None)
                else kwargs.get("templates") or assets.TEMPLATES
            )
            raise ReportError(f"{where}: template error: {e.message}") from None

    return checked


@_template_errors
def site(analysis: Analysis, title: str, command: str, **options) -> dict[str, bytes]:
    """Every file of the site, by relative path: pages, static figures, data files, assets (options: see model)."""
    m = model(analysis, title, command, **options)
    frames = export.tables(analysis)  # while vl-convert makes the figures
    data = export.data_files(frames)
    listing = export.data_listing(frames)
    files: dict[str, bytes] = {}
    for page, entry, f, made in m.shown():
        html = m.env.get_template(page.template_name).render(
            m.context,
            f=f,
            data_listing=listing,
            page=entry,
            figures=made,
            single=False,
            href=lambda file: file,
            static_src=lambda fig: fig.static_name,
            sub="h2",
        )
        files[page.file] = html.encode()
        files.update({fig.static_name: fig.static for fig in made.values()})
    files.update(data)
    files["assets/report.css"] = assets.static("report.css", m.templates)
    files["assets/report.js"] = assets.static("report.js", m.templates)
    files["assets/vega.js"] = assets.vega_bundle()
    files[MANIFEST] = manifest(files)
    figures.trim()
    return files


@_template_errors
def single(analysis: Analysis, title: str, command: str, **options) -> bytes:
    """The whole report as one HTML file: pages as sections, scripts, styles and images inlined (options: see model)."""
    m = model(analysis, title, command, **options)
    anchors = {page.file: f"#page-{Path(page.file).stem}" for page, _, _, _ in m.pages}

    def static_src(fig: Rendered) -> str:
        kind = "image/svg+xml" if fig.static_name.endswith(".svg") else "image/png"
        return f"data:{kind};base64,{base64.b64encode(fig.static).decode()}"

    sections = []
    for page, entry, f, made in m.shown():
        template = m.env.get_template(page.template_name)
        local = template.new_context(
            dict(
                m.context,
                f=f,
                page=entry,
                figures=made,
                single=True,
                href=anchors.get,
                static_src=static_src,
                sub="h3",
            )
        )
        sections.append((entry, anchors[page.file][1:], Markup("".join(template.blocks["content"](local)))))
    # Inline scripts are allowed by their hashes only, so the page's CSP still admits nothing else.
    scripts = [
        assets.inline(assets.vega_bundle().decode(), "script"),
        assets.inline(assets.static("report.js", m.templates).decode(), "script"),
    ]
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in scripts)
    html = m.env.get_template("single.html").render(
        # Markup: CSS is not HTML text, and escaping its quotes and ">" broke it (an unstyled report).
        m.context,
        sections=sections,
        css=Markup(assets.inline(assets.static("report.css", m.templates).decode(), "style")),
        scripts=[Markup(s) for s in scripts],
        script_hashes=hashes,
    )
    figures.trim()
    return html.encode()
