"""Where the choice flips: the depth-2 tree of ``experiment/flips.py`` on hand-made labels."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulation.experiment.flips import flip_boxes
from simulation.experiment.robust_analysis import _box_words
from simulation.experiment.robustness import RobustResult

X = (np.arange(40) + 0.5) / 40  # 0.0125, 0.0375, ... 0.9875


def test_a_middle_band_gives_three_boxes_with_halfway_thresholds():
    labels = ["b" if 0.3 < x < 0.7 else "a" for x in X]
    boxes = flip_boxes(X[:, None], labels, ["x"], [(0.0, 1.0)], ["a", "b"])
    assert boxes[["design", "worlds", "share"]].values.tolist() == [
        ["a", 12, 1.0],
        ["b", 16, 1.0],
        ["a", 12, 1.0],
    ]
    assert boxes["high_1"].tolist()[:2] == [
        0.3,
        0.7,
    ]  # halfway between 0.2875|0.3125, 0.6875|0.7125
    assert boxes["low_1"].tolist() == [0.0, 0.3, 0.7] and boxes["high_1"].iloc[2] == 1.0
    result = RobustResult("k", "lower", pd.DataFrame({"world": range(40), "x": X}),
                          pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), boxes)  # fmt: skip
    assert _box_words(result, boxes.iloc[1]) == "x is between 0.300 and 0.700 (100% of 16 worlds)"
    assert _box_words(result, boxes.iloc[0]) == "x is below 0.300 (100% of 12 worlds)"
    assert _box_words(result, boxes.iloc[2]) == "x exceeds 0.700 (100% of 12 worlds)"


def test_a_corner_of_two_inputs_is_found_and_pure_inputs_are_not_split():
    grid = np.array([(a, b) for a in X[::4] for b in X[::4]])  # 10 x 10
    labels = ["b" if a > 0.5 and b > 0.5 else "a" for a, b in grid]
    boxes = flip_boxes(grid, labels, ["u", "v"], [(0.0, 1.0), (0.0, 1.0)], ["a", "b"])
    assert boxes["share"].tolist() == [1.0, 1.0, 1.0]
    won = boxes[boxes["design"] == "b"].iloc[0]
    cut = (0.4125 + 0.5125) / 2  # halfway between the grid values either side of 0.5
    assert (won["low_1"], won["high_1"], won["low_2"], won["high_2"]) == (cut, 1.0, cut, 1.0)
    assert boxes["worlds"].sum() == 100
    same = flip_boxes(grid, ["a"] * 100, ["u", "v"], [(0.0, 1.0), (0.0, 1.0)], ["a", "b"])
    assert len(same) == 1 and same["worlds"].iloc[0] == 100
