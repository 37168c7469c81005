"""Tiny scenarios run end to end through ``simulation.run``: Lindley's recursion for one
counter, and the closing rules of a busy ``turn_away`` office, for every visitor.
"""

from __future__ import annotations

import numpy as np

import simulation
from tests.timeline_support import tiny_scenario


def _in_windows(t: np.ndarray, start: float, end: float) -> np.ndarray:
    """Day 0 is a Monday: weekday < 5 and minute of day within [start, end)."""
    day = np.floor(t / 1440)
    minute = t - day * 1440
    return (day % 7 < 5) & (minute >= start) & (minute < end)


def test_end_to_end_single_counter_follows_lindley():
    """One counter, FIFO, no patience: start_i = max(arrival_i, end_(i-1)) for every visitor."""
    result = simulation.run(tiny_scenario(), replications=2, seed=3)
    v = result.visits
    assert len(v) > 50
    for _, rep in v.groupby("replication"):
        rep = rep.sort_values("arrival_min", kind="stable")
        assert (rep["outcome"] == "served").all()
        assert _in_windows(rep["arrival_min"].to_numpy(), 600, 720).all()
        assert (rep["travel_min"] == 0).all()
        assert (rep["deferral_days"] == 0).all()
        arrival = rep["arrival_min"].to_numpy()
        start = rep["start_min"].to_numpy()
        end = rep["end_min"].to_numpy()
        np.testing.assert_allclose(end - start, 5.0)
        np.testing.assert_allclose(rep["service_min"], 5.0)
        np.testing.assert_allclose(rep["wait_min"], start - arrival)
        expected_start = np.empty_like(arrival)
        free = -np.inf
        for i, a in enumerate(arrival):
            expected_start[i] = max(a, free)
            free = expected_start[i] + 5.0
        # SimPy advances the clock by differences, so allow float rounding only
        np.testing.assert_allclose(start, expected_start, rtol=0, atol=1e-9)


def test_end_to_end_turn_away_never_starts_outside_windows():
    """Busy ``turn_away`` office with deterministic patience: the closing rules hold."""
    doc = tiny_scenario(patience_minutes={"dist": "deterministic", "value": 20})
    doc["areas"][0]["demand"] = {"per_hour": 14.0}
    doc["sites"][0]["closing"] = "turn_away"
    v = simulation.run(doc, replications=1, seed=1).visits
    outcomes = set(v["outcome"].astype(str))
    assert {"served", "reneged", "closed"} <= outcomes
    arrival = v["arrival_min"].to_numpy()
    assert _in_windows(arrival, 600, 720).all()
    served = v[v["outcome"] == "served"]
    assert _in_windows(served["start_min"].to_numpy(), 600, 720).all()
    np.testing.assert_allclose(served["wait_min"], served["start_min"] - served["arrival_min"])
    assert (served["wait_min"] <= 20).all()
    reneged = v[v["outcome"] == "reneged"]
    np.testing.assert_allclose(reneged["leave_min"], reneged["arrival_min"] + 20)
    closed = v[v["outcome"] == "closed"]
    assert ((closed["leave_min"] % 1440) == 720).all()  # the 12:00 closing
    assert (closed["leave_min"] - closed["arrival_min"] <= 20).all()
