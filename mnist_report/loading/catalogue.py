"""The datasets mnist-report knows by name: one record each in catalogue.json, saying what their
classes are (names, the word for one, whom to credit) and, where they can be fetched, from where
and with what checksums.

The checksums are the SHA-256 of the official files, as listed by tensorflow/datasets
(tensorflow_datasets/url_checksums/{mnist,fashion_mnist,kmnist}.txt); tests/test_download.py
recomputes them from local copies of the official files (identified by torchvision's md5s) for
all of Fashion-MNIST and for MNIST except train-images, whose local copy is re-compressed; that one
and the KMNIST values rest on the published lists alone. Kuzushiji-MNIST's classes are one hiragana
per row of the syllabary (お き す つ な は ま や れ を), named by their romanisation.

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

TEN_CLASSES = tuple(str(d) for d in range(10))

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


def _read(path: Path) -> dict[str, Kind]:
    """The records of catalogue.json, by name."""
    kinds = {}
    for key, record in json.loads(path.read_text(encoding="utf-8")).items():
        download = Download(tuple(record["mirrors"]), tuple(record["files"].items())) if "files" in record else None
        kinds[key] = Kind(
            record["name"], tuple(record["classes"]), tuple(record["noun"]), record["credit"], key, download
        )
    return kinds


KINDS = _read(Path(__file__).with_name("catalogue.json"))
MNIST = KINDS["mnist"]


def custom_kind(class_names: list[str], name: str = "an MNIST-format dataset") -> Kind:
    """Kind for user-supplied class names (--classes): ten names, none empty."""
    names = tuple(n.strip() for n in class_names)
    if len(names) != len(TEN_CLASSES) or not all(names):
        raise ReportError(
            f"--classes: {len(names)} names given, expected {len(TEN_CLASSES)} non-empty names separated by commas"
        )
    return Kind(name, names, ("class", "classes"), "")
