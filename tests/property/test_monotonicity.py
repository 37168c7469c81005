"""Monotonicity: one more counter never increases any wait, on random valid scenarios.

Each test states one property that must hold for *every* scenario and seed; the checks are
computed independently from the output tables by the oracle in ``tests/property/oracle.py``.
``docs/testing.md`` lists every invariant with the test that checks it.
"""

from __future__ import annotations

import copy

import pandas as pd
from hypothesis import given

import simulation
from tests.property.hypothesis_settings import fewer
from tests.property.oracle import EPS
from tests.strategies import fifo_scenarios


@fewer(0.5)
@given(fifo_scenarios())
def test_one_more_counter_never_increases_any_wait(doc):
    """FIFO, no reneging, balking or capacity, always open, service times bound to visitors:
    with c + 1 counters every visitor starts no later than with c (Kiefer-Wolfowitz), so no
    wait grows and nobody served with c is left unserved with c + 1."""
    more = copy.deepcopy(doc)
    more["sites"][0]["counters"] += 1
    a = simulation.run(doc, replications=2).visits
    b = simulation.run(more, replications=2).visits
    pd.testing.assert_series_equal(a["arrival_min"], b["arrival_min"])
    started = a["start_min"].notna()
    assert b.loc[started, "start_min"].notna().all(), "started with c counters, not with c + 1"
    worse = b.loc[started, "wait_min"] > a.loc[started, "wait_min"] + EPS
    assert not worse.any(), b.loc[started][worse].head()
    assert ((a["outcome"] == "served") <= (b["outcome"] == "served")).all()
