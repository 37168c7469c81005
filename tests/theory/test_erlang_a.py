"""Erlang A (M/M/c+M): exponential patience, no waiting-room limit.

Each visitor who has to wait leaves when their patience (exponential, mean theta) runs out.
The number in the office is a birth-death chain with rates ``lam`` and
``min(n, c) mu + max(n - c, 0) / theta`` (computed exactly, truncated far in the tail; see
:func:`tests.theory.analytic.impatient_queue`). From it:

* ``P(abandon) = E[(N - c)^+] / theta / lam`` (abandonment rate over arrival rate);
* mean time in queue of all joiners ``Lq / lam`` (Little). The visit table's ``wait_min``
  is start - arrival for the served and leave - arrival for the reneged, i.e. exactly the
  time in queue of every joiner;
* mean wait of the served, from a first-step analysis of a tagged arrival. The
  ``wait_mean`` KPI is over served visitors only, so it is compared with this one.

Estimators, one per replication, over needs that arose after the warm-up.
"""

from __future__ import annotations

import pytest

import simulation
from tests.theory.analytic import erlang_a, mmc_wq
from tests.theory.support import (
    by_replication,
    check_covers,
    check_excludes,
    counted,
    kpi,
    scenario,
    share,
)

pytestmark = pytest.mark.slow

MU = 1.0


@pytest.mark.parametrize(
    ("counters", "lam", "theta", "days", "seed"),
    [
        pytest.param(4, 3.2, 5.0, 6, 1304, id="c4-rho0.8-theta5"),
        pytest.param(4, 4.4, 2.0, 5, 1314, id="c4-rho1.1-theta2"),
    ],
)
def test_erlang_a(counters, lam, theta, days, seed):
    """Erlang A abandonment probability and mean waits lie inside 99% t intervals.

    Analytic values (mu = 1/min):

    === ===== ===== ============ ===================== =====================
    c   lam   theta P(abandon)   Wq all joiners (min)  wait of served (min)
    === ===== ===== ============ ===================== =====================
    4   3.2   5     0.060916     0.30458               0.28889
    4   4.4   2     0.20074      0.40148               0.38514
    === ===== ===== ============ ===================== =====================

    (The second office is overloaded, rho = 1.1: only abandonment keeps it stable.)

    Tolerance: 99% t interval over 20 independent replications (fixed seed; a correct
    model fails an assertion for ~1% of seeds), ~0.46 M and ~0.51 M counted visitors.
    Observed half-widths relative to the value: P(abandon) 2.3% / 2.0%, Wq of joiners
    2.0% / 2.4%, wait of served 2.0% / 2.7%. Each is asserted to be at most 6%.
    Power checks: Erlang C's ``Wq`` for the same office without abandonment (rho < 1) and
    the abandonment probability times 0.9 and 1.1 lie outside the intervals.
    """
    result = simulation.run(
        scenario(lam=lam, counters=counters, days=days, patience_mean=theta),
        replications=20,
        seed=seed,
    )
    exact = erlang_a(lam, MU, counters, theta)
    assert exact["p_served"] == pytest.approx(1.0 - exact["p_abandon"], rel=1e-9)
    label = f"M/M/{counters}+M lam={lam} theta={theta}"
    visits = counted(result.visits)
    assert not (visits["outcome"] == "balked").any()

    abandon = check_covers(share(visits, "reneged"), exact["p_abandon"], f"{label} P(abandon)")
    check_excludes(abandon, 0.9 * exact["p_abandon"], f"{label} P(abandon) x 0.9")
    check_excludes(abandon, 1.1 * exact["p_abandon"], f"{label} P(abandon) x 1.1")

    joined = visits[visits["outcome"].isin(["served", "reneged"]).to_numpy()]
    check_covers(
        by_replication(joined["wait_min"], joined),
        exact["wq_joiners"],
        f"{label} Wq of all joiners",
    )

    served = check_covers(kpi(result, "wait_mean"), exact["wq_served"], f"{label} wait of served")
    if lam < counters * MU:
        check_excludes(served, mmc_wq(lam, MU, counters), f"{label} M/M/c Wq (no abandonment)")
