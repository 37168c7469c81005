"""Reneging at exactly the drawn patience, on random valid scenarios.

Each test states one property that must hold for *every* scenario and seed; the checks are
computed independently from the output tables by the oracle in ``tests/property/oracle.py``.
``docs/testing.md`` lists every invariant with the test that checks it.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from tests.property.hypothesis_settings import PROPERTY
from tests.property.oracle import EPS, check_patience, run, site_runs
from tests.strategies import scenarios


@PROPERTY
@given(scenarios(patience="random"))
def test_patience_is_the_drawn_patience(doc):
    """Reneged visitors left exactly arrival + their drawn patience (re-drawn from the named
    stream); served and closed ones waited no longer than it."""
    for *_, s, _ in site_runs(run(doc)):
        check_patience(s)


@PROPERTY
@given(scenarios(patience=20.0, max_per_hour=30.0), st.sampled_from([0.0, 7.5, 20.0]))
def test_deterministic_patience(doc, p):
    """With a fixed patience P: reneged leave = arrival + P exactly, served waited <= P."""
    doc["behaviour"]["patience_minutes"] = {"dist": "deterministic", "value": p}
    r = run(doc)
    for _rep, v in r.by_replication():
        reneged = v[v["outcome"] == "reneged"]
        np.testing.assert_allclose(reneged["leave_min"] - reneged["arrival_min"], p, atol=EPS)
        served = v[v["start_min"].notna()]
        assert (served["wait_min"] <= p + EPS).all()
        closed = v[v["outcome"] == "closed"]
        assert (closed["wait_min"] <= p + EPS).all()
