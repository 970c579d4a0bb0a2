"""Labels the images seem to contradict: every image's out-of-sample disagreement with its label.

A one-hidden-layer network on the first PCA_DIMS principal components, trained by minibatch
gradient descent with momentum; each training image is scored by the network of the FOLDS fold
that did not see it, each test image by the average of the FOLDS networks (all trained on
training images only). The score is the margin: the largest probability of another class minus
the probability of the given label, from -1 (the network agrees) to +1 (it is sure of another).

Measured on MNIST (`python bench/health.py --compare`) against the 15 test images people
confirmed as mislabelled, top 50 / top 100 of the test split: this margin 8 / 11;
1 - p(given label) from the same network 6 / 10; a distance-weighted vote of the 10 nearest
training images on raw pixels 3 / 9; the mean of the margin's and the vote's ranks 8 / 9. The
margin ranks best, and scores the training split without a 60,000 x 60,000 neighbour search.
Trials of other sizes: 512 units gave the same 8 / 11, 80 components 6 / 9; 100 components with
512 units 8 / 12, at four times the cost (beyond the 30 s budget).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from ...loading.model import Split
from .. import pca
from ..gallery import Gallery
from ..neighbours import nearest
from .sample import SEED, Coverage, Sampled

METHOD = (
    "margin of a one-hidden-layer network (first 50 principal components, 256 ReLU units) "
    "scored out of fold: 4 folds for the training split, their average for the test split"
)
# The network's inputs use axes fitted on every training image: fitted on 10,000 of them,
# the measured recall above fell from 8 / 11 to 6 / 10.
PCA_DIMS = 50
HIDDEN = 256
FOLDS = 4
EPOCHS = 10
BATCH = 256
RATE = 0.1  # initial step, lowered along a cosine to 0 over the epochs
MOMENTUM = 0.9
SHOWN = 6  # candidates per split shown with their nearest training images: six rows of 50 px pictures fit a phone
NEIGHBOURS = 5  # training images shown beside each candidate


@dataclass(frozen=True, eq=False)
class LabelIssues:
    table: pl.DataFrame  # split, instance_row, label, suggested, score, rank (1 = most suspicious)
    neighbours: pl.DataFrame  # split, instance_row, rank, neighbour (1 = nearest), train_row, train_label, distance
    coverage: tuple[Coverage, ...]
    method: str = METHOD


def label_issues(splits: list[Sampled], n_classes: int) -> LabelIssues:
    """Every covered image's out-of-sample disagreement with its label, ranked within its split,
    and the nearest training images of each split's SHOWN top candidates."""
    train, *rest = splits
    components = pca.fit(train.pixels, PCA_DIMS, np.float32)
    scale = np.float32(255)  # pixels in [0, 1] keep the network's inputs near unit size
    train_x = components.project(train.pixels, np.float32) / scale
    test_x = components.project(rest[0].pixels, np.float32) / scale if rest else None
    probabilities = out_of_sample_probabilities(train_x, train.given, test_x, n_classes)
    frames, near = [], []
    for split, p in zip(splits, probabilities, strict=False):  # no test split: probabilities end with None
        score = margin(p, split.given)
        rank = rank_of(score)
        frames.append(
            pl.DataFrame(
                {
                    "split": split.name,
                    "instance_row": split.rows,
                    "label": split.given,
                    "suggested": p.argmax(axis=1),
                    "score": score,
                    "rank": rank,
                }
            )
        )
        top = np.argsort(rank)[:SHOWN]
        near.append(_neighbours(split, top, rank[top], train))
    table = pl.concat(frames).with_columns(
        pl.col("label", "suggested", "rank").cast(pl.Int64), pl.col("instance_row").cast(pl.Int64)
    )
    return LabelIssues(table, pl.concat(near), tuple(s.coverage for s in splits))


def _neighbours(split: Sampled, top: np.ndarray, ranks: np.ndarray, train: Sampled) -> pl.DataFrame:
    """The NEIGHBOURS nearest training images of the `top` covered rows; a training image's own row left out."""
    skip = split.name == "train"
    rows = split.rows[top]
    found = nearest(split.pixels[top], train.pixels, NEIGHBOURS + skip)
    index, distance = train.rows[found.index], found.distance
    if skip:  # drop the query itself (it need not come first when it has an identical twin)
        keep = index != rows[:, None]
        keep[keep.all(axis=1), -1] = False
        index, distance = index[keep].reshape(len(rows), -1), distance[keep].reshape(len(rows), -1)
    k = index.shape[1]
    return pl.DataFrame(
        {
            "split": split.name,
            "instance_row": np.repeat(rows, k).astype(np.int64),
            "rank": np.repeat(ranks, k).astype(np.int64),
            "neighbour": np.tile(np.arange(1, k + 1), len(rows)).astype(np.int64),
            "train_row": index.ravel().astype(np.int64),
            "train_label": train.labels[index.ravel()].astype(np.int64),
            "distance": distance.ravel(),
        }
    )


# --- the network ---------------------------------------------------------------------------


def _softmax(logits: np.ndarray) -> np.ndarray:
    logits = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    return p / p.sum(axis=1, keepdims=True)


def _train(x: np.ndarray, y: np.ndarray, n_classes: int, rng: np.random.Generator) -> list[np.ndarray]:
    """A one-hidden-layer ReLU network fitted by minibatch gradient descent with momentum."""
    d = x.shape[1]
    params = [
        (rng.standard_normal((d, HIDDEN)) * np.sqrt(2 / d)).astype(np.float32),
        np.zeros(HIDDEN, np.float32),
        (rng.standard_normal((HIDDEN, n_classes)) * np.sqrt(1 / HIDDEN)).astype(np.float32),
        np.zeros(n_classes, np.float32),
    ]
    velocity = [np.zeros_like(p) for p in params]
    for epoch in range(EPOCHS):
        rate = np.float32(RATE * 0.5 * (1 + np.cos(np.pi * epoch / EPOCHS)))
        order = rng.permutation(len(x))
        for start in range(0, len(x), BATCH):
            batch = order[start : start + BATCH]
            w1, b1, w2, b2 = params
            xb = x[batch]
            hidden = np.maximum(xb @ w1 + b1, 0)
            grad = _softmax(hidden @ w2 + b2)
            grad[np.arange(len(batch)), y[batch]] -= 1
            grad /= len(batch)
            back = (grad @ w2.T) * (hidden > 0)
            for v, g, p in zip(
                velocity, (xb.T @ back, back.sum(axis=0), hidden.T @ grad, grad.sum(axis=0)), params, strict=True
            ):
                v *= MOMENTUM
                v -= rate * g
                p += v
    return params


def _predict(params: list[np.ndarray], x: np.ndarray) -> np.ndarray:
    w1, b1, w2, b2 = params
    return _softmax(np.maximum(x @ w1 + b1, 0) @ w2 + b2)


def out_of_sample_probabilities(
    train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray | None, n_classes: int
) -> tuple[np.ndarray, np.ndarray | None]:
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


def rank_of(score: np.ndarray) -> np.ndarray:
    """1 for the highest score; ties go to the lower row."""
    order = np.lexsort((np.arange(len(score)), -score))
    rank = np.empty(len(score), np.int64)
    rank[order] = np.arange(1, len(score) + 1)
    return rank


# --- what the report shows --------------------------------------------------------------------


def shown(issues: LabelIssues, role: str, splits: dict[str, Split]) -> Gallery:
    """A split's SHOWN top candidates, then their nearest training images, with instance numbers and pictures:
    rank, neighbour (0: the candidate itself), split, instance, label, suggested, score, distance (Euclidean)."""
    top = issues.table.filter(pl.col("split") == role).sort("rank").head(SHOWN)
    near = issues.neighbours.filter((pl.col("split") == role) & (pl.col("rank") <= SHOWN)).sort("rank", "neighbour")
    schema = {
        "rank": pl.Int64,
        "neighbour": pl.Int64,
        "split": pl.String,
        "instance": pl.Int64,
        "label": pl.Int64,
        "suggested": pl.Int64,
        "score": pl.Float64,
        "distance": pl.Float64,
    }
    candidates = pl.DataFrame(
        {
            "rank": top["rank"],
            "neighbour": 0,
            "split": role,
            "instance": splits[role].instances[top["instance_row"].to_numpy()],
            "label": top["label"],
            "suggested": top["suggested"],
            "score": top["score"],
            "distance": None,
        },
        schema=schema,
    )
    beside = near.join(top.select("rank", "suggested", "score"), on="rank", how="left", maintain_order="left")
    neighbours = pl.DataFrame(
        {
            "rank": beside["rank"],
            "neighbour": beside["neighbour"],
            "split": "train",
            "instance": splits["train"].instances[beside["train_row"].to_numpy()],
            "label": beside["train_label"],
            "suggested": beside["suggested"],
            "score": beside["score"],
            "distance": beside["distance"],
        },
        schema=schema,
    )
    pictures = np.concatenate(
        [splits[role].take(top["instance_row"].to_numpy()), splits["train"].take(near["train_row"].to_numpy())]
    )
    return Gallery(pictures, pl.concat([candidates, neighbours]))


def table(issues: LabelIssues, splits: dict[str, Split]) -> pl.DataFrame:
    """The data file: split (as the files name it), instance, label, suggested, score, rank; train first."""
    if not issues.table.height:
        return pl.DataFrame()
    return pl.concat(
        [
            part.select(
                pl.lit(splits[role].name or "unknown").alias("split"),
                pl.Series("instance", splits[role].instances[part["instance_row"].to_numpy()], dtype=pl.Int64),
                "label",
                "suggested",
                "score",
                "rank",
            )
            for (role,), part in issues.table.partition_by("split", as_dict=True, maintain_order=True).items()
        ]
    ).sort("split", "rank", descending=[True, False])
