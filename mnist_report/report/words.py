"""How numbers and class names are written in the report's sentences: the Jinja filters and
their Python twins, so captions and templates say them alike."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace


def number(x: int | float) -> str:
    """1,234"""
    return f"{x:,}"


def percent(share: float) -> str:
    """Enough decimals to show a small share as non-zero, no more."""
    pct = 100 * share
    if pct == 0 or pct >= 10:
        return f"{pct:.0f}%"
    if pct >= 1:
        return f"{pct:.1f}%"
    return f"{pct:.2g}%"


def percent1(share: float) -> str:
    """A share to a tenth of a percent, whatever its size: rates set side by side ("82.0%" against "81.6%")."""
    return f"{100 * share:.1f}%"


def shares1(shares: list[float]) -> list[str]:
    """Shares of one whole to a tenth of a percent that add up to 100.0% as printed (largest remainder):
    81.0% + 7.4% + 11.6%, not 81% + 7.4% + 12% = 100.4%."""
    tenths = [1000 * s for s in shares]
    floors = [int(t) for t in tenths]
    short = round(sum(tenths)) - sum(floors)
    for i in sorted(range(len(tenths)), key=lambda i: floors[i] - tenths[i])[:short]:
        floors[i] += 1
    return [f"{f / 10:.1f}%" for f in floors]


def percent2(share: float) -> str:
    """A share to two decimals of a percent: rates compared across a file ("4.15%" against "1.55%")."""
    return f"{100 * share:.2f}%"


def distance(x: float) -> str:
    """An RMS distance or a grey level, to a tenth."""
    return f"{x:.1f}"


def points(share: float) -> str:
    """A difference of two shares, in percentage points: to a tenth, or to two figures when a tenth would
    print a real difference as 0.0."""
    value = f"{100 * share:.1f}"
    if float(value) == 0 and share:
        value = f"{100 * share:.2g}"
    return f"{value} percentage point" + ("" if value == "1.0" else "s")


def odds(margin: float) -> str:
    """A log-odds margin as odds: "3.2 to 1", "450 to 1", "over a million to 1"."""
    value = math.exp(min(margin, 50.0))
    if value >= 1e6:
        return "over a million to 1"
    return f"{value:,.0f} to 1" if value >= 10 else f"{value:.1f} to 1"


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def with_article(word: str) -> str:
    """ "a 5", "an 8", "an Ankle boot": by the sound of the first letter, which for digits means 8 alone."""
    return f"{article(word)} {word}"


def article(word: str) -> str:
    """ "a" or "an" before `word` (a sentence that links the word writes the article apart)."""
    return "an" if str(word)[:1].lower() in "aeio8" else "a"


@dataclass(frozen=True)
class Vocabulary:
    """What the pixels and the images' makers are called, by how the images were made (Kind.medium):
    a photographed T-shirt has no ink and no writer. Templates read it as `w`."""

    ink: str  # what a pixel value measures: "mean ink", "mean darkness"
    full: str  # the value 255
    foreground: str  # what a binarised pixel above the threshold is
    # "red where the first has more ink, blue where the second does", "... training images have more ink, ... test images do"
    more: tuple[str, str, str, str]
    least: str  # "the mean Sandal is the lightest": the class whose mean has the lowest value
    most: str
    faint: str  # an image far below its class's mean value, and far above
    heavy: str
    unusual: str  # ways an image can be unusual for its class
    source: str  # what neighbouring images in a file often share
    heavier: tuple[str, str]  # later images "heavier" or "lighter" than earlier ones

    @property
    def more_here(self) -> str:
        """What a pixel of the larger value has, for a difference picture's key: "more ink", "darker"."""
        return self.more[0].split(" ", 1)[1]

    @property
    def kinds(self) -> dict[str, str]:
        """The odd-image kinds (analysis.health.odd) as this dataset calls them."""
        return {"faint": self.faint, "heavy": self.heavy, "off_centre": "off centre"}


_INK = Vocabulary(
    ink="ink",
    full="full ink",
    foreground="ink",
    more=("has more ink", "have more ink", "does", "do"),
    least="uses the least ink",
    most="uses the most",
    faint="faint",
    heavy="heavy",
    unusual="bolder, fainter, tilted, oddly shaped or off-centre",
    source="one writer or one batch",
    heavier=("heavier", "lighter"),
)
VOCABULARY = {
    "handwriting": _INK,
    "drawing": replace(
        _INK,
        unusual="drawn bolder or fainter, turned, oddly shaped, unfinished or off-centre",
        source="one player or one batch",
    ),
    # Fashion-MNIST negated its photos' intensities: its own description says higher values are
    # darker, and the pictures here draw them so (a white shop background is 0).
    "photo": Vocabulary(
        ink="darkness",
        full="full darkness",
        foreground="foreground",
        more=("is darker", "are darker", "is", "are"),
        least="is the lightest",
        most="the darkest",
        faint="light",
        heavy="dark",
        unusual="larger or smaller, turned, unusually cut, patterned or off-centre",
        heavier=("darker", "lighter"),
        source="one photo shoot or one batch",
    ),
    # Unknown images: words true of any picture.
    "": replace(
        _INK,
        ink="intensity",
        full="full intensity",
        foreground="foreground",
        more=("is more intense", "are more intense", "is", "are"),
        least="has the lowest intensity",
        most="the highest",
        heavy="intense",
        unusual="brighter or fainter, turned, oddly shaped or off-centre",
        source="one source or one batch",
        heavier=("more intense", "less intense"),
    ),
}


def vocabulary(kind) -> Vocabulary:
    """The words for a Kind's images (loading.catalogue.Kind.medium)."""
    return VOCABULARY.get(kind.medium, VOCABULARY[""])


def the_split(name: str) -> str:
    """A split as a sentence names it: "the training split", "the test split", "the split" (the input's only
    one, its name unknown)."""
    return {"train": "the training split", "test": "the test split"}.get(name, "the split")


def sentence_start(text: str) -> str:
    """A class name opening a sentence: its first letter upper-cased, the rest as named ("The Eiffel Tower", not
    Jinja's capitalize, which lowers "Eiffel Tower"; "aircraft carrier is" becomes "Aircraft carrier is")."""
    return text[:1].upper() + text[1:]


FILTERS = {
    "num": number,
    "pct": percent,
    "pct1": percent1,
    "shares1": shares1,
    "pct2": percent2,
    "dist": distance,
    "points": points,
    "odds": odds,
    "a": with_article,
    "article": article,
    "upper1": sentence_start,
    "the_split": the_split,
    "ordinal": ordinal,
}
