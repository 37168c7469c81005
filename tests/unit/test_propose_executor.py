"""Propose on one executor (issue 18): every sweep of the search reuses the command's workers,
and the search's tables are identical to a search in one process."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from simulation.experiment.batches import Executor
from simulation.propose.evaluator import BASELINE, Evaluator
from simulation.propose.search import search
from simulation.scenario.propose_loading import load_propose
from tests.propose_support import region, spec, write

BUDGET = {
    "unit_days_per_week": 1,
    "hours_per_day": 4,
    "weekdays": ["mon", "tue"],
    "windows": ["10:00-14:00"],
}


def _search(folder: Path, workers: int | Executor):
    loaded = load_propose(write(folder, "p.yaml", spec(budget=BUDGET)))
    evaluator = Evaluator(loaded, workers=workers)
    evaluator.add("baseline", "baseline", {}, name=BASELINE)
    result = search(loaded, ["near-a", "far"], evaluator)
    tables = {d: evaluator.table(d) for d in evaluator.designs}
    return result, tables, evaluator


def test_propose_search_on_one_executor_is_identical_and_starts_workers_once(tmp_path, pools):
    # fault: every sweep of the search started (or skipped) workers by a fixed guess
    write(tmp_path, "region.yaml", region())
    serial, serial_tables, _ = _search(tmp_path, 1)
    with Executor(2, batch_size=2) as executor:
        parallel, parallel_tables, evaluator = _search(tmp_path, executor)
        sweeps = evaluator.sweeps
    pd.testing.assert_frame_equal(serial.steps, parallel.steps)
    assert serial_tables.keys() == parallel_tables.keys()
    for design, table in serial_tables.items():
        pd.testing.assert_frame_equal(table, parallel_tables[design])
    assert sweeps > 1
    assert pools == [2]
