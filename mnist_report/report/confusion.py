"""Confusion matrices whose cells open their images, on a static page.

Up to MANY classes, a table of buttons, not a chart: every count is reachable by keyboard
and read by a screen reader. Beyond, a heat map of the mistakes (its cells open their images
too) and, for the keyboard and the screen reader, ranked lists of the commonest confusions
as buttons. The page works without a server: the images behind the cells travel as one
sprite (a PNG data URL: the same from disk, a web server or the one-file report) with a small
JSON index; report.js draws the chosen cell's images from it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import polars as pl

from ..analysis.classifiers import NAMES, TITLES, Classifiers
from . import images

MAX_SHOWN = 30  # images a cell opens at most, the first in file order; the cell says how many it holds
SPRITE_COLUMNS = 50
N_RANKED = 15  # confusions listed per classifier when there are too many classes for a table


@dataclass(frozen=True)
class Cell:
    count: int
    id: str  # "classifier:label:predicted", the key of its images in the index
    background: str  # a blue whose depth is the cell's share of its row
    light_text: bool  # white text on a deep background
    label: str  # what a screen reader says


@dataclass(frozen=True)
class Matrix:
    name: str
    title: str
    accuracy: float
    rows: list[tuple[str, list[Cell], float]]  # true class name, its cells, its share right


@dataclass(frozen=True)
class Ranking:
    """A classifier's commonest confusions: (true class name, predicted class name, its cell), commonest first."""

    name: str
    title: str
    rows: list[tuple[str, str, Cell]]


def label(count: int, truth: str, guess: str, noun: tuple[str, str]) -> str:
    """What a screen reader says of a cell."""
    return f"{count:,} {noun[1] if count != 1 else noun[0]} labelled {truth}, predicted {guess}"


def matrices(c: Classifiers, class_names: tuple[str, ...], present: list[int], noun: tuple[str, str]) -> list[Matrix]:
    out = []
    for name in NAMES:
        m = c.confusion(name)
        right = c.class_accuracy(name)
        rows = []
        for t in present:
            total = m[t].sum()
            if not total:
                continue  # a class with no scored images has no row
            cells = []
            for p in present:
                share = m[t, p] / total
                depth = np.sqrt(share)  # small error shares stay visible beside the diagonal's large ones
                cells.append(
                    Cell(
                        int(m[t, p]),
                        f"{name}:{t}:{p}",
                        _blue(depth),
                        depth > 0.55,
                        label(int(m[t, p]), class_names[t], class_names[p], noun),
                    )
                )
            rows.append((class_names[t], cells, float(right[t])))
        out.append(Matrix(name, TITLES[name], c.accuracy(name), rows))
    return out


def rankings(
    c: Classifiers, class_names: tuple[str, ...], noun: tuple[str, str], most: int = N_RANKED
) -> list[Ranking]:
    """Each classifier's `most` commonest confusions (ties: the lower true class, then the lower predicted)."""
    out = []
    for name in NAMES:
        m = c.confusion(name).copy()
        np.fill_diagonal(m, 0)
        cells = sorted(zip(*np.nonzero(m), strict=True), key=lambda tp: (-m[tp], tp))[:most]
        rows = [
            (
                class_names[t],
                class_names[p],
                Cell(
                    int(m[t, p]),
                    f"{name}:{t}:{p}",
                    "",
                    False,
                    label(int(m[t, p]), class_names[t], class_names[p], noun),
                ),
            )
            for t, p in cells
        ]
        out.append(Ranking(name, TITLES[name], rows))
    return out


def mistakes(c: Classifiers, class_names: tuple[str, ...]) -> pl.DataFrame:
    """Every non-empty cell off each classifier's diagonal: classifier (its title), truth, guess, count,
    share (of the true class's scored images), cell (its id, for report.js to open)."""
    frames = []
    for name in NAMES:
        m = c.confusion(name)
        totals = m.sum(axis=1)
        t, p = np.nonzero(m - np.diag(np.diag(m)))
        frames.append(
            pl.DataFrame(
                {
                    "classifier": TITLES[name],
                    "truth": [class_names[i] for i in t],
                    "guess": [class_names[j] for j in p],
                    "count": m[t, p],
                    "share": m[t, p] / totals[t],
                    "cell": [f"{name}:{i}:{j}" for i, j in zip(t, p, strict=True)],
                },
                schema={
                    "classifier": pl.String,
                    "truth": pl.String,
                    "guess": pl.String,
                    "count": pl.Int64,
                    "share": pl.Float64,
                    "cell": pl.String,
                },
            )
        )
    return pl.concat(frames)


def members(c: Classifiers) -> dict[str, list[int]]:
    """Every non-empty cell's images: {cell id: scored positions of its first MAX_SHOWN images, in file order}."""
    shown: dict[str, list[int]] = {}
    for name in NAMES:
        cell_of = c.labels * c.n_classes + c.predictions[name]
        order = np.lexsort((c.instances, cell_of))  # by cell, then file order
        bounds = np.searchsorted(cell_of[order], np.arange(c.n_classes**2 + 1))
        for cell in np.flatnonzero(np.diff(bounds)):
            shown[f"{name}:{cell // c.n_classes}:{cell % c.n_classes}"] = order[bounds[cell] : bounds[cell + 1]][
                :MAX_SHOWN
            ].tolist()
    return shown


def cell_sheet(
    c: Classifiers, pictures: np.ndarray, class_names: tuple[str, ...], shown: dict[str, list[int]] | None = None
) -> tuple[np.ndarray, str]:
    """The sprite (an RGB sheet) and the JSON index {cell id: [[sprite position, instance], ...]} of the
    images of `shown` (members(c), or some of its cells: a class page's row and column).

    `pictures` are the scored images (uint8[n, 28, 28], in the order of c.rows); each image
    appears once in the sprite however many cells show it.
    """
    used: dict[int, int] = {}  # scored position -> sprite position
    sprite = {
        cell: [used.setdefault(int(i), len(used)) for i in picks]
        for cell, picks in (members(c) if shown is None else shown).items()
    }
    positions = np.array(list(used), dtype=np.int64)
    index = {cell: [[s, int(c.instances[positions[s]])] for s in spots] for cell, spots in sprite.items()}
    height, width = pictures.shape[1:]
    rows = -(-len(positions) // SPRITE_COLUMNS) or 1
    cells = [divmod(i, SPRITE_COLUMNS) for i in range(len(positions))]
    sheet = images.sheet(list(255 - pictures[positions]), cells, rows, SPRITE_COLUMNS, gap=0)  # dark on white
    payload = {"height": height, "width": width, "columns": SPRITE_COLUMNS, "names": list(class_names), "cells": index}
    # Inside <script>: "<" escaped so no name can close the block.
    return sheet, json.dumps(payload, separators=(",", ":")).replace("<", "\\u003c")


def cell_images(c: Classifiers, pictures: np.ndarray, class_names: tuple[str, ...]) -> tuple[bytes, str]:
    """cell_sheet() of every cell, the sprite as PNG bytes."""
    sheet, index = cell_sheet(c, pictures, class_names)
    return images.png(sheet), index


def _blue(depth: float) -> str:
    """White to the report's ink blue (#1f4e79)."""
    rgb = [round(255 + (v - 255) * depth) for v in (0x1F, 0x4E, 0x79)]
    return "#" + "".join(f"{v:02x}" for v in rgb)
