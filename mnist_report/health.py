"""Dataset health on plain arrays: label-issue candidates, duplicate pairs and odd images.

Every function takes uint8[N, 784] pixel matrices and labels of the training split and,
when there is one, of the test split; rows are 0-based within their own split (the
caller maps them to instance numbers). Each concern returns one frozen result whose
tables are small polars frames. Above SAMPLE_LIMIT images a split is handled through a
deterministic sample, and every result says how many rows of each split it covered.

Label issues are scored by a small neural network trained with numpy on the leading
principal components of the training pixels; duplicates are found through the same
principal components and confirmed on raw pixels. The method notes below give the
figures measured against the published human review of the MNIST test labels.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import polars as pl

from .loading.chunks import gather
from .loading.csvfile import PIXELS
from .loading.idx import SIDE
from .neighbours import nearest
from .sampling import evenly_spaced

CHUNK = 4096  # images per step of the chunked passes: 4096 x 784 float32 is 13 MB
SAMPLE_LIMIT = 60_000  # images per split (all of MNIST's); above it a split is checked on a deterministic sample: the network and the pair search grow faster than the input
# The duplicate search only needs orthonormal axes (any give a lower bound); fitted on at
# most PCA_FIT evenly spaced images they filter about as well as on all, at a sixth of the cost.
# The network's inputs use axes fitted on every training image: with the 10,000-image axes
# the measured recall below fell from 8 / 11 to 6 / 10.
PCA_FIT = 10_000
SEED = 0  # every random choice (sample, folds, initial weights, batch order) derives from it

# Label issues: a one-hidden-layer network on the first PCA_DIMS principal components,
# trained by minibatch gradient descent with momentum; each training image is scored by
# the network of the FOLDS fold that did not see it, each test image by the average of
# the FOLDS networks (all trained on training images only). The score is the margin: the
# largest probability of another class minus the probability of the given label, from -1
# (the network agrees) to +1 (it is sure of another class).
# Measured on MNIST (`python bench/health.py --compare`) against the 15 test images people
# confirmed as mislabelled, top 50 / top 100 of the test split: this margin 8 / 11;
# 1 - p(given label) from the same network 6 / 10; a distance-weighted vote of the 10
# nearest training images on raw pixels 3 / 9; the mean of the margin's and the vote's ranks
# 8 / 9. The margin ranks best, and scores the training split without a 60,000 x 60,000
# neighbour search. Trials of other sizes: 512 units gave the same 8 / 11, 80 components
# 6 / 9; 100 components with 512 units 8 / 12, at four times the cost (beyond the 30 s budget).
LABEL_METHOD = ("margin of a one-hidden-layer network (first 50 principal components, 256 ReLU units) "
                "scored out of fold: 4 folds for the training split, their average for the test split")
PCA_DIMS = 50
HIDDEN = 256
FOLDS = 4
EPOCHS = 10
BATCH = 256
RATE = 0.1  # initial step, lowered along a cosine to 0 over the epochs
MOMENTUM = 0.9
TOP = 24  # candidates per split shown with their nearest training images
MIN_IMAGES = 100  # training images below which there is too little to fit FOLDS networks on: no health part
NEIGHBOURS = 5  # training images shown beside each candidate

# Duplicates: identical bytes (hashed) are exact duplicates; distinct images closer than
# NEAR_RMS in RMS grey levels (Euclidean / 28) are near duplicates: 5 of 255 on average is
# a retouch, not another drawing (no two MNIST images are that close; its closest pair is
# about 7 apart).
NEAR_RMS = 5.0
SEARCH_DIMS = 16  # principal components the candidate search runs in
MAX_PAIRS = 20_000  # the closest pairs kept in the table; `n_pairs` counts them all
BLOCK = 1024  # query rows per step of the candidate search

# Odd images. Ink is the mean grey level (0-255). It is judged within its class by the
# modified z-score (median and MAD), whose usual outlier cut-off is 3.5 (Iglewicz and
# Hoaglin): thin ones and wide zeros are normal, a 1 as dark as an 8 is not.
# The distance of the centre of mass from the frame's centre is judged the same way within
# its class (Fashion-MNIST's boots and bags sit off centre by design), and only counts from
# OFFSET_PX pixels: MNIST was centred on the centre of mass, all within 1.5 px.
INK_Z = 3.5
OFFSET_PX = 2.0
EXTREMES = 12  # rows listed per kind of oddity


@dataclass(frozen=True)
class Coverage:
    """How many rows of a split a result covers: all of them, or a deterministic sample."""

    split: str
    total: int
    used: int

    @property
    def sampled(self) -> bool:
        return self.used < self.total


@dataclass(frozen=True, eq=False)
class LabelIssues:
    table: pl.DataFrame  # split, instance_row, label, suggested, score, rank (1 = most suspicious)
    neighbours: pl.DataFrame  # split, instance_row, rank, neighbour (1 = nearest), train_row, train_label, distance
    coverage: tuple[Coverage, ...]
    method: str = LABEL_METHOD


DUPLICATE_SCHEMA = {"split_a": pl.String, "row_a": pl.Int64, "split_b": pl.String, "row_b": pl.Int64,
                    "distance": pl.Float64, "same_label": pl.Boolean}


@dataclass(frozen=True, eq=False)
class Duplicates:
    table: pl.DataFrame  # split_a, row_a, split_b, row_b, distance (Euclidean), same_label; closest first
    n_pairs: int  # pairs found, before keeping the MAX_PAIRS closest
    n_exact: int  # of them, identical images (distance 0)
    n_differ: int  # of them, pairs whose labels differ
    coverage: tuple[Coverage, ...]
    threshold_rms: float = NEAR_RMS

    def images_with_twin(self, split_a: str, split_b: str, rms: float) -> int:
        """How many images of split_a have an image of split_b within `rms` (RMS grey levels)."""
        pairs = self.table.filter(pl.col("distance") <= rms * SIDE)
        rows = set()
        if split_a == split_b:
            same = pairs.filter((pl.col("split_a") == split_a) & (pl.col("split_b") == split_a))
            rows.update(same["row_a"].to_list(), same["row_b"].to_list())
        else:
            for a, b in (("a", "b"), ("b", "a")):
                part = pairs.filter((pl.col(f"split_{a}") == split_a) & (pl.col(f"split_{b}") == split_b))
                rows.update(part[f"row_{a}"].to_list())
        return len(rows)


@dataclass(frozen=True, eq=False)
class OddImages:
    measures: pl.DataFrame  # split, row, label, ink, ink_z, offset, offset_z: every covered image
    flagged: pl.DataFrame  # split, row, label, kind (faint, heavy, off_centre), value: the oddities
    counts: pl.DataFrame  # split, label, faint, heavy, off_centre
    extremes: pl.DataFrame  # the EXTREMES most extreme rows of each kind and split, most extreme first
    coverage: tuple[Coverage, ...]


# ---------------------------------------------------------------------------- shared


def _splits(train_images, train_labels, test_images, test_labels):
    """[(name, images, labels, rows, pixels)]: each split's covered rows (a sample above
    SAMPLE_LIMIT) and their pixels, read once (examine() passes them to all three checks)."""
    out = []
    for name, images, labels in (("train", train_images, train_labels), ("test", test_images, test_labels)):
        if images is not None:
            rows = _sample(len(images))
            out.append((name, images, np.asarray(labels), rows, _take(images, rows)))
    return out


def _sample(n: int) -> np.ndarray:
    """All rows, or SAMPLE_LIMIT rows drawn without replacement by a fixed seed, in row order."""
    if n <= SAMPLE_LIMIT:
        return np.arange(n)
    return np.sort(np.random.default_rng(SEED).choice(n, SAMPLE_LIMIT, replace=False))


def _coverage(splits) -> tuple[Coverage, ...]:
    return tuple(Coverage(name, len(images), len(rows)) for name, images, _, rows, _ in splits)


def _take(images: np.ndarray, rows: np.ndarray) -> np.ndarray:
    return images if len(rows) == len(images) else gather(images, rows)


def principal_components(images: np.ndarray, dims: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean (float32[784]) and the leading `dims` principal axes (float32[784, dims], orthonormal
    columns) of the centred pixels, from the 784 x 784 covariance accumulated a chunk at a time."""
    n = len(images)
    total = np.zeros(PIXELS)
    gram = np.zeros((PIXELS, PIXELS))
    for start in range(0, n, CHUNK):
        x = images[start:start + CHUNK].astype(np.float32)
        total += x.sum(axis=0, dtype=np.float64)
        gram += x.T @ x
    mean = total / n
    _, vectors = np.linalg.eigh(gram / n - np.outer(mean, mean))
    return mean.astype(np.float32), np.ascontiguousarray(vectors[:, ::-1][:, :dims]).astype(np.float32)


def _project(images: np.ndarray, mean: np.ndarray, axes: np.ndarray) -> np.ndarray:
    out = np.empty((len(images), axes.shape[1]), np.float32)
    for start in range(0, len(images), CHUNK):
        out[start:start + CHUNK] = (images[start:start + CHUNK].astype(np.float32) - mean) @ axes
    return out


# ---------------------------------------------------------------------------- label issues


def _softmax(logits: np.ndarray) -> np.ndarray:
    logits = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    return p / p.sum(axis=1, keepdims=True)


def _train(x: np.ndarray, y: np.ndarray, n_classes: int, rng: np.random.Generator) -> list[np.ndarray]:
    """A one-hidden-layer ReLU network fitted by minibatch gradient descent with momentum."""
    d = x.shape[1]
    params = [(rng.standard_normal((d, HIDDEN)) * np.sqrt(2 / d)).astype(np.float32), np.zeros(HIDDEN, np.float32),
              (rng.standard_normal((HIDDEN, n_classes)) * np.sqrt(1 / HIDDEN)).astype(np.float32),
              np.zeros(n_classes, np.float32)]
    velocity = [np.zeros_like(p) for p in params]
    for epoch in range(EPOCHS):
        rate = np.float32(RATE * 0.5 * (1 + np.cos(np.pi * epoch / EPOCHS)))
        order = rng.permutation(len(x))
        for start in range(0, len(x), BATCH):
            batch = order[start:start + BATCH]
            w1, b1, w2, b2 = params
            xb = x[batch]
            hidden = np.maximum(xb @ w1 + b1, 0)
            grad = _softmax(hidden @ w2 + b2)
            grad[np.arange(len(batch)), y[batch]] -= 1
            grad /= len(batch)
            back = (grad @ w2.T) * (hidden > 0)
            for v, g, p in zip(velocity, (xb.T @ back, back.sum(axis=0), hidden.T @ grad, grad.sum(axis=0)), params):
                v *= MOMENTUM
                v -= rate * g
                p += v
    return params


def _predict(params: list[np.ndarray], x: np.ndarray) -> np.ndarray:
    w1, b1, w2, b2 = params
    return _softmax(np.maximum(x @ w1 + b1, 0) @ w2 + b2)


def out_of_sample_probabilities(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray | None,
                                n_classes: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Class probabilities of every training row from the fold network that did not train on it,
    and of every test row as the mean of the fold networks."""
    rng = np.random.default_rng(SEED)
    folds = rng.permutation(len(train_x)) % FOLDS
    train_p = np.zeros((len(train_x), n_classes), np.float32)
    test_p = None if test_x is None else np.zeros((len(test_x), n_classes), np.float32)
    for fold in range(FOLDS):
        params = _train(train_x[folds != fold], train_y[folds != fold], n_classes, rng)
        held = np.flatnonzero(folds == fold)
        train_p[held] = _predict(params, train_x[held])
        if test_p is not None:
            test_p += _predict(params, test_x) / FOLDS
    return train_p, test_p


def margin(probabilities: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Largest probability of another class minus that of the given label, in [-1, 1]."""
    rows = np.arange(len(labels))
    given = probabilities[rows, labels]
    others = probabilities.copy()
    others[rows, labels] = -1
    return (others.max(axis=1) - given).astype(np.float64)


def _rank(score: np.ndarray) -> np.ndarray:
    """1 for the highest score; ties go to the lower row."""
    order = np.lexsort((np.arange(len(score)), -score))
    rank = np.empty(len(score), np.int64)
    rank[order] = np.arange(1, len(score) + 1)
    return rank


def label_issues(train_images: np.ndarray, train_labels: np.ndarray, test_images: np.ndarray | None,
                 test_labels: np.ndarray | None, n_classes: int, splits: list | None = None) -> LabelIssues:
    """Every covered image's out-of-sample disagreement with its label, ranked within its split,
    and the nearest training images of each split's TOP candidates."""
    splits = splits or _splits(train_images, train_labels, test_images, test_labels)
    (_, train, train_y, train_rows, train_px), *rest = splits
    mean, axes = principal_components(train_px, PCA_DIMS)
    scale = np.float32(255)  # pixels in [0, 1] keep the network's inputs near unit size
    train_x = _project(train_px, mean, axes) / scale
    test_x = _project(rest[0][4], mean, axes) / scale if rest else None
    probabilities = out_of_sample_probabilities(train_x, train_y[train_rows].astype(np.int64), test_x, n_classes)
    frames, near = [], []
    for (name, images, labels, rows, pixels), p in zip(splits, probabilities):
        given = labels[rows].astype(np.int64)
        score = margin(p, given)
        rank = _rank(score)
        frames.append(pl.DataFrame({"split": name, "instance_row": rows, "label": given,
                                    "suggested": p.argmax(axis=1), "score": score, "rank": rank}))
        top = np.argsort(rank)[:TOP]
        near.append(_gallery(name, pixels[top], rows[top], rank[top], train_px, train_rows, train_y,
                             skip=name == "train"))
    table = pl.concat(frames).with_columns(pl.col("label", "suggested", "rank").cast(pl.Int64),
                                           pl.col("instance_row").cast(pl.Int64))
    return LabelIssues(table, pl.concat(near), _coverage(splits))


def _gallery(name, queries, rows, ranks, train_px, train_rows, train_y, skip: bool) -> pl.DataFrame:
    """The NEIGHBOURS nearest training images of each query; a training query's own row left out."""
    found = nearest(queries, train_px, NEIGHBOURS + skip)
    index, distance = train_rows[found.index], found.distance
    if skip:  # drop the query itself (it need not come first when it has an identical twin)
        keep = index != rows[:, None]
        keep[keep.all(axis=1), -1] = False
        index, distance = index[keep].reshape(len(rows), -1), distance[keep].reshape(len(rows), -1)
    k = index.shape[1]
    return pl.DataFrame({
        "split": name, "instance_row": np.repeat(rows, k).astype(np.int64), "rank": np.repeat(ranks, k).astype(np.int64),
        "neighbour": np.tile(np.arange(1, k + 1), len(rows)).astype(np.int64), "train_row": index.ravel().astype(np.int64),
        "train_label": train_y[index.ravel()].astype(np.int64), "distance": distance.ravel(),
    })


# ---------------------------------------------------------------------------- duplicates


def duplicates(train_images: np.ndarray, train_labels: np.ndarray, test_images: np.ndarray | None = None,
               test_labels: np.ndarray | None = None, splits: list | None = None) -> Duplicates:
    """Exact (identical bytes) and near (RMS below NEAR_RMS) duplicate pairs within each split
    and between test and train.

    Near pairs are searched in the first SEARCH_DIMS principal components: projecting onto
    orthonormal axes never lengthens a difference, so every pair within the radius in pixels
    is within it there too; those candidates are then measured exactly on the raw pixels.
    """
    splits = splits or _splits(train_images, train_labels, test_images, test_labels)
    fit = splits[0][4]
    mean, axes = principal_components(fit[evenly_spaced(len(fit), PCA_FIT)], SEARCH_DIMS)
    radius = NEAR_RMS * SIDE
    found = []
    for i, (name_a, _, labels_a, rows_a, a) in enumerate(splits):
        for name_b, _, labels_b, rows_b, b in splits[:i + 1]:  # train-train, test-train, test-test
            same = name_a == name_b
            pairs = [_exact_pairs(a, b, same), _near_pairs(a, b, mean, axes, radius, same)]
            ia = np.concatenate([p[0] for p in pairs])
            ib = np.concatenate([p[1] for p in pairs])
            dist = np.concatenate([p[2] for p in pairs])
            if same:  # within a split, write the lower row first
                ia, ib = np.minimum(ia, ib), np.maximum(ia, ib)
            found.append(pl.DataFrame({
                "split_a": [name_a] * len(ia), "row_a": rows_a[ia], "split_b": [name_b] * len(ia),
                "row_b": rows_b[ib], "distance": dist, "same_label": labels_a[rows_a[ia]] == labels_b[rows_b[ib]]},
                schema=DUPLICATE_SCHEMA))
    table = pl.concat(found)
    n_pairs, n_exact, n_differ = len(table), int((table["distance"] == 0).sum()), int((~table["same_label"]).sum())
    table = table.sort("distance", "split_a", "row_a", "split_b", "row_b")
    return Duplicates(table.head(MAX_PAIRS), n_pairs, n_exact, n_differ, _coverage(splits))


def _digests(images: np.ndarray) -> list[bytes]:
    return [hashlib.blake2b(row.tobytes(), digest_size=16).digest() for row in images]


def _exact_pairs(a: np.ndarray, b: np.ndarray, same: bool):
    """Identical images, each paired with the first (lowest row) of b holding the same bytes:
    a group of g copies is g - 1 pairs within a split, not g(g - 1)/2."""
    digests_b = _digests(b)
    first: dict[bytes, int] = {}
    for row, digest in enumerate(digests_b):
        first.setdefault(digest, row)
    ia, ib = [], []
    for row, digest in enumerate(digests_b if same else _digests(a)):
        twin = first.get(digest)
        if twin is not None and (not same or twin != row):
            ia.append(row)
            ib.append(twin)
    ia, ib = np.array(ia, np.int64), np.array(ib, np.int64)
    # a hash could collide: keep only pairs whose bytes are really equal
    equal = (a[ia] == b[ib]).all(axis=1) if len(ia) else np.zeros(0, bool)
    return ia[equal], ib[equal], np.zeros(int(equal.sum()))


def _near_pairs(a: np.ndarray, b: np.ndarray, mean: np.ndarray, axes: np.ndarray, radius: float, same: bool):
    """Pairs of distinct images with 0 < Euclidean distance <= radius (for `same`, a is b and i < j)."""
    za, zb = _project(a, mean, axes), _project(b, mean, axes)
    # Sorting both sides by the first component bounds each block's partners to a window:
    # two images further apart than the radius along one axis are further apart overall.
    order_a, order_b = np.argsort(za[:, 0], kind="stable"), np.argsort(zb[:, 0], kind="stable")
    za, zb = za[order_a], zb[order_b]
    key = zb[:, 0]
    sq_a, sq_b = np.einsum("ij,ij->i", za, za), np.einsum("ij,ij->i", zb, zb)
    # One product gives |a|² + |b|² - 2a·b. Its float32 rounding stays below 1e-5 of the largest
    # |a|² + |b|²: that slack keeps every true candidate; the exact check removes the extra ones.
    left = np.hstack([-2 * za, sq_a[:, None], np.ones((len(za), 1), np.float32)])
    right = np.hstack([zb, np.ones((len(zb), 1), np.float32), sq_b[:, None]])
    bound = np.float32(radius ** 2 + 1e-5 * 2 * (sq_a.max(initial=0) + sq_b.max(initial=0)))
    ia, ib = [], []
    for start in range(0, len(za), BLOCK):
        stop = min(start + BLOCK, len(za))
        lo = int(np.searchsorted(key, za[start, 0] - radius, "left"))
        hi = int(np.searchsorted(key, za[stop - 1, 0] + radius, "right"))
        if same:
            lo = max(lo, start)  # pairs with an earlier block were found from that block
        qi, ri = np.nonzero(left[start:stop] @ right[lo:hi].T <= bound)
        qi, ri = qi + start, ri + lo
        if same:
            qi, ri = qi[ri > qi], ri[ri > qi]
        ia.append(order_a[qi])
        ib.append(order_b[ri])
    ia, ib = np.concatenate(ia), np.concatenate(ib)
    distance = _pair_distances(a, b, ia, ib)
    keep = (distance > 0) & (distance <= radius)  # identical images are the exact pairs' business
    return ia[keep], ib[keep], distance[keep]


def _pair_distances(a, b, ia, ib) -> np.ndarray:
    """Exact Euclidean distances of the given pairs, in integer arithmetic, a chunk at a time."""
    out = np.empty(len(ia))
    for start in range(0, len(ia), CHUNK):
        diff = a[ia[start:start + CHUNK]].astype(np.int32) - b[ib[start:start + CHUNK]].astype(np.int32)
        out[start:start + CHUNK] = np.sqrt(np.einsum("ij,ij->i", diff, diff))
    return out


# ---------------------------------------------------------------------------- odd images


def _ink_and_offset(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean grey level and the distance (px) of the centre of mass from the frame's centre
    (NaN for an image without ink)."""
    coord = np.arange(SIDE, dtype=np.float64) - (SIDE - 1) / 2
    ink, offset = np.empty(len(images)), np.empty(len(images))
    for start in range(0, len(images), CHUNK):
        x = images[start:start + CHUNK].reshape(-1, SIDE, SIDE).astype(np.float64)
        mass = x.sum(axis=(1, 2))
        with np.errstate(invalid="ignore", divide="ignore"):
            dy = (x.sum(axis=2) @ coord) / mass
            dx = (x.sum(axis=1) @ coord) / mass
        ink[start:start + len(x)] = mass / PIXELS
        offset[start:start + len(x)] = np.hypot(dx, dy)
    return ink, offset


def _modified_z(values: np.ndarray, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """0.6745 (x - median) / MAD within each class; 0 where a class's MAD is 0."""
    z = np.zeros(len(values))
    for k in range(n_classes):
        mine = labels == k
        if mine.any():
            median = np.median(values[mine])
            mad = np.median(np.abs(values[mine] - median))
            z[mine] = 0.6745 * (values[mine] - median) / mad if mad > 0 else 0.0
    return z


def odd_images(train_images: np.ndarray, train_labels: np.ndarray, test_images: np.ndarray | None,
               test_labels: np.ndarray | None, n_classes: int, splits: list | None = None) -> OddImages:
    """Images with far too little or too much ink for their class, or ink far off centre."""
    splits = splits or _splits(train_images, train_labels, test_images, test_labels)
    measures = []
    for name, _, labels, rows, pixels in splits:
        ink, offset = _ink_and_offset(pixels)
        given = labels[rows].astype(np.int64)
        blank = np.isnan(offset)  # no ink at all: nothing has a centre, and it is faint anyway
        measures.append(pl.DataFrame({
            "split": name, "row": rows.astype(np.int64), "label": given, "ink": ink,
            "ink_z": _modified_z(ink, given, n_classes), "offset": np.where(blank, 0.0, offset),
            "offset_z": np.where(blank, 0.0, _modified_z(np.where(blank, 0.0, offset), given, n_classes))}))
    table = pl.concat(measures)
    kinds = {  # kind: (condition, how extreme: larger is more)
        "faint": ((pl.col("ink_z") < -INK_Z) | (pl.col("ink") == 0), pl.when(pl.col("ink") == 0).then(np.inf).otherwise(-pl.col("ink_z"))),
        "heavy": (pl.col("ink_z") > INK_Z, pl.col("ink_z")),
        "off_centre": ((pl.col("offset_z") > INK_Z) & (pl.col("offset") > OFFSET_PX), pl.col("offset")),
    }
    flagged = pl.concat([table.filter(cond).select("split", "row", "label", pl.lit(kind).alias("kind"), value.alias("value"))
                         for kind, (cond, value) in kinds.items()])
    grid = pl.DataFrame([(name, k) for name, *_ in splits for k in range(n_classes)], schema=["split", "label"], orient="row")
    per_class = flagged.group_by("split", "label").agg([(pl.col("kind") == kind).sum().cast(pl.Int64).alias(kind) for kind in kinds])
    counts = grid.join(per_class, on=["split", "label"], how="left", maintain_order="left").fill_null(0)
    extremes = flagged.sort(["value", "row"], descending=[True, False]).group_by("split", "kind", maintain_order=True).head(EXTREMES)
    return OddImages(table, flagged, counts, extremes, _coverage(splits))


# ---------------------------------------------------------------------------- the report's part


@dataclass(frozen=True, eq=False)
class Health:
    """The three health results for a dataset, and the splits their rows refer to."""

    labels: LabelIssues
    duplicates: Duplicates
    odd: OddImages
    splits: dict  # "train" / "test" -> the datasets.Split whose 0-based rows the tables hold

    def instances(self, split: str, rows) -> np.ndarray:
        return self.splits[split].instances[np.asarray(rows, dtype=np.int64)]

    def pixels(self, split: str, rows) -> np.ndarray:
        """uint8[k, 28, 28]: the images at the given rows."""
        return self.splits[split].take(np.asarray(rows, dtype=np.int64))

    def split_name(self, split: str) -> str:
        """The name a data file gives the split ("unknown" when the input does not say)."""
        return self.splits[split].name or "unknown"


def examine(train, test, n_classes: int) -> Health:
    """Label issues, duplicates and odd images of a training split (datasets.Split) and, if given, a test split."""
    arrays = [train.images.reshape(len(train), PIXELS), train.labels]
    arrays += [test.images.reshape(len(test), PIXELS), test.labels] if test is not None else [None, None]
    splits = _splits(*arrays)  # each split's sample read once for the three checks
    return Health(label_issues(*arrays, n_classes, splits), duplicates(*arrays, splits), odd_images(*arrays, n_classes, splits),
                  {"train": train, **({"test": test} if test is not None else {})})
