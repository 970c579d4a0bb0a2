"""The health checks' images of one class, for its page: label-issue candidates labelled so or suggested
so, near duplicates with an image labelled so, and its faint, heavy and off-centre images, each listed
with its instance number beside a sprite of the pictures in the same order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from ..analysis import Analysis
from ..analysis.classes import N_CANDIDATES, N_ODD
from ..analysis.gallery import Gallery
from .shown import ByClass, Shown, by_class
from .words import odds

KINDS = ("faint", "heavy", "off_centre")  # the odd kinds; their words are Vocabulary.kinds


@dataclass(frozen=True)
class Checks:
    doubted: dict[str, int]  # by split: its images whose label the network doubts (it prefers another class)
    suggested: dict[str, int]  # by split: other classes' images the network reads as this one
    n_candidates: int  # listed per split and way
    candidates: Shown  #: split, instance, label, suggested, odds, rank (names, not indexes)
    duplicates: Shown  # , two pictures a row: pair, side, split, instance, label, distance, same_label
    odd_counts: dict[str, dict[str, int]]  # by split, then kind: its images flagged
    n_odd: int  # listed per kind
    odd: Shown  #: kind, split, instance, ink, offset


def shared_checks(a: Analysis) -> tuple[tuple[dict, dict, dict], tuple[ByClass, ByClass, ByClass]]:
    """What every class page reads, computed once (classpage.shared): per class and split the doubted labels,
    the images suggested as it and the odd images by kind; and the health galleries grouped by class, the
    classes' names and the odds put in."""
    h, names, parts = a.health, list(a.dataset.class_names), a.classes
    doubted = h.labels.table.filter(pl.col("suggested") != pl.col("label"))
    by = {}
    for side in ("label", "suggested"):
        counts = doubted.group_by(side, "split").len()
        by[side] = {(int(k), h.names[role]): int(n) for k, role, n in counts.iter_rows()}
    odd = {
        (int(r["label"]), h.names[r["split"]]): {kind: int(r[kind]) for kind in KINDS}
        for r in h.odd.counts.iter_rows(named=True)
    }

    def name(column: str) -> pl.Expr:
        return pl.col(column).map_elements(lambda j: names[j], return_dtype=pl.String).alias(column)

    candidates = parts.candidates.table.with_columns(
        name("label"), name("suggested"), pl.col("margin").map_elements(odds, return_dtype=pl.String).alias("odds")
    )
    duplicates = parts.duplicates.table.with_columns(name("label").alias("name"))
    grouped = (
        by_class(Gallery(parts.candidates.images, candidates), "class"),
        by_class(Gallery(parts.duplicates.images, duplicates), "class"),
        by_class(parts.odd, "class"),
    )
    return (by["label"], by["suggested"], odd), grouped


def checks(a: Analysis, k: int, shared: tuple, pictures: dict[str, bytes], path: Callable[[str], str]) -> Checks:
    """Class k's rows of the class pages' health galleries, as sprites added to `pictures` (at path(what))."""
    (doubted, suggested, odd), (candidates, duplicates, oddest) = shared
    splits = [a.health.names[role] for role in a.health.roles]
    return Checks(
        doubted={s: doubted.get((k, s), 0) for s in splits},
        suggested={s: suggested.get((k, s), 0) for s in splits},
        n_candidates=N_CANDIDATES,
        candidates=candidates.shown(k, path("candidates"), pictures),
        duplicates=duplicates.shown(k, path("duplicates"), pictures, columns=2),
        odd_counts={s: odd.get((k, s), dict.fromkeys(KINDS, 0)) for s in splits},
        n_odd=N_ODD,
        odd=oddest.shown(k, path("odd"), pictures),
    )
