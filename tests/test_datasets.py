"""Every input format ends in the same Dataset, checked against images read directly (the sample's npz, itself checked against the IDX files)."""

from __future__ import annotations

import gzip
import shutil

import numpy as np
import pytest

from mnist_report.errors import ReportError
from mnist_report.loading import Split, load, load_sample
from mnist_report.loading.csvfile import kaggle_header
from mnist_report.loading.storage import READ_BLOCK as BLOCK

HEADER = kaggle_header(784)  # MNIST's Kaggle header

N = 300  # rows written per format: enough to cover every digit, quick to write


def write_csv(path, images, labels, header=False, opener=open):
    rows = np.column_stack([labels, images]).astype(int)
    with opener(path, "wt") as f:
        if header:
            f.write(",".join(HEADER) + "\n")
        np.savetxt(f, rows, fmt="%d", delimiter=",")


def write_idx(path, array, opener=open):
    with opener(path, "wb") as f:
        f.write(bytes([0, 0, 8, array.ndim]))
        for size in array.shape:
            f.write(int(size).to_bytes(4, "big"))
        f.write(np.ascontiguousarray(array, dtype=np.uint8).tobytes())


def assert_same(dataset, images, labels):
    assert dataset.images.shape == (len(labels), 28, 28)
    assert dataset.images.dtype == np.uint8
    np.testing.assert_array_equal(dataset.images.reshape(len(labels), -1), images)
    np.testing.assert_array_equal(dataset.labels, labels)
    np.testing.assert_array_equal(dataset.instances, np.arange(1, len(labels) + 1))


@pytest.mark.parametrize("header", [False, True], ids=["no-header", "kaggle-header"])
@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gz"])
def test_csv_forms(tmp_path, first_images, header, compressed):
    images, labels = first_images[0][:N], first_images[1][:N]
    path = tmp_path / ("train.csv.gz" if compressed else "train.csv")
    write_csv(path, images, labels, header=header, opener=gzip.open if compressed else open)
    dataset = load(path)
    assert_same(dataset, images, labels)
    (source,) = dataset.sources
    assert source.name == path.name
    assert source.format.startswith("CSV with header" if header else "CSV without header")
    assert source.format.endswith(", gzip") == compressed


def test_csv_with_row_column_header(tmp_path, first_images):
    """The other shared CSV form: label,1x1,1x2,...,28x28 (1-based row x column)."""
    images, labels = first_images[0][:N], first_images[1][:N]
    header = ",".join(["label"] + [f"{r}x{c}" for r in range(1, 29) for c in range(1, 29)])
    rows = np.column_stack([labels, images]).astype(int)
    with open(tmp_path / "mnist.csv", "w") as f:
        f.write(header + "\n")
        np.savetxt(f, rows, fmt="%d", delimiter=",")
    assert_same(load(tmp_path / "mnist.csv"), images, labels)


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gz"])
def test_idx_file_finds_labels_beside_it(tmp_path, first_images, compressed):
    images, labels = first_images[0][:N], first_images[1][:N]
    ext, opener = (".gz", gzip.open) if compressed else ("", open)
    write_idx(tmp_path / f"train-images-idx3-ubyte{ext}", images.reshape(-1, 28, 28), opener)
    write_idx(tmp_path / f"train-labels-idx1-ubyte{ext}", labels, opener)
    dataset = load(tmp_path / f"train-images-idx3-ubyte{ext}")
    assert_same(dataset, images, labels)
    assert [s.format for s in dataset.sources] == [
        f"IDX images{', gzip' if compressed else ''}",
        f"IDX labels{', gzip' if compressed else ''}",
    ]


def test_idx_with_labels_named_explicitly(tmp_path, first_images):
    images, labels = first_images[0][:N], first_images[1][:N]
    write_idx(tmp_path / "pictures.bin", images.reshape(-1, 28, 28))
    write_idx(tmp_path / "answers.bin", labels)
    assert_same(load(tmp_path / "pictures.bin", labels=tmp_path / "answers.bin"), images, labels)
    with pytest.raises(ReportError, match=r"pictures\.bin.*--labels"):
        load(tmp_path / "pictures.bin")


def test_folder_of_standard_files(train_arrays, mnist):
    dataset = load(mnist)
    assert len(dataset) == 60_000
    np.testing.assert_array_equal(dataset.labels, train_arrays[1])
    np.testing.assert_array_equal(dataset.images[59_999].ravel(), train_arrays[0][59_999])
    assert dataset.sources[0].name == "train-images-idx3-ubyte.gz"
    assert len(dataset.sources[0].sha256) == 64


def test_folder_with_dotted_names(tmp_path, mnist):
    """Some mirrors spell the files train-images.idx3-ubyte."""
    for name in ("train-images", "train-labels"):
        kind = "idx3" if "images" in name else "idx1"
        shutil.copy(mnist / f"{name}-{kind}-ubyte.gz", tmp_path / f"{name}.{kind}-ubyte.gz")
    assert len(load(tmp_path, limit=10)) == 10


def test_published_first_labels(mnist):
    """The tidy-MNIST article's first ten labels of the training set."""
    assert load(mnist, limit=10).labels.tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]


def test_limit_keeps_file_order_and_instances(tmp_path, first_images):
    images, labels = first_images[0][:N], first_images[1][:N]
    write_csv(tmp_path / "t.csv", images, labels)
    dataset = load(tmp_path / "t.csv", limit=25)
    assert_same(dataset, images[:25], labels[:25])


def test_embedded_sample_is_first_500_of_each_digit(train_arrays):
    """The sample's images are the training set's at the instance numbers it carries."""
    images, labels = train_arrays
    sample = load_sample()
    assert len(sample) == 5_000
    assert np.bincount(sample.labels).tolist() == [500] * 10
    assert (np.diff(sample.instances) > 0).all(), "kept in training-file order"
    rows = sample.instances - 1
    np.testing.assert_array_equal(sample.images.reshape(5_000, -1), images[rows])
    np.testing.assert_array_equal(sample.labels, labels[rows])
    expected = np.sort(np.concatenate([np.flatnonzero(labels == d)[:500] for d in range(10)]))
    np.testing.assert_array_equal(rows, expected)


def test_dataset_arrays_are_read_only():
    sample = load_sample()
    with pytest.raises(ValueError, match="read-only"):
        sample.images[0, 0, 0] = 1


# --- splits -----------------------------------------------------------------


def test_folder_gives_both_splits(mnist, test_arrays):
    dataset = load(mnist)
    assert [s.name for s in dataset.splits] == ["train", "test"]
    assert dataset.main is dataset.train
    assert dataset.split == "train"
    assert len(dataset) == 60_000
    test = dataset.test
    assert_same(test, *test_arrays)
    assert [s.name for s in test.sources] == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]


def test_folder_of_the_test_pair_only_builds_on_it(tmp_path, mnist):
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        shutil.copy(mnist / name, tmp_path / name)
    dataset = load(tmp_path, limit=50)
    assert [s.name for s in dataset.splits] == ["test"]
    assert dataset.train is None
    assert dataset.main is dataset.test
    assert dataset.split == "test"
    assert len(dataset) == 50


def test_limit_applies_to_each_split(mnist):
    dataset = load(mnist, limit=30)
    assert [len(s) for s in dataset.splits] == [30, 30]
    assert [s.instances.tolist() for s in dataset.splits] == [list(range(1, 31))] * 2


@pytest.mark.parametrize(
    ("name", "split"),
    [
        ("t10k-images-idx3-ubyte", "test"),
        ("mnist_test.csv", "test"),
        ("fashion-mnist_test.csv.gz", "test"),
        ("test.csv", "test"),
        ("train-images.idx3-ubyte", "train"),
        ("mnist_train.csv", "train"),
        ("training-2.csv", "train"),
        ("digits.csv", ""),
        ("latest.csv", ""),
        ("contest.csv", ""),
        ("train_test.csv", ""),
    ],
)
def test_a_single_file_is_the_split_its_name_says(tmp_path, train_arrays, name, split):
    images, labels = train_arrays[0][:5], train_arrays[1][:5]
    path = tmp_path / name
    if ".csv" in name:
        write_csv(path, images, labels, opener=gzip.open if name.endswith(".gz") else open)
    else:
        write_idx(path, images.reshape(-1, 28, 28))
        write_idx(tmp_path / name.replace("images", "labels").replace("idx3", "idx1"), labels)
    dataset = load(path)
    assert [s.name for s in dataset.splits] == [split]
    assert dataset.split == split


@pytest.mark.parametrize("test_form", ["csv", "idx-gz", "folder"])
def test_test_file_beside_training_data(tmp_path, train_arrays, test_form):
    """--test adds a test split in any form --data takes; --data is then the training split, whatever its name."""
    images, labels = train_arrays
    write_csv(tmp_path / "digits.csv", images[:40], labels[:40])
    if test_form == "csv":
        test = tmp_path / "other.csv"
        write_csv(test, images[100:120], labels[100:120], header=True)
    else:
        folder = tmp_path / "held-out"
        folder.mkdir()
        write_idx(folder / "t10k-images-idx3-ubyte.gz", images[100:120].reshape(-1, 28, 28), gzip.open)
        write_idx(folder / "t10k-labels-idx1-ubyte.gz", labels[100:120], gzip.open)
        test = folder if test_form == "folder" else folder / "t10k-images-idx3-ubyte.gz"
    dataset = load(tmp_path / "digits.csv", test=test, limit=15)
    assert [s.name for s in dataset.splits] == ["train", "test"]
    assert_same(dataset.train, images[:15], labels[:15])
    assert_same(dataset.test, images[100:115], labels[100:115])  # instances 1-based within the test file
    assert dataset.main is dataset.train


def test_embedded_sample_is_one_training_split():
    dataset = load()
    assert [s.name for s in dataset.splits] == ["train"]
    assert dataset.split == "train"


# --- streaming: blocks, spilling, chunks -------------------------------------


@pytest.fixture
def tiny_blocks(monkeypatch):
    """Blocks of a few rows and a spill threshold of a few images: every boundary is crossed many times."""
    from mnist_report.loading import storage

    monkeypatch.setattr(storage, "READ_BLOCK", 5_000)  # a CSV row of MNIST is about 2,000 bytes: rows cross blocks
    monkeypatch.setattr(storage, "IN_MEMORY", 10 * 784)


@pytest.mark.parametrize("form", ["csv", "csv-header-crlf-gz", "idx-gz"])
def test_spilled_path_gives_the_same_arrays(tmp_path, train_arrays, monkeypatch, form):
    images, labels = train_arrays[0][:N], train_arrays[1][:N]
    if form == "idx-gz":
        path = tmp_path / "train-images-idx3-ubyte.gz"
        write_idx(path, images.reshape(-1, 28, 28), gzip.open)
        write_idx(tmp_path / "train-labels-idx1-ubyte.gz", labels, gzip.open)
    else:
        path = tmp_path / "train.csv"
        write_csv(path, images, labels, header="header" in form)
        if form.endswith("gz"):
            text = path.read_bytes().replace(b"\n", b"\r\n") + b"\r\n \r\n"
            path = tmp_path / "train.csv.gz"
            path.write_bytes(gzip.compress(text))
    in_memory = load(path)
    assert type(in_memory.images) is np.ndarray
    from mnist_report.loading import storage

    monkeypatch.setattr(storage, "READ_BLOCK", 5_000)
    monkeypatch.setattr(storage, "IN_MEMORY", 10 * 784)
    spilled = load(path)
    assert isinstance(spilled.images, np.memmap)
    assert_same(spilled, images, labels)
    assert spilled.sources == in_memory.sources  # hashed the same while streaming in small blocks
    assert len(load(path, limit=37)) == 37


def test_row_numbers_count_across_blocks(tmp_path, train_arrays, tiny_blocks):
    images, labels = train_arrays[0][:50], train_arrays[1][:50]
    write_csv(tmp_path / "x.csv", images, labels, header=True)
    lines = (tmp_path / "x.csv").read_bytes().split(b"\n")
    lines[42] = lines[42].replace(b",0,", b",256,", 1)  # row 43 of the file
    (tmp_path / "x.csv").write_bytes(b"\n".join(lines))
    with pytest.raises(ReportError, match=r"x.csv: row 43, column \d+: pixel value 256 outside 0-255"):
        load(tmp_path / "x.csv")
    assert len(load(tmp_path / "x.csv", limit=41)) == 41  # rows past the limit are not read


def test_blank_lines_across_blocks(tmp_path, train_arrays, tiny_blocks):
    """Blank lines at the end are dropped however many blocks they span; in the middle they are a blank row."""
    images, labels = train_arrays[0][:20], train_arrays[1][:20]
    write_csv(tmp_path / "x.csv", images, labels)
    text = (tmp_path / "x.csv").read_bytes()
    (tmp_path / "x.csv").write_bytes(text + b"\n \n" * 6_000)
    assert_same(load(tmp_path / "x.csv"), images, labels)
    (tmp_path / "x.csv").write_bytes(text + b"\n" * 12_000 + text)
    with pytest.raises(ReportError, match=r"x\.csv: row 21 is blank"):
        load(tmp_path / "x.csv")


def test_chunks_of_a_mapped_file(tmp_path, train_arrays):
    """Chunks of a memory map are C-contiguous copies equal to the slices; take() picks rows in any order."""
    images, labels = train_arrays[0][:N], train_arrays[1][:N]
    write_idx(tmp_path / "train-images-idx3-ubyte", images.reshape(-1, 28, 28))
    write_idx(tmp_path / "train-labels-idx1-ubyte", labels)
    split = load(tmp_path).main
    assert isinstance(split.images, np.memmap)
    offsets = []
    for offset, chunk, chunk_labels in split.chunks(64):
        assert type(chunk) is np.ndarray
        assert chunk.flags.c_contiguous
        assert chunk.shape == (min(64, N - offset), 784)
        np.testing.assert_array_equal(chunk, images[offset : offset + 64])
        np.testing.assert_array_equal(chunk_labels, labels[offset : offset + 64])
        offsets.append(offset)
    assert offsets == list(range(0, N, 64))
    np.testing.assert_array_equal(split.take(np.array([7, 0, 299])).reshape(3, -1), images[[7, 0, 299]])
    np.testing.assert_array_equal(split.images.reshape(N, -1), images)  # still readable after its pages were dropped


def test_map_chunks_keeps_file_order_and_sees_every_image(train_arrays):
    """Chunks worked on in threads come back in file order, each image once, whatever finishes first."""
    import time

    images, labels = train_arrays[0][:1_000], train_arrays[1][:1_000]
    split = Split("train", images, labels, np.arange(1, 1_001), ())

    def slow_first(start, chunk, chunk_labels):
        time.sleep(0.05 if start == 0 else 0)  # the first chunk finishes last
        return start, chunk.sum(dtype=np.int64), chunk_labels

    got = list(split.map_chunks(slow_first, size=97))
    assert [start for start, _, _ in got] == list(range(0, 1_000, 97))
    assert sum(total for _, total, _ in got) == images.sum(dtype=np.int64)
    np.testing.assert_array_equal(np.concatenate([part for _, _, part in got]), labels)


def test_read_ahead_passes_items_errors_and_stops_when_closed():
    import threading

    from mnist_report.loading.csvfile import read_ahead as _read_ahead

    assert list(_read_ahead(iter(range(5)))) == [0, 1, 2, 3, 4]

    def failing():
        yield 1
        raise ReportError("x.csv: broken")

    got = _read_ahead(failing())
    assert next(got) == 1
    with pytest.raises(ReportError, match=r"x\.csv: broken"):
        next(got)

    endless = _read_ahead(iter(int, 1))  # never ends on its own
    assert next(endless) == 0
    endless.close()
    assert not any(t.name == "mnist-report-read" for t in threading.enumerate())


def test_a_bad_csv_leaves_no_reading_thread(tmp_path):
    import threading

    bad = tmp_path / "bad.csv"  # a short row first, then more than one read block (BLOCK) of good ones
    good = ("5," + ",".join(["0"] * 784) + "\n").encode()
    bad.write_bytes(b"5,1,2\n" + good * (BLOCK // len(good) * 2))
    with pytest.raises(ReportError, match=r"bad\.csv") as caught:  # its traceback keeps the loader's frame alive
        load(bad)
    assert not any(t.name == "mnist-report-read" for t in threading.enumerate()), (
        "stopped before the error left the loader"
    )
    del caught
