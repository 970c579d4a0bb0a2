"""Labels the images seem to contradict: each image's disagreement with its label, by one small network.

One network (one hidden layer of HIDDEN ReLU units on the first principal components) is trained
once on every covered training image. While it trains, each training image's log-probabilities
from its own forward passes are summed over the epochs, at no extra cost: a correctly labelled
image is learned early and keeps a clear lead, a wrongly labelled one disagrees with its label for
most of training and is memorised late if at all (the "area under the margin", Pleiss et al. 2020).
Test images are never trained on, so the final network scores them.

The margin is in log-odds: the log-probability of the likeliest other class minus that of the
given label. Unlike a difference of probabilities it keeps growing as a label becomes implausible
instead of stopping at 1, which sets a plainly wrong label apart from one the image could carry.
The score is tanh(margin / 2), in (-1, 1): above 0 the network prefers the suggested class.

Measured (`python bench/health.py --compare`) against the 15 MNIST test images people confirmed as
mislabelled, in the test split's top 50 / top 100: 9 / 13 (over ten seeds of the network, 8.8 / 12.1
on average, 11 to 14 in the top 100), where four out-of-fold networks with a probability margin put
8 / 11 (6.5 / 10.3); on 1% of labels changed on purpose it finds 549 of 600 MNIST and 481 of 600
Fashion-MNIST training errors in the top 600 (out-of-fold: 506 and 342), in a third of the time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from threadpoolctl import threadpool_limits

from ...loading.model import Split
from .. import pca
from ..gallery import Gallery
from ..neighbours import nearest
from .sample import SEED, Coverage, Sampled

METHOD = (
    "log-odds margin of a one-hidden-layer network (first 50 principal components, 256 ReLU units), "
    "averaged over training for the training split, from the trained network for the test split"
)
HIDDEN = 256  # 128 units found one confirmed error fewer on average over ten seeds
EPOCHS = 10  # 5 or 6 ranked worse, 15 no better
BATCH = 256
RATE = 0.3  # initial step, lowered along a cosine to 0: 0.1 under-fits in 10 epochs
MOMENTUM = 0.9
SHOWN = 6  # candidates per split shown with their nearest training images: six rows of 50 px pictures fit a phone
NEIGHBOURS = 5  # training images shown beside each candidate


@dataclass(frozen=True, eq=False)
class LabelIssues:
    table: pl.DataFrame  # split, instance_row, label, suggested, score, margin, rank (1 = most suspicious)
    neighbours: pl.DataFrame  # split, instance_row, rank, neighbour (1 = nearest), train_row, train_label, distance
    coverage: tuple[Coverage, ...]
    method: str = METHOD


def label_issues(splits: list[Sampled], n_classes: int, components: pca.Components) -> LabelIssues:
    """Every covered image's disagreement with its label, ranked within its split, and the nearest
    training images of each split's SHOWN top candidates."""
    train = splits[0]
    inputs = [_inputs(split, components) for split in splits]
    # One BLAS thread: the network's thousands of small products gain nothing from two, and on a
    # machine whose other core is busy the second thread's waits made them ten times slower.
    with threadpool_limits(1, user_api="blas"):
        params, averaged = _train(inputs[0], train.given, n_classes)
        logp = [averaged, *(_forward(params, x)[1] for x in inputs[1:])]
    frames, near = [], []
    for split, p in zip(splits, logp, strict=True):
        margin = _margin(p, split.given)
        rank = rank_of(margin)
        frames.append(
            pl.DataFrame(
                {
                    "split": split.name,
                    "instance_row": split.rows,
                    "label": split.given,
                    "suggested": p.argmax(axis=1),
                    "score": np.tanh(margin / 2),
                    "margin": margin,
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


def _inputs(split: Sampled, components: pca.Components) -> np.ndarray:
    """float32[n, DIMS]: the images on the first principal axes, in units of 255 grey levels (inputs near unit
    size); the shared components hold more axes, for the neighbour search."""
    return components.first(pca.DIMS).project(split.pixels, np.float32) / np.float32(255)


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


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _forward(params: list[np.ndarray], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hidden activations and log-probabilities."""
    w1, b1, w2, b2 = params
    hidden = np.maximum(x @ w1 + b1, 0)
    return hidden, _log_softmax(hidden @ w2 + b2)


def _step(
    params: list[np.ndarray], velocity: list[np.ndarray], x: np.ndarray, y: np.ndarray, rate: np.float32
) -> np.ndarray:
    """One step of momentum SGD on a batch's mean cross-entropy; the batch's log-probabilities before it."""
    _, _, w2, _ = params
    hidden, logp = _forward(params, x)
    grad = np.exp(logp)
    grad[np.arange(len(y)), y] -= 1
    grad /= len(y)
    back = (grad @ w2.T) * (hidden > 0)
    for v, g, p in zip(
        velocity, (x.T @ back, back.sum(axis=0), hidden.T @ grad, grad.sum(axis=0)), params, strict=True
    ):
        v *= MOMENTUM
        v -= rate * g
        p += v
    return logp


def _train(x: np.ndarray, y: np.ndarray, n_classes: int) -> tuple[list[np.ndarray], np.ndarray]:
    """The network trained on every row for EPOCHS epochs, and each row's log-probabilities from its own
    forward passes, averaged over the epochs (float32[n, n_classes])."""
    rng = np.random.default_rng(SEED)
    d = x.shape[1]
    params = [
        (rng.standard_normal((d, HIDDEN)) * np.sqrt(2 / d)).astype(np.float32),
        np.zeros(HIDDEN, np.float32),
        (rng.standard_normal((HIDDEN, n_classes)) * np.sqrt(1 / HIDDEN)).astype(np.float32),
        np.zeros(n_classes, np.float32),
    ]
    velocity = [np.zeros_like(p) for p in params]
    total = np.zeros((len(x), n_classes), np.float32)
    for epoch in range(EPOCHS):
        rate = np.float32(RATE * 0.5 * (1 + np.cos(np.pi * epoch / EPOCHS)))
        order = rng.permutation(len(x))
        for start in range(0, len(x), BATCH):
            batch = order[start : start + BATCH]  # distinct rows: += adds once per row
            total[batch] += _step(params, velocity, x[batch], y[batch], rate)
    return params, total / np.float32(EPOCHS)


def _margin(logp: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """float64[n]: the largest log-probability of another class minus that of the given label."""
    rows = np.arange(len(labels))
    given = logp[rows, labels].astype(np.float64)
    others = logp.astype(np.float64)
    others[rows, labels] = -np.inf
    return others.max(axis=1) - given


def rank_of(score: np.ndarray) -> np.ndarray:
    """1 for the highest score; ties go to the lower row."""
    order = np.lexsort((np.arange(len(score)), -score))
    rank = np.empty(len(score), np.int64)
    rank[order] = np.arange(1, len(score) + 1)
    return rank


# --- what the report shows --------------------------------------------------------------------


def shown(issues: LabelIssues, role: str, splits: dict[str, Split]) -> Gallery:
    """A split's SHOWN top candidates, then their nearest training images, with instance numbers and pictures:
    rank, neighbour (0: the candidate itself), split, instance, label, suggested, score, margin, distance (Euclidean)."""
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
        "margin": pl.Float64,
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
            "margin": top["margin"],
            "distance": None,
        },
        schema=schema,
    )
    beside = near.join(top.select("rank", "suggested", "score", "margin"), on="rank", how="left", maintain_order="left")
    neighbours = pl.DataFrame(
        {
            "rank": beside["rank"],
            "neighbour": beside["neighbour"],
            "split": "train",
            "instance": splits["train"].instances[beside["train_row"].to_numpy()],
            "label": beside["train_label"],
            "suggested": beside["suggested"],
            "score": beside["score"],
            "margin": beside["margin"],
            "distance": beside["distance"],
        },
        schema=schema,
    )
    pictures = np.concatenate(
        [splits[role].take(top["instance_row"].to_numpy()), splits["train"].take(near["train_row"].to_numpy())]
    )
    return Gallery(pictures, pl.concat([candidates, neighbours]))


def table(issues: LabelIssues, splits: dict[str, Split]) -> pl.DataFrame:
    """The data file: split (as the files name it), instance, label, suggested, score, rank, margin; train first."""
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
                "margin",
            )
            for (role,), part in issues.table.partition_by("split", as_dict=True, maintain_order=True).items()
        ]
    ).sort("split", "rank", descending=[True, False])
