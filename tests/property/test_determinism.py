"""Determinism: same seed, same tables; a run leaves its input unchanged, on random valid scenarios.

Each test states one property that must hold for *every* scenario and seed; the checks are
computed independently from the output tables by the oracle in ``tests/property/oracle.py``.
``docs/testing.md`` lists every invariant with the test that checks it.
"""

from __future__ import annotations

import copy

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

import simulation
from simulation.scenario.loading import load_scenario
from tests.property.hypothesis_settings import fewer
from tests.strategies import scenarios


@fewer(0.4)
@given(scenarios(max_needs=300.0), st.integers(0, 2**63 - 1))
def test_same_seed_same_tables(doc, seed):
    """Same scenario and seed give identical tables; replication r does not depend on how
    many replications run."""
    a = simulation.run(doc, replications=2, seed=seed)
    b = simulation.run(doc, replications=2, seed=seed)
    for name in ("visits", "site_hours", "kpis", "summary"):
        pd.testing.assert_frame_equal(
            getattr(a, name), getattr(b, name), check_exact=True, obj=name
        )
    one = simulation.run(doc, replications=1, seed=seed)
    pd.testing.assert_frame_equal(
        one.visits, a.visits[a.visits["replication"] == 0].reset_index(drop=True), check_exact=True
    )
    pd.testing.assert_frame_equal(
        one.kpis, a.kpis[a.kpis["replication"] == 0].reset_index(drop=True), check_exact=True
    )


@fewer(0.4)
@given(scenarios(max_needs=300.0))
def test_run_leaves_its_input_unchanged(doc):
    before = copy.deepcopy(doc)
    simulation.run(doc, replications=1)
    assert doc == before
    scenario = load_scenario(doc)
    dumped = copy.deepcopy(scenario.model_dump())
    result = simulation.run(scenario, replications=1)
    assert scenario.model_dump() == dumped
    assert result.scenario == scenario
