"""Extremes: zero demand, and ample counters, on random valid scenarios.

Each test states one property that must hold for *every* scenario and seed; the checks are
computed independently from the output tables by the oracle in ``tests/property/oracle.py``.
``docs/testing.md`` lists every invariant with the test that checks it.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
from hypothesis import assume, given

from tests.property.hypothesis_settings import PROPERTY, fewer
from tests.property.oracle import EPS, run
from tests.strategies import scenarios


@fewer(0.3)
@given(scenarios(zero_demand=True))
def test_zero_demand_gives_no_visitors(doc):
    r = run(doc, replications=2)
    assert len(r.visits) == 0
    k = r.kpis
    for name in ("needs", "served", "unserved", "pending", "busy_counter_min", "overtime_min"):
        assert (k[k["kpi"] == name]["value"] == 0).all(), name
    sh = r.site_hours
    assert (sh["queue_mean"] == 0).all() and (sh["busy_mean"] == 0).all()


@PROPERTY
@given(scenarios(max_needs=400.0))
def test_ample_counters_give_zero_waits(doc):
    """With at least as many counters as visitors at a site, nobody waits, balks, reneges or
    is turned away, and (common random numbers) everyone arrives as before."""
    first = run(doc)
    v = first.visits
    arrived = v[v["arrival_min"] < first.horizon]
    ample = copy.deepcopy(doc)
    for x in ample["sites"]:
        n = int((arrived["site"] == x["id"]).sum())
        assume(n <= (1000 if x["kind"] == "office" else 100))
        x["counters"] = max(1, n)
    r = run(ample)
    w = r.visits
    pd.testing.assert_series_equal(w["arrival_min"], v["arrival_min"])
    came = w[w["arrival_min"] < r.horizon]
    assert not came["outcome"].isin(["balked", "reneged", "closed"]).any()
    np.testing.assert_allclose(came["wait_min"], 0.0, atol=EPS)
    np.testing.assert_allclose(came["start_min"], came["arrival_min"], atol=EPS)
