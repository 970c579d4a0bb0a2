"""The built site: pages, figures, words and data files, read back from disk."""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pytest

from mnist_report.report import assets, export, output, pages, render, words

from .utils import Page, references

PAGES = [p.file for p in pages.PAGES]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_every_page_and_file_is_written(site_10k):
    for name in [
        *PAGES,
        "assets/vega.js",
        "assets/report.js",
        "assets/report.css",
        "data/image_distances.csv",
        "data/centroids.csv",
        "data/least_typical.csv",
        "data/manifest.json",
    ]:
        assert (site_10k / name).is_file(), name
    assert (site_10k / "assets/vega.js").stat().st_size > 500_000  # the real bundle, not a stub


@pytest.mark.parametrize("name", PAGES)
def test_page_structure(site_10k, name):
    page = Page(site_10k / name)
    (html,) = page.find_all("html")
    assert html.attrs.get("lang") == "en"
    assert len(page.find_all("h1")) == 1
    assert page.find_all("title")[0].text.strip()
    assert len(page.find_all("main")) == 1
    assert page.find_all("header")
    assert page.find_all("footer")
    navs = page.find_all("nav")
    assert navs
    assert all(n.attrs.get("aria-label") for n in navs)
    assert any(m.attrs.get("name") == "viewport" for m in page.find_all("meta"))
    current = [a for a in page.find_all("a") if a.attrs.get("aria-current") == "page"]
    assert [a.attrs["href"] for a in current] == [name]
    # every figure has words for a reader who cannot see it
    figures = list(page.find_all("figure"))
    assert figures
    for figure in figures:
        caption = [c for c in figure.children if c.tag == "figcaption"]
        view = [c for c in figure.children if "view" in c.attrs.get("class", "")]
        assert caption
        assert caption[0].text.strip()
        assert view
        assert view[0].attrs.get("role") == "img"
        assert len(view[0].attrs.get("aria-label", "")) > 20
        if "data-spec-src" in view[0].attrs:  # a large spec, in a script of its own that hands it to report.js
            text = (site_10k / view[0].attrs["data-spec-src"]).read_text()
            head = f"mnistReportSpec({json.dumps(view[0].attrs['data-spec'])}, "
            assert text.startswith(head)
            assert text.endswith(");\n")
            spec = json.loads(text[len(head) : -3])
            assert len(text) > render.SPEC_INLINE_MAX
        else:
            spec = json.loads(
                next(s for s in page.find_all("script") if s.attrs.get("id") == view[0].attrs["data-spec"]).text
            )
        assert spec["$schema"].startswith("https://vega.github.io/schema/vega/")
    # tables have captions and header cells
    for table in page.find_all("table"):
        assert any(c.tag == "caption" for c in table.children)


@pytest.mark.parametrize("page", pages.PAGES, ids=PAGES)
def test_head_describes_the_page_and_loads_scripts_after_the_text(site_10k, page):
    """A meta description (the page's summary), an inline icon (no /favicon.ico 404), and deferred scripts."""
    parsed = Page(site_10k / page.file)
    description = [m.attrs["content"] for m in parsed.find_all("meta") if m.attrs.get("name") == "description"]
    summary = page.summary.format(noun="digit", nouns="digits")
    assert description == [summary[:1].upper() + summary[1:] + "."]
    icons = [link.attrs["href"] for link in parsed.find_all("link") if link.attrs.get("rel") == "icon"]
    assert len(icons) == 1
    assert icons[0].startswith("data:image/svg+xml;base64,")
    assert b"<svg" in base64.b64decode(icons[0].split(",", 1)[1])
    scripts = [(s.attrs["src"], "defer" in s.attrs) for s in parsed.find_all("script") if "src" in s.attrs]
    assert scripts == [("assets/report.js", True)]
    # Vega (the 880 KB) is fetched by report.js once a chart is near, from the address the page gives it.
    vega = [s.attrs.get("data-vega") for s in parsed.find_all("script") if "src" in s.attrs]
    assert vega == ["assets/vega.js"]


@pytest.mark.parametrize("name", PAGES)
def test_nothing_outside_the_site(site_10k, name):
    """Relative links only, each to a file of the site; no CDN, fonts or absolute paths."""
    page = Page(site_10k / name)
    for url in references(page):
        if url.startswith(("data:image/png;base64,", "data:image/svg+xml;")):
            continue  # inline: the icon, and the pictures drawn in charts
        assert not re.match(r"^[a-z][a-z0-9+.-]*:|^//|^/", url), f"{name} refers outside the site: {url}"
        if url.startswith("#"):
            assert any(e.attrs.get("id") == url[1:] for e in page.elements), f"{name}: no element {url}"
            continue
        target = (site_10k / url.split("#")[0]).resolve()
        assert target.is_file(), f"{name}: broken link {url}"
        assert site_10k.resolve() in target.parents, f"{name}: broken link {url}"
    text = (site_10k / name).read_text()
    assert "@import" not in text
    assert "url(http" not in text


def test_styles_and_scripts_load_nothing_remote(site_10k):
    css = (site_10k / "assets/report.css").read_text()
    assert not re.search(r"url\(|@import|@font-face", css)
    js = (site_10k / "assets/report.js").read_text()
    assert "http" not in js
    assert "fetch(" not in js


def test_image_distances_file(site_10k, analysis_10k):
    rows = read_csv(site_10k / "data/image_distances.csv")
    assert list(rows[0]) == ["instance", "label", "distance"]
    assert len(rows) == 10_000
    assert [int(r["instance"]) for r in rows] == list(range(1, 10_001))
    by_instance = {int(r["instance"]): (int(r["label"]), float(r["distance"])) for r in rows}
    assert by_instance[2] == (0, pytest.approx(47.2, abs=0.05))
    assert by_instance[69] == (0, pytest.approx(81.1, abs=0.05))
    np.testing.assert_allclose([float(r["distance"]) for r in rows], analysis_10k.distances, rtol=1e-5)


def test_centroids_file_orientation(site_10k, train_arrays):
    """row 0 is the top row, col 0 the left column: checked against one digit's mean by hand."""
    rows = read_csv(site_10k / "data/centroids.csv")
    assert list(rows[0]) == ["label", "row", "col", "mean"]
    assert len(rows) == 10 * 784
    images, labels = train_arrays[0][:10_000], train_arrays[1][:10_000]
    sevens = images[labels == 7].reshape(-1, 28, 28).mean(axis=0)
    got = np.zeros((28, 28))
    for r in rows:
        if r["label"] == "7":
            got[int(r["row"]), int(r["col"])] = float(r["mean"])
    np.testing.assert_allclose(got, sevens, rtol=1e-5, atol=1e-6)
    # a 7's bar is at the top: the top half of the mean 7 holds more ink than the bottom
    assert got[:14].sum() > got[14:].sum()


def test_least_typical_file(site_10k, analysis_10k):
    rows = read_csv(site_10k / "data/least_typical.csv")
    assert list(rows[0]) == ["label", "rank", "instance", "distance"]
    assert len(rows) == 60
    distances = {int(r["instance"]): float(r["distance"]) for r in read_csv(site_10k / "data/image_distances.csv")}
    for digit in range(10):
        mine = [r for r in rows if r["label"] == str(digit)]
        assert [int(r["rank"]) for r in mine] == [1, 2, 3, 4, 5, 6]
        got = [float(r["distance"]) for r in mine]
        assert got == sorted(got, reverse=True)
        farthest = max(d for i, d in distances.items() if analysis_10k.dataset.labels[i - 1] == digit)
        assert got[0] == pytest.approx(farthest, rel=1e-6)


def test_manifest_lists_every_file(site_10k):
    manifest = json.loads((site_10k / "data/manifest.json").read_text())
    on_disk = {p.relative_to(site_10k).as_posix() for p in site_10k.rglob("*") if p.is_file()} - {"data/manifest.json"}
    assert set(manifest["files"]) == on_disk
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((site_10k / name).read_bytes()).hexdigest() == digest


def test_narrative_numbers_come_from_the_data(site_10k, analysis_10k):
    """The claims in the prose agree with the data files written beside them."""
    rows = read_csv(site_10k / "data/image_distances.csv")
    by_digit: dict[str, list[float]] = {}
    for r in rows:
        by_digit.setdefault(r["label"], []).append(float(r["distance"]))
    medians = {d: float(np.median(v)) for d, v in by_digit.items()}
    calmest = min(medians, key=medians.get)
    wildest = max(medians, key=medians.get)
    atypical = Page(site_10k / "atypical.html").text()
    assert f"{calmest} is the least variable digit: its median distance is {medians[calmest]:.1f}" in atypical
    assert f"{wildest} is the most variable, with a median of {medians[wildest]:.1f}" in atypical
    far = max(rows, key=lambda r: float(r["distance"]))
    assert (
        f"instance {int(far['instance']):,}, {words.with_article(far['label'])}, {float(far['distance']):.1f} from its mean"
        in atypical
    )

    pairs = Page(site_10k / "pairs.html").text()
    assert "The hardest pair by this measure is 4 and 9" in pairs
    assert "the easiest is 0 and 1" in pairs

    pixels = Page(site_10k / "pixels.html").text()
    counts = analysis_10k.pixel_counts
    zero, full = counts[0] / counts.sum(), counts[250:].sum() / counts.sum()
    assert f"{100 * zero:.1f}% are exactly 0" in pixels
    assert f"Another {100 * full:.1f}% are 250 or more" in pixels
    printed = re.findall(r"([\d.]+)% are exactly 0.*?([\d.]+)% are 250.*?([\d.]+)% fall in between", pixels)[0]
    assert sum(float(p) for p in printed) == pytest.approx(100.0)  # shares of one whole add up as printed

    overview = Page(site_10k / "index.html").text()
    assert "10,000 images" in overview
    assert "train-images-idx3-ubyte.gz" in overview
    counts = np.bincount([int(r["label"]) for r in rows])
    assert f"the commonest, {counts.argmax()}, has {counts.max():,} images" in overview
    data = Page(site_10k / "data.html").text()
    assert "5, 0, 4, 1, 9, 2, 1, 3, 1, 4, 3, 5" in data
    assert f"{10_000 * 784:,} rows" in data


def test_overview_credits_the_input(site_10k, mnist):
    text = Page(site_10k / "index.html").text()
    sha = hashlib.sha256((mnist / "train-images-idx3-ubyte.gz").read_bytes()).hexdigest()
    assert sha in text
    assert "mnist-report build --data train-images-idx3-ubyte.gz --limit 10000" in text


def test_sample_site_says_it_is_a_sample(sample_site):
    text = Page(sample_site / "index.html").text()
    assert "5,000" in text
    assert "Every digit has exactly 500 images" in text
    assert "instance numbers are the images' rows in the full training set" in text


def test_rebuild_is_byte_identical(tmp_path, analysis_10k, site_10k):
    again = output.write(
        render.site(
            analysis_10k, "MNIST, explored", "mnist-report build --data train-images-idx3-ubyte.gz --limit 10000"
        ),
        tmp_path / "again",
    )
    for path in site_10k.rglob("*"):
        if path.is_file():
            assert (again / path.relative_to(site_10k)).read_bytes() == path.read_bytes(), path.name


def test_every_figure_has_a_static_image(site_10k):
    for name in PAGES:
        page = Page(site_10k / name)
        figures = page.find_all("figure")
        noscripts = [c for f in figures for c in f.children if c.tag == "noscript"]
        assert noscripts
        assert len(noscripts) == len(figures)
        for block in noscripts:
            (img,) = [c for c in block.children if c.tag == "img"]
            assert len(img.attrs["alt"]) > 20
            data = (site_10k / img.attrs["src"]).read_bytes()
            if data.startswith(b"<svg"):  # something drawn: a mark Vega labels for screen readers
                assert b'role="graphics-symbol"' in data, img.attrs["src"]
            else:
                assert data.startswith(b"\x89PNG"), img.attrs["src"]
                assert len(data) > 2_000, img.attrs["src"]


def test_absent_and_lonely_classes_are_said_and_left_out(tmp_path, mnist):
    """No 7s at all and a single 3: the report still builds and says so."""
    from dataclasses import replace

    from mnist_report.analysis import analyze
    from mnist_report.loading import Dataset, load

    full = load(mnist, limit=2_000).main
    labels = full.labels
    keep = (labels != 7) & ((labels != 3) | (np.cumsum(labels == 3) == 1))
    dataset = Dataset((replace(full, images=full.images[keep], labels=labels[keep], instances=full.instances[keep]),))
    out = output.write(render.site(analyze(dataset), "t", "c"), tmp_path / "r")
    overview = Page(out / "index.html").text()
    assert "No image is labelled 7" in overview
    assert "Only one image is labelled 3" in overview
    pair_cells = [td.text for td in Page(out / "pairs.html").find_all("td") if " and " in td.text]
    assert pair_cells
    assert not [c for c in pair_cells if "7" in c.split(" and ")]
    least = read_csv(out / "data/least_typical.csv")
    assert {r["label"] for r in least} == {str(d) for d in range(10) if d != 7}
    assert [r["rank"] for r in least if r["label"] == "3"] == ["1"]


def test_long_tables_are_gzipped_and_read_back_the_same(monkeypatch, tmp_path):
    """Above GZIP_ROWS rows a table is written as .csv.gz, batch by batch, and says the same as the plain CSV."""
    import gzip

    from mnist_report.analysis import analyze
    from mnist_report.loading import load

    analysis = analyze(load(limit=900))
    plain = export.data_files(export.tables(analysis))
    monkeypatch.setattr(export, "GZIP_ROWS", 500)
    monkeypatch.setattr(export, "CSV_BATCH", 128)  # several batches, one header
    files = render.site(analysis, "t", "c")
    assert "data/image_distances.csv" not in files
    assert "data/centroids.csv" not in files
    assert gzip.decompress(files["data/image_distances.csv.gz"]) == plain["data/image_distances.csv"]
    assert "data/least_typical.csv" in files  # 60 rows stay plain
    output.write(files, tmp_path / "r")
    links = [a.attrs["href"] for a in Page(tmp_path / "r" / "index.html").find_all("a")]
    assert "data/image_distances.csv.gz" in links
    assert "data/image_distances.parquet" in links


def _only(*kept: str) -> tuple:
    """The pages to build: the overview and those named."""
    return pages.select(
        [Path(p.file).stem for p in pages.PAGES if p.file != "index.html" and Path(p.file).stem not in kept]
    )


def test_balanced_classes_say_each(sample_analysis):
    """The sample has as many images of each digit: "500 each", not "from 500 (0) to 500 (9)"."""
    counts = set(np.bincount(sample_analysis.dataset.labels).tolist())
    assert len(counts) == 1
    files = render.site(sample_analysis, "t", "c", pages=_only())
    (caption,) = re.findall(r"<figcaption[^>]*>(.*?)</figcaption>", files["index.html"].decode())
    assert caption == f"Images per digit: {counts.pop():,} each."


def test_skipped_pages_leave_no_trace(sample_analysis):
    """Navigation, pager, table of contents, manifest and the one-file report follow --skip."""
    chosen = pages.select(["data", "pairs"])
    assert [p.file for p in chosen] == [p.file for p in pages.PAGES if p.file not in ("data.html", "pairs.html")]
    kept = [p.file for p in chosen if p.applies(sample_analysis)]  # the sample has no test split: no splits page
    files = render.site(sample_analysis, "t", "c", pages=chosen)
    assert sorted(name for name in files if name.endswith(".html") and "/" not in name) == sorted(kept)
    # a page of each class, in its folder
    assert sorted(name for name in files if name.endswith(".html") and "/" in name) == sorted(
        f"classes/{k}.html" for k in range(10)
    )
    assert not [
        name
        for name in files
        if name.startswith(("figures/differences", "figures/pair-", "figures/first", "figures/pixels"))
    ]
    assert set(json.loads(files[output.MANIFEST])["files"]) == set(files) - {output.MANIFEST}
    for name in kept:
        hrefs = re.findall(r'href="([a-z]+\.html)"', files[name].decode())
        assert set(hrefs) <= set(kept), (name, hrefs)
    toc = re.search(r'<ol class="toc">(.*?)</ol>', files["index.html"].decode(), re.S).group(1)
    assert re.findall(r'href="([a-z]+\.html)"', toc) == kept[1:]
    single = render.single(sample_analysis, "t", "c", pages=chosen).decode()
    assert re.findall(r'<section id="page-([a-z]+)"', single) == [Path(f).stem for f in kept]


@pytest.mark.parametrize(
    ("skip", "message"),
    [
        (
            "pairs,nope",
            "--skip nope: no page of that name; pages that can be left out: data, pixels, centroids, atypical, pairs, splits, classifiers",
        ),
        ("index", "--skip index: the overview always stays;"),
    ],
)
def test_a_page_that_cannot_be_skipped_is_named(skip, message):
    from mnist_report.errors import ReportError

    with pytest.raises(ReportError) as error:
        pages.select(skip.split(","))
    assert str(error.value).startswith(message)


def test_template_dir_replaces_footer_and_stylesheet(tmp_path, sample_analysis):
    """A user's main.html overrides one block of base.html; their report.css replaces ours, in both layouts."""
    mine = tmp_path / "mine"
    (mine / "static").mkdir(parents=True)
    (mine / "main.html").write_text(
        '{% extends "base.html" %}{% block footer %}<p>Made by the Digits Lab.</p>{% endblock %}'
    )
    (mine / "static" / "report.css").write_text("body { color: rebeccapurple; }\n")
    pages = _only("pixels")
    files = render.site(sample_analysis, "t", "c", pages=pages, templates=mine)
    assert files["assets/report.css"] == b"body { color: rebeccapurple; }\n"
    assert (
        files["assets/report.js"] == (assets.TEMPLATES / "static" / "report.js").read_bytes()
    )  # not replaced: the package's
    for page in pages:
        html = files[page.file].decode()
        footer = re.search(r'<footer class="site">(.*?)</footer>', html, re.S).group(1)
        assert "Made by the Digits Lab." in footer
        assert "Built by mnist-report" not in footer
        assert 'rel="next"' in footer or 'rel="prev"' in footer  # the rest of base.html is kept
    single = render.single(sample_analysis, "t", "c", pages=pages, templates=mine).decode()
    assert "<style>body { color: rebeccapurple; }\n</style>" in single
    (mine / "main.html").write_text("{% extends 'base.html' %}{% block footer %}{{ nope( }}{% endblock %}")
    from mnist_report.errors import ReportError

    with pytest.raises(ReportError, match=r"main\.html:1: template error"):
        render.site(sample_analysis, "t", "c", pages=pages, templates=mine)


def test_figure_ids_are_unique_across_pages(mnist):
    """One id per figure in the whole site: the one-file report holds every page's figures in one
    document, and the folder's static images are named by id (the train-and-test differences once
    took the pairs page's id, and its picture)."""
    from mnist_report.analysis import analyze
    from mnist_report.loading import load

    a = analyze(load(mnist, limit=1_000))
    ids = [fig.id for page in pages.PAGES if page.applies(a) for fig in page.figures(a, page.facts(a))]
    assert "split-differences" in ids, sorted(ids)
    assert len(ids) == len(set(ids)), sorted(ids)
