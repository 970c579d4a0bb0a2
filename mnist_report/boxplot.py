"""Tukey boxplot statistics: one definition for every boxplot of the report."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Box:
    n: int
    min: float
    q1: float
    median: float
    q3: float
    max: float
    mean: float
    whisker_low: float  # the smallest value within 1.5 box lengths below the box
    whisker_high: float  # the largest within 1.5 box lengths above it

    def beyond(self, values: np.ndarray) -> np.ndarray:
        """Which values lie beyond the whiskers (the boxplot's outliers)."""
        return (values < self.whisker_low) | (values > self.whisker_high)


def box(values: np.ndarray) -> Box:
    """Exact quartiles (numpy's default linear interpolation) of a non-empty array."""
    q1, median, q3 = np.quantile(values, [0.25, 0.5, 0.75])
    low, high = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
    inside = values[(values >= low) & (values <= high)]
    return Box(len(values), float(values.min()), float(q1), float(median), float(q3), float(values.max()), float(values.mean()),
               float(inside.min()), float(inside.max()))
