"""Return visits against the exact retrial loss queue (docs/model.md section 13).

One always-open office, ``queue_capacity: 0`` (a loss system), Poisson needs, exponential
service; a blocked attempt (``balked``) tries again with probability ``p`` after an exponential
delay in minutes (``delay_minutes``), unlimited attempts. Its stationary distribution over
(busy counters, needs waiting to return) solves a continuous-time Markov chain
(:mod:`tests.theory.retrial`, orbit truncated at 80, tail probability < 1e-15).

Estimators, one per replication, after the warm-up:

* blocking of first attempts: share of counted first attempts that balked (PASTA);
* blocking of all attempts: share of the attempts that arose after the warm-up that balked;
* mean number waiting to return: every later attempt spent ``[failure of the previous attempt,
  its own need time)`` in the orbit; the overlaps with ``[warm-up end, horizon)`` summed, over
  the length of that period (attempts that would arise after the horizon are rows too, so the
  orbit is known up to the horizon);
* attempts per need: the ``attempts_per_need`` KPI (needs by their last attempt, pending ones
  left out), and the share of needs finally unserved (``unserved / (needs - pending)``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import simulation
from tests.theory.analytic import erlang_b
from tests.theory.retrial import retrial_stationary
from tests.theory.support import by_replication, check_covers, check_excludes, kpi, scenario

pytestmark = pytest.mark.slow

LAM, MU, C, P, THETA = 1.6, 1.0, 2, 0.7, 0.5


def retrial_scenario(days: int) -> dict:
    doc = scenario(lam=LAM, counters=C, days=days, queue_capacity=0)
    doc["behaviour"]["returns"] = {
        "after": ["balked"],
        "probability": P,
        "delay_minutes": {"dist": "exponential", "mean": 1 / THETA},
        "max_attempts": "none",
    }
    return doc


def orbit_mean(visits: pd.DataFrame, start: float, end: float) -> np.ndarray:
    """Per replication: time-average number of needs waiting to return over ``[start, end)``."""
    later = visits[visits["attempt"].to_numpy() > 1]
    previous = visits[["replication", "need", "attempt", "leave_min"]].assign(
        attempt=visits["attempt"] + 1
    )
    joined = later.merge(previous, on=["replication", "need", "attempt"], suffixes=("", "_prev"))
    assert len(joined) == len(later)
    lo = np.maximum(joined["leave_min_prev"].to_numpy(), start)
    hi = np.minimum(joined["need_min"].to_numpy(), end)
    inside = pd.Series(np.maximum(hi - lo, 0.0)).groupby(joined["replication"].to_numpy()).sum()
    reps = sorted(visits["replication"].unique())
    return inside.reindex(reps, fill_value=0.0).to_numpy() / (end - start)


def test_exact_chain_reduces_to_erlang_b_and_conserves_needs():
    """Without returns the chain is Erlang B; with them, unserved = 1 - throughput / lam."""
    plain = retrial_stationary(LAM, MU, C, 0.0, THETA, 10)
    assert plain["p_first_blocked"] == pytest.approx(erlang_b(C, LAM / MU), rel=1e-12)
    exact = retrial_stationary(LAM, MU, C, P, THETA, 80)
    assert abs(exact["tail"]) < 1e-12
    # attempts = 1 + returns; returns = P * blocked attempts
    assert exact["attempts_per_need"] - 1 == pytest.approx(
        P * exact["p_attempt_blocked"] * exact["attempts_per_need"], rel=1e-9
    )


def test_retrial_loss_queue_matches_ctmc():
    """Blocking, mean orbit and attempts per need lie inside 99% t intervals (20 replications).

    Exact (lam 1.6, mu 1, c 2, p 0.7, mean delay 2 min): first attempts blocked 0.43900, any
    attempt blocked 0.47433, mean orbit 1.5906, attempts per need 1.4971, finally unserved
    0.21303. Power: Erlang B (0.32990, the same office without returns) and the values x 0.9
    and x 1.1 lie outside the intervals.
    """
    days = 3
    result = simulation.run(retrial_scenario(days), replications=20, seed=1515)
    exact = retrial_stationary(LAM, MU, C, P, THETA, 80)
    visits = result.visits
    start, end = 1440.0, 1440.0 * days
    label = f"M/M/{C}/{C} retrial p={P} theta={THETA}"

    first = visits[(visits["attempt"].to_numpy() == 1) & visits["counted"].to_numpy()]
    blocked = check_covers(
        by_replication(first["outcome"].to_numpy() == "balked", first),
        exact["p_first_blocked"],
        f"{label} P(first attempt blocked)",
    )
    check_excludes(blocked, erlang_b(C, LAM / MU), f"{label} Erlang B (no returns)")
    check_excludes(blocked, 0.9 * exact["p_first_blocked"], f"{label} x 0.9")
    check_excludes(blocked, 1.1 * exact["p_first_blocked"], f"{label} x 1.1")

    need_min = visits["need_min"].to_numpy()
    arose = visits[(need_min >= start) & (need_min < end) & visits["site"].notna().to_numpy()]
    arose = arose[arose["arrival_min"].to_numpy() < end]
    check_covers(
        by_replication(arose["outcome"].to_numpy() == "balked", arose),
        exact["p_attempt_blocked"],
        f"{label} P(attempt blocked)",
    )

    orbit = check_covers(
        orbit_mean(visits, start, end), exact["orbit_mean"], f"{label} mean orbit", 0.08
    )
    check_excludes(orbit, 0.9 * exact["orbit_mean"], f"{label} mean orbit x 0.9")
    check_excludes(orbit, 1.1 * exact["orbit_mean"], f"{label} mean orbit x 1.1")

    attempts = check_covers(
        kpi(result, "attempts_per_need"), exact["attempts_per_need"], f"{label} attempts/need", 0.02
    )
    check_excludes(attempts, 0.97 * exact["attempts_per_need"], f"{label} attempts x 0.97")
    check_excludes(attempts, 1.03 * exact["attempts_per_need"], f"{label} attempts x 1.03")

    unserved = 1 - kpi(result, "served_share")
    check_covers(unserved, exact["p_unserved"], f"{label} finally unserved")
