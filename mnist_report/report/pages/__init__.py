"""The pages of the report, one module each (with its template in templates/), in one ordered registry.

A page module states its place and words as constants, `ORDER`, `FILE`, `TITLE`, `SUMMARY` (and,
when it shows an analysis part, `NEEDS`; when its template is not named as its file, `TEMPLATE`; when it is
also rendered once per item, `each(analysis, facts)` and `EACH_TEMPLATE`),
its `facts(analysis)` (a frozen dataclass), its chart functions in `CHARTS` and its
`figures(analysis, facts)`. `PAGES` lists them by `ORDER`. Adding a page is its module, its
template and its test: nothing else names it.
"""

from __future__ import annotations

import pkgutil
from importlib import import_module

from ...errors import ReportError
from ..page import Page


def _page(module) -> Page:
    return Page(
        module.ORDER,
        module.FILE,
        module.TITLE,
        module.SUMMARY,
        module.facts,
        module.figures,
        module.CHARTS,
        frozenset(getattr(module, "NEEDS", ())),
        getattr(module, "TEMPLATE", ""),
        getattr(module, "each", None),
        getattr(module, "EACH_TEMPLATE", ""),
    )


def _discover() -> tuple[Page, ...]:
    found = [_page(import_module(f"{__name__}.{module.name}")) for module in pkgutil.iter_modules(__path__)]
    return tuple(sorted(found, key=lambda page: page.order))


PAGES = _discover()
OVERVIEW = "index"  # the page that always stays


def select(skip: list[str]) -> tuple[Page, ...]:
    """PAGES without those named in `skip` ("pairs" for pairs.html); the overview always stays."""
    optional = [page.name for page in PAGES if page.name != OVERVIEW]
    for name in skip:
        if name not in optional:
            problem = "the overview always stays" if name == OVERVIEW else "no page of that name"
            raise ReportError(f"--skip {name}: {problem}; pages that can be left out: {', '.join(optional)}")
    return tuple(page for page in PAGES if page.name not in skip)


def needs(pages: tuple[Page, ...]) -> frozenset[str]:
    """The analysis parts these pages need."""
    return frozenset().union(*(page.needs for page in pages))
