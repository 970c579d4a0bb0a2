"""How each classifier reads one class, for its page: recall, what the class is mistaken for and what
is mistaken for it, each count a button that shows its images (report.js, as on the classifiers page)
from a sprite of this class's row and column of the confusion matrices."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..analysis import Analysis
from ..analysis.classifiers import NAMES, TITLES
from . import confusion
from .shown import picture

N_LISTED = 5  # confusions listed each way per classifier


@dataclass(frozen=True)
class Mix:
    """A confusion cell: `count` images labelled `truth` and predicted `guess`."""

    truth: str
    guess: str
    count: int
    cell: str  # its id, "classifier:label:predicted"
    label: str  # what a screen reader says of its button


@dataclass(frozen=True)
class Reading:
    """One classifier on this class."""

    name: str
    title: str
    right: Mix  # the diagonal cell: its images read right
    n: int  # its scored images
    recall: float  # the share of them read right
    rank: int  # by recall among the classes scored, 1 = best
    ranked: int  # classes scored
    predicted: int  # images the classifier gave this class
    precision: float  # the share of those that are this class (NaN when none)
    mistaken_for: list[Mix]  # its images read as another class, commonest first
    wrong: int  # all its images read as another class
    taken_from: list[Mix]  # other classes' images read as it
    false: int


@dataclass(frozen=True)
class Readings:
    split: str  # the split scored ("test", or "train" for held-out images)
    held_out: bool
    list: list[Reading]
    sprite: str  # the picture of this page's cells' images
    index: str  # JSON: which of them each cell opens


def shared_readings(a: Analysis) -> tuple[dict, dict, dict]:
    """What every class page reads, computed once (classpage.shared): the confusion matrices, the ranks by
    recall, each class's cells."""
    c = a.classifiers
    matrices = {name: c.confusion(name) for name in NAMES}
    ranks = {}
    for name in NAMES:
        recall = c.class_accuracy(name)
        scored = [
            k for k in np.lexsort((np.arange(len(recall)), -np.nan_to_num(recall, nan=-1))) if not np.isnan(recall[k])
        ]
        ranks[name] = ({int(k): i + 1 for i, k in enumerate(scored)}, len(scored))
    cells: dict[int, dict[str, list[int]]] = {}
    for cell, picks in confusion.members(c).items():
        _, t, p = cell.split(":")
        for k in {int(t), int(p)}:
            cells.setdefault(k, {})[cell] = picks
    return matrices, ranks, cells


def _mix(name: str, t: int, p: int, count: int, names: tuple[str, ...], noun: tuple[str, str]) -> Mix:
    said = confusion.label(int(count), names[t], names[p], noun)
    return Mix(names[t], names[p], int(count), f"{name}:{t}:{p}", said)


def _listed(row: np.ndarray, k: int, most: int = N_LISTED) -> list[int]:
    """The other classes with a count in `row`, largest first (ties: the lower class)."""
    order = np.lexsort((np.arange(len(row)), -row))
    return order[(order != k) & (row[order] > 0)][:most].tolist()


def readings(a: Analysis, k: int, shared: tuple, pictures: dict[str, bytes], path: str) -> Readings:
    """How each classifier reads class k; the sprite of its cells' images is added to `pictures` at `path`."""
    c, names, noun = a.classifiers, a.dataset.class_names, a.dataset.class_noun
    matrices, ranks, cells = shared
    out = []
    for name in NAMES:
        m = matrices[name]
        n, predicted = int(m[k].sum()), int(m[:, k].sum())
        out.append(
            Reading(
                name,
                TITLES[name],
                _mix(name, k, k, m[k, k], names, noun),
                n,
                float(m[k, k] / n) if n else float("nan"),
                *(ranks[name][0].get(k, 0), ranks[name][1]),
                predicted,
                float(m[k, k] / predicted) if predicted else float("nan"),
                [_mix(name, k, j, m[k, j], names, noun) for j in _listed(m[k], k)],
                n - int(m[k, k]),
                [_mix(name, j, k, m[j, k], names, noun) for j in _listed(m[:, k], k)],
                predicted - int(m[k, k]),
            )
        )
    sheet, index = confusion.cell_sheet(c, c.images, names, cells.get(k, {}))
    pictures[path] = picture(sheet)
    return Readings(c.split, c.held_out, out, path, index)
