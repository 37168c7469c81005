"""Sweeps: every design sees the same needs in replication *i* (common random numbers)."""

from __future__ import annotations

import numpy as np
import pandas as pd

# ``simulation.sweep`` is the ``run_sweep`` function (the package's API alias), so reach the
# module through ``sys.modules``.
from simulation.results.sweep_folder import run_sweep
from simulation.scenario.sweep_spec import load_sweep
from tests.sweep_support import SWEEP, kept_visits, sweep_doc


def test_designs_see_identical_needs_per_replication(tmp_path):
    """Replication r of every design draws the same needs (times, errands, areas), even when
    a design adds a site; different replications draw different needs."""
    doc = sweep_doc(replications=2)
    doc["designs"]["second-office"] = {
        "add": {
            "sites": [
                {
                    "id": "south-office",
                    "kind": "office",
                    "location": {"lat": 58.38, "lon": 15.62},
                    "counters": 1,
                    "opening_hours": {"mon-fri": ["12:00-15:00"]},
                }
            ]
        }
    }
    run_sweep(doc, workers=1, out=tmp_path, keep_visits=True)
    cols = ["area", "errand", "need_min"]
    for r in (0, 1):
        tables = {d: kept_visits(tmp_path, d, r) for d in ("today", "more", "second-office")}
        base = tables["today"].sort_values("visitor").reset_index(drop=True)
        assert len(base) > 500
        for design in ("more", "second-office"):
            other = tables[design].sort_values("visitor").reset_index(drop=True)
            pd.testing.assert_frame_equal(
                other[cols].astype({"area": str, "errand": str}),
                base[cols].astype({"area": str, "errand": str}),
            )
            # ... while what happens to them does differ between designs
            assert not np.array_equal(other["outcome"].astype(str), base["outcome"].astype(str))
    r0 = kept_visits(tmp_path, "today", 0)
    r1 = kept_visits(tmp_path, "today", 1)
    assert len(r0) != len(r1) or not np.allclose(r0["need_min"], r1["need_min"])


def test_execute_same_replication_same_needs_across_designs():
    sweep = load_sweep(sweep_doc())
    tasks = SWEEP._tasks(sweep, range(2), keep_visits=True, kept=True)
    out = {(t.design, t.replication): SWEEP.execute(t) for t in tasks}
    for r in (0, 1):
        a, b = out[("today", r)]["visits"], out[("more", r)]["visits"]
        np.testing.assert_array_equal(a["need_min"].to_numpy(), b["need_min"].to_numpy())
        kpi = {
            d: out[(d, r)]["kpis"].set_index(["scope", "id", "kpi"])["value"]
            for d in ("today", "more")
        }
        assert kpi["today"][("overall", "all", "needs")] == kpi["more"][("overall", "all", "needs")]
        assert (
            kpi["today"][("overall", "all", "wait_mean")]
            != kpi["more"][("overall", "all", "wait_mean")]
        )
    assert not np.array_equal(
        out[("today", 0)]["visits"]["need_min"].to_numpy()[:100],
        out[("today", 1)]["visits"]["need_min"].to_numpy()[:100],
    )
