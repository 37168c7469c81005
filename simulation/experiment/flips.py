"""Where the choice flips: boxes of the most influential inputs in which each design wins.

Scenario discovery with a classification tree of depth at most two over the two most
influential inputs: each world is labelled with its best design (by mean), a split is the
threshold on one input (halfway between two neighbouring sampled values) that leaves the
fewest worlds whose best design differs from the majority of their side (ties broken by the
Gini impurity, then by input order and threshold), and a node is split only if that lowers
the count. Each leaf is a box (a range per input) with its majority design, the worlds in it
and the share of them that design wins. With one influential input the threshold is the flip
point, within half the spacing of the samples around it.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

FLIP_COLUMNS = (
    "box",
    "design",
    "worlds",
    "share",
    "input_1",
    "low_1",
    "high_1",
    "input_2",
    "low_2",
    "high_2",
)
"""Columns of ``flips.csv``."""


def _majority(labels: list[str], order: list[str]) -> tuple[str, int]:
    counts = Counter(labels)
    best = max(counts, key=lambda d: (counts[d], -order.index(d) if d in order else 0))
    return best, counts[best]


def _gini(labels: list[str]) -> float:
    n = len(labels)
    return 1.0 - sum((c / n) ** 2 for c in Counter(labels).values()) if n else 0.0


def _split(
    x: np.ndarray, labels: list[str], idx: np.ndarray, order: list[str], min_leaf: int
) -> tuple[int, float] | None:
    """The best ``(feature, threshold)`` for the worlds ``idx``, or ``None`` if no split helps."""
    here = [labels[i] for i in idx]
    errors = len(here) - _majority(here, order)[1]
    if errors == 0:
        return None
    best: tuple[int, float, int, float] | None = None  # (errors, gini, feature, threshold)
    for j in range(x.shape[1]):
        values = x[idx, j]
        ranked = idx[np.argsort(values, kind="stable")]
        sorted_values = x[ranked, j]
        for cut in range(min_leaf, len(ranked) - min_leaf + 1):
            if sorted_values[cut - 1] == sorted_values[cut]:
                continue
            left = [labels[i] for i in ranked[:cut]]
            right = [labels[i] for i in ranked[cut:]]
            e = (len(left) - _majority(left, order)[1]) + (len(right) - _majority(right, order)[1])
            g = (len(left) * _gini(left) + len(right) * _gini(right)) / len(ranked)
            threshold = float((sorted_values[cut - 1] + sorted_values[cut]) / 2)
            candidate = (e, g, j, threshold)
            if best is None or candidate[:2] < best[:2]:
                best = candidate
    if best is None or best[0] >= errors:
        return None
    return int(best[2]), float(best[3])


def flip_boxes(
    x: np.ndarray,
    labels: list[str],
    inputs: list[str],
    bounds: list[tuple[float, float]],
    designs: list[str],
    depth: int = 2,
) -> pd.DataFrame:
    """The leaves of a depth-limited tree of ``labels`` over the columns of ``x``.

    Parameters
    ----------
    x
        ``(worlds, m)`` values of the ``m`` (one or two) most influential inputs.
    labels
        The best design of each world.
    inputs, bounds
        Those inputs' paths and ranges (the boxes start at the ranges).
    designs
        The designs in the sweep's order (break ties of majorities).
    depth
        Largest number of nested splits.

    Returns
    -------
    pandas.DataFrame
        One row per box (:data:`FLIP_COLUMNS`), from the lowest values of the first input up.
    """
    n = len(labels)
    min_leaf = max(1, n // 20)
    leaves: list[tuple[np.ndarray, list[list[float]]]] = []

    def grow(idx: np.ndarray, box: list[list[float]], level: int) -> None:
        split = _split(x, labels, idx, designs, min_leaf) if level < depth else None
        if split is None:
            leaves.append((idx, box))
            return
        j, t = split
        below, above = idx[x[idx, j] < t], idx[x[idx, j] >= t]
        box_below = [list(b) for b in box]
        box_above = [list(b) for b in box]
        box_below[j][1] = t
        box_above[j][0] = t
        grow(below, box_below, level + 1)
        grow(above, box_above, level + 1)

    if n:
        grow(np.arange(n), [list(b) for b in bounds], 0)
    rows = []
    for k, (idx, box) in enumerate(leaves):
        here = [labels[i] for i in idx]
        design, count = _majority(here, designs)
        row: dict[str, object] = {
            "box": k + 1,
            "design": design,
            "worlds": len(idx),
            "share": count / len(idx) if len(idx) else float("nan"),
        }
        for j in range(2):
            name = inputs[j] if j < len(inputs) else ""
            low, high = box[j] if j < len(inputs) else (float("nan"), float("nan"))
            row.update({f"input_{j + 1}": name, f"low_{j + 1}": low, f"high_{j + 1}": high})
        rows.append(row)
    return pd.DataFrame(rows, columns=FLIP_COLUMNS)
