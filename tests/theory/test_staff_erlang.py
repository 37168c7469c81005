"""``servicesim staff`` against exact queueing theory.

Stationary case: one always-open office, Poisson arrivals at 1 per minute, exponential service
of mean 2 minutes (offered load a = 2), no patience limit, no balking: an M/M/c queue in every
period once warmed up. The target ``wait_p90<=2`` (90 % of served visitors wait at most 2
minutes) holds exactly when ``P(W > 2) = C(c, a) exp(-(c mu - lam) 2) <= 0.10``. The exact
minimum is c = 4 (P = 0.024), and c = 3 gives P = 0.164: not a knife edge. The command, per
2-hour period of every weekday (84 periods), must staff exactly 4 counters in every period, and
its intervals must be narrow enough to tell 3 from 4 (power check).

Time-varying case: the same kind of office open 08:00-16:00 every day with a morning peak
(hour weights 1, 2, 4, 4, 2, 1, 1, 1). The proposal must meet the target in every period on
fresh replications and use no more counter-hours than the best constant staffing, found by
the same machinery (``constant=True``), which itself must meet the target.
"""

from __future__ import annotations

import collections

import numpy as np
import pytest

import simulation.staff as staff
from simulation.staff.evaluation import Evaluator
from simulation.staff.search import counter_hours
from tests.theory.analytic import mmc_wait_tail
from tests.theory.support import LOCATION, scenario

pytestmark = pytest.mark.slow

LAM, SERVICE, T, SHARE_LATE = 1.0, 2.0, 2.0, 0.10


def erlang_c_minimum(lam: float, mu: float, t: float, late: float) -> int:
    """The least c with ``P(W > t) <= late`` in M/M/c."""
    c = int(lam / mu) + 1
    while mmc_wait_tail(lam, mu, c, t) > late:
        c += 1
    return c


def test_stationary_staffing_is_the_erlang_c_minimum_in_every_period():
    mu = 1.0 / SERVICE
    c = erlang_c_minimum(LAM, mu, T, SHARE_LATE)
    assert c == 4
    # not a knife edge: c - 1 clearly misses, c clearly meets
    assert mmc_wait_tail(LAM, mu, c - 1, T) > SHARE_LATE + 0.05
    assert mmc_wait_tail(LAM, mu, c, T) < SHARE_LATE - 0.05
    doc = scenario(lam=LAM, counters=2, days=22, service_mean=SERVICE, warmup_days=1)
    doc["name"] = "erlang-c"
    result = staff.staff(doc, ["wait_p90<=2"], granularity=120, replications=8, seed=5, write=False)
    assert collections.Counter(result.search.counts) == {c: 84}
    assert result.search.verified and result.search.converged
    # power: every period's bound lies closer to its mean than the exact value lies to the
    # target, so a model one counter off would be told apart
    (j,) = result.search.final.judgements
    assert float(np.max(j.upper - j.mean)) < SHARE_LATE - mmc_wait_tail(LAM, mu, c, T)
    # and the estimates cover the exact value on the whole: mean over periods within 0.01
    assert abs(float(np.mean(j.mean)) - mmc_wait_tail(LAM, mu, c, T)) < 0.01
    # power at c - 1: the same rule rejects 3 counters in every period (exact P = 0.164)
    evaluator = Evaluator(result.layout, result.targets, result.confidence, result.seed)
    below = evaluator.evaluate([c - 1] * 84, 0, 8)
    assert not below.met.any()
    assert abs(float(np.mean(below.judgements[0].mean)) - mmc_wait_tail(LAM, mu, c - 1, T)) < 0.02


def peaked(days: int = 8) -> dict:
    doc = scenario(lam=LAM, counters=3, days=days, service_mean=SERVICE, warmup_days=1)
    doc["name"] = "peaked"
    doc["sites"][0]["opening_hours"] = {"mon-sun": ["08:00-16:00"]}
    doc["demand_profile"] = {"hour": {8: 1, 9: 2, 10: 4, 11: 4, 12: 2, 13: 1, 14: 1, 15: 1}}
    assert doc["sites"][0]["location"] == LOCATION
    return doc


def test_time_varying_staffing_meets_the_target_with_no_more_hours_than_constant():
    kwargs = dict(granularity=60, replications=8, seed=11, write=False)
    varying = staff.staff(peaked(), ["wait_p80<=5"], **kwargs)
    constant = staff.staff(peaked(), ["wait_p80<=5"], constant=True, **kwargs)
    assert varying.search.verified and bool(varying.search.final.met.all())
    assert constant.search.verified
    hours_varying = counter_hours(varying.layout, varying.search.counts)
    hours_constant = counter_hours(constant.layout, constant.search.counts)
    assert hours_varying <= hours_constant
    # the peak is staffed above the shoulders: the proposal follows demand
    counts = np.array(varying.search.counts).reshape(7, 8)
    assert (counts[:, 2:4].min(axis=1) > counts[:, [0, 7]].max(axis=1)).all()
    assert len(set(constant.search.counts)) == 1
