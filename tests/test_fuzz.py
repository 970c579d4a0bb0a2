"""Fuzzing the CSV and IDX readers: whatever the bytes, `load` returns a sound Dataset or raises ReportError.

Arbitrary bytes, and near-valid files (a few good rows or images with random damage:
a field deleted or added, a cell replaced by random text, a value out of range, a cut at
a random byte, a wrong header field). An undamaged file must load to exactly what was written.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mnist_report.errors import ReportError
from mnist_report.loading import load
from mnist_report.loading.csvfile import kaggle_header

HEADER = kaggle_header(784)  # MNIST's Kaggle header

FAST = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
IMAGES_NAME, LABELS_NAME = "train-images-idx3-ubyte", "train-labels-idx1-ubyte"

limits = st.one_of(st.none(), st.integers(-1, 7))


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """One folder for the module: each example overwrites its files (hypothesis reuses the fixture)."""
    return tmp_path_factory.mktemp("fuzz")


def check(data: Path, labels: Path | None = None, limit: int | None = None):
    """Load; a ReportError must be one line naming a file; a Dataset must be sound. Returns it, or the message."""
    try:
        dataset = load(data, labels, limit)
    except ReportError as e:
        message = str(e)
        assert len(message.splitlines()) == 1, message
        assert message.startswith(f"{data.parent}{os.sep}"), message  # names the file (all are in one folder)
        return message
    n = len(dataset)
    assert n >= 1
    assert limit is None or n == limit
    assert dataset.images.dtype == np.uint8
    assert dataset.images.shape[0] == n
    assert all(8 <= side <= 64 for side in dataset.images.shape[1:])  # a damaged header may state another size
    k = len(dataset.class_names)
    assert dataset.labels.dtype == (np.uint8 if k <= 256 else np.uint16)
    assert dataset.labels.shape == (n,)
    assert int(dataset.labels.max()) < k
    assert len(dataset.kind.values) == k
    assert np.array_equal(dataset.instances, np.arange(1, n + 1))
    return dataset


def pictures(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """n random images (uint8[n, 784]) and labels: drawing 784 values through hypothesis would be slow."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 784), dtype=np.uint8), rng.integers(0, 10, n, dtype=np.uint8)


# --- CSV -------------------------------------------------------------------


@FAST
@given(raw=st.binary(max_size=3000), name=st.sampled_from(["x.csv", "x.csv.gz"]), limit=limits)
def test_csv_arbitrary_bytes(folder, raw, name, limit):
    path = folder / name
    path.write_bytes(raw)
    check(path, limit=limit)


@FAST
@given(raw=st.binary(max_size=3000), cut=st.integers(0, 4000))
def test_gzip_arbitrary_and_cut(folder, raw, cut):
    """Gzip of anything, cut anywhere; and the gzip magic followed by junk."""
    path = folder / "x.csv.gz"
    path.write_bytes(gzip.compress(raw)[:cut])
    check(path)
    path.write_bytes(b"\x1f\x8b" + raw)
    check(path)


TEXT = st.text(st.characters(codec="utf-8"), max_size=8) | st.sampled_from(
    [
        "",
        " ",
        "NaN",
        "1.5",
        "-1",
        "-0",
        "256",
        "1e3",
        '"3"',
        ' "3"',
        '"3',
        '""',
        " 7",
        "\t7",
        "7 ",
        "+4",
        "00007",
        "٣",
        "\r",
        "\0",
        "\n",
    ]
)


@st.composite
def damaged_csv(draw):
    n = draw(st.integers(1, 5))
    images, labels = pictures(draw(st.integers(0, 2**32 - 1)), n)
    table = [[str(label)] + [str(v) for v in image] for image, label in zip(images, labels, strict=True)]
    header = draw(st.booleans())
    damage = draw(st.lists(st.sampled_from(["delete", "add", "text", "range", "header"]), max_size=3))
    for kind in damage:
        r = draw(st.integers(0, n - 1))
        c = draw(st.integers(0, len(table[r]) - 1))
        if kind == "delete":
            del table[r][c]
        elif kind == "add":
            table[r].insert(c, draw(TEXT | st.integers(0, 255).map(str)))
        elif kind == "text":
            table[r][c] = draw(TEXT)
        elif kind == "range":
            table[r][c] = str(draw(st.integers(-300, -1) | st.integers(10 if c == 0 else 256, 10**12)))
        elif kind == "header":
            header = True
    names = list(HEADER)
    if "header" in damage:
        names[draw(st.integers(0, len(names) - 1))] = draw(TEXT)
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    text = eol.join(([",".join(names)] if header else []) + [",".join(row) for row in table]) + draw(
        st.sampled_from(["", eol, eol * 3])
    )
    raw = draw(st.sampled_from([b"", b"\xef\xbb\xbf"])) + text.encode()
    if draw(st.booleans()):  # cut at a random byte
        raw = raw[: draw(st.integers(0, len(raw)))]
        damage.append("cut")
    if draw(st.booleans()):
        raw = gzip.compress(raw)
    return raw, images, labels, damage


@FAST
@given(case=damaged_csv(), limit=limits)
def test_csv_near_valid(folder, case, limit):
    raw, images, labels, damage = case
    path = folder / "x.csv"
    path.write_bytes(raw)
    dataset = check(path, limit=limit)
    # The diagnosis must find the row and column the fast parser stumbled on, not fall back to a vague line.
    assert not isinstance(dataset, str) or "not a CSV of one label" not in dataset, dataset
    if not damage and (limit is None or 1 <= limit <= len(labels)):
        assert not isinstance(dataset, str), f"an undamaged CSV must load: {dataset}"
        k = len(dataset)
        assert np.array_equal(dataset.images.reshape(k, 784), images[:k])
        assert np.array_equal(dataset.labels, labels[:k])


# --- IDX -------------------------------------------------------------------


def idx(array: np.ndarray) -> bytes:
    return bytes([0, 0, 8, array.ndim]) + b"".join(int(s).to_bytes(4, "big") for s in array.shape) + array.tobytes()


@FAST
@given(
    raw=st.binary(max_size=3000),
    prefix=st.sampled_from([b"", b"\0\0", b"\0\0\x08\x03", b"\0\0\x08\x01"]),
    which=st.sampled_from(["images", "labels"]),
)
def test_idx_arbitrary_bytes(folder, raw, prefix, which):
    images, labels = pictures(0, 3)
    (folder / IMAGES_NAME).write_bytes(prefix + raw if which == "images" else idx(images.reshape(3, 28, 28)))
    (folder / LABELS_NAME).write_bytes(prefix + raw if which == "labels" else idx(labels))
    check(folder / IMAGES_NAME)


@st.composite
def damaged_idx(draw):
    n = draw(st.integers(1, 5))
    images, labels = pictures(draw(st.integers(0, 2**32 - 1)), n)
    files = [bytearray(idx(images.reshape(n, 28, 28))), bytearray(idx(labels))]
    damage = draw(st.lists(st.sampled_from(["byte", "size", "cut", "append", "label", "gzip"]), max_size=3))
    for kind in damage:
        f = files[draw(st.integers(0, 1))]
        if kind == "byte" and f:  # any byte, header included (magic, type, dimensions)
            f[draw(st.integers(0, min(len(f), 20) - 1))] = draw(st.integers(0, 255))
        elif kind == "size" and len(f) >= 8:
            i = draw(st.integers(0, (min(len(f), 16) - 4) // 4 - 1))
            f[4 + 4 * i : 8 + 4 * i] = draw(st.integers(0, 2**32 - 1) | st.integers(0, 40)).to_bytes(4, "big")
        elif kind == "cut":
            del f[draw(st.integers(0, len(f))) :]
        elif kind == "append":
            f += draw(st.binary(min_size=1, max_size=800))
        elif kind == "label":
            files[1] = bytearray(idx(np.array(draw(st.lists(st.integers(0, 255), min_size=1, max_size=6)), np.uint8)))
    if "gzip" in damage:  # not damage, just compression; still compare the arrays only when nothing else happened
        damage.remove("gzip")
        files = [bytearray(gzip.compress(bytes(f))) for f in files]
    return bytes(files[0]), bytes(files[1]), images, labels, damage


@FAST
@given(case=damaged_idx(), limit=limits, layout=st.sampled_from(["beside", "folder", "--labels"]))
def test_idx_near_valid(folder, case, limit, layout):
    image_bytes, label_bytes, images, labels, damage = case
    for old in folder.rglob("*"):
        if old.is_file():
            old.unlink()
    (folder / "mnist").mkdir(exist_ok=True)
    if layout == "folder":
        data, labels_path = folder / "mnist", None
    elif layout == "beside":
        data, labels_path = folder / "mnist" / IMAGES_NAME, None
    else:
        data, labels_path = folder / "digits.idx", folder / "digit-labels.idx"
    (data if layout != "folder" else data / IMAGES_NAME).write_bytes(image_bytes)
    (labels_path or folder / "mnist" / LABELS_NAME).write_bytes(label_bytes)
    dataset = check(data, labels_path, limit)
    if not damage and (limit is None or 1 <= limit <= len(labels)):
        assert not isinstance(dataset, str), f"undamaged IDX files must load: {dataset}"
        k = len(dataset)
        assert np.array_equal(dataset.images.reshape(k, 784), images[:k])
        assert np.array_equal(dataset.labels, labels[:k])


def load_or_message(path: Path, limit: int | None):
    try:
        return load(path, limit=limit)
    except ReportError as e:
        return str(e)


@FAST
@given(case=damaged_csv(), limit=limits, block=st.integers(1, 4000))
def test_csv_in_small_blocks_reads_as_in_one(folder, case, limit, block):
    """Blocks of any size, pixels spilled to a file: the same images, or the same message (row numbers included)."""
    from mnist_report.loading import storage

    raw, *_ = case
    path = folder / "x.csv"
    path.write_bytes(raw)
    whole = load_or_message(path, limit)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(storage, "READ_BLOCK", block)
        patch.setattr(storage, "IN_MEMORY", 784)
        streamed = load_or_message(path, limit)
    if isinstance(whole, str):
        assert streamed == whole
    else:
        assert not isinstance(streamed, str), streamed
        assert np.array_equal(streamed.images, whole.images)
        assert np.array_equal(streamed.labels, whole.labels)
