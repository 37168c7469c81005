"""The engine against the exact FIFO multi-server recursion, visitor by visitor.

Fed the same arrival and service times, an always-open M/M/4 site without balking must give
every visitor exactly the wait of the recursion ``start = max(arrival, earliest free
counter)`` (bench/exact.py); with patience, the same visitors must renege and the served
must wait exactly as long. This pins the engine's queue discipline (FIFO, work-conserving,
a counter takes the next visitor the moment it frees) far more tightly than the statistical
theory tests can.
"""

from __future__ import annotations

import numpy as np
import pytest

from bench.exact import fifo_starts, fifo_waits
from bench.textbook_simpy import run_textbook
from simulation.engine.network import compile_network
from simulation.engine.replication import VisitorInputs, draw_visitors, run_visitors
from simulation.engine.streams import Streams
from simulation.scenario.loading import load_scenario
from simulation.scenario.outcomes import OUTCOMES

LOCATION = {"lat": 59.0, "lon": 18.0}
TOL = 1e-9


def mm4(days: int, patience_mean: float | None = None) -> dict:
    patience = "none" if patience_mean is None else {"dist": "exponential", "mean": patience_mean}
    return {
        "name": "exact-mm4",
        "calendar": {"start": "2023-01-02", "days": days, "warmup_days": 0},
        "seed": 11,
        "errands": [
            {"id": "any", "share": 1.0, "service_minutes": {"dist": "exponential", "mean": 1.0}}
        ],
        "demand_profile": "flat",
        "areas": [{"id": "a", "population": 1, "location": LOCATION, "demand": {"per_hour": 192}}],
        "sites": [
            {
                "id": "s",
                "kind": "office",
                "location": LOCATION,
                "counters": 4,
                "opening_hours": "always",
            }
        ],
        "behaviour": {
            "patience_minutes": patience,
            "balk_queue_length": "none",
            "max_deferral_days": 0,
        },
    }


def drawn(patience_mean: float | None):
    """About 20,000 visitors (3.2 per minute for 4.3 days) of an M/M/4 at load 0.8."""
    network = compile_network(load_scenario(mm4(5, patience_mean)))
    inputs = draw_visitors(network, Streams(11, 0))
    keep = inputs.arrival < 20_000 / 3.2  # about 20,000 visitors, well before the horizon
    inputs = VisitorInputs(*(getattr(inputs, f)[keep] for f in VisitorInputs.__dataclass_fields__))
    assert 19_000 < len(inputs.arrival) < 21_000
    assert np.all(np.diff(inputs.arrival) >= 0) and np.all(inputs.place == 0)
    return network, inputs


def outcome_names(table) -> np.ndarray:
    return table["outcome"].astype(str).to_numpy()


def test_waits_equal_the_fifo_recursion_visitor_by_visitor():
    network, v = drawn(None)
    table = run_visitors(network, 0, v)
    start, wait = fifo_waits(v.arrival, v.service, 4)

    assert set(outcome_names(table)) == {"served"}  # all finish long before the horizon
    ours = (table["start_min"] - table["arrival_min"]).to_numpy()
    np.testing.assert_allclose(ours, wait, rtol=0, atol=TOL)
    np.testing.assert_allclose(table["start_min"].to_numpy(), start, rtol=0, atol=TOL)
    np.testing.assert_allclose(table["end_min"].to_numpy(), start + v.service, rtol=0, atol=TOL)
    # the case is not trivial: most visitors find all four counters busy
    assert 0.4 < np.mean(wait > 0) < 0.8 and wait.max() > 5


def test_patience_outcomes_and_waits_equal_the_recursion():
    network, v = drawn(5.0)
    table = run_visitors(network, 0, v)
    start, wait = fifo_waits(v.arrival, v.service, 4, v.patience)

    served = ~np.isnan(start)
    outcome = outcome_names(table)
    assert set(outcome) == {"served", "reneged"}
    np.testing.assert_array_equal(outcome == "served", served)
    ours = (table["start_min"] - table["arrival_min"]).to_numpy()
    np.testing.assert_allclose(ours[served], wait[served], rtol=0, atol=TOL)
    # a reneging visitor waited exactly their patience
    left = ~served
    np.testing.assert_allclose(
        table["wait_min"].to_numpy()[left], v.patience[left], rtol=0, atol=TOL
    )
    assert 0.01 < left.mean() < 0.2


def test_hand_built_inputs_with_simultaneous_and_exactly_timed_events():
    """Hand-made times with ties: counters freeing exactly at an arrival or at a deadline."""
    network = compile_network(load_scenario(mm4(1, 5.0)))
    inf = np.inf
    arrival = np.array([0.0, 0, 0, 0, 0, 1, 1, 2, 3, 3, 3, 3.5, 3.5, 10])
    service = np.array([1.0, 2, 3, 4, 1, 2, 0.5, 1, 1, 1, 1, 1, 1, 1])
    patience = np.array([inf, inf, inf, inf, inf, 0, 0.5, 0, 0, 0, inf, 0.5, 0.25, 1])
    # by hand: the fifth waits for the first counter; the sixth and seventh give up before 2;
    # at 2 and 3 counters free exactly at the deadlines of zero-patience arrivals (served);
    # at 3.5 all four are busy until 4: the twelfth's deadline is 4 (served), the thirteenth's 3.75
    expected = np.array([0.0, 0, 0, 0, 1, np.nan, np.nan, 2, 3, 3, 3, 4, np.nan, 10])
    n = len(arrival)
    zeros, ints = np.zeros(n), np.zeros(n, dtype=np.int64)
    v = VisitorInputs(
        area=np.zeros(n, dtype=np.int32),
        errand=ints,
        need=arrival,
        service=service,
        patience=patience,
        place=ints,
        arrival=arrival,
        travel=zeros,
        deferral_days=ints,
        declined=np.zeros(n, dtype=bool),
    )
    table = run_visitors(network, 0, v)
    start, _ = fifo_waits(arrival, service, 4, patience)
    np.testing.assert_array_equal(start, expected)
    np.testing.assert_array_equal(table["start_min"].to_numpy(), expected)
    outcome = outcome_names(table)
    np.testing.assert_array_equal(outcome == "reneged", np.isnan(expected))
    assert set(outcome) == {"served", "reneged"} and set(outcome) <= set(OUTCOMES)


@pytest.mark.parametrize("patience", [False, True])
def test_textbook_simpy_model_does_the_same_work(patience):
    """The benchmark's textbook baseline agrees with the recursion too (else the race is unfair)."""
    rng = np.random.default_rng(5)
    n = 3000
    arrival = np.cumsum(rng.exponential(1 / 3.2, n)).tolist()
    service = rng.exponential(1.0, n).tolist()
    pat = rng.exponential(5.0, n).tolist() if patience else None
    exact = np.array(fifo_starts(arrival, service, 4, pat))
    textbook = np.array(run_textbook(arrival, service, 4, pat))
    np.testing.assert_allclose(textbook, exact, rtol=0, atol=TOL, equal_nan=True)
