"""From the labels the files hold to class indexes 0..K-1 and the `Kind` that names them.

The names come from, in order: --classes; a known kind (--kind, or detected from standard file
names); a class map beside the data (Kuzushiji's `*_classmap.csv`, EMNIST's
`emnist-<variant>-mapping.txt`); the files or folders, where each is a class; else the label
numbers (labels 0-9 read as MNIST, as they always have). Every label must name a class of the
kind or class map: the first that does not is the error.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..errors import ReportError
from .catalogue import GENERIC, MNIST, Kind
from .model import Raw, Split
from .storage import reading

CLASS_MAPS = ("*_classmap.csv", "*-mapping.txt")  # Kuzushiji's and EMNIST's
BLOCK = 1 << 20  # labels looked up at a time, so the lookup's temporaries stay small


def resolve(
    raws: list[Raw], kind: Kind | None, classes: list[str] | None, class_map: Path | None
) -> tuple[Kind, list[Split]]:
    """The kind, named as the module says, and each split with its labels as class indexes."""
    names = raws[0].names
    if names is not None:  # a class per file or folder: the values are already indexes
        names, raws = joined(raws)
        base = replace(kind or GENERIC, class_names=names, values=tuple(range(len(names))))
    elif kind is not None:
        base = kind
    elif class_map is not None:
        values, map_names = read_class_map(class_map)
        base = replace(GENERIC, class_names=map_names, values=values)
    else:
        values = distinct(raws)
        if classes is None and values[-1] <= 9:
            base = MNIST
        else:
            base = replace(GENERIC, class_names=tuple(map(str, values)), values=values)
    if classes is not None:
        base = replace(base, class_names=named(classes, base, kind))
    by_map = class_map if kind is None and names is None else None  # whose words an unnamed label's error uses
    return base, [raw.split(indexes(raw, base, by_map)) for raw in raws]


def joined(raws: list[Raw]) -> tuple[tuple[str, ...], list[Raw]]:
    """The classes of splits named by their files or folders (--data and --test may hold different ones):
    the first split's, then any other's in its order, each split's values re-indexed into them."""
    names: list[str] = []
    for raw in raws:
        if raw.names is None:
            raise ReportError(
                f"{raw.where}: holds labels, but {raws[0].where} is one file or folder a class; give both splits alike"
            )
        names += [name for name in raw.names if name not in names]
    place = {name: i for i, name in enumerate(names)}
    moved = [replace(raw, values=np.array([place[n] for n in raw.names], np.uint16)[raw.values]) for raw in raws]
    return tuple(names), moved


def distinct(raws: list[Raw]) -> tuple[int, ...]:
    """The label values present in any split, ascending."""
    present = np.zeros(0, bool)
    for raw in raws:
        counts = np.bincount(raw.values)
        present = np.pad(present, (0, max(0, len(counts) - len(present))))
        present[: len(counts)] |= counts > 0
    return tuple(int(v) for v in np.flatnonzero(present))


def named(classes: list[str], base: Kind, kind: Kind | None) -> tuple[str, ...]:
    """--classes: one non-empty name for each class, in ascending label order."""
    names = tuple(name.strip() for name in classes)
    if not all(names):
        raise ReportError(f"--classes: {len(names)} names given, one of them empty; separate non-empty names by commas")
    if len(names) != len(base.values):
        what = f"{kind.name} has" if kind is not None else "the data holds"
        raise ReportError(
            f"--classes: {len(names)} names given, but {what} {len(base.values)} classes (labels {spans(base.values)})"
        )
    return names


def indexes(raw: Raw, kind: Kind, class_map: Path | None) -> np.ndarray:
    """Each label's class index (uint8 up to 256 classes, else uint16); a label of no class is an error."""
    values = np.asarray(kind.values)
    top = max(int(values.max()), int(raw.values.max(initial=0)))
    lookup = np.full(top + 1, -1, np.int32)
    lookup[values] = np.arange(len(values))
    out = np.empty(len(raw.values), np.uint8 if len(values) <= 256 else np.uint16)
    for start in range(0, len(out), BLOCK):
        part = lookup[raw.values[start : start + BLOCK]]
        bad = np.flatnonzero(part < 0)
        if len(bad):
            unnamed(raw, start + int(bad[0]), kind, class_map)
        out[start : start + BLOCK] = part
    return out


def unnamed(raw: Raw, at: int, kind: Kind, class_map: Path | None) -> None:
    """The error for the label at `at`, which names no class."""
    value, first, last = int(raw.values[at]), min(kind.values), max(kind.values)
    label = f"{raw.where}: label {at + 1:,} is {value:,}"
    if class_map is None:
        raise ReportError(f"{label}, outside {spans(kind.values)}")
    if value > last:
        raise ReportError(f"{label}, beyond the class map {class_map.name} ({first}-{last})")
    raise ReportError(f"{label}, which the class map {class_map.name} does not name")


def spans(values: tuple[int, ...]) -> str:
    """Label values as runs: "0-9", "1-26", "0-3, 5, 7-9"."""
    runs: list[list[int]] = []
    for v in values:
        if runs and v == runs[-1][1] + 1:
            runs[-1][1] = v
        else:
            runs.append([v, v])
    return ", ".join(f"{a}-{b}" if b > a else f"{a}" for a, b in runs)


def find_class_map(folder: Path, data_name: str) -> Path | None:
    """The class map beside the data: the one whose name begins as the data's does, else the only one there."""
    maps = sorted(p for pattern in CLASS_MAPS for p in folder.glob(pattern) if p.is_file())
    stem = data_name.lower()
    mine = [p for p in maps if stem.startswith(p.name.lower().rsplit("_classmap", 1)[0].rsplit("-mapping", 1)[0])]
    if mine:
        return max(mine, key=lambda p: len(p.name))
    return maps[0] if len(maps) == 1 else None


def read_class_map(path: Path) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """(label values ascending, their names) from a Kuzushiji class map (index,codepoint,char) or an
    EMNIST mapping (label code [code] per line: the names are the characters of the codes)."""
    with reading(path):
        text = path.read_text(encoding="utf-8-sig")
    entries = _kuzushiji(path, text) if path.name.endswith(".csv") else _emnist(path, text)
    if not entries:
        raise ReportError(f"{path}: empty class map")
    entries.sort()
    values = tuple(v for v, _ in entries)
    if len(set(values)) != len(values):
        raise ReportError(f"{path}: a label named twice in the class map")
    return values, tuple(name for _, name in entries)


def _kuzushiji(path: Path, text: str) -> list[tuple[int, str]]:
    rows = list(csv.reader(text.splitlines()))
    if not rows or [c.strip() for c in rows[0]] != ["index", "codepoint", "char"]:
        raise ReportError(f"{path}: row 1: expected the header index,codepoint,char")
    entries = []
    for number, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != 3 or not row[0].strip().isdigit() or not row[2].strip():
            raise ReportError(f"{path}: row {number}: expected index,codepoint,char (such as 0,U+3042,あ)")
        entries.append((int(row[0]), row[2].strip()))
    return entries


def _emnist(path: Path, text: str) -> list[tuple[int, str]]:
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) < 2 or not all(f.isdigit() for f in fields) or not all(int(f) < 0x110000 for f in fields[1:]):
            raise ReportError(f"{path}: line {number}: expected a label and character codes (such as 10 65)")
        entries.append((int(fields[0]), "/".join(chr(int(code)) for code in fields[1:])))
    return entries
