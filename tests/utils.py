"""Reading built pages back: a small parser that keeps what the tests look at."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")  # Debian's: browser downloads do not work here
# Without the background-networking flags Chromium keeps trying the closed network.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    children: list[Element] = field(default_factory=list)


class Page(HTMLParser):
    """All elements in document order, each with its text content."""

    VOID = frozenset({"meta", "link", "img", "br", "hr", "input", "source"})

    def __init__(self, path: Path):
        super().__init__(convert_charrefs=True)
        self.path = path
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(path.read_text(encoding="utf-8"))

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v or "" for k, v in attrs})
        if self._open:
            self._open[-1].children.append(element)
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        while self._open:
            if self._open.pop().tag == tag:
                break

    def handle_data(self, data):
        for element in self._open:
            element.text += data

    def find_all(self, tag: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag]

    def text(self) -> str:
        """The visible words of <main>, white space folded."""
        (main,) = self.find_all("main")
        return re.sub(r"\s+", " ", main.text)


def references(page: Page) -> list[str]:
    """Every URL the page loads or links to."""
    urls = []
    for e in page.elements:
        for attr in ("href", "src", "srcset", "poster", "action", "data"):
            if attr in e.attrs:
                urls.append(e.attrs[attr])
    return urls


def make_split(name: str, images, labels, first: int = 1):
    """A Split of MNIST arrays (uint8[N, 784] and labels), instances counted from `first`
    (tests that start elsewhere than 1 catch a figure that used row + 1 instead)."""
    import numpy as np

    from mnist_report.loading import Source, Split

    instances = np.arange(first, first + len(labels), dtype=np.int64)
    return Split(
        name,
        images.reshape(-1, 28, 28),
        labels,
        instances,
        (Source(f"{name}.idx", "IDX images", "0" * 64, images.size),),
    )
