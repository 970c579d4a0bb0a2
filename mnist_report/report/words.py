"""How numbers and class names are written in the report's sentences: the Jinja filters and
their Python twins, so captions and templates say them alike."""

from __future__ import annotations

import math


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


def percent2(share: float) -> str:
    """A share to two decimals of a percent: rates compared across a file ("4.15%" against "1.55%")."""
    return f"{100 * share:.2f}%"


def distance(x: float) -> str:
    """An RMS distance or a grey level, to a tenth."""
    return f"{x:.1f}"


def points(share: float) -> str:
    """A difference of two shares, in percentage points."""
    return f"{100 * share:.1f} percentage point" + ("" if f"{100 * share:.1f}" == "1.0" else "s")


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
    return ("an " if word[:1].lower() in "aeio8" else "a ") + word


FILTERS = {
    "num": number,
    "pct": percent,
    "pct2": percent2,
    "dist": distance,
    "points": points,
    "odds": odds,
    "a": with_article,
    "ordinal": ordinal,
}
