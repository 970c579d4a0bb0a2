"""What a dataset's classes are: their names, the word for one, whom to credit.

A module of its own, importing nothing heavy, so the command line can offer the kinds
(`--kind`, `--download`) without loading numpy and polars first.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ReportError

DIGITS = tuple(str(d) for d in range(10))


@dataclass(frozen=True)
class Kind:
    """What a dataset's classes are: their names, what one is called in prose, whom to credit.

    Everything in the report that would otherwise say "digit" or "MNIST" reads it from here,
    so Fashion-MNIST reads as garments, not digits.
    """

    name: str
    class_names: tuple[str, ...]
    noun: tuple[str, str]  # singular, plural
    credit: str


MNIST = Kind("MNIST", DIGITS, ("digit", "digits"),
             "MNIST is by Yann LeCun, Corinna Cortes and Christopher J. C. Burges (CC BY-SA 3.0).")
KINDS = {
    "mnist": MNIST,
    "fashion-mnist": Kind(
        "Fashion-MNIST",
        ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
        ("article", "articles"),
        "Fashion-MNIST is by Han Xiao, Kashif Rasul and Roland Vollgraf, Zalando Research (MIT licence).",
    ),
    "kmnist": Kind(
        # One hiragana per row of the syllabary: お き す つ な は ま や れ を.
        "Kuzushiji-MNIST", ("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"), ("character", "characters"),
        "Kuzushiji-MNIST is by Tarin Clanuwat et al., ROIS-DS Center for Open Data in the Humanities (CC BY-SA 4.0).",
    ),
}


def custom_kind(class_names: list[str], name: str = "an MNIST-format dataset") -> Kind:
    """Kind for user-supplied class names (--classes): ten names, none empty."""
    names = tuple(n.strip() for n in class_names)
    if len(names) != len(DIGITS) or not all(names):
        raise ReportError(f"--classes: {len(names)} names given, expected {len(DIGITS)} non-empty names separated by commas")
    return Kind(name, names, ("class", "classes"), "")
