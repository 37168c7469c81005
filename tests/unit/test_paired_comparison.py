"""Paired comparisons and design summaries against hand computations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simulation.experiment.analysis import (
    compare_designs,
    summarise_designs,
    t_interval,
)

# ``simulation.sweep`` is the ``run_sweep`` function (the package's API alias), so reach the
# module through ``sys.modules``.

BASE_WAIT = np.array([10.0, 12.0, 15.0, 16.0, 19.0, 23.0])
NOISE = np.array([0.1, -0.2, 0.0, 0.3, -0.1, 0.2])


def hand_table() -> pd.DataFrame:
    """Baseline A, B = A - 1 + noise (clearly better), C = A + noise (no clear difference);
    rows of B shuffled so that pairing must go by replication, not by row order."""
    reps = np.arange(len(BASE_WAIT))
    a = pd.DataFrame(
        {
            "design": "A",
            "level": "",
            "replication": reps,
            "wait_mean": BASE_WAIT,
            "served_share": 0.5 + BASE_WAIT / 100,
        }
    )
    b = pd.DataFrame(
        {
            "design": "B",
            "level": "",
            "replication": reps,
            "wait_mean": BASE_WAIT - 1 + NOISE,
            "served_share": 0.5 + BASE_WAIT / 100 + 0.02 + NOISE / 100,
        }
    )
    c = pd.DataFrame(
        {
            "design": "C",
            "level": "",
            "replication": reps,
            "wait_mean": BASE_WAIT + NOISE,
            "served_share": 0.5 + BASE_WAIT / 100 - NOISE / 100,
        }
    )
    b = b.iloc[[3, 0, 5, 1, 4, 2]]
    return pd.concat([a, b, c], ignore_index=True)


def expected_row(design: np.ndarray, baseline: np.ndarray, level: float) -> dict[str, float]:
    n = len(design)
    d = design - baseline
    mean, sd = d.mean(), d.std(ddof=1)
    half = stats.t.ppf(1 - (1 - level) / 2, n - 1) * sd / math.sqrt(n)
    se = math.sqrt(design.var(ddof=1) / n + baseline.var(ddof=1) / n)
    indep = stats.t.ppf(1 - (1 - level) / 2, 2 * n - 2) * se
    return {
        "diff_mean": mean,
        "diff_std": sd,
        "ci_low": mean - half,
        "ci_high": mean + half,
        "paired_half_width": half,
        "independent_half_width": indep,
        "pairing_narrowing": 1 - half / indep,
        "baseline_mean": baseline.mean(),
        "design_mean": design.mean(),
        "relative_diff": mean / baseline.mean(),
    }


def test_compare_designs_matches_hand_computation():
    table = hand_table()
    out = compare_designs(table, {"wait_mean": "lower", "served_share": "higher"}, "A", 0.95)
    assert len(out) == 4
    assert set(out["design"]) == {"B", "C"}
    assert (out["comparisons"] == 2).all()
    bonferroni = 1 - (1 - 0.95) / 2
    assert out["interval_level"].tolist() == pytest.approx([bonferroni] * 4)
    by = out.set_index(["design", "kpi"])
    a = table[table.design == "A"].set_index("replication").sort_index()
    for design in ("B", "C"):
        d = table[table.design == design].set_index("replication").sort_index()
        for kpi in ("wait_mean", "served_share"):
            want = expected_row(d[kpi].to_numpy(), a[kpi].to_numpy(), bonferroni)
            row = by.loc[(design, kpi)]
            for key, value in want.items():
                assert row[key] == pytest.approx(value, rel=1e-9), (design, kpi, key)
            assert row["n"] == 6
    # B is 1 minute faster, with a tight paired interval; pairing narrows it a lot
    assert by.loc[("B", "wait_mean"), "verdict"] == "better"
    assert by.loc[("B", "served_share"), "verdict"] == "better"
    assert by.loc[("B", "wait_mean"), "ci_high"] < 0
    assert by.loc[("B", "wait_mean"), "pairing_narrowing"] > 0.8
    assert by.loc[("C", "wait_mean"), "verdict"] == "no clear difference"


def test_compare_designs_without_correction_and_with_gaps():
    table = hand_table()
    # drop replication 5 of B and make one baseline value missing: 4 common pairs remain
    table = table[~((table.design == "B") & (table.replication == 5))].copy()
    table.loc[(table.design == "A") & (table.replication == 0), "wait_mean"] = np.nan
    out = compare_designs(table, {"wait_mean": "lower"}, "A", 0.9, correction="none")
    row = out.set_index("design").loc["B"]
    assert row["n"] == 4
    assert row["interval_level"] == pytest.approx(0.9)
    keep = [1, 2, 3, 4]
    a = BASE_WAIT[keep]
    b = (BASE_WAIT - 1 + NOISE)[keep]
    want = expected_row(b, a, 0.9)
    assert row["ci_low"] == pytest.approx(want["ci_low"])
    assert row["ci_high"] == pytest.approx(want["ci_high"])


def test_compare_designs_per_factor_level():
    table = pd.concat(
        [
            hand_table().assign(level="x=1"),
            hand_table().assign(level="x=2", wait_mean=lambda t: t.wait_mean * 2),
        ],
        ignore_index=True,
    )
    out = compare_designs(table, {"wait_mean": "lower"}, "A", 0.95)
    assert out["level"].tolist() == ["x=1", "x=1", "x=2", "x=2"]
    assert (out["comparisons"] == 2).all()  # m counts designs, not levels
    b1, b2 = out[(out.design == "B")].sort_values("level")["diff_mean"]
    assert b2 == pytest.approx(2 * b1)


def test_compare_designs_one_replication_is_too_few():
    table = hand_table()
    table = table[table.replication == 0]
    out = compare_designs(table, {"wait_mean": "lower"}, "A", 0.95)
    assert (out["verdict"] == "too few replications").all()
    assert out["n"].tolist() == [1, 1]


def test_summarise_designs_matches_hand_computation():
    table = hand_table()
    out = summarise_designs(table, ["wait_mean", "served_share", "not_a_column"], 0.95)
    assert len(out) == 6
    assert out["design"].tolist() == ["A", "A", "B", "B", "C", "C"]
    row = out[(out.design == "B") & (out.kpi == "wait_mean")].iloc[0]
    x = BASE_WAIT - 1 + NOISE
    half = stats.t.ppf(0.975, 5) * x.std(ddof=1) / math.sqrt(6)
    assert row["n"] == 6
    assert row["mean"] == pytest.approx(x.mean())
    assert row["std"] == pytest.approx(x.std(ddof=1))
    assert row["ci_low"] == pytest.approx(x.mean() - half)
    assert row["ci_high"] == pytest.approx(x.mean() + half)


def test_t_interval_edge_cases():
    assert all(math.isnan(v) for v in t_interval(np.array([]), 0.95))
    mean, std, lo, hi = t_interval(np.array([4.0, np.nan]), 0.95)
    assert mean == 4.0 and math.isnan(std) and math.isnan(lo) and math.isnan(hi)
