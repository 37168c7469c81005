"""The transient chain of :mod:`tests.theory.ctmc` against closed forms.

* Constant rate and staffing, long run from empty: the stationary M/M/c/K+M values of
  :func:`tests.theory.analytic.impatient_queue` (Erlang A with a balking limit, M/M/c/K
  without patience).
* A pure death process (no arrivals, no patience) for the fall rule: from ``(b, q)`` with
  ``b`` above the new count ``s`` the first ``b - s`` service ends take nobody from the queue.
* Conservation over a day: arrivals = served + reneged + balked + turned away.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.theory.analytic import impatient_queue
from tests.theory.ctmc import Chain, solve_day, stationary, step


@pytest.mark.parametrize(
    ("lam", "c", "theta", "limit"),
    [(3.2, 4, 5.0, 20), (4.4, 4, 2.0, 3), (2.4, 2, None, 5), (3.2, 4, None, 3)],
)
def test_long_run_is_stationary(lam, c, theta, limit):
    exact = impatient_queue(lam, 1.0, c, theta if theta else math.inf, capacity=limit)
    got = stationary(lam=lam, s=c, mu=1.0, theta=theta, limit=limit)
    for key in ("lq", "busy", "p_block", "p_abandon"):
        assert got[key] == pytest.approx(exact[key], rel=1e-8, abs=1e-12), key


def test_pure_death_of_busy_counters():
    """From 5 busy, nobody waiting, no arrivals: E[b(t)] = 5 exp(-mu t)."""
    chain = Chain(5, 2, 1.0, None)
    gen, _ = chain.generator(0.0, 2)
    p = np.zeros(chain.n)
    p[chain.index(5, 0)] = 1.0
    for t in (0.1, 0.7, 2.0):
        pt, _ = step(gen, p, t)
        assert pt @ chain.b == pytest.approx(5 * math.exp(-t), rel=1e-10)


@pytest.mark.parametrize(("s", "wait"), [(2, 1 / 3 + 1 / 2), (3, 1 / 3)])
def test_fall_rule(s, wait):
    """From 3 busy and 1 waiting, no arrivals or patience, mu = 1.

    With 2 staffed (a fall from 3) the first end (rate 3) frees a counter that goes off duty,
    the waiting visitor starts at the next end (rate 2): expected wait 1/3 + 1/2. With 3
    staffed it starts at the first end: 1/3. All 4 are served."""
    chain = Chain(3, 1, 1.0, None)
    gen, rates = chain.generator(0.0, s)
    p = np.zeros(chain.n)
    p[chain.index(3, 1)] = 1.0
    _, integral = step(gen, p, 200.0)
    assert integral @ chain.q == pytest.approx(wait, rel=1e-10)
    assert integral @ rates["served"] == pytest.approx(4.0, rel=1e-10)


def test_rise_takes_the_waiting():
    chain = Chain(6, 5, 1.0, None)
    p = np.zeros(chain.n)
    p[chain.index(2, 5)] = 0.5
    p[chain.index(3, 1)] = 0.5
    out = chain.rise(p, 6)
    assert out[chain.index(6, 1)] == 0.5
    assert out[chain.index(4, 0)] == 0.5


@pytest.mark.parametrize("closing", ["serve_queue", "turn_away"])
def test_day_conserves_visitors(closing):
    day = solve_day(
        lam={10: 3.0, 11: 5.0, 12: 2.0},
        staffed={10: 4, 11: 5, 12: 2},
        open_hour=10,
        close_hour=13,
        mu=1.0,
        theta=4.0,
        limit=6,
        closing=closing,
    )
    total = day.served + day.reneged + day.balked + day.turned_away
    assert total == pytest.approx(day.arrived, rel=1e-9)
    assert day.arrived == pytest.approx(600.0)
    assert (day.turned_away > 0) == (closing == "turn_away")
    assert day.queue[:10].sum() == 0 and day.busy[9] == 0


def test_time_varying_ample_counters_are_mt_m_inf():
    """Rates changing by the hour, 40 counters at a load of at most 5 and no waiting room:
    the loss probability is below 1e-15, so busy counters follow M_t/M/inf, whose mean
    solves ``m' = lam(t) - mu m``: in an hour from ``m0``, ``m(t) = a + (m0 - a) e^{-mu t}``
    with ``a = lam / mu``, and the hour's time average is
    ``a + (m0 - a)(1 - e^{-60 mu}) / (60 mu)``."""
    lam = {10: 0.2, 11: 0.5, 12: 0.1, 13: 0.4}
    mu = 0.1
    day = solve_day(
        lam=lam,
        staffed=dict.fromkeys(lam, 40),
        open_hour=10,
        close_hour=14,
        mu=mu,
        theta=None,
        limit=0,
    )
    m0 = 0.0
    for h in range(10, 18):
        a = lam.get(h, 0.0) / mu
        mean = a + (m0 - a) * (1.0 - math.exp(-60.0 * mu)) / (60.0 * mu)
        assert day.busy[h] == pytest.approx(mean, rel=1e-9, abs=1e-12), h
        m0 = a + (m0 - a) * math.exp(-60.0 * mu)
    assert day.balked < 1e-12
    assert day.served == pytest.approx(day.arrived, rel=1e-9)
