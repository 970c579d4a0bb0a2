"""Rendering: every page of the report in memory, from its module's facts and figures and its
template, as a folder of files (`site`) or as one self-contained HTML file (`single`).

Like mkdocs' build, everything is gathered first so all pages agree; writing is output.py's.
One Jinja environment, autoescaping on and StrictUndefined, so a missing value fails the build
instead of printing nothing.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import functools
import hashlib
import json
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from .. import __version__
from ..analysis import Analysis
from ..cache import cache_dir
from ..errors import ReportError
from . import assets, export, figures
from .output import MANIFEST, manifest
from .page import Item, Page, about
from .pages import PAGES
from .vega import Rendered
from .words import FILTERS, vocabulary


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
    items: dict[str, list[Item]]  # by page file: the files a page renders once per item (the class pages)

    @property
    def pictures(self) -> dict[str, bytes]:
        """Every page's and item's pictures (a page's facts may carry `pictures`), by their path in the site."""
        pages = {path: data for _, _, f, _ in self.pages for path, data in getattr(f, "pictures", {}).items()}
        return pages | {
            path: data for items in self.items.values() for item in items for path, data in item.pictures.items()
        }

    def item_files(self) -> dict[str, str]:
        """What each item stands for (a class's name) -> its file: the targets of class_link."""
        return {item.name: item.file for items in self.items.values() for item in items}

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
        "w": vocabulary(analysis.dataset.kind),
        "site_title": title,
        "nav": nav,
        "version": __version__,
        "command": command,
        "built_at": built_at,
        "favicon": assets.FAVICON,
    }
    resolved, items = [], {}
    for page, entry in zip(shown, nav, strict=True):
        f = page.facts(analysis)
        resolved.append((page, entry, f, {fig.id: figures.submit(fig) for fig in page.figures(analysis, f)}))
        if page.each is not None:
            items[page.file] = page.each(analysis, f)
    # The classes with a page of their own, in order, for a list of links (the overview's).
    context["class_names"] = [item.name for page_items in items.values() for item in page_items]
    return Model(env, context, resolved, templates, items)


def _linker(files: dict[str, str], href: Callable[[str], str], here: str) -> Callable:
    """class_link(name) in a template: the class's name as a link to its page, or as text where it has none
    (class pages left out) or where that page is `here`, the page being rendered."""

    def class_link(name: str, text: str | None = None) -> Markup:
        """`text` says it otherwise, as a sentence's first word does (class_link(name, name | upper1))."""
        file = files.get(name)
        shown = name if text is None else text
        return Markup('<a href="{}">{}</a>').format(href(file), shown) if file and file != here else escape(shown)

    return class_link


def _relinked(fig: Rendered, anchors: dict[str, str]) -> Rendered:
    """A figure whose marks link to pages (an `href` column in its data) linking to their sections instead."""
    data = [
        dict(d, values=[dict(row, href=anchors.get(row["href"], row["href"])) for row in d["values"]])
        if any(isinstance(row, dict) and "href" in row for row in d.get("values", []))
        else d
        for d in fig.spec.get("data", [])
    ]
    return dataclasses.replace(fig, spec=dict(fig.spec, data=data))


def _entry(item: Item) -> Entry:
    return Entry(item.file, item.title, item.title, item.title + ".")


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


# A spec larger than this (the classifiers' map: 5,000 points, 260 KB) is a script file of its own in the folder
# site, fetched by report.js once its chart is near: the page's words arrive without it. (A script, not JSON,
# because a page opened from disk may not fetch files.) The one-file report inlines every spec.
SPEC_INLINE_MAX = 32_000


def spec_files(made: dict[str, Rendered], env: jinja2.Environment) -> dict[str, bytes]:
    """The specs of `made` too large to inline, as scripts handing them to report.js, by their path in the site."""
    dumps = env.policies["json.dumps_kwargs"]
    out = {}
    for fig in made.values():
        text = jinja2.utils.htmlsafe_json_dumps(fig.spec, **dumps)
        if len(text) > SPEC_INLINE_MAX:
            out[fig.spec_name] = f"mnistReportSpec({json.dumps('spec-' + fig.figure.id)}, {text});\n".encode()
    return out


@_template_errors
def site(analysis: Analysis, title: str, command: str, **options) -> dict[str, bytes]:
    """Every file of the site, by relative path: pages, static figures, data files, assets (options: see model)."""
    m = model(analysis, title, command, **options)
    frames = export.tables(analysis)  # while vl-convert makes the figures
    data = export.data_files(frames)
    listing = export.data_listing(frames)
    files: dict[str, bytes] = {}
    targets = m.item_files()

    def render(template: str, file: str, **context) -> bytes:
        root = "../" * file.count("/")  # a page in a subfolder (classes/) reaches the rest through it

        def href(target: str) -> str:
            return root + target

        return (
            m.env.get_template(template)
            .render(
                m.context,
                data_listing=listing,
                single=False,
                root=root,
                href=href,
                src=href,
                class_link=_linker(targets, href, file),
                static_src=lambda fig: root + fig.static_name,
                sub="h2",
                **context,
            )
            .encode()
        )

    for page, entry, f, made in m.shown():
        specs = spec_files(made, m.env)
        files.update(specs)
        files[page.file] = render(
            page.template_name,
            page.file,
            f=f,
            page=entry,
            figures=made,
            spec_src=lambda fig, specs=specs: fig.spec_name if fig.spec_name in specs else None,
        )
        files.update({fig.static_name: fig.static for fig in made.values()})
        for item in m.items.get(page.file, []):
            files[item.file] = render(page.each_template, item.file, f=item.facts, page=_entry(item), figures={})
    files.update(m.pictures)
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
    files = [page.file for page, _, _, _ in m.pages] + [item.file for items in m.items.values() for item in items]
    anchors = {file: "#page-" + file.removesuffix(".html").replace("/", "-") for file in files}
    pictures, targets = m.pictures, m.item_files()

    def static_src(fig: Rendered) -> str:
        kind = "image/svg+xml" if fig.static_name.endswith(".svg") else "image/png"
        return f"data:{kind};base64,{base64.b64encode(fig.static).decode()}"

    def content(template: str, sub: str, here: str, **context) -> Markup:
        template = m.env.get_template(template)
        local = template.new_context(
            dict(
                m.context,
                single=True,
                root="",
                href=anchors.get,
                src=lambda path: "data:image/png;base64," + base64.b64encode(pictures[path]).decode(),
                class_link=_linker(targets, anchors.get, here),
                static_src=static_src,
                spec_src=lambda fig: None,
                sub=sub,
                **context,
            )
        )
        return Markup("".join(template.blocks["content"](local)))

    sections = []
    for page, entry, f, made in m.shown():
        relinked = {name: _relinked(fig, anchors) for name, fig in made.items()}
        html = content(page.template_name, "h3", page.file, f=f, page=entry, figures=relinked)
        # A page's items follow it as sections of its own section, each under its title.
        for item in m.items.get(page.file, []):
            anchor = anchors[item.file][1:]
            html += Markup(
                '<section id="{0}" aria-labelledby="{0}-title" class="item">\n<h3 id="{0}-title">{1}</h3>\n{2}</section>\n'
            ).format(
                anchor,
                item.title,
                content(page.each_template, "h4", item.file, f=item.facts, page=_entry(item), figures={}),
            )
        sections.append((entry, anchors[page.file][1:], html))
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
