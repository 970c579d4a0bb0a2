"""Figures of the dataset-health page, one function per figure: Health -> alt.Chart.

In charts.py's look (its `_finish` and sprite grids). The results hold 0-based rows of
their split; the Health part turns them into instance numbers and gives the few pictures
a figure draws.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import polars as pl

from . import images
from .charts import GALLERY, INK, _finish, _sprite_grid
from .loading.idx import SIDE
from .health import Health

SHOWN = 6  # rows of candidates or pairs, columns of odd images: six 50 px pictures fit a phone
KIND_TITLES = {"faint": "Faint", "heavy": "Heavy", "off_centre": "Off centre"}


def label_candidates(health: Health, split: str, class_names: Sequence[str], shown: int = SHOWN) -> alt.LayerChart:
    """The split's top candidates (rows, most suspicious first), each followed by its nearest
    training images, so a reader can judge the label against its neighbours."""
    issues = health.labels
    top = issues.table.filter(pl.col("split") == split).sort("rank").head(shown)
    near = issues.neighbours.filter((pl.col("split") == split) & (pl.col("rank") <= shown)).sort("rank", "neighbour")
    k = int(near["neighbour"].max() or 0)
    columns = ["Image", *(str(j) for j in range(1, k + 1))]  # then its nearest training images, nearest first
    rows = [f"{r}. {class_names[label]} → {class_names[suggested]}?" for r, label, suggested in top.select("rank", "label", "suggested").iter_rows()]
    cells = [{"row": rows[i], "col": columns[0], "instance": int(instance), "split": split, "label": class_names[label],
              "detail": f"suggested {class_names[suggested]}, score {score:.2f}"}
             for i, (instance, label, suggested, score) in enumerate(zip(health.instances(split, top["instance_row"]), top["label"], top["suggested"], top["score"]))]
    panels = [images.ink_rgb(p) for p in health.pixels(split, top["instance_row"])]
    for (rank, j, label, distance), instance, pixels in zip(near.select("rank", "neighbour", "train_label", "distance").iter_rows(),
                                                            health.instances("train", near["train_row"]), health.pixels("train", near["train_row"])):
        cells.append({"row": rows[rank - 1], "col": columns[j], "instance": int(instance), "split": "train",
                      "label": class_names[label], "detail": f"RMS distance {distance / SIDE:.1f}"})
        panels.append(images.ink_rgb(pixels))
    table = pl.DataFrame(cells)
    x = alt.X("col:N", sort=columns, title=f"The image, then its nearest training images", axis=alt.Axis(orient="top", labelAngle=0))
    y = alt.Y("row:N", sort=rows, title="Rank. label → suggested")
    grid = _sprite_grid(
        table, panels, [(rows.index(c["row"]), columns.index(c["col"])) for c in cells], len(rows), len(columns), GALLERY, x=x, y=y,
        tooltip=[alt.Tooltip("split:N", title="Split"), alt.Tooltip("instance:Q", title="Instance"),
                 alt.Tooltip("label:N", title="Label"), alt.Tooltip("detail:N", title="")],
    )
    band = alt.Scale(paddingInner=0, paddingOuter=0)
    # Each picture's label in its corner, so the neighbours' labels can be read without hovering.
    labels = alt.Chart(table).mark_text(align="right", baseline="bottom", dx=GALLERY / 2 - 2, dy=GALLERY / 2 - 1, fontSize=11,
                                        fontWeight="bold", color="#c25100").encode(x=x.scale(band), y=y.scale(band), text=alt.Text("label:N"))
    return _finish(alt.layer(grid, labels))


def duplicate_pairs(health: Health, class_names: Sequence[str], shown: int = SHOWN) -> alt.LayerChart | alt.Chart:
    """The closest pairs side by side with their RMS distance; pairs whose labels differ say so."""
    duplicates = health.duplicates
    pairs = duplicates.table.head(shown)
    columns = ["Image A", "Image B"]
    rows, cells, panels = [], [], []
    for i, (sa, ra, sb, rb, distance, same) in enumerate(pairs.iter_rows()):
        rows.append(f"{i + 1}. RMS {distance / SIDE:.1f}" + ("" if same else " · labels differ"))
        for col, split, row in ((0, sa, ra), (1, sb, rb)):
            cells.append({"row": rows[-1], "col": columns[col], "split": split, "instance": int(health.instances(split, [row])[0]),
                          "label": class_names[int(health.splits[split].labels[row])]})
            panels.append(images.ink_rgb(health.pixels(split, [row])[0]))
    if not rows:  # nothing to show: a one-line statement instead of an empty grid
        return _finish(alt.Chart(pl.DataFrame({"text": [f"No pair closer than RMS {duplicates.threshold_rms:g}."]}))
                       .mark_text(align="left", color="#222", fontSize=13).encode(text=alt.Text("text:N"), x=alt.XValue(0), y=alt.YValue(10))
                       .properties(width=300, height=20))
    table = pl.DataFrame(cells)
    grid = _sprite_grid(
        table, panels, [(rows.index(c["row"]), columns.index(c["col"])) for c in cells], len(rows), 2, GALLERY,
        x=alt.X("col:N", sort=columns, title=None, axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("row:N", sort=rows, title="Closest pairs"),
        tooltip=[alt.Tooltip("split:N", title="Split"), alt.Tooltip("instance:Q", title="Instance"), alt.Tooltip("label:N", title="Label")],
    )
    return _finish(grid)


def odd_counts(health: Health, class_names: Sequence[str]) -> alt.Chart:
    """How many images of each class and split are faint, heavy or off centre."""
    long = health.odd.counts.unpivot(index=["split", "label"], on=list(KIND_TITLES), variable_name="kind", value_name="count").with_columns(
        pl.col("label").map_elements(lambda k: class_names[k], return_dtype=pl.String).alias("name"),
        pl.col("kind").replace_strict(KIND_TITLES).alias("kind"))
    base = alt.Chart(long).encode(
        y=alt.Y("name:N", sort=list(class_names), title=None),
        x=alt.X("count:Q", title="Images"),
        tooltip=[alt.Tooltip("split:N", title="Split"), alt.Tooltip("name:N", title="Class"),
                 alt.Tooltip("kind:N", title="Kind"), alt.Tooltip("count:Q", title="Images", format=",")],
    )
    bars = base.mark_bar(color=INK).properties(width=90, height=14 * len(class_names))
    return _finish(bars.facet(column=alt.Column("kind:N", sort=list(KIND_TITLES.values()), title=None),
                              row=alt.Row("split:N", sort=["train", "test"], title=None)))


def odd_extremes(health: Health, split: str, class_names: Sequence[str], shown: int = SHOWN) -> alt.LayerChart:
    """The most extreme faint, heavy and off-centre images of a split, one row per kind."""
    odd = health.odd
    table = (odd.extremes.filter(pl.col("split") == split).group_by("kind", maintain_order=True).head(shown)
             .join(odd.measures.select("split", "row", "ink", "offset"), on=["split", "row"], how="left", maintain_order="left"))
    kinds = [KIND_TITLES[k] for k in KIND_TITLES if k in set(table["kind"])]
    table = table.with_columns(
        pl.col("kind").replace_strict(KIND_TITLES).alias("kind"),
        pl.col("label").map_elements(lambda k: class_names[k], return_dtype=pl.String).alias("name"),
        (pl.int_range(pl.len()).over("kind") + 1).alias("place"),
    ).select("kind", "place", "row", "name", "ink", "offset")
    panels = [images.ink_rgb(p) for p in health.pixels(split, table["row"])]
    table = table.with_columns(pl.Series("instance", health.instances(split, table["row"]), dtype=pl.Int64)).drop("row")
    cells = [(kinds.index(kind), place - 1) for kind, place in table.select("kind", "place").iter_rows()]
    grid = _sprite_grid(
        table, panels, cells, max(len(kinds), 1), shown, GALLERY,
        x=alt.X("place:O", title="Most extreme first", axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("kind:N", sort=kinds, title=None),
        tooltip=[alt.Tooltip("instance:Q", title="Instance"), alt.Tooltip("name:N", title="Class"),
                 alt.Tooltip("kind:N", title="Kind"), alt.Tooltip("ink:Q", title="Mean ink (0-255)", format=".1f"),
                 alt.Tooltip("offset:Q", title="Centre of mass off centre (px)", format=".1f")],
    )
    return _finish(grid)
