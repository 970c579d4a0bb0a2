"""The report site: every page and file rendered in memory, then written and swapped in at once.

Like mkdocs' build, everything is gathered first so all pages agree; only then is
anything written, into a temporary folder beside the destination that replaces
the old report in one rename, so a failed build never leaves half a site behind.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import altair as alt
import jinja2
import numpy as np
import polars as pl

from markupsafe import Markup

from . import __version__, charts, confusion, health_charts
from .analysis import Analysis
from .cache import cache_dir
from .loading.idx import SIDE
from .errors import ReportError
from .narrative import facts

TEMPLATES = Path(__file__).parent / "templates"  # inside the wheel
if not TEMPLATES.is_dir():  # running from a source checkout
    TEMPLATES = Path(__file__).parent.parent / "templates"
MANIFEST = "data/manifest.json"
GENERATOR = "mnist-report"
# Inline, so no page asks a web server for /favicon.ico (a 404 in every log): a 7 on the ink colour.
FAVICON = "data:image/svg+xml;base64," + base64.b64encode(
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f4e79"/>'
    b'<path d="M4 4h8l-4.5 9" fill="none" stroke="#fff" stroke-width="2.4"/></svg>').decode()


@dataclass(frozen=True)
class Figure:
    """A chart with the words a reader without it needs: caption and alt text."""

    id: str
    chart: alt.TopLevelMixin
    caption: str
    alt: str
    # Static image for readers without JavaScript: SVG for charts of a few marks and for
    # galleries drawn from one sprite (the SVG embeds it, lighter and quicker than a PNG of
    # the whole), PNG where hundreds of marks or many images would make an SVG heavy.
    static: str = "svg"
    # Drawn to fit a 375 px phone; where the page is wider the browser may grow it up to this
    # factor, keeping its shape (charts whose marks follow the view's width and height).
    grow: float = 1.0


@dataclass(frozen=True)
class Page:
    file: str
    template: str
    title: str  # {noun} and {nouns} are filled in with the dataset's word for a class
    summary: str  # one line for the table of contents, filled in the same way
    figures: Callable[[Analysis, dict], list[Figure]]
    shown: Callable[[Analysis], bool] = lambda a: True  # pages about parts a dataset may lack (a test split) are left out then
    context: Callable[[Analysis], dict] = lambda a: {}  # what the template needs beyond figures and facts


def _overview(a: Analysis, f: dict) -> list[Figure]:
    noun = a.dataset.class_noun[0]
    rarest, commonest = f["rarest"], f["commonest"]
    spread = f"{rarest.value:,} each" if rarest.value == commonest.value else f"from {rarest.value:,} ({rarest.name}) to {commonest.value:,} ({commonest.name})"
    return [Figure("counts", charts.class_counts(a), f"Images per {noun}: {spread}.",
                   f"Horizontal bar chart of the number of images of each {noun}.")]


def _data(a: Analysis, f: dict) -> list[Figure]:
    n_first = a.first.table.height
    first = a.first.table.row(0, named=True)
    return [
        Figure("first", charts.first_images(a), f"The first {n_first} images in file order, each with its instance number and label.",
               f"{n_first} images in rows of four, labelled " + ", ".join(f["first_names"]) + ".", grow=2),
        Figure("pixels", charts.first_image_pixels(a), f"Instance {first['instance']} cell by cell: each square is one row of the tidy table; the outlined row is the sample in the table above.",
               f"Grid of 28 by 28 grey squares drawing {with_article(first['name'])}; hover a square for its x, y and value.", static="png"),
    ]


def _pixels(a: Analysis, f: dict) -> list[Figure]:
    return [
        Figure("histogram", charts.pixel_histogram(a, zeros=True), f"How often each pixel value occurs over all {f['total_pixels']:,} pixels.",
               f"Bar chart of how often each pixel value from 0 to 255 occurs; {_percent(f['share_zero'])} of pixels are 0."),
        Figure("histogram-ink", charts.pixel_histogram(a, zeros=False), "The same counts without the zeros, on their own scale, so the values in between can be seen.",
               f"Bar chart of how often each pixel value from 1 to 255 occurs; the commonest is {f['commonest_nonzero'].name}."),
    ]


def _centroids(a: Analysis, f: dict) -> list[Figure]:
    noun, nouns = a.dataset.class_noun
    return [Figure("centroids", charts.centroids(a), f"The mean image of each {noun}, dark where most images have ink.",
                   f"{len(a.present)} blurred grey {nouns}, one per {noun}, each the pixel-wise average of its images.", grow=2)]


def _atypical(a: Analysis, f: dict) -> list[Figure]:
    noun, nouns = a.dataset.class_noun
    return [
        Figure("atypical", charts.atypical(a), f"Top: each {noun}'s distances to its mean image (box: middle half; line: median; whiskers: up to 1.5 times the box; circles: beyond). "
               f"Bottom: the six images farthest from their {noun}'s mean. Use the menu to pick out one {noun}.",
               f"Boxplots of distance to the mean image per {noun}, above a grid of the six least typical images of each {noun}."),
        # Not grown: the least typical gallery above, inside a concatenation, cannot grow, and the two are compared.
        Figure("typical", charts.most_typical(a), f"For contrast: the six images nearest their {noun}'s mean.",
               f"Grid of the six most typical images of each {noun}: plain, centred, ordinary {nouns}."),
    ]


def _pairs(a: Analysis, f: dict) -> list[Figure]:
    noun, nouns = a.dataset.class_noun
    return [
        Figure("differences", charts.pair_differences(a), f"Row {noun}'s mean minus column {noun}'s mean: red where the row {noun} has more ink, blue where the column {noun} has.",
               f"A grid of red and blue difference images, one for each ordered pair of {nouns}.", static="png", grow=2),
        Figure("pair-distances", charts.pair_distances(a), f"The RMS distance between every two mean images; the smaller, the more alike the two {nouns} look on average.",
               f"A heat map of the distance between mean images for every pair of {nouns}, with the number in each cell.", grow=1.5),
    ]


def _splits(a: Analysis, f: dict) -> list[Figure]:
    noun, nouns = a.dataset.class_noun
    s = f["splits"]
    return [
        Figure("shares", charts.split_shares(a), f"Each {noun}'s share of the training and of the test images.",
               f"Paired horizontal bars per {noun}, training and test; the largest gap is for {s['share_gap'].name}."),
        Figure("ink", charts.split_ink(a), f"Mean ink per pixel of each {noun}'s images, in training and in test; the line joins the two.",
               f"Dot plot of mean ink per {noun} in the two splits; the largest change is for {s['ink'].name}."),
        Figure("split-differences", charts.split_differences(a), f"Each {noun}'s mean training image minus its mean test image: red where training images have more ink, blue where test images do.",
               f"{len(a.present)} red and blue difference images, one per {noun}; the strongest is {s['moved'].name}.", static="png", grow=2),
        Figure("distances", charts.split_distances(a), f"Distance of each image to its {noun}'s mean training image: training and test boxplots side by side (box: middle half; white line: median; whiskers: up to 1.5 times the box).",
               f"Pairs of boxplots per {noun}, training above test, of the distance to the mean training image.", static="png"),
    ]


def _classifiers(a: Analysis, f: dict) -> list[Figure]:
    noun, nouns = a.dataset.class_noun
    c, m = f["classifiers"], f["map"]
    return [
        Figure("accuracy", charts.class_accuracy(a), f"Share of each {noun}'s scored images that each classifier gets right.",
               f"Dot plot per {noun} of the three classifiers' accuracy: k-NN {_percent(c['accuracy']['knn'])}, nearest centroid {_percent(c['accuracy']['nearest_centroid'])} overall."),
        Figure("map", charts.projection_map(a), f"{m['n_drawn']:,} images on their first two principal axes, coloured by {noun}; names mark the mean images. Hover a dot for its instance.",
               f"Scatter plot of {m['n_drawn']:,} images in two dimensions, one colour per {noun}, with each {noun}'s mean image marked by its name.", static="png", grow=2),
    ]


def _health(a: Analysis, f: dict) -> list[Figure]:
    noun, nouns = a.dataset.class_noun
    h, names = f["health"], a.dataset.class_names
    shown = health_charts.SHOWN
    figures = [
        Figure(f"labels-{split}", health_charts.label_candidates(a.health, split, names),
               f"The {split} split's {shown} strongest label-issue candidates, each followed by its {h['neighbours']} nearest training images and their labels. Hover for instance numbers.",
               f"Rows of {noun} images: a {split} image labelled one way that the data reads another, then the training images most like it.")
        for split in h["splits"]
    ]
    return figures + [
        Figure("duplicates", health_charts.duplicate_pairs(a.health, names),
               f"The closest pairs found, side by side with their RMS distance; pairs whose labels differ say so." if h["n_pairs"]
               else f"No two images are closer than RMS {h['near_rms']:g}.",
               f"{min(shown, h['n_pairs'])} pairs of near-identical images." if h["n_pairs"] else "A line saying no near-duplicate pair was found."),
        Figure("odd-counts", health_charts.odd_counts(a.health, names), f"Faint, heavy and off-centre images per {noun} and split.",
               f"Small bar charts of how many images of each {noun} are faint, heavy or off centre, per split."),
        Figure("odd-train", health_charts.odd_extremes(a.health, "train", names),
               f"The most extreme faint, heavy and off-centre images of the training split. Hover for instance and measures.",
               f"Rows of the oddest {nouns}: the faintest, the heaviest, the farthest off centre."),
    ]


def _confusion(a: Analysis) -> dict:
    noun = a.dataset.class_noun
    sprite, index = confusion.cell_images(a.classifiers, a.classifiers.images, a.dataset.class_names)
    return {"confusion": {"matrices": confusion.matrices(a.classifiers, a.dataset.class_names, a.present, noun), "sprite": sprite, "index": index},
            "page_id": "classifiers"}


PAGES = (
    Page("index.html", "overview.html", "Overview", "what the data is, where it came from, how many images per {noun}", _overview),
    Page("data.html", "data.html", "The data", "one image per row, and the same as one row per pixel", _data),
    Page("pixels.html", "pixels.html", "Pixel values", "how the 0-255 ink values are spread", _pixels),
    Page("centroids.html", "centroids.html", "Average {nouns}", "the mean image of each {noun}", _centroids),
    Page("atypical.html", "atypical.html", "Atypical {nouns}", "how far each image lies from its {noun}'s mean, and the oddest ones", _atypical),
    Page("pairs.html", "pairs.html", "Pairs of {nouns}", "which {nouns} are easy or hard to tell apart", _pairs),
    Page("splits.html", "splits.html", "Train and test", "whether the test images look like the training images, and where they differ",
         _splits, shown=lambda a: a.comparison is not None),
    Page("classifiers.html", "classifiers.html", "Simple classifiers", "how far mean images and nearest neighbours get, what they confuse, and a map of the images",
         _classifiers, shown=lambda a: a.classifiers is not None, context=_confusion),
    Page("health.html", "health.html", "Dataset health", "label-issue candidates, duplicate images and odd images, to judge the data by",
         _health, shown=lambda a: a.health is not None),
)


def select_pages(skip: list[str]) -> tuple[Page, ...]:
    """PAGES without those named in `skip` by file stem ("pairs" for pairs.html); the overview always stays."""
    optional = [Path(p.file).stem for p in PAGES if p.file != "index.html"]
    for name in skip:
        if name not in optional:
            problem = "the overview always stays" if name == "index" else "no page of that name"
            raise ReportError(f"--skip {name}: {problem}; pages that can be left out: {', '.join(optional)}")
    return tuple(p for p in PAGES if Path(p.file).stem not in skip)


def environment(custom: Path | None = None) -> jinja2.Environment:
    """Templates from `custom` first (a user's --template-dir), then the packaged ones."""
    if custom is not None and not Path(custom).is_dir():
        raise ReportError(f"{custom}: no such folder for --template-dir")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*([custom] if custom else []), TEMPLATES]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["num"] = lambda x: f"{x:,}"
    env.filters["pct"] = _percent
    env.filters["dist"] = lambda x: f"{x:.1f}"
    env.filters["points"] = lambda share: f"{100 * share:.1f} percentage point" + ("" if f"{100 * share:.1f}" == "1.0" else "s")
    env.filters["a"] = with_article
    # tojson escapes <, >, & and ' so a spec can never close its <script> block.
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "separators": (",", ":")}
    return env


def with_article(word: str) -> str:
    """ "a 5", "an 8", "an Ankle boot": by the sound of the first letter, which for digits means 8 alone."""
    return ("an " if word[:1].lower() in "aeio8" else "a ") + word


def _percent(share: float) -> str:
    """Enough decimals to show a small share as non-zero, no more."""
    pct = 100 * share
    if pct == 0 or pct >= 10:
        return f"{pct:.0f}%"
    if pct >= 1:
        return f"{pct:.1f}%"
    return f"{pct:.2g}%"


@dataclass(frozen=True)
class Rendered:
    """A figure resolved for writing: its spec, and its static image for readers without JavaScript."""

    figure: Figure
    spec: dict  # Vega, compiled from the chart's Vega-Lite
    static: bytes
    box: str  # CSS custom properties giving the .view its drawn size before it draws (see _box)

    @property
    def static_name(self) -> str:
        return f"figures/{self.figure.id}.{self.figure.static}"


def _resolve(figure: Figure) -> Rendered:
    import vl_convert

    chart = figure.chart.to_dict(validate=False)
    # Compiled to Vega here, so the browser skips the Vega-Lite compiler: 10-18% sooner painted.
    spec = vl_convert.vegalite_to_vega(chart)
    text = json.dumps(chart)
    if '"width": "container"' in text:
        # "container" width has no container in a static render: give it a page-like width.
        fixed = json.loads(text.replace('"width": "container"', '"width": 640'))
        static = vl_convert.vegalite_to_svg(fixed) if figure.static == "svg" else vl_convert.vegalite_to_png(fixed)
    else:  # the same picture as from the Vega-Lite, without compiling it again
        static = vl_convert.vega_to_svg(spec) if figure.static == "svg" else vl_convert.vega_to_png(spec)
    static = _stable_ids(static).encode() if figure.static == "svg" else static
    return Rendered(figure, spec, static, _box(figure, spec, _height(static)))


def _height(static: bytes) -> float:
    """The height of a static image, SVG or PNG (drawn at scale 1: one pixel per CSS px)."""
    if static.startswith(b"\x89PNG"):
        return struct.unpack(">I", static[20:24])[0]
    return float(re.search(rb"<svg[^>]*?\sheight=\"([\d.]+)\"", static).group(1))


def _box(figure: Figure, spec: dict, height: float) -> str:
    """The drawn height of a chart, known here so its .view can reserve it and the page does not jump.

    `height` is the chart's height as built, --h1: that of its static image, whose layout
    (all but a "container" width) is the page's. A figure that grows is laid out again at the
    largest size report.js may give it, --dh taller; its axes and legends keep their size, so in
    between the height follows the plot's width in a straight line, --k px per px, which
    report.css applies to the width the page leaves beyond the plot's built width (--w). Menus
    bound to the chart take one more row (--menus), whose height report.css sets.
    """
    import vl_convert

    height = int(height) if height == int(height) else height
    box = f"--h1:{height}px"
    if figure.grow > 1:
        # the same arithmetic as report.js's grow()
        grown = dict(spec, width=int(spec["width"] * figure.grow), height=int(spec["height"] * figure.grow))
        more = vl_convert.vega_to_scenegraph(grown)["height"] - height
        box += f";--w:{spec['width']}px;--dh:{more}px;--k:{more / (grown['width'] - spec['width']):.6f}"
    if any("bind" in signal for signal in spec.get("signals", [])):
        box += ";--menus:1"  # vega-embed adds a row of menus under the chart
    return box


def _stable_ids(svg: str) -> str:
    """Number gradient ids from 0 in each file: Vega counts them per process, which breaks reproducible builds."""
    numbers: dict[str, str] = {}
    return re.sub(r"gradient_\d+", lambda m: numbers.setdefault(m.group(), f"gradient_{len(numbers)}"), svg)


def _model(analysis: Analysis, title: str, command: str, built_at: str | None, pages: tuple[Page, ...],
           custom: Path | None) -> tuple[jinja2.Environment, dict, list[tuple[Page, dict, dict]]]:
    """The shared context and each page with its nav entry and resolved figures: computed once."""
    env = environment(custom)
    f = facts(analysis)
    noun, nouns = analysis.dataset.class_noun
    shown = [p for p in pages if p.shown(analysis)]  # pages about parts the data lacks (a test split) are left out
    nav = []
    for p in shown:
        summary = p.summary.format(noun=noun, nouns=nouns)
        nav.append({"file": p.file, "title": p.title.format(noun=noun, nouns=nouns), "summary": summary, "description": summary[:1].upper() + summary[1:] + "."})
    context = dict(a=analysis, ds=analysis.dataset, f=f, noun=noun, nouns=nouns, site_title=title, nav=nav,
                   version=__version__, command=command, built_at=built_at, favicon=FAVICON)
    resolved = [(page, entry, {fig.id: _resolve(fig) for fig in page.figures(analysis, f)}) for page, entry in zip(shown, nav)]
    return env, context, resolved


def _template_errors(render: Callable) -> Callable:
    """A user's template (--template-dir) that does not parse or render is their input error: one line saying where."""
    @functools.wraps(render)
    def checked(*args, **kwargs):
        try:
            return render(*args, **kwargs)
        except jinja2.TemplateError as e:
            where = f"{e.filename}:{e.lineno}" if getattr(e, "filename", None) else kwargs.get("templates") or TEMPLATES
            raise ReportError(f"{where}: template error: {e.message}") from None
    return checked


@_template_errors
def render(analysis: Analysis, title: str, command: str, built_at: str | None = None,
           pages: tuple[Page, ...] = PAGES, templates: Path | None = None) -> dict[str, bytes]:
    """Every file of the site, by relative path: pages, static figures, data files, assets.

    `pages` leaves some out (see select_pages); `templates` is a folder whose templates and
    static/ files replace the packaged ones. Nothing in it depends on when or where it is
    built unless `built_at` is given, so two builds from the same input are byte-identical.
    """
    env, context, resolved = _model(analysis, title, command, built_at, pages, templates)
    frames = tables(analysis)
    data = data_files(frames)
    listing = data_listing(data, frames)
    files: dict[str, bytes] = {}
    for page, entry, figures in resolved:
        html = env.get_template(page.template).render(
            context, **page.context(analysis), data_listing=listing, page=entry, figures=figures, single=False, href=lambda file: file, static_src=lambda fig: fig.static_name, sub="h2",
        )
        files[page.file] = html.encode()
        files.update({fig.static_name: fig.static for fig in figures.values()})
    files.update(data)
    files["assets/report.css"] = _asset("report.css", templates)
    files["assets/report.js"] = _asset("report.js", templates)
    files["assets/vega.js"] = vega_bundle()
    files[MANIFEST] = _manifest(files)
    return files


@_template_errors
def render_single(analysis: Analysis, title: str, command: str, built_at: str | None = None,
                  pages: tuple[Page, ...] = PAGES, templates: Path | None = None) -> bytes:
    """The whole report as one HTML file: pages as sections, scripts, styles and images inlined."""
    env, context, resolved = _model(analysis, title, command, built_at, pages, templates)
    anchors = {page.file: f"#page-{Path(page.file).stem}" for page, _, _ in resolved}

    def static_src(fig: Rendered) -> str:
        kind = "image/svg+xml" if fig.static_name.endswith(".svg") else "image/png"
        return f"data:{kind};base64,{base64.b64encode(fig.static).decode()}"

    sections = []
    for page, entry, figures in resolved:
        template = env.get_template(page.template)
        local = template.new_context(dict(context, **page.context(analysis), page=entry, figures=figures, single=True, href=anchors.get, static_src=static_src, sub="h3"))
        sections.append((entry, anchors[page.file][1:], Markup("".join(template.blocks["content"](local)))))
    # Inline scripts are allowed by their hashes only, so the page's CSP still admits nothing else.
    scripts = [_inline(vega_bundle().decode(), "script"), _inline(_asset("report.js", templates).decode(), "script")]
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in scripts)
    html = env.get_template("single.html").render(
        # Markup: CSS is not HTML text, and escaping its quotes and ">" broke it (an unstyled report).
        context, sections=sections, css=Markup(_inline(_asset("report.css", templates).decode(), "style")),
        scripts=[Markup(s) for s in scripts], script_hashes=hashes,
    )
    return html.encode()


def _asset(name: str, custom: Path | None = None) -> bytes:
    """A static file shipped with the templates, or its replacement in the user's template folder."""
    mine = Path(custom or TEMPLATES) / "static" / name
    return (mine if mine.is_file() else TEMPLATES / "static" / name).read_bytes()


def _inline(source: str, tag: str) -> str:
    """JavaScript or CSS safe inside <script> or <style>: "</tag" cannot occur.

    A backslash before the slash keeps the meaning in JavaScript strings and regexes and in CSS.
    """
    return source.replace(f"</{tag}", f"<\\/{tag}")


def tables(analysis: Analysis) -> dict[str, pl.DataFrame]:
    """The machine-readable results by name, each written as CSV and Parquet; README documents every column."""
    ds = analysis.dataset
    k, h, w = analysis.centroids.shape
    rows, cols = np.indices((h, w))
    out = {
        "image_distances": pl.DataFrame({"instance": ds.instances, "label": ds.labels.astype(np.int64), "distance": analysis.distances}),
        "centroids": pl.DataFrame({
            "label": np.repeat(np.arange(k), h * w),
            "row": np.tile(rows.ravel(), k),
            "col": np.tile(cols.ravel(), k),
            "mean": analysis.centroids.reshape(-1),
        }).drop_nans(),
        "least_typical": analysis.least_typical.table.select("label", "rank", "instance", "distance"),
        "most_typical": analysis.most_typical.table.select("label", "rank", "instance", "distance"),
        "pair_distances": analysis.pairs.select(pl.col("a").alias("label_a"), pl.col("b").alias("label_b"), "distance"),
        "splits": _splits_table(analysis),
    }
    if analysis.classifiers is not None:
        out["predictions"] = analysis.classifiers.table()
        out["confusion"] = analysis.classifiers.confusion_table()
    if analysis.health is not None:
        out["label_issues"], out["duplicates"] = _health_tables(analysis.health)
    return out


def _health_tables(h) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rows turned into instance numbers and split names as the files say them; distances in RMS grey levels."""
    issues = pl.concat([
        part.select(pl.lit(h.split_name(split)).alias("split"), pl.Series("instance", h.instances(split, part["instance_row"]), dtype=pl.Int64),
                    "label", "suggested", "score", "rank")
        for (split,), part in h.labels.table.partition_by("split", as_dict=True, maintain_order=True).items()
    ]).sort("split", "rank", descending=[True, False]) if h.labels.table.height else pl.DataFrame()
    d = h.duplicates.table
    pairs = pl.DataFrame({
        "split_a": [h.split_name(s) for s in d["split_a"]], "instance_a": _instances(h, d["split_a"], d["row_a"]),
        "split_b": [h.split_name(s) for s in d["split_b"]], "instance_b": _instances(h, d["split_b"], d["row_b"]),
        "distance": (d["distance"] / SIDE).to_list(), "same_label": d["same_label"].to_list(),
    }, schema={"split_a": pl.String, "instance_a": pl.Int64, "split_b": pl.String, "instance_b": pl.Int64, "distance": pl.Float64, "same_label": pl.Boolean})
    return issues, pairs


def _instances(h, splits: pl.Series, rows: pl.Series) -> np.ndarray:
    """Instance numbers of rows that belong to the named splits."""
    splits, rows = splits.to_numpy(), rows.to_numpy()
    out = np.empty(len(rows), np.int64)
    for name in h.splits:
        mine = splits == name
        out[mine] = h.instances(name, rows[mine])
    return out


def _splits_table(analysis: Analysis) -> pl.DataFrame:
    """split, label, count, share, mean_ink: for both splits when there is a test split, else for the one there is."""
    if analysis.comparison is not None:
        return analysis.comparison.table.select("split", "label", "count", "share", "mean_ink")
    ink = [float(analysis.centroids[k].mean()) if k in analysis.present else None for k in range(len(analysis.dataset.class_names))]
    return analysis.counts.select(pl.lit(analysis.dataset.split or "unknown").alias("split"), "label", "count", "share").with_columns(
        pl.Series("mean_ink", ink, dtype=pl.Float64))


# What each table holds, for the overview's list of files (README has the full description).
TABLE_NOTES = {
    "image_distances": "one row per image, its RMS distance to its label's mean image",
    "centroids": "the mean image of each label (row 0 at the top, col 0 at the left)",
    "least_typical": "the six images farthest from their label's mean, rank 1 the farthest",
    "most_typical": "the six images nearest their label's mean, rank 1 the nearest",
    "pair_distances": "the RMS distance between every two labels' mean images, nearest first",
    "splits": "per split and label: images, share of the split, mean ink",
    "predictions": "each scored image's label and each classifier's prediction",
    "confusion": "every cell of each classifier's confusion matrix",
    "label_issues": "every image's label-issue score and suggested label, rank 1 the most suspicious of its split",
    "duplicates": "identical and near-identical pairs, RMS distance, whether their labels agree",
}
GZIP_ROWS = 1_000_000  # tables longer than this are written as .csv.gz (ten million distances are 250 MB of text)
CSV_BATCH = 250_000  # rows turned into text at a time, so a long table never exists whole as text


def data_files(frames: dict[str, pl.DataFrame]) -> dict[str, bytes]:
    files = {}
    for name, frame in frames.items():
        files[_csv_name(name, frame)] = _csv(frame, gzip_it=frame.height > GZIP_ROWS)
        files[f"data/{name}.parquet"] = _parquet(frame)
    return files


def _csv_name(name: str, frame: pl.DataFrame) -> str:
    return f"data/{name}.csv" + (".gz" if frame.height > GZIP_ROWS else "")


def data_listing(files: dict[str, bytes], frames: dict[str, pl.DataFrame]) -> list[dict]:
    """The data files as the overview lists them: CSV (or .csv.gz) and Parquet name, columns, what they hold."""
    return [{"csv": _csv_name(n, frame), "parquet": f"data/{n}.parquet",
             "columns": ",".join(frame.columns), "note": TABLE_NOTES[n]} for n, frame in frames.items()]


def _csv(frame: pl.DataFrame, gzip_it: bool = False) -> bytes:
    """CSV text, a batch of rows at a time; gzip-compressed (with a fixed timestamp: reproducible) when asked."""
    out = io.BytesIO()
    # Level 1: at ten million rows level 6 took 18 s for a tenth smaller file; the Parquet beside it is smaller still.
    sink = gzip.GzipFile(fileobj=out, mode="wb", mtime=0, compresslevel=1) if gzip_it else out
    for start in range(0, max(frame.height, 1), CSV_BATCH):
        frame.slice(start, CSV_BATCH).write_csv(sink, float_precision=6, include_header=start == 0)
    if gzip_it:
        sink.close()
    return out.getvalue()


def _parquet(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer, statistics=False)  # no per-build statistics: byte-identical rebuilds
    return buffer.getvalue()


def _manifest(files: dict[str, bytes]) -> bytes:
    listing = {path: hashlib.sha256(data).hexdigest() for path, data in sorted(files.items())}
    return json.dumps({"generator": GENERATOR, "version": __version__, "files": listing}, indent=1).encode() + b"\n"


def vega_bundle() -> bytes:
    """Vega and vega-embed in one script, made once per vl-convert version and cached.

    (Vega alone would be a third smaller, but vl-convert's bundler exposes only vegaEmbed.)
    """
    import vl_convert

    vl_version = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    path = cache_dir() / f"vega-{vl_convert.__version__}-vl{vl_version}.js"
    if path.is_file():
        return path.read_bytes()
    bundle = vl_convert.javascript_bundle(vl_version=vl_version).encode()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_suffix(".part")
        part.write_bytes(bundle)
        part.replace(path)
    except OSError:
        pass  # an unwritable cache only costs time
    return bundle


def check_folder(out: Path, force: bool = False) -> Path:
    """`out` as an absolute path, if a report may be written there (the command asks before any work).

    A folder that is neither empty nor an earlier report is refused unless `force`:
    replacing it would delete someone's files.
    """
    out = Path(out).absolute()
    if out.exists() and not out.is_dir():
        raise ReportError(f"{out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not is_report(out) and not force:
        raise ReportError(f"{out}: folder is not empty and holds no earlier report; choose another --out (or --force to replace it)")
    return out


def write(files: dict[str, bytes], out: Path, force: bool = False) -> Path:
    """Write the site into a fresh folder beside `out`, then swap it in for the old report."""
    out = check_folder(out, force)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as e:
        raise ReportError(f"{out.parent}: cannot write here: {e.strerror}") from None
    old = None
    try:
        for relative, data in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        staging.chmod(0o755)  # mkdtemp makes it private; a site is meant to be read
        if out.exists():
            old = out.with_name(staging.name + ".old")
            out.rename(old)
        staging.rename(out)
    except BaseException as e:  # interrupted or failed: leave the old report, remove our half
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None and not out.exists():
            old.rename(out)
        if isinstance(e, OSError):
            raise ReportError(f"{out}: cannot write the report: {e.strerror or e}") from None
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return out


def check_file(path: Path) -> Path:
    """`path` as an absolute path, if the one-file report may be written there."""
    path = Path(path).absolute()
    if path.is_dir():
        raise ReportError(f"{path}: is a folder; --single-file wants a file name such as report.html")
    return path


def write_file(data: bytes, path: Path) -> Path:
    """Write one file beside its destination, then rename it into place."""
    path = check_file(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as tmp:
            tmp.write(data)
        Path(tmp.name).chmod(0o644)
        os.replace(tmp.name, path)
    except OSError as e:
        raise ReportError(f"{path}: cannot write: {e.strerror or e}") from None
    return path


def is_report(folder: Path) -> bool:
    """Whether `folder` holds a report this tool wrote (its manifest says so)."""
    try:
        return json.loads((Path(folder) / MANIFEST).read_text()).get("generator") == GENERATOR
    except (OSError, ValueError, AttributeError):
        return False
