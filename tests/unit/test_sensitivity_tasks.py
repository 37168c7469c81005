"""The sensitivity indices are computed task by task (docs/testing.md, "Robust comparisons"):
an input's numbers depend on its own column and name only, never on its position or on the
other inputs, and the table is the same whether the tasks run here or on worker processes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation.experiment import sensitivity
from simulation.experiment.batches import Executor
from simulation.experiment.executors import WORKER_DIED
from simulation.experiment.sensitivity import sensitivity_table

NAMES = ["a.x", "b.y", "c.z"]
BOUNDS = [(0.0, 1.0), (10.0, 20.0), (-1.0, 1.0)]


def _sample(worlds: int = 32) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    rng = np.random.default_rng(5)
    x = np.column_stack([rng.uniform(lo, hi, worlds) for lo, hi in BOUNDS])
    outputs = {
        "d1": 3 * x[:, 0] + 0.01 * rng.standard_normal(worlds),  # only a.x matters
        "d2": np.sin(x[:, 2] * 3) + 0.1 * x[:, 1],
    }
    return x, outputs


def _table(x, outputs, names, bounds, executor=None) -> pd.DataFrame:
    return sensitivity_table(x, outputs, names, bounds, "lhs", "base", 0.95, executor)


def test_an_inputs_indices_do_not_depend_on_the_other_inputs_or_their_order():
    x, outputs = _sample()
    full = _table(x, outputs, NAMES, BOUNDS).set_index(["design", "input"])
    order = [2, 0]  # c.z first, b.y left out
    part = _table(x[:, order], outputs, [NAMES[j] for j in order], [BOUNDS[j] for j in order])
    part = part.set_index(["design", "input"])
    pd.testing.assert_frame_equal(part, full.loc[part.index])
    assert full.loc[("d1", "a.x"), "S1"] > 0.8  # the one input that matters is found
    assert full.loc[("d1", "a.x"), "S1"] > full.loc[("d1", "b.y"), "S1"] + 0.5


def test_worker_processes_give_the_same_table_as_this_process():
    x, outputs = _sample()
    here = _table(x, outputs, NAMES, BOUNDS)
    with Executor(workers=2, batch_size=2) as executor:
        there = _table(x, outputs, NAMES, BOUNDS, executor)
    pd.testing.assert_frame_equal(here, there)
    assert list(here["design"]) == ["d1"] * 3 + ["d2"] * 3
    assert list(here["input"]) == NAMES * 2


class _Losing:
    """An executor whose every second task is lost with a dead worker, or fails."""

    def __init__(self, outcome: dict) -> None:
        self.outcome = outcome

    def map(self, func, tasks, what="run"):
        for i, task in enumerate(tasks):
            yield task, (dict(self.outcome) if i % 2 else func(task))


def test_a_task_lost_with_a_worker_is_computed_here():
    x, outputs = _sample()
    lost = _Losing({"error": WORKER_DIED, "worker_died": True})
    pd.testing.assert_frame_equal(
        _table(x, outputs, NAMES, BOUNDS, lost), _table(x, outputs, NAMES, BOUNDS)
    )


def test_a_failing_task_raises_with_its_traceback():
    x, outputs = _sample()
    with pytest.raises(RuntimeError, match="sensitivity analysis failed:\nTraceback: boom"):
        _table(x, outputs, NAMES, BOUNDS, _Losing({"error": "Traceback: boom"}))


def test_bootstrap_seeds_are_keyed_by_name_and_never_zero():
    seeds = {sensitivity._bootstrap_seed([name]) for name in NAMES}
    assert len(seeds) == 3 and 0 not in seeds
    assert sensitivity._bootstrap_seed(["a.x"]) == sensitivity._bootstrap_seed(["a.x"])
