"""Reading built pages back: a small parser that keeps what the tests look at."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")  # Debian's: browser downloads do not work here
# Without the background-networking flags Chromium keeps trying the closed network.
# A chart is drawn once it comes near the screen (report.js), so a test waiting for every chart scrolls to the
# first one not yet drawn, as a reader would, until none is left. REACHED(v): drawn, or failed, or scrolled to now.
REACHED = """(v => (v.hasAttribute('data-drawn') || v.hasAttribute('data-error')) ||
  (v.scrollIntoView({block: 'center'}), false))"""
ALL_DRAWN = "() => Array.from(document.querySelectorAll('.view')).every(" + REACHED + ")"

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
        # report.js loads the last two: the Vega script and the confusion cells' pictures
        for attr in ("href", "src", "srcset", "poster", "action", "data", "data-vega", "data-sprite"):
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


def synthetic(
    n_classes: int, per_class: int, shape: tuple[int, int] = (28, 28), seed: int = 0, names=None, test: int = 0
):
    """A Dataset of `n_classes` made-up classes, `per_class` images each, in file order by class:
    each class three strokes from a seeded pool (so some classes share strokes and are confused),
    each image its pattern shifted up to three pixels with noise. No download needed. With `test`,
    a test split of that many images per class follows the training split."""
    import numpy as np

    from mnist_report.loading import Dataset
    from mnist_report.loading.catalogue import Kind

    rng = np.random.default_rng(seed)
    height, width = shape
    strokes = np.zeros((max(4, n_classes), height, width))  # a pool of strokes the classes share: some look alike
    for stroke in strokes:  # a line between two random points, thickened
        (y0, x0), (y1, x1) = rng.integers(2, (height - 2, width - 2), size=(2, 2))
        for t in np.linspace(0, 1, 2 * max(height, width)):
            y, x = round(y0 + t * (y1 - y0)), round(x0 + t * (x1 - x0))
            stroke[max(y - 1, 0) : y + 2, max(x - 1, 0) : x + 2] = 255
    templates = np.stack([strokes[rng.choice(len(strokes), 3, replace=False)].max(axis=0) for _ in range(n_classes)])
    names = tuple(names or (f"class {k}" for k in range(n_classes)))
    kind = Kind("A made-up dataset", names, ("class", "classes"), "")
    splits = tuple(_drawn(rng, templates, n, name) for name, n in (("train", per_class), ("test", test)) if n)
    return Dataset(splits, kind)


def _drawn(rng, templates, per_class: int, name: str):
    """A split of `per_class` noisy, shifted copies of each template, in class order."""
    import numpy as np

    from mnist_report.loading import Source, Split

    labels = np.repeat(np.arange(len(templates)), per_class)
    shifts = rng.integers(-3, 4, size=(len(labels), 2))
    images = np.stack([np.roll(templates[k], tuple(s), axis=(0, 1)) for k, s in zip(labels, shifts, strict=True)])
    images = np.clip(images * rng.uniform(0.6, 1.0, (len(labels), 1, 1)) + rng.normal(0, 12, images.shape), 0, 255)
    dtype = np.uint8 if len(templates) <= 256 else np.uint16
    source = Source(f"synthetic {name}", "generated", "0" * 64, images.size)
    return Split(name, images.astype(np.uint8), labels.astype(dtype), np.arange(1, len(labels) + 1), (source,))
