"""Where the choice flips: boxes of the most influential inputs in which each design wins.

Scenario discovery with a classification tree of depth at most two over the two most
influential inputs (CART): each world is labelled with its best design (by mean), a split is
the threshold on one input (halfway between two neighbouring sampled values, at least 5 % of
the worlds on each side) with the lowest weighted Gini impurity of the two sides (ties: the
first input, then the lowest threshold), a node is split only if that lowers its impurity,
and two sibling leaves won by the same design are merged back. Each leaf is a box (a range
per input) with its majority design, the worlds in it and the share of them that design wins. With one influential input the threshold is the flip
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
    x: np.ndarray, labels: list[str], idx: np.ndarray, min_leaf: int
) -> tuple[int, float] | None:
    """The best ``(feature, threshold)`` for the worlds ``idx``, or ``None`` if no split lowers
    the Gini impurity."""
    here = _gini([labels[i] for i in idx])
    if here == 0:
        return None
    best: tuple[float, int, float] | None = None  # (gini, feature, threshold)
    for j in range(x.shape[1]):
        ranked = idx[np.argsort(x[idx, j], kind="stable")]
        sorted_values = x[ranked, j]
        for cut in range(min_leaf, len(ranked) - min_leaf + 1):
            if sorted_values[cut - 1] == sorted_values[cut]:
                continue
            left = [labels[i] for i in ranked[:cut]]
            right = [labels[i] for i in ranked[cut:]]
            g = (len(left) * _gini(left) + len(right) * _gini(right)) / len(ranked)
            threshold = float((sorted_values[cut - 1] + sorted_values[cut]) / 2)
            if best is None or g < best[0] - 1e-12:
                best = (g, j, threshold)
    if best is None or best[0] >= here - 1e-12:
        return None
    return best[1], best[2]


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
    Leaf = tuple[np.ndarray, list[list[float]]]

    def grow(idx: np.ndarray, box: list[list[float]], level: int) -> list[Leaf]:
        split = _split(x, labels, idx, min_leaf) if level < depth else None
        if split is None:
            return [(idx, box)]
        j, t = split
        box_below = [list(b) for b in box]
        box_above = [list(b) for b in box]
        box_below[j][1] = t
        box_above[j][0] = t
        below = grow(idx[x[idx, j] < t], box_below, level + 1)
        above = grow(idx[x[idx, j] >= t], box_above, level + 1)
        if len(below) == len(above) == 1:
            won = {_majority([labels[i] for i in leaf[0]], designs)[0] for leaf in below + above}
            if len(won) == 1:  # the same design wins on both sides: no flip here
                return [(idx, box)]
        return below + above

    leaves = grow(np.arange(n), [list(b) for b in bounds], 0) if n else []
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
