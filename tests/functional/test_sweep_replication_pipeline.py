"""A sweep's run goes through the one per-replication pipeline (``run_replication``).

``experiment.sweep.execute`` and ``experiment.run.run`` share simulate → site hours → KPIs; a
run whose tables a sweep does not keep skips the site-hour table.
"""

from __future__ import annotations

import pandas as pd
import pytest

from simulation.engine.network import compile_network
from simulation.scenario.loading import load_scenario
from simulation.scenario.sweep_spec import load_sweep
from tests.sweep_support import PIPELINE, SWEEP, sweep_doc


def test_execute_gives_the_tables_of_run_replication():
    sweep = load_sweep(sweep_doc())
    task = SWEEP._tasks(sweep, range(1), keep_visits=True, kept=True)[0]
    out = SWEEP.execute(task)
    network = compile_network(load_scenario(sweep.cells[0][3].to_dict()))
    tables = PIPELINE.run_replication(network, task.replication, task.seed)
    pd.testing.assert_frame_equal(out["kpis"], tables.kpis)
    pd.testing.assert_frame_equal(out["visits"], tables.visits)
    pd.testing.assert_frame_equal(out["site_hours"], tables.site_hours)


@pytest.mark.parametrize("kept", [False, True])
def test_site_hours_derived_only_for_kept_runs(monkeypatch, kept):
    calls = []
    real = PIPELINE.site_hours

    def counting(network, visits, replication):
        calls.append(replication)
        return real(network, visits, replication)

    monkeypatch.setattr(PIPELINE, "site_hours", counting)
    sweep = load_sweep(sweep_doc())
    task = SWEEP._tasks(sweep, range(1), keep_visits=kept, kept=kept)[0]
    out = SWEEP.execute(task)
    assert calls == ([0] if kept else [])
    assert (out["site_hours"] is not None) is kept
    assert (out["visits"] is not None) is kept
