"""File order (order.html): whether a split's images change along its file, where, and by how much."""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import polars as pl

from ...analysis import Analysis
from ...analysis.order import SplitOrder
from ...analysis.order_stats import MAX_SHIFTS, N_BLOCKS, N_PERM
from ..draw import INK_COLOUR, finish, wrap
from ..page import Figure
from ..words import sentence_start, the_split, vocabulary

ORDER = 85
FILE = "order.html"
TITLE = "File order"
SUMMARY = "whether the images change along the file, where, and by how much"
NEEDS = {"order"}

# The measures charted, and how the page names them.
TITLES = {
    "knn_error": "k-NN error (%)",
    "centroid_error": "Nearest-centroid error (%)",
    "mean_ink": "Mean {ink} (0-255)",  # in the dataset's words (words.Vocabulary)
    "mean_distance": "Distance to the class mean",
}
PERCENT = {"knn_error", "centroid_error"}  # measures shown in percent
WIDTH = 260  # each chart's plot as built, in px (fit.py draws it as wide as the card leaves)


@dataclass(frozen=True)
class Shift:
    """A measure that changes along the file: its mean before and after the images `position` and `position + 1`."""

    measure: str  # knn_error, centroid_error, mean_ink, mean_distance or share_<label>
    name: str  # the class, for a class's share
    position: int
    n: int  # images in the split
    before: float
    after: float
    p_value: float  # Holm-adjusted over the measures tested

    @property
    def ratio(self) -> float:
        """How many times the larger side's value is the smaller's."""
        low, high = sorted((self.before, self.after))
        return high / low if low > 0 else float("inf")


@dataclass(frozen=True)
class SplitFacts:
    split: str
    n: int
    width: int  # images per window
    windows: int
    scored: bool
    shifts: list[Shift]
    tested: int  # measures tested, for the correction
    floor: float  # the smallest p-value the permutations can give, corrected
    detectable: dict[str, float]  # measure -> the step at the middle of the file found 4 times in 5


@dataclass(frozen=True)
class Facts:
    splits: list[SplitFacts]
    n_perm: int = N_PERM  # the shift test's settings (analysis.order_stats), as the page states them
    n_blocks: int = N_BLOCKS
    max_shifts: int = MAX_SHIFTS


def _split_facts(order: SplitOrder, names: tuple[str, ...]) -> SplitFacts:
    n = int(order.windows["images"].sum())
    shifts = [
        Shift(
            r["measure"],
            names[int(r["measure"][6:])] if r["measure"].startswith("share_") else "",
            r["position"],
            n,
            r["before"],
            r["after"],
            r["p_value"],
        )
        for r in order.shifts.iter_rows(named=True)
    ]
    ranks = list(TITLES)  # errors first, then ink and distance, then the classes' shares
    shifts.sort(key=lambda x: (ranks.index(x.measure) if x.measure in ranks else len(ranks), x.measure, x.position))
    detectable = {r["measure"]: r["detectable"] for r in order.tests.iter_rows(named=True) if r["measure"] in TITLES}
    tested = order.tests.height
    return SplitFacts(
        order.split,
        n,
        int(order.windows["images"][0]),
        order.windows.height,
        order.scored,
        shifts,
        tested,
        min(1.0, tested / (N_PERM + 1)),
        detectable,
    )


def facts(analysis: Analysis) -> Facts:
    return Facts([_split_facts(split, analysis.dataset.class_names) for split in analysis.order.splits])


def along_file(analysis: Analysis, split: str) -> alt.VConcatChart:
    """Each measure of a split window by window along its file, and the share of each class whose share
    changes; a shift found is a vertical line, with the means before and after it as dashed lines."""
    order = next(s for s in analysis.order.splits if s.split == split)
    n = int(order.windows["images"].sum())
    charts, ink = [], vocabulary(analysis.dataset.kind).ink
    for measure, title in TITLES.items():
        scale = 100 if measure in PERCENT else 1
        values = order.windows.select("start", "end", (pl.col(measure) * scale).alias("value")).drop_nulls()
        if values.height:  # none: an error rate of a split nobody scored
            charts.append(_measure_chart(order, values, measure, title.format(ink=ink), scale, n))
    all_images = order.windows.select("start", pl.col("images").alias("all"))
    for k in sorted({int(m[6:]) for m in order.shifts["measure"] if m.startswith("share_")}):
        values = (
            order.classes.filter(pl.col("label") == k)
            .join(all_images, on="start")
            .select("start", "end", (100 * pl.col("images") / pl.col("all")).alias("value"))
        )
        title = f"Share of {analysis.dataset.class_names[k]} (%)"
        charts.append(_measure_chart(order, values, f"share_{k}", title, 100, n))
    return finish(alt.vconcat(*charts).resolve_scale(y="independent"))


def _measure_chart(order: SplitOrder, values: pl.DataFrame, measure: str, title: str, scale: float, n: int):
    """One measure's windows (start, end, value) as steps along the file, with its shifts marked."""
    steps = (
        alt.Chart(values)
        .mark_rule(color=INK_COLOUR, strokeWidth=3)
        .encode(
            x=alt.X("start:Q", title="Image, in file order", scale=alt.Scale(domain=[1, n], nice=False)),
            x2=alt.X2("end:Q"),
            y=alt.Y("value:Q", title=wrap(title, 90), scale=alt.Scale(zero=False)),
            tooltip=[
                alt.Tooltip("start:Q", title="From image", format=","),
                alt.Tooltip("end:Q", title="to", format=","),
                alt.Tooltip("value:Q", title=title, format=".2f"),
            ],
        )
    )
    # A width of their own, not "container": inside a concatenation that would leave the axes outside the card.
    return alt.layer(steps, *_shift_marks(order, measure, scale, n)).properties(width=WIDTH, height=90)


def _shift_marks(order: SplitOrder, measure: str, scale: float, n: int) -> list[alt.Chart]:
    """The shifts of one measure: a vertical line at each, and the dashed means of the parts between."""
    found = order.shifts.filter(pl.col("measure") == measure).sort("position")
    if not found.height:
        return []
    cuts = [0, *found["position"].to_list(), n]
    means = [found["before"][0] * scale, *(v * scale for v in found["after"].to_list())]
    parts = pl.DataFrame({"start": [c + 1 for c in cuts[:-1]], "end": cuts[1:], "mean": means})
    dashed = (
        alt.Chart(parts)
        .mark_rule(color="#c25100", strokeDash=[5, 3], strokeWidth=2)
        .encode(
            x=alt.X("start:Q"),
            x2=alt.X2("end:Q"),
            y=alt.Y("mean:Q"),
            tooltip=[
                alt.Tooltip("start:Q", title="Images", format=","),
                alt.Tooltip("end:Q", title="to", format=","),
                alt.Tooltip("mean:Q", title="Mean", format=".2f"),
            ],
        )
    )
    line = (
        alt.Chart(found.select(pl.col("position").cast(pl.Float64) + 0.5))
        .mark_rule(color="#c25100")
        .encode(x=alt.X("position:Q"))
    )
    return [dashed, line]


def figures(analysis: Analysis, f: Facts) -> list[Figure]:
    out, ink = [], vocabulary(analysis.dataset.kind).ink
    for split in f.splits:
        named = {TITLES.get(s.measure, "a class's share").split(" (")[0].format(ink=ink) for s in split.shifts}
        named = {name if name[1:2].isupper() else name[:1].lower() + name[1:] for name in named}  # k-NN stays
        found = ", ".join(sorted(named))
        words = (
            f"{sentence_start(the_split(split.split))} along its file, in windows of {split.width:,} images: each measure's value per window"
            + ("; dashed lines are the means before and after a shift (the vertical line)." if split.shifts else "."),
            f"Line charts of each measure of {the_split(split.split)} along its file"
            + (f"; shifts found in {found}." if split.shifts else "; no shift found."),
        )
        out.append(Figure(f"order-{split.split}", along_file(analysis, split.split), *words, static="png", grow=2))
    return out


CHARTS = (along_file,)
