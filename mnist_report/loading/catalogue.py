"""The datasets mnist-report knows by name: one record each, saying what their classes are
(names, the word for one, whom to credit) and, where they can be fetched, from where and
with what checksums.

A module that imports nothing heavy, so the command line can offer the kinds (`--kind`,
`--download`) without loading numpy and polars first.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

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


_STANDARD_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)


def _standard(mirrors: tuple[str, ...], *digests: str) -> Download:
    return Download(mirrors, tuple(zip(_STANDARD_FILES, digests, strict=True)))


# SHA-256 of the official files, as listed by tensorflow/datasets
# (tensorflow_datasets/url_checksums/{mnist,fashion_mnist,kmnist}.txt).
# tests/test_download.py recomputes them from local copies of the official
# files (identified by torchvision's md5s) for all of Fashion-MNIST and for
# MNIST except train-images, whose local copy is re-compressed; that one and
# the KMNIST values rest on the published lists alone.
MNIST = Kind(
    "MNIST",
    TEN_CLASSES,
    ("digit", "digits"),
    "MNIST is by Yann LeCun, Corinna Cortes and Christopher J. C. Burges (CC BY-SA 3.0).",
    key="mnist",
    download=_standard(
        ("https://ossci-datasets.s3.amazonaws.com/mnist/", "https://storage.googleapis.com/cvdf-datasets/mnist/"),
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    ),
)
FASHION_MNIST = Kind(
    "Fashion-MNIST",
    ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
    ("article", "articles"),
    "Fashion-MNIST is by Han Xiao, Kashif Rasul and Roland Vollgraf, Zalando Research (MIT licence).",
    key="fashion-mnist",
    # The project's own S3 site is http only, so it is not listed.
    download=_standard(
        ("https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",),
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    ),
)
KMNIST = Kind(
    # One hiragana per row of the syllabary: お き す つ な は ま や れ を.
    "Kuzushiji-MNIST",
    ("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"),
    ("character", "characters"),
    "Kuzushiji-MNIST is by Tarin Clanuwat et al., ROIS-DS Center for Open Data in the Humanities (CC BY-SA 4.0).",
    key="kmnist",
    download=_standard(
        ("https://codh.rois.ac.jp/kmnist/dataset/kmnist/",),
        "51467d22d8cc72929e2a028a0428f2086b092bb31cfb79c69cc0a90ce135fde4",
        "e38f9ebcd0f3ebcdec7fc8eabdcdaef93bb0df8ea12bee65224341c8183d8e17",
        "edd7a857845ad6bb1d0ba43fe7e794d164fe2dce499a1694695a792adfac43c5",
        "20bb9a0ef54c7db3efc55a92eef5582c109615df22683c380526788f98e42a1c",
    ),
)
KINDS = {kind.key: kind for kind in (MNIST, FASHION_MNIST, KMNIST)}


def custom_kind(class_names: list[str], name: str = "an MNIST-format dataset") -> Kind:
    """Kind for user-supplied class names (--classes): ten names, none empty."""
    names = tuple(n.strip() for n in class_names)
    if len(names) != len(TEN_CLASSES) or not all(names):
        raise ReportError(
            f"--classes: {len(names)} names given, expected {len(TEN_CLASSES)} non-empty names separated by commas"
        )
    return Kind(name, names, ("class", "classes"), "")
