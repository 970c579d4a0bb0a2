"""The datasets mnist-report knows by name: one record each in catalogue.json, saying what their
classes are (names, the word for one, whom to credit) and, where they can be fetched, from where
and with what checksums.

The checksums are the SHA-256 of the official files, as listed by tensorflow/datasets
(tensorflow_datasets/url_checksums/{mnist,fashion_mnist,kmnist}.txt); tests/test_download.py
recomputes them from local copies of the official files (identified by torchvision's md5s) for
all of Fashion-MNIST and for MNIST except train-images, whose local copy is re-compressed; that one
and the KMNIST values rest on the published lists alone. Kuzushiji-MNIST's classes are one hiragana
per row of the syllabary (お き す つ な は ま や れ を), named by their romanisation.

Records without files (EMNIST, Kuzushiji-49, Quick, Draw!) cannot be downloaded: their publishers
give no checksums. EMNIST's class names are those its mapping files give (digits, capitals, then
the lower case letters a variant keeps apart); its letters are labelled 1-26 in the files
("first_label"), and its images are stored transposed ("transposed"). Kuzushiji-49's are the 48
hiragana of its class map in gojūon order, romanised (Hepburn), and the iteration mark ゝ as
itself. Quick, Draw!'s are its 345 categories, in the order of their files' sorted names
(full_numpy_bitmap_<category>.npy). "prefix" is how a record's standard file names begin: a
file so named selects the record, unless --kind names another.

A module that imports nothing heavy, so the command line can offer the kinds (`--kind`,
`--download`) without loading numpy and polars first.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ReportError

# A checksum: a SHA-256 hex string, or an (algorithm, hexdigest) pair for a
# file whose only published checksum uses another hashlib algorithm.
Digest = str | tuple[str, str]


def parse_digest(digest: Digest) -> tuple[str, str]:
    """(hashlib algorithm, lower-case hexdigest); ValueError for a malformed checksum."""
    algorithm, value = ("sha256", digest) if isinstance(digest, str) else digest
    if algorithm not in hashlib.algorithms_available:
        raise ValueError(f"unknown hash algorithm {algorithm!r}")
    value = value.lower()
    if len(value) != 2 * hashlib.new(algorithm).digest_size or not re.fullmatch(r"[0-9a-f]+", value):
        raise ValueError(f"not a {algorithm} hex digest: {value!r}")
    return algorithm, value


@dataclass(frozen=True)
class Download:
    """Where to fetch a dataset's files from and what each must hash to."""

    mirrors: tuple[str, ...]  # base URLs, tried in order
    files: tuple[tuple[str, Digest], ...]  # (file name, checksum)

    def __post_init__(self) -> None:
        # Fail when the record is written, not halfway through a download.
        for _, digest in self.files:
            parse_digest(digest)


@dataclass(frozen=True)
class Kind:
    """What a dataset's classes are: their names, what one is called in prose, whom to credit,
    and (for a known dataset) where its files come from.

    Everything in the report that would otherwise say "digit" or "MNIST" reads it from here,
    so Fashion-MNIST reads as garments, not digits.
    """

    name: str
    class_names: tuple[str, ...]
    noun: tuple[str, str]  # singular, plural
    credit: str
    key: str = ""  # the name --kind and --download take, and the cache folder's
    download: Download | None = None
    values: tuple[int, ...] = ()  # the label each class stands for in the input files; () means 0 to K - 1
    transposed: bool = False  # images stored column by column (EMNIST): turned upright while loading
    prefix: str = ""  # how the record's standard file names begin, to detect it by
    # How the images were made: "handwriting", "drawing" or "photo"; "" when unknown. The report's
    # words follow it (ink or darkness, writer or batch), so clothes are not said to be written.
    medium: str = ""

    def __post_init__(self) -> None:
        if not self.values:
            object.__setattr__(self, "values", tuple(range(len(self.class_names))))
        if len(self.values) != len(self.class_names):
            raise ValueError(f"{self.name}: {len(self.values)} label values for {len(self.class_names)} classes")


def _read(records: dict) -> dict[str, Kind]:
    """The records of catalogue.json, by name."""
    kinds = {}
    for key, record in records.items():
        download = Download(tuple(record["mirrors"]), tuple(record["files"].items())) if "files" in record else None
        first = record.get("first_label", 0)
        kinds[key] = Kind(
            record["name"],
            tuple(record["classes"]),
            tuple(record["noun"]),
            record["credit"],
            key,
            download,
            tuple(range(first, first + len(record["classes"]))),
            record.get("transposed", False),
            record.get("prefix", ""),
            record.get("medium", ""),
        )
    return kinds


_RECORDS = json.loads(Path(__file__).with_name("catalogue.json").read_text(encoding="utf-8"))
KINDS = _read(_RECORDS)
MNIST = KINDS["mnist"]
# Data that no record describes: its classes are named by the class map, the files or the label numbers.
GENERIC = Kind("an MNIST-format dataset", (), ("class", "classes"), "")
DOWNLOADS = tuple(key for key, kind in KINDS.items() if kind.download is not None)


def _first_labels(records: dict) -> dict[tuple[str, ...], Kind]:
    """The first labels of a record's splits (in catalogue.json), to know its files by their content."""
    return {
        (split, *map(str, labels)): KINDS[key]
        for key, record in records.items()
        for split, labels in record.get("first_labels", {}).items()
    }


FIRST_LABELS = _first_labels(_RECORDS)
FINGERPRINT = 24  # labels: 10^-24 odds that other data of ten classes begins alike


def recognise(split: str, values) -> Kind | None:
    """The record whose `split` (train or test; "" tries both) begins with these label values, if any:
    Fashion-MNIST's files are named as MNIST's, and copies are often re-compressed (other checksums)."""
    head = tuple(str(int(v)) for v in values[:FINGERPRINT])
    if len(head) < FINGERPRINT:
        return None
    return next(
        (FIRST_LABELS[(s, *head)] for s in ((split,) if split else ("train", "test")) if (s, *head) in FIRST_LABELS),
        None,
    )


def detect(file_name: str) -> Kind | None:
    """The record whose standard file names begin as this one does (the longest such beginning), if any."""
    name = file_name.lower()
    hits = [kind for kind in KINDS.values() if kind.prefix and name.startswith(kind.prefix)]
    return max(hits, key=lambda kind: len(kind.prefix), default=None)


def kind_named(key: str) -> Kind:
    """The record --kind or --download names."""
    if key not in KINDS:
        raise ReportError(f"--kind {key}: unknown; choose one of {', '.join(sorted(KINDS))}")
    return KINDS[key]
