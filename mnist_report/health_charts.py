"""Figures of the dataset-health page, one function per figure: health result -> alt.Chart.

Pure, no I/O, in charts.py's look (its `_finish` and sprite grids). The results hold
0-based rows, so each function also takes the pixels it draws (uint8[N, 784] per split)
and the class names; rows are in file order, so a row's instance number is row + 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import polars as pl

from . import images
from .charts import GALLERY, INK, _finish, _sprite_grid
from .health import Duplicates, LabelIssues, OddImages

SHOWN = 6  # rows of candidates or pairs, columns of odd images: six 50 px pictures fit a phone
KIND_TITLES = {"faint": "Faint", "heavy": "Heavy", "off_centre": "Off centre"}


def _picture(pixels: np.ndarray) -> np.ndarray:
    return images.ink_rgb(pixels.reshape(28, 28))


def label_candidates(issues: LabelIssues, split: str, split_images: np.ndarray, train_images: np.ndarray,
                     class_names: Sequence[str], shown: int = SHOWN) -> alt.LayerChart:
    """The split's top candidates (rows, most suspicious first), each followed by its nearest
    training images, so a reader can judge the label against its neighbours."""
    top = issues.table.filter(pl.col("split") == split).sort("rank").head(shown)
    near = issues.neighbours.filter((pl.col("split") == split) & (pl.col("rank") <= shown)).sort("rank", "neighbour")
    k = int(near["neighbour"].max() or 0)
    columns = ["Candidate", *(f"Nearest {j}" for j in range(1, k + 1))]
    rows = [f"{r}. {class_names[label]} → {class_names[suggested]}?" for r, label, suggested in top.select("rank", "label", "suggested").iter_rows()]
    cells = [{"row": rows[i], "col": columns[0], "instance": r + 1, "split": split, "label": class_names[label],
              "detail": f"suggested {class_names[suggested]}, score {score:.2f}"}
             for i, (r, label, suggested, score) in enumerate(top.select("instance_row", "label", "suggested", "score").iter_rows())]
    panels = [_picture(split_images[r]) for r in top["instance_row"]]
    for rank, j, row, label, distance in near.select("rank", "neighbour", "train_row", "train_label", "distance").iter_rows():
        cells.append({"row": rows[rank - 1], "col": columns[j], "instance": row + 1, "split": "train",
                      "label": class_names[label], "detail": f"RMS distance {distance / 28:.1f}"})
        panels.append(_picture(train_images[row]))
    table = pl.DataFrame(cells)
    grid = _sprite_grid(
        table, panels, [(rows.index(c["row"]), columns.index(c["col"])) for c in cells], len(rows), len(columns), GALLERY,
        x=alt.X("col:N", sort=columns, title=None, axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("row:N", sort=rows, title="Rank. label → suggested"),
        tooltip=[alt.Tooltip("split:N", title="Split"), alt.Tooltip("instance:Q", title="Instance"),
                 alt.Tooltip("label:N", title="Label"), alt.Tooltip("detail:N", title="")],
    )
    return _finish(grid)


def duplicate_pairs(duplicates: Duplicates, split_images: Mapping[str, np.ndarray], split_labels: Mapping[str, np.ndarray],
                    class_names: Sequence[str], shown: int = SHOWN) -> alt.LayerChart | alt.Chart:
    """The closest pairs side by side with their RMS distance; pairs whose labels differ say so."""
    pairs = duplicates.table.head(shown)
    columns = ["Image A", "Image B"]
    rows, cells, panels = [], [], []
    for i, (sa, ra, sb, rb, distance, same) in enumerate(pairs.iter_rows()):
        rows.append(f"{i + 1}. RMS {distance / 28:.1f}" + ("" if same else " · labels differ"))
        for col, split, row in ((0, sa, ra), (1, sb, rb)):
            cells.append({"row": rows[-1], "col": columns[col], "split": split, "instance": row + 1,
                          "label": class_names[int(split_labels[split][row])]})
            panels.append(_picture(split_images[split][row]))
    if not rows:  # nothing to show: a one-line statement instead of an empty grid
        return _finish(alt.Chart(pl.DataFrame({"text": [f"No pair closer than RMS {duplicates.threshold_rms:g}."]}))
                       .mark_text(align="left", color="#222", fontSize=13).encode(text="text:N", x=alt.value(0), y=alt.value(10))
                       .properties(width=300, height=20))
    table = pl.DataFrame(cells)
    grid = _sprite_grid(
        table, panels, [(rows.index(c["row"]), columns.index(c["col"])) for c in cells], len(rows), 2, GALLERY,
        x=alt.X("col:N", sort=columns, title=None, axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("row:N", sort=rows, title="Closest pairs"),
        tooltip=[alt.Tooltip("split:N", title="Split"), alt.Tooltip("instance:Q", title="Instance"), alt.Tooltip("label:N", title="Label")],
    )
    return _finish(grid)


def odd_counts(odd: OddImages, class_names: Sequence[str]) -> alt.Chart:
    """How many images of each class and split are faint, heavy or off centre."""
    long = odd.counts.unpivot(index=["split", "label"], on=list(KIND_TITLES), variable_name="kind", value_name="count").with_columns(
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


def odd_extremes(odd: OddImages, split: str, split_images: np.ndarray, class_names: Sequence[str],
                 shown: int = SHOWN) -> alt.LayerChart:
    """The most extreme faint, heavy and off-centre images of a split, one row per kind."""
    table = (odd.extremes.filter(pl.col("split") == split).group_by("kind", maintain_order=True).head(shown)
             .join(odd.measures.select("split", "row", "ink", "offset"), on=["split", "row"], how="left", maintain_order="left"))
    kinds = [KIND_TITLES[k] for k in KIND_TITLES if k in set(table["kind"])]
    table = table.with_columns(
        pl.col("kind").replace_strict(KIND_TITLES).alias("kind"),
        (pl.col("row") + 1).alias("instance"),
        pl.col("label").map_elements(lambda k: class_names[k], return_dtype=pl.String).alias("name"),
        (pl.int_range(pl.len()).over("kind") + 1).alias("place"),
    ).select("kind", "place", "instance", "name", "ink", "offset")
    cells = [(kinds.index(kind), place - 1) for kind, place in table.select("kind", "place").iter_rows()]
    panels = [_picture(split_images[i - 1]) for i in table["instance"]]
    grid = _sprite_grid(
        table, panels, cells, max(len(kinds), 1), shown, GALLERY,
        x=alt.X("place:O", title="Most extreme first", axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("kind:N", sort=kinds, title=None),
        tooltip=[alt.Tooltip("instance:Q", title="Instance"), alt.Tooltip("name:N", title="Class"),
                 alt.Tooltip("kind:N", title="Kind"), alt.Tooltip("ink:Q", title="Mean ink (0-255)", format=".1f"),
                 alt.Tooltip("offset:Q", title="Centre of mass off centre (px)", format=".1f")],
    )
    return _finish(grid)
