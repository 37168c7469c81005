"""The replications algorithm: replications raised until the interval is narrow enough."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
from scipy import stats

from simulation.experiment.analysis import (
    replications_needed,
)

# ``simulation.sweep`` is the ``run_sweep`` function (the package's API alias), so reach the
# module through ``sys.modules``.
from simulation.results.sweep_folder import run_sweep
from tests.sweep_support import cli, sweep_doc, write_sweep


def auto(half_width: float, **extra: Any) -> dict[str, Any]:
    return sweep_doc(
        replications={
            "kpi": "wait_mean",
            "half_width": half_width,
            "relative": True,
            "initial": 3,
            "max": 12,
            **extra,
        }
    )


def test_auto_replications_tight_target_stops_at_max(tmp_path):
    result = run_sweep(auto(0.001), workers=1, out=tmp_path)
    assert sorted(result.replications["replication"].unique()) == list(range(12))
    assert len(result.replications) == 2 * 12
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert (manifest["replications"], manifest["runs"]) == (12, 24)
    assert (result.comparison["n"] == 12).all()


def test_auto_replications_loose_target_stays_at_initial():
    result = run_sweep(auto(5.0), workers=1)
    assert sorted(result.replications["replication"].unique()) == [0, 1, 2]


def test_auto_replications_reaches_moderate_target(tmp_path):
    """A target the first 3 replications miss but more replications reach: the sweep stops
    once every design meets it (before max), and the final half-widths are within it."""
    first = run_sweep(auto(5.0), workers=1).summary
    first = first[first.kpi == "wait_mean"]
    rel = ((first.ci_high - first.ci_low) / 2 / first["mean"].abs()).max()
    result = run_sweep(auto(rel * 0.6, max=40), workers=1)
    n = result.replications["replication"].nunique()
    assert 3 < n < 40
    s = result.summary[result.summary.kpi == "wait_mean"]
    assert (((s.ci_high - s.ci_low) / 2 / s["mean"].abs()) <= rel * 0.6).all()


def test_auto_replications_kpi_outside_kpis_is_ignored():
    """BUG: the replications algorithm looks for its KPI in the wide table, which holds
    only overall and group KPIs plus those listed under ``kpis``. A site or area KPI not
    listed there is silently ignored: the sweep stops at ``initial`` however tight the
    target (listing it under ``kpis`` as well makes it work)."""
    listed = run_sweep(
        auto(0.0001, kpi="utilisation@site:city", max=6)
        | {"kpis": ["wait_mean", "utilisation@site:city"]},
        workers=1,
    )
    assert listed.replications["replication"].nunique() == 6
    unlisted = run_sweep(auto(0.0001, kpi="utilisation@site:city", max=6), workers=1)
    assert unlisted.replications["replication"].nunique() == 6


def test_replications_needed_by_hand():
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    half = stats.t.ppf(0.975, 4) * x.std(ddof=1) / math.sqrt(5)  # 1.963
    assert replications_needed(x, 1.0, 0.95, relative=False) == math.ceil(5 * half**2)
    assert replications_needed(x, 0.5, 0.95, relative=True) == math.ceil(5 * (half / 1.5) ** 2)
    assert replications_needed(x, 2.0, 0.95, relative=False) == 5
    assert replications_needed(np.array([1.0]), 1.0, 0.95, relative=False) == 3
    assert replications_needed(np.array([1.0, np.nan, 3.0]), 100.0, 0.95, relative=False) == 2


def test_cli_replications_override_replaces_auto(tmp_path, capsys):
    sweep = write_sweep(tmp_path / "auto.sweep.yaml", auto(0.001))
    rc, stdout, _ = cli(
        capsys, "sweep", str(sweep), "--workers", "1", "--out", str(tmp_path / "o"), "-r", "4"
    )
    assert rc == 0
    assert "\n4 replication(s) per design and level" in stdout
