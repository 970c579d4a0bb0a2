"""Simple classifiers (classifiers.html): how far mean images and nearest neighbours get, what they
confuse (tables whose counts open their images), and a map of the images."""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import numpy as np
import polars as pl

from ...analysis import Analysis
from ...analysis.classifiers import K_NEIGHBOURS, NAMES, TITLES
from ...analysis.stats import BINARY_THRESHOLD, HOLD_OUT_EVERY
from .. import confusion
from ..draw import (
    CLASS_COLOURS,
    INK_COLOUR,
    LABEL_LIMIT,
    dumbbell,
    finish,
    highlight_menu,
    label_at,
    leaders,
    legend_columns,
    many,
    name_axis,
    placed_labels,
    wrap,
)
from ..page import Figure
from ..words import percent1
from . import classes

ORDER = 80
FILE = "classifiers.html"
TITLE = "Simple classifiers"
SUMMARY = "how far mean images and nearest neighbours get, what they confuse, and a map of the images"
NEEDS = {"classifiers", "map"}

N_CONFUSED = 3  # most confused pairs named
MAP = 320  # the map's side as built, in px
MAP_GROW = 2  # drawn up to twice as large on a wide page
# The confusion cells' images, one sheet beside the page: 300 KB that only a reader who opens a cell needs.
SPRITE = "img/classifiers-cells.png"


@dataclass(frozen=True)
class Confused:
    """Two classes and how often a classifier mixes them up."""

    a: str
    b: str
    count: int  # both ways
    a_as_b: int
    b_as_a: int
    hardness: int | None  # the pair's rank by the distance between their mean images (1 = closest)


@dataclass(frozen=True)
class Removed:
    """The confusion k-NN removes most of: two classes, mixed up `centroid` times by the nearest centroid and `knn` times by k-NN."""

    a: str
    b: str
    centroid: int
    knn: int


@dataclass(frozen=True)
class Facts:
    n: int  # images scored
    n_available: int  # images that could be scored
    held_out: bool  # scored on held-out training images (there is no test split)
    split: str  # the split scored
    hold_out_every: int
    n_train: int  # training images behind the centroids
    n_reference: int  # training images k-NN searched
    k: int
    ink: int  # the binarising threshold
    accuracy: dict[str, float]  # by classifier
    errors: dict[str, int]  # by classifier
    binary_cost: float  # accuracy lost by binarising
    confused: dict[str, list[Confused]]  # by classifier, the N_CONFUSED commonest confusions
    removed: Removed
    n_pairs: int  # pairs of classes ranked by the distance between their means
    explained: list[float]  # the map's two axes' shares of the pixel variance
    centres: list[tuple[str, float, float]]  # each class mean's place on the map: the map's content for keyboards
    n_drawn: int  # images on the map
    n_total: int
    n_fit: int  # images the map's axes were fitted on
    many: bool  # too many classes for tables: a heat map and ranked lists instead
    matrices: list[confusion.Matrix]  # the tables (when not many)
    rankings: list[confusion.Ranking]  # the commonest confusions of each classifier (when many)
    hardest: list[tuple[str, float]]  # (class, k-NN accuracy): the classes k-NN gets least right, hardest first
    sprite: str  # the scored images' sheet: its path in the site, fetched only when a cell is chosen
    pictures: dict[str, bytes]  # that sheet's PNG by its path (a data: URL in the one-file report)
    index: str  # JSON: which images each confusion cell opens


def _confused(analysis: Analysis, name: str, hardness: dict) -> list[Confused]:
    names, m = analysis.dataset.class_names, analysis.classifiers.confusion(name)
    both = np.triu(m + m.T, 1)
    order = sorted(zip(*np.nonzero(both), strict=True), key=lambda ab: (-both[ab], ab))[:N_CONFUSED]
    return [
        Confused(names[a], names[b], int(both[a, b]), int(m[a, b]), int(m[b, a]), hardness.get((int(a), int(b))))
        for a, b in order
    ]


def _hardest(c, names: tuple[str, ...], most: int = N_CONFUSED) -> list[tuple[str, float]]:
    right = c.class_accuracy("knn")
    order = [k for k in np.lexsort((np.arange(len(right)), right)) if not np.isnan(right[k])][:most]
    return [(names[k], float(right[k])) for k in order]


def facts(analysis: Analysis) -> Facts:
    c, p, names = analysis.classifiers, analysis.projection, analysis.dataset.class_names
    hardness = analysis.pair_rank
    centroid, knn = c.confusion("nearest_centroid"), c.confusion("knn")
    pair_centroid, pair_knn = np.triu(centroid + centroid.T, 1), np.triu(knn + knn.T, 1)
    removed = pair_centroid - pair_knn
    a, b = (
        max(zip(*np.nonzero(pair_centroid), strict=True), key=lambda ab: (removed[ab], -ab[0], -ab[1]))
        if pair_centroid.any()
        else (0, 0)
    )
    sheet, index = confusion.cell_images(c, c.images, names)
    return Facts(
        n=c.n,
        n_available=c.n_available,
        held_out=c.held_out,
        split=c.split,
        hold_out_every=HOLD_OUT_EVERY,
        n_train=c.n_train,
        n_reference=len(c.reference),
        k=K_NEIGHBOURS,
        ink=BINARY_THRESHOLD,
        accuracy={name: c.accuracy(name) for name in NAMES},
        errors={name: int(c.n - np.trace(c.confusion(name))) for name in NAMES},
        binary_cost=c.accuracy("nearest_centroid") - c.accuracy("nearest_centroid_binary"),
        confused={name: _confused(analysis, name, hardness) for name in NAMES},
        removed=Removed(names[a], names[b], int(pair_centroid[a, b]), int(pair_knn[a, b])),
        n_pairs=analysis.pairs.height,
        explained=[float(e) for e in p.explained],
        centres=list(p.centres.select("name", "x", "y").iter_rows()),
        n_drawn=p.points.height,
        n_total=analysis.n,
        n_fit=p.n_fit,
        many=many(analysis),
        matrices=[] if many(analysis) else confusion.matrices(c, names, analysis.present, analysis.dataset.class_noun),
        rankings=confusion.rankings(c, names, analysis.dataset.class_noun) if many(analysis) else [],
        hardest=_hardest(c, names),
        sprite=SPRITE,
        pictures={SPRITE: sheet},
        index=index,
    )


def class_accuracy(analysis: Analysis) -> alt.LayerChart | alt.Chart:
    """Share of each class's scored images each classifier gets right."""
    noun = analysis.dataset.class_noun[0].capitalize()
    c = analysis.classifiers
    names = analysis.dataset.class_names
    rows = [
        (TITLES[clf], names[k], float(acc) * 100, k)
        for clf in NAMES
        for k, acc in enumerate(c.class_accuracy(clf))
        if not np.isnan(acc)
    ]
    data = pl.DataFrame(rows, orient="row", schema=["classifier", "name", "percent", "label"])
    data, link = classes.linked(analysis, data)  # a mark opens its class's page
    order = [TITLES[n] for n in NAMES]
    if many(analysis):
        return _accuracy_strip(data, order, noun).encode(**link)
    legend = alt.Legend(direction="vertical", labelLimit=300)
    colour = alt.Color(
        "classifier:N",
        title="Classifier",
        sort=order,
        scale=alt.Scale(domain=order, range=[INK_COLOUR, "#c25100", "#2a7f3f"]),
        legend=legend,
    )
    y = alt.Y("name:N", sort=[n for n in analysis.present_names if n in set(data["name"])], title=noun)
    # The same field, title and legend as the colour: Vega-Lite draws one legend of coloured shapes.
    shape = alt.Shape("classifier:N", sort=order, title="Classifier", legend=legend, scale=alt.Scale(domain=order))
    tooltip = [
        alt.Tooltip("name:N", title=noun),
        alt.Tooltip("classifier:N", title="Classifier"),
        alt.Tooltip("percent:Q", title="Right (%)", format=".1f"),
    ]
    return finish(dumbbell(data, y, "percent", "Scored right (%)", colour, shape, tooltip, line="#bbb").encode(**link))


def _accuracy_strip(data: pl.DataFrame, order: list[str], noun: str) -> alt.Chart:
    """With many classes, one row per classifier and a dot per class: how widely its classes' accuracy spreads."""
    chart = (
        alt.Chart(data)
        .mark_tick(thickness=2, size=18, opacity=0.6, color=INK_COLOUR)
        .encode(
            x=alt.X("percent:Q", title="Scored right (%)", scale=alt.Scale(zero=False)),
            y=alt.Y("classifier:N", sort=order, title=None),
            tooltip=[
                alt.Tooltip("name:N", title=noun),
                alt.Tooltip("classifier:N", title="Classifier"),
                alt.Tooltip("percent:Q", title="Right (%)", format=".1f"),
            ],
        )
    )
    return finish(chart.properties(width="container", height=alt.Step(32)))


def mistakes_heatmap(analysis: Analysis) -> alt.Chart:
    """Which classes each classifier mistakes for which, the classes in an order that sets similar ones side by
    side; a menu picks the classifier, and a cell opens its images (report.js, through the figure's `opens`)."""
    names = analysis.dataset.class_names
    order = [names[k] for k in analysis.similar_order]
    data = confusion.mistakes(analysis.classifiers, names)
    titles = [TITLES[n] for n in NAMES]
    # The nearest centroid first: the classifier with the most mistakes to look at.
    pick = alt.param(name="classifier", value=titles[0], bind=alt.binding_select(options=titles, name="Classifier: "))
    cell = max(2, 340 // len(order))
    scale = alt.Scale(domain=order, round=True)
    x_axis, y_axis = (name_axis(order, side, cell, side == "x", labels=cell >= 10, ticks=False) for side in "xy")
    chart = (
        alt.Chart(data)
        .mark_rect()
        .encode(
            x=alt.X("guess:N", sort=order, title="Predicted", axis=x_axis, scale=scale),
            y=alt.Y("truth:N", sort=order, title="True", axis=y_axis, scale=scale),
            color=alt.Color(
                "share:Q",
                title="Share of the true class",
                scale=alt.Scale(scheme="blues", domain=[0, float(data["share"].max() or 1.0)]),
                legend=alt.Legend(format=".0%"),
            ),
            tooltip=[
                alt.Tooltip("truth:N", title="Labelled"),
                alt.Tooltip("guess:N", title="predicted"),
                alt.Tooltip("count:Q", title="Images", format=","),
                alt.Tooltip("share:Q", title="Share", format=".1%"),
            ],
        )
        .transform_filter(alt.datum.classifier == pick)
        .add_params(pick)
    )
    return finish(chart.properties(width=cell * len(order), height=cell * len(order)))


def projection_map(analysis: Analysis) -> alt.LayerChart:
    """The images on their first two principal axes, coloured by class, each class mean marked with its name.

    Colours tell up to 20 classes apart (Tol's muted scheme to ten, Tableau's twenty beyond); with more the points
    share one colour, and each class's mean is a dot that names it on hover."""
    noun = analysis.dataset.class_noun[0].capitalize()
    p = analysis.projection
    names = list(analysis.dataset.class_names)
    if many(analysis):
        return _crowded_map(analysis, noun)
    scheme = (
        {"range": list(CLASS_COLOURS[: len(names)])} if len(names) <= len(CLASS_COLOURS) else {"scheme": "tableau20"}
    )
    colour = alt.Color(
        "name:N",
        title=noun,
        sort=names,
        scale=alt.Scale(domain=names, **scheme),
        legend=alt.Legend(columns=legend_columns(names, limit=2 * LABEL_LIMIT), labelLimit=2 * LABEL_LIMIT),
    )
    x, y = _axes(p)
    # The names beside their means where two would overlap, placed on the smallest map a phone draws;
    # a name with no room near its mean is left to the mean's tooltip.
    font = 15 if len(names) <= len(CLASS_COLOURS) else 12
    centres = placed_labels(p.centres, "name", _domain(p), MAP, MAP, font, grow=MAP_GROW).filter(pl.col("shown"))
    # Some of the colours are close (ten that colour-blind readers can tell apart cannot all be far apart):
    # a menu brings out one class and fades the others.
    focus, chosen = highlight_menu(names, noun.lower())
    points = (
        alt.Chart(p.points)
        .mark_circle(size=12)
        .encode(
            x=x,
            y=y,
            color=colour,
            opacity=alt.condition(chosen, alt.value(0.6), alt.value(0.05)),
            tooltip=[alt.Tooltip("instance:Q", title="Instance", format=","), alt.Tooltip("name:N", title=noun)],
        )
    )
    means = (
        alt.Chart(p.centres)
        .mark_point(shape="cross", filled=True, size=40, color="#111")
        .encode(x=x, y=y, tooltip=[alt.Tooltip("name:N", title=f"Mean image of {noun.lower()}")])
    )
    halo = label_at(alt.Chart(centres), fontSize=font, fontWeight="bold", stroke="white", strokeWidth=4).encode(
        x=x, y=y, text=alt.Text("name:N")
    )
    named = label_at(alt.Chart(centres), fontSize=font, fontWeight="bold", color="#111").encode(
        x=x, y=y, text=alt.Text("name:N"), tooltip=[alt.Tooltip("name:N", title=f"Mean image of {noun.lower()}")]
    )
    lines = leaders(centres, x, y)
    return finish(alt.layer(points, *lines, means, halo, named).add_params(focus).properties(width=MAP, height=MAP))


def _domain(p) -> dict[str, tuple[float, float]]:
    """The map's scales: every point and mean inside, with a margin."""
    out = {}
    for axis in ("x", "y"):
        values = pl.concat([p.points[axis], p.centres[axis]])
        low, high = float(values.min()), float(values.max())
        margin = (high - low) * 0.03 or 1.0
        out[axis] = (low - margin, high + margin)
    return out


def _axes(p, x: str = "x", y: str = "y") -> tuple[alt.X, alt.Y]:
    share = [f"{100 * e:.1f}%" for e in p.explained]
    domain = _domain(p)
    across = alt.X(
        f"{x}:Q",
        title=wrap(f"First principal axis ({share[0]} of the variance)"),
        axis=alt.Axis(labels=False, ticks=False),
        scale=alt.Scale(domain=list(domain["x"]), nice=False, zero=False),
    )
    up = alt.Y(
        f"{y}:Q",
        title=f"Second axis ({share[1]})",
        axis=alt.Axis(labels=False, ticks=False),
        scale=alt.Scale(domain=list(domain["y"]), nice=False, zero=False),
    )
    return across, up


def _crowded_map(analysis: Analysis, noun: str) -> alt.LayerChart:
    """The map of a dataset of many classes: the points in one colour, each class mean a dark dot named on hover."""
    p = analysis.projection
    x, y = _axes(p)
    points = (
        alt.Chart(p.points)
        .mark_circle(size=10, opacity=0.35, color=INK_COLOUR)
        .encode(
            x=x,
            y=y,
            tooltip=[alt.Tooltip("instance:Q", title="Instance", format=","), alt.Tooltip("name:N", title=noun)],
        )
    )
    centres = (
        alt.Chart(p.centres)
        .mark_point(filled=True, size=40, color="#c25100", stroke="white", strokeWidth=1)
        .encode(x=x, y=y, tooltip=[alt.Tooltip("name:N", title=f"Mean image of {noun.lower()}")])
    )
    return finish(alt.layer(points, centres).properties(width=MAP, height=MAP))


def figures(analysis: Analysis, f: Facts) -> list[Figure]:
    noun, nouns = analysis.dataset.class_noun
    accuracy = (
        f"Share of each {noun}'s scored images that each classifier gets right.",
        f"Dot plot per {noun} of the three classifiers' accuracy: k-NN {percent1(f.accuracy['knn'])}, "
        f"nearest centroid {percent1(f.accuracy['nearest_centroid'])} overall.",
    )
    if f.many:
        accuracy = (
            f"Each mark is one {noun}: the share of its scored images each classifier gets right. Hover a mark for its {noun}.",
            f"Three rows of marks, one per classifier, one mark per {noun} at its accuracy; k-NN {percent1(f.accuracy['knn'])}, "
            f"nearest centroid {percent1(f.accuracy['nearest_centroid'])} overall.",
        )
    coloured = (
        f"coloured by {noun}; names mark the mean images" if not f.many else f"each {noun}'s mean image an orange dot"
    )
    projected = (
        f"{f.n_drawn:,} images on their first two principal axes, {coloured}. Hover or tap a dot for its instance"
        + ("" if f.many else f"; the menu brings out one {noun}'s images")
        + "; the table below and data/map.csv give the same places.",
        f"Scatter plot of {f.n_drawn:,} images in two dimensions"
        + (
            f", one colour per {noun}, with each {noun}'s mean image marked by its name."
            if not f.many
            else f", with each {noun}'s mean image marked."
        ),
    )
    figures = [Figure("accuracy", class_accuracy(analysis), *accuracy)]
    if f.many:
        mistakes = (
            f"Which {noun} each classifier mistakes for which: rows are the true {noun}, columns the predicted one, in an order "
            f"that sets similar {nouns} side by side; the deeper the blue, the larger the share of the row. Choose a cell to see its images.",
            f"A heat map of the mistakes of the chosen classifier between {len(analysis.present)} {nouns}.",
        )
        figures.append(
            Figure("mistakes", mistakes_heatmap(analysis), *mistakes, static="png", grow=2, opens="classifiers-cells")
        )
    return [*figures, Figure("map", projection_map(analysis), *projected, static="png", grow=MAP_GROW)]


CHARTS = (class_accuracy, mistakes_heatmap, projection_map)
