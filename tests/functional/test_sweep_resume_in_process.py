"""More replications in the same folder run only the new ones."""

from __future__ import annotations

import pandas as pd

# ``simulation.sweep`` is the ``run_sweep`` function (the package's API alias), so reach the
# module through ``sys.modules``.
from simulation.results.sweep_folder import run_sweep
from tests.sweep_support import PIPELINE, run_files, sweep_doc

# (the kill -9 resume test is in tests/faults/test_resume.py)


def test_more_replications_in_process_run_only_new_ones(tmp_path, monkeypatch):
    doc = sweep_doc(replications=2)
    run_sweep(doc, workers=1, out=tmp_path)
    first = run_files(tmp_path)
    assert len(first) == 4
    calls = []
    real = PIPELINE.simulate

    def counting(network, replication, seed, *args):
        calls.append((network.scenario.name, replication))
        return real(network, replication, seed, *args)

    monkeypatch.setattr(PIPELINE, "simulate", counting)
    result = run_sweep(doc, workers=1, out=tmp_path, replications=4)
    again = run_sweep(doc, workers=1, out=tmp_path, replications=4)
    assert sorted(calls) == [
        ("inline-more", 2),
        ("inline-more", 3),
        ("inline-today", 2),
        ("inline-today", 3),
    ]
    assert len(run_files(tmp_path)) == 8
    assert result.replications["replication"].nunique() == 4
    pd.testing.assert_frame_equal(result.replications, again.replications)
