"""The MNIST family: every format at several sizes and class counts, from data written here.

Each case writes the same kind of generated images in one format, loads them, and checks the
pixels, the class indexes and names, then that analyze()'s class means and the distances between
them are numpy's on the very pixels written. EMNIST's transposed files are checked against the
same images read the MNIST way; a Quick, Draw! folder of 345 files streams past a lowered
in-memory limit into a mapped file.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mnist_report.analysis import analyze
from mnist_report.loading import load, storage
from mnist_report.loading.catalogue import KINDS
from mnist_report.loading.csvfile import kaggle_header, row_col_header

SIZES = [(14, 14), (28, 28), (32, 20)]


def family(classes: int, size: tuple[int, int], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Images uint8[n, h, w] with a few images of each class, and class indexes in a shuffled order."""
    rng = np.random.default_rng(seed)
    n = max(2 * classes, 40)
    indexes = rng.permutation(np.arange(n) % classes)
    # Each class a brighter band somewhere, so the means differ as real classes' do.
    images = rng.integers(0, 120, (n, *size), dtype=np.uint8)
    rows = (indexes * 7) % size[0]
    images[np.arange(n), rows] = 255
    return images, indexes


def values_of(classes: int) -> np.ndarray:
    """The label values files hold for class indexes 0..K-1: not 0..K-1, so the mapping shows."""
    return 7 + 3 * np.arange(classes)  # past 9, or labels 0-9 would read as MNIST


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(s).to_bytes(4, "big") for s in array.shape)
    return header + np.ascontiguousarray(array, np.uint8).tobytes()


def write_idx(folder: Path, images, labels, prefix="", test="t10k", transposed=False) -> Path:
    folder.mkdir(exist_ok=True)
    stored = images.transpose(0, 2, 1) if transposed else images
    (folder / f"{prefix}train-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(stored), mtime=0))
    (folder / f"{prefix}train-labels-idx1-ubyte").write_bytes(idx_bytes(labels))
    (folder / f"{prefix}{test}-images-idx3-ubyte").write_bytes(idx_bytes(stored[:10]))
    (folder / f"{prefix}{test}-labels-idx1-ubyte").write_bytes(idx_bytes(labels[:10]))
    return folder


def write_csv(path: Path, images, labels, header: list[str] | None) -> Path:
    rows = np.column_stack([labels, images.reshape(len(images), -1)]).astype(int)
    with path.open("w") as f:
        if header:
            f.write(",".join(header) + "\n")
        np.savetxt(f, rows, fmt="%d", delimiter=",")
    return path


def write_png(root: Path, images, indexes, names) -> Path:
    for i, (image, k) in enumerate(zip(images, indexes, strict=True)):
        folder = root / names[k]
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image).save(folder / f"{i:04d}.png")
    return root


def class_names(classes: int) -> list[str]:
    return [f"c{k:03d}" for k in range(classes)]


def by_class(images, indexes, classes):
    """What each file-per-class format holds: each class's images in file order, and the order they are read in."""
    order = np.concatenate([np.flatnonzero(indexes == k) for k in range(classes)])
    return images[order], indexes[order]


def check(dataset, images, indexes, names):
    """The pixels, indexes and names as written, and analyze()'s means and their distances as numpy's."""
    classes = len(names)
    assert dataset.images.dtype == np.uint8
    np.testing.assert_array_equal(dataset.images, images)
    np.testing.assert_array_equal(dataset.labels, indexes)
    assert dataset.labels.dtype == (np.uint8 if classes <= 256 else np.uint16)
    assert list(dataset.class_names) == list(names)
    result = analyze(dataset, parts=frozenset())
    pixels = images.reshape(len(images), -1).astype(np.float64)
    means = np.array([pixels[indexes == k].mean(axis=0) for k in range(classes)])
    np.testing.assert_allclose(result.centroids.reshape(classes, -1), means, rtol=1e-12)
    # |a - b|² as |a|² + |b|² - 2 a·b: another road to the same numbers, and quick for 345 classes.
    squares = (means**2).sum(axis=1)
    pairs = np.sqrt(np.maximum(squares[:, None] + squares[None] - 2 * means @ means.T, 0) / means.shape[1])
    np.fill_diagonal(pairs, 0)  # a mean from itself: exactly 0, where the identity leaves rounding
    np.testing.assert_allclose(result.pair_distances, pairs, rtol=1e-9, atol=1e-6)


def square_or_asked(size):
    return None if size[0] == size[1] else size


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("classes", [2, 20])
def test_idx(tmp_path, size, classes):
    images, indexes = family(classes, size)
    values = values_of(classes)
    dataset = load(write_idx(tmp_path / "idx", images, values[indexes]))
    check(dataset, images, indexes, [str(v) for v in values])
    assert dataset.kind.values == tuple(values)
    np.testing.assert_array_equal(dataset.test.labels, indexes[:10])


@pytest.mark.parametrize("form", ["no-header", "kaggle", "row-col"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("classes", [2, 20, 345])
def test_csv(tmp_path, size, classes, form):
    """Labels past 255; a non-square size from --size (no header, Kaggle's) or from the row x column header."""
    images, indexes = family(classes, size)
    values = values_of(classes)
    header = {"no-header": None, "kaggle": kaggle_header(size[0] * size[1]), "row-col": row_col_header(*size)}[form]
    path = write_csv(tmp_path / "train.csv", images, values[indexes], header)
    dataset = load(path, size=None if form == "row-col" else square_or_asked(size))
    check(dataset, images, indexes, [str(v) for v in values])


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("classes", [2, 20, 345])
def test_npz_pair(tmp_path, size, classes):
    """KMNIST's layout under a name of its own, flat rows for the non-square size; a class map names the classes."""
    images, indexes = family(classes, size)
    stored = images if size[0] == size[1] else images.reshape(len(images), -1)
    np.savez_compressed(tmp_path / "mine-train-imgs.npz", stored)
    np.savez_compressed(tmp_path / "mine-train-labels.npz", indexes.astype(np.uint16))
    np.savez_compressed(tmp_path / "mine-test-imgs.npz", stored[:10])
    np.savez_compressed(tmp_path / "mine-test-labels.npz", indexes[:10].astype(np.int64))
    names = [chr(0x4E00 + k) for k in range(classes)]
    rows = "".join(f"{k},U+{0x4E00 + k:04X},{name}\n" for k, name in enumerate(names))
    (tmp_path / "mine_classmap.csv").write_text("index,codepoint,char\n" + rows, encoding="utf-8")
    dataset = load(tmp_path, size=square_or_asked(size))
    assert [s.name for s in dataset.splits] == ["train", "test"]
    check(dataset, images, indexes, names)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("classes", [2, 20, 345])
def test_npy_folder(tmp_path, size, classes):
    """One flat .npy a class, named by the file; read in sorted order as one split."""
    images, indexes = by_class(*family(classes, size), classes)
    names = class_names(classes)
    for k, name in enumerate(names):
        np.save(tmp_path / f"{name}.npy", images[indexes == k].reshape(-1, size[0] * size[1]))
    dataset = load(tmp_path, size=square_or_asked(size))
    check(dataset, images, indexes, names)
    assert len(dataset.sources) == classes


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("classes", [2, 20, 345])
def test_png_folder(tmp_path, size, classes):
    images, indexes = by_class(*family(classes, size), classes)
    names = class_names(classes)
    dataset = load(write_png(tmp_path / "png", images, indexes, names))
    check(dataset, images, indexes, names)
    assert dataset.main.files == tuple(f"{names[k]}/{i:04d}.png" for i, k in enumerate(indexes))


@pytest.mark.parametrize("size", [(28, 28), (32, 20)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_emnist_letters_are_upright_and_indexed_from_their_values(tmp_path, size):
    images, indexes = family(26, size)
    dataset = load(write_idx(tmp_path / "letters", images, indexes + 1, "emnist-letters-", "test", transposed=True))
    check(dataset, images, indexes, [chr(ord("A") + k) for k in range(26)])
    assert dataset.kind is KINDS["emnist-letters"]
    assert dataset.kind.noun == ("letter", "letters")
    np.testing.assert_array_equal(dataset.test.images, images[:10])


def test_emnist_means_equal_the_same_images_read_the_mnist_way(tmp_path, first_images):
    """An EMNIST-named copy of MNIST images, written transposed as EMNIST's are: the same mean images."""
    images, labels = first_images[0][:600].reshape(-1, 28, 28), first_images[1][:600]
    mnist = analyze(load(write_idx(tmp_path / "mnist", images, labels)), parts=frozenset())
    emnist_folder = write_idx(tmp_path / "emnist", images, labels, "emnist-digits-", "test", transposed=True)
    raw = np.frombuffer(
        gzip.decompress((emnist_folder / "emnist-digits-train-images-idx3-ubyte.gz").read_bytes())[16:], np.uint8
    )
    assert not np.array_equal(raw.reshape(-1, 28, 28), images)  # the file really holds them transposed
    dataset = load(emnist_folder)
    assert dataset.kind is KINDS["emnist-digits"]
    emnist = analyze(dataset, parts=frozenset())
    np.testing.assert_array_equal(emnist.centroids, mnist.centroids)
    np.testing.assert_array_equal(emnist.pair_distances, mnist.pair_distances)


def test_a_folder_of_emnist_variants_reads_the_one_kind_names(tmp_path):
    images, indexes = family(10, (28, 28))
    folder = write_idx(tmp_path / "gzip", images, indexes, "emnist-digits-", "test", transposed=True)
    write_idx(folder, images, indexes + 1, "emnist-letters-", "test", transposed=True)
    digits = load(folder, kind=KINDS["emnist-digits"])
    assert digits.kind is KINDS["emnist-digits"]
    np.testing.assert_array_equal(digits.images, images)
    letters = load(folder, kind=KINDS["emnist-letters"])
    np.testing.assert_array_equal(letters.labels, indexes)
    assert letters.class_names[:2] == ("A", "B")


def test_quickdraw_folder_streams_345_files_past_memory(tmp_path, monkeypatch):
    """345 files of 3 drawings each, with IN_MEMORY lowered: spilled to a mapped file, in sorted order."""
    monkeypatch.setattr(storage, "IN_MEMORY", 64 << 10)
    names = KINDS["quickdraw"].class_names
    rng = np.random.default_rng(1)
    drawings = rng.integers(0, 256, (len(names), 3, 784), dtype=np.uint8)
    for name, mine in zip(names, drawings, strict=True):
        np.save(tmp_path / f"full_numpy_bitmap_{name}.npy", mine)
    dataset = load(tmp_path)
    assert getattr(dataset.images, "_mmap", None) is not None  # spilled, then mapped
    assert dataset.kind.name == "Quick, Draw!"
    assert dataset.class_names == names
    np.testing.assert_array_equal(dataset.images.reshape(len(names), 3, 784), drawings)
    np.testing.assert_array_equal(dataset.labels, np.repeat(np.arange(len(names)), 3))
    assert dataset.labels.dtype == np.uint16
    np.testing.assert_array_equal(dataset.instances, np.arange(1, 3 * len(names) + 1))
    first = load(tmp_path, per_class=1)
    np.testing.assert_array_equal(first.images.reshape(-1, 784), drawings[:, 0])
    np.testing.assert_array_equal(first.instances, np.arange(1, 3 * len(names) + 1, 3))
    limited = load(tmp_path, limit=7)  # the first classes only
    assert limited.class_names == names[:3]
    np.testing.assert_array_equal(limited.labels, [0, 0, 0, 1, 1, 1, 2])


def test_class_maps_name_the_classes(tmp_path):
    """EMNIST's mapping and Kuzushiji's class map beside files of no standard name."""
    images, indexes = family(4, (28, 28))
    write_idx(tmp_path / "e", images, indexes + 1, test="t10k")
    (tmp_path / "e" / "emnist-letters-mapping.txt").write_text("1 65 97\n2 66 98\n3 67 99\n4 68 100\n")
    assert load(tmp_path / "e").class_names == ("A/a", "B/b", "C/c", "D/d")
    write_idx(tmp_path / "k", images, indexes, test="t10k")
    (tmp_path / "k" / "k49_classmap.csv").write_text(
        "index,codepoint,char\n0,U+3042,あ\n1,U+3044,い\n2,U+3046,う\n3,U+3048,え\n", encoding="utf-8"
    )
    dataset = load(tmp_path / "k")
    assert dataset.class_names == ("あ", "い", "う", "え")
    assert dataset.kind.values == (0, 1, 2, 3)


def test_classes_of_any_count_and_labels_past_9(tmp_path):
    images, indexes = family(20, (14, 14))
    path = write_csv(tmp_path / "x.csv", images, indexes, None)
    generic = load(path)
    assert generic.kind.noun == ("class", "classes")
    assert generic.class_names == tuple(str(k) for k in range(20))
    names = [f"n{k}" for k in range(20)]
    assert load(path, classes=names).class_names == tuple(names)
    small = write_csv(tmp_path / "small.csv", images[indexes < 10], indexes[indexes < 10], None)
    assert load(small).kind is KINDS["mnist"]  # labels within 0-9: MNIST, as before


def palette(g: np.ndarray) -> Image.Image:
    image = Image.frombytes("P", g.shape[::-1], g.tobytes())
    image.putpalette([v for level in range(256) for v in (level, level, level)])
    return image


PNG_FORMS = {  # PNG's ways of storing grey levels, and the levels each should read as
    "grey": (lambda g: Image.fromarray(g), lambda g: g),
    "16-bit": (lambda g: Image.fromarray(g.astype(np.uint16) * 257), lambda g: g),
    "rgb-equal": (lambda g: Image.fromarray(np.stack([g] * 3, axis=-1)), lambda g: g),
    "palette": (palette, lambda g: g),
    "grey-alpha": (
        lambda g: Image.fromarray(np.stack([g, np.tile([0, 255], g.size // 2).reshape(g.shape).astype(np.uint8)], -1)),
        lambda g: np.where(np.tile([0, 255], g.size // 2).reshape(g.shape) == 0, 0, g),  # transparent: background
    ),
    "interlaced": (lambda g: Image.fromarray(g), lambda g: g),
}


@pytest.mark.parametrize("form", PNG_FORMS)
def test_png_forms_read_as_grey(tmp_path, form):
    make, expected = PNG_FORMS[form]
    grey = np.random.default_rng(2).integers(0, 256, (2, 16, 16), dtype=np.uint8)
    for k, g in enumerate(grey):
        (tmp_path / f"class{k}").mkdir()
        make(g).save(tmp_path / f"class{k}" / "0.png", interlace=form == "interlaced")
    np.testing.assert_array_equal(load(tmp_path).images, np.array([expected(g) for g in grey]))


def test_png_test_folder_of_other_classes(tmp_path):
    """--test with class folders of its own: the classes are both splits', each image under its own name."""
    grey = np.arange(2 * 14 * 14, dtype=np.uint8).reshape(2, 14, 14)
    write_png(tmp_path / "train", grey, np.array([0, 1]), ["cat", "dog"])
    write_png(tmp_path / "test", grey, np.array([0, 1]), ["dog", "emu"])
    dataset = load(tmp_path / "train", test=tmp_path / "test")
    assert dataset.class_names == ("cat", "dog", "emu")
    np.testing.assert_array_equal(dataset.train.labels, [0, 1])
    np.testing.assert_array_equal(dataset.test.labels, [1, 2])


def test_data_files_name_classes_by_the_files_own_label_values(tmp_path):
    """The pages count classes from 0; the data files write the label each class has in the input (here
    7, 10, 13, ...; EMNIST's letters 1-26), so a row matches the line of the file it came from."""
    from mnist_report.report import export

    images, indexes = family(12, (14, 14))
    values = values_of(12)
    dataset = load(write_csv(tmp_path / "train.csv", images, values[indexes], None))
    tables = export.tables(analyze(dataset, parts={"classifiers", "order"}))
    assert tables["classes"]["label"].to_list() == values.tolist()
    assert tables["image_distances"]["label"].to_list() == values[indexes].tolist()
    assert set(tables["confusion"]["predicted"].to_list()) == set(values.tolist())
    predictions = tables["predictions"]
    assert predictions["label"].to_list() == values[indexes][predictions["instance"].to_numpy() - 1].tolist()
    assert set(predictions["knn"].to_list()) <= set(values.tolist())
    assert set(tables["pair_distances"]["label_a"].to_list()) < set(values.tolist())
    assert set(tables["order_classes"]["label"].to_list()) == set(values.tolist())
