"""What a page of the report is: a module in pages/ declares one `Page`, beside its template.

A page states its place in the report, its title, the analysis parts it needs, its facts (a
frozen dataclass its template reads as `f`) and its figures, each a chart with the words a
reader without it needs. Rendering (render.py) reads nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import altair as alt

from ..analysis import Analysis


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
    # Built for a 375 px phone, the chart is drawn as wide as its card (fit.py): on a wider page
    # up to `grow` times its built size, on a narrower one down to `shrink` times (charts whose
    # marks follow the plot's width and height; a "container" width fits by itself).
    grow: float = 1.0
    shrink: float = 0.25
    # Figures with the same `together` are drawn at one scale, the smallest any of them needs: galleries compared by eye.
    together: str = ""
    # The id of the panel where a click on one of its marks shows the mark's images (report.js): confusion heat maps.
    opens: str = ""


@dataclass(frozen=True)
class Item:
    """One file of a page rendered once per item (a class page): its file, its title, its template's `f`,
    and the pictures it shows, by their path in the site (files beside it, data: URLs in the one-file report)."""

    file: str
    name: str  # what it stands for: the class's name, which class_link() in any template links to this file
    title: str
    facts: Any
    pictures: dict[str, bytes]


@dataclass(frozen=True)
class Page:
    """A page of the report, as its module in pages/ states it (see pages/__init__.py)."""

    order: int  # place in the navigation, smallest first
    file: str  # the page's file in the site, and its template's name unless `template` says otherwise
    title: str  # {noun} and {nouns} are filled in with the dataset's word for a class
    summary: str  # one line for the table of contents, filled in the same way
    facts: Callable[[Analysis], Any]  # the page's facts: a frozen dataclass, `f` in its template
    figures: Callable[[Analysis, Any], list[Figure]]  # from the analysis and the facts
    charts: tuple[
        Callable[..., alt.TopLevelMixin], ...
    ] = ()  # its chart functions, for notebooks (mnist_report.charts)
    needs: frozenset[str] = frozenset()  # analysis parts (analysis.PARTS) beyond the exploring summaries
    template: str = ""
    # A page that is also rendered once per item (a class): the items, from the analysis and the page's own
    # facts, each rendered with `each_template` as a file of its own, or a section after the page's.
    each: Callable[[Analysis, Any], list[Item]] | None = None
    each_template: str = ""

    @property
    def name(self) -> str:
        """What --skip calls it: the file's name without .html."""
        return self.file.removesuffix(".html")

    @property
    def template_name(self) -> str:
        return self.template or self.file

    def applies(self, analysis: Analysis) -> bool:
        """Whether the data has what the page shows: a page about a part the data lacks (a test split) is left out."""
        return all(analysis.has(part) for part in self.needs)


@dataclass(frozen=True)
class Named:
    """A class and a number about it, for sentences such as "1 is the least variable digit"."""

    name: str
    value: float


@dataclass(frozen=True)
class SplitSummary:
    name: str  # "train", "test", or "" when the input does not say
    n: int  # images
    sources: tuple  # loading.model.Source: the files it was read from


@dataclass(frozen=True)
class About:
    """What every page may say about the data: its name, credit, splits, image size and classes."""

    name: str
    key: str  # the catalogue's name for a known dataset ("mnist"), else ""
    credit: str
    splits: tuple[SplitSummary, ...]
    split: str  # the explored split's name
    train: SplitSummary | None
    test: SplitSummary | None
    n: int  # images the exploring pages describe
    height: int
    width: int
    n_classes: int
    instances: tuple[int, int]  # the first and last instance number of the explored split

    @property
    def pixels(self) -> int:
        return self.height * self.width


def about(analysis: Analysis) -> About:
    ds = analysis.dataset
    splits = tuple(SplitSummary(s.name, len(s), s.sources) for s in ds.splits)
    _, height, width = analysis.centroids.shape
    named = {s.name: s for s in splits}
    return About(
        ds.name,
        ds.kind.key,
        ds.kind.credit,
        splits,
        ds.split,
        named.get("train"),
        named.get("test"),
        analysis.n,
        height,
        width,
        len(ds.class_names),
        (int(ds.instances[0]), int(ds.instances[-1])),
    )
