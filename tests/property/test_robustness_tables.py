"""Invariants of the robust comparison's tables for any runs (docs/testing.md, invariant 32).

For any decision-KPI values of k designs × W worlds × R replications (ties included):
regrets are ≥ 0 and the best design of every world has regret 0; ranks are a permutation;
the clear wins and the ties share out every world; probability best lies inside its
interval; and turning "lower is better" into "higher is better" on negated values changes
nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from simulation.experiment.robustness import TIE, robustness_table, world_table
from tests.property.hypothesis_settings import PROPERTY


@st.composite
def runs(draw):
    k = draw(st.integers(2, 4))
    worlds = draw(st.integers(1, 10))
    reps = draw(st.integers(2, 4))
    values = draw(
        st.lists(st.integers(0, 6), min_size=k * worlds * reps, max_size=k * worlds * reps)
    )
    designs = [f"d{i}" for i in range(k)]
    rows = [(d, w, r) for w in range(worlds) for d in designs for r in range(reps)]
    table = pd.DataFrame(rows, columns=["design", "world", "replication"])
    table["value"] = np.array(values, dtype=float) * 1.5
    inputs = pd.DataFrame({"world": range(worlds), "x": np.linspace(0, 1, worlds)})
    return table, inputs, designs


@PROPERTY
@given(runs())
def test_robustness_tables_are_consistent(drawn):
    table, inputs, designs = drawn
    worlds = world_table(table, inputs, designs, "lower", 0.95)
    regrets = worlds[[f"regret:{d}" for d in designs]].to_numpy()
    assert (regrets >= 0).all()
    assert (regrets.min(axis=1) == 0).all()
    for _, row in worlds.iterrows():
        assert sorted(row[f"rank:{d}"] for d in designs) == list(range(1, len(designs) + 1))
        assert row[f"regret:{row['best']}"] == 0
        tied = row["tied"].split("+")
        assert tied[0] == row["best"]
        assert (row["winner"] == TIE) == (len(tied) > 1)
    robust = robustness_table(worlds, designs, 0.95)
    ties = float((worlds["winner"] == TIE).mean())
    assert abs(robust["p_best"].sum() + ties - 1) < 1e-12
    assert (robust["p_best"] <= robust["p_best_or_tie"]).all()
    assert (robust["p_best_low"] <= robust["p_best"] + 1e-12).all()
    assert (robust["p_best_or_tie"] <= robust["p_best_high"] + 1e-12).all()
    assert (robust["regret_mean"] <= robust["regret_max"] + 1e-12).all()
    assert (robust["regret_p90"] <= robust["regret_max"] + 1e-12).all()
    ranks = robust[[f"rank_{r}" for r in range(1, len(designs) + 1)]]
    np.testing.assert_allclose(ranks.sum(axis=1), 1.0)
    np.testing.assert_allclose(ranks.sum(axis=0), 1.0)
    flipped = world_table(table.assign(value=-table["value"]), inputs, designs, "higher", 0.95)
    pd.testing.assert_frame_equal(
        robustness_table(flipped, designs, 0.95).drop(columns="mean"),
        robust.drop(columns="mean"),
    )
