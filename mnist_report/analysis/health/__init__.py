"""Dataset health: label-issue candidates (labels.py), duplicate pairs (duplicates.py) and odd
images (odd.py), one module per check, on the rows sample.py covers (every row up to 60,000 a
split, beyond that a seeded sample).

Each check works on plain arrays and 0-based rows of its split; `examine` runs the three on the
report's splits and turns their rows into what the report needs: data files with instance
numbers, and the few pictures each figure shows, gathered here so drawing reads no file.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ...loading.model import Split
from .. import pca
from ..gallery import Gallery
from ..sampling import evenly_spaced
from . import duplicates as pairs
from . import labels
from . import odd as oddity
from .duplicates import Duplicates
from .labels import LabelIssues
from .odd import OddImages
from .sample import sample_splits

MIN_IMAGES = 100  # training images below which there is too little to fit the label networks on: no health part


@dataclass(frozen=True, eq=False)
class Health:
    """The three health results, their data files, and what their figures show.

    Splits are named by role, "train" and "test"; `names` says how the data files name them.
    """

    labels: LabelIssues
    duplicates: Duplicates
    odd: OddImages
    names: dict[str, str]  # role -> the split's name in the data files ("unknown" when the input does not say)
    label_table: pl.DataFrame  # data/label_issues: split, instance, label, suggested, score, rank
    pair_table: pl.DataFrame  # data/duplicates: split_a, instance_a, split_b, instance_b, distance (RMS), same_label
    candidates: dict[str, Gallery]  # role -> its top candidates, then their nearest training images
    pairs: Gallery  # the closest pairs, side by side
    oddest: Gallery  # the training split's most extreme faint, heavy and off-centre images

    @property
    def roles(self) -> list[str]:
        return list(self.names)


def examine(train: Split, test: Split | None, n_classes: int, components: pca.Components | None = None) -> Health:
    """Label issues, duplicates and odd images of a training split and, if given, a test split, with the
    report's principal components (the network's inputs, the duplicate search's directions; fitted here
    as analyze() fits them when not given)."""
    if components is None:
        rows = evenly_spaced(len(train), pca.MAX_FIT)
        components = pca.fit(train.take(rows).reshape(len(rows), -1), pca.DIMS)
    splits = {"train": train, **({"test": test} if test is not None else {})}
    sampled = sample_splits(
        train.images.reshape(len(train), -1),
        train.labels,
        None if test is None else test.images.reshape(len(test), -1),
        None if test is None else test.labels,
    )
    issues, found = labels.label_issues(sampled, n_classes, components), pairs.duplicates(sampled, components)
    odd = oddity.odd_images(sampled, n_classes, train.images.shape[1:])
    return Health(
        issues,
        found,
        odd,
        {role: split.name or "unknown" for role, split in splits.items()},
        labels.table(issues, splits),
        pairs.table(found, splits),
        {role: labels.shown(issues, role, splits) for role in splits},
        pairs.shown(found, splits),
        oddity.shown(odd, "train", train),
    )
