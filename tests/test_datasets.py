"""Every input format ends in the same Dataset, checked against images read directly (the sample's npz, itself checked against the IDX files)."""

from __future__ import annotations

import gzip
import shutil

import numpy as np
import pytest

from mnist_report.datasets import HEADER, load, load_sample
from mnist_report.errors import ReportError

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
    assert [s.format for s in dataset.sources] == [f"IDX images{', gzip' if compressed else ''}", f"IDX labels{', gzip' if compressed else ''}"]


def test_idx_with_labels_named_explicitly(tmp_path, first_images):
    images, labels = first_images[0][:N], first_images[1][:N]
    write_idx(tmp_path / "pictures.bin", images.reshape(-1, 28, 28))
    write_idx(tmp_path / "answers.bin", labels)
    assert_same(load(tmp_path / "pictures.bin", labels=tmp_path / "answers.bin"), images, labels)
    with pytest.raises(ReportError, match="pictures.bin.*--labels"):
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
    with pytest.raises(ValueError):
        sample.images[0, 0, 0] = 1
