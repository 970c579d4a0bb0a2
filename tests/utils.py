"""Reading built pages back: a small parser that keeps what the tests look at."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path


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
