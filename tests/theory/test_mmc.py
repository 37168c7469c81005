"""M/M/c: Erlang C mean wait in queue and waiting-time tail.

With Poisson arrivals (rate lam), exponential service (rate mu), c counters, no patience
limit and no capacity, the office is an M/M/c FIFO queue. With ``a = lam / mu`` and the
Erlang C probability of waiting ``C(c, a)``:

* ``Wq = C(c, a) / (c mu - lam)``
* ``P(Wq > t) = C(c, a) exp(-(c mu - lam) t)``

Estimators, one per replication: ``wait_mean`` KPI (mean wait of served visitors whose
need arose after the warm-up; all of them are served except the few still in the office at
the horizon), and the share of those visitors with ``wait_min > t``.
"""

from __future__ import annotations

import pytest

import simulation
from tests.theory.analytic import erlang_c, mmc_wait_tail, mmc_wq
from tests.theory.support import (
    by_replication,
    check_covers,
    check_excludes,
    counted,
    kpi,
    scenario,
)

pytestmark = pytest.mark.slow

MU = 1.0  # mean service time 1 minute


@pytest.mark.parametrize(
    ("counters", "lam", "days", "replications", "seed"),
    [
        pytest.param(1, 0.7, 45, 20, 1101, id="c1-rho0.7"),
        pytest.param(4, 3.2, 24, 20, 1104, id="c4-rho0.8"),
        pytest.param(10, 9.0, 14, 20, 1110, id="c10-rho0.9"),
    ],
)
def test_erlang_c_mean_wait_and_tail(counters, lam, days, replications, seed):
    """Erlang C ``Wq`` and ``P(Wq > t)`` lie inside 99% t intervals over replications.

    Analytic values (mu = 1/min; tails at ``t = k / (c mu - lam)``):

    ===  =======  ====  ========  =========  ===========  ===========
    c    lam/min  rho   Wq (min)  P(W > 0)   P(W > t), k=0.5  k=1
    ===  =======  ====  ========  =========  ===========  ===========
    1    0.7      0.7   2.3333    0.7        0.42457      0.25752
    4    3.2      0.8   0.74554   0.59643    0.36175      0.21942
    10   9.0      0.9   0.66873   0.66873    0.40561      0.24601
    ===  =======  ====  ========  =========  ===========  ===========

    Tolerance: 99% t interval over 20 independent replications, fixed seed (so the test is
    deterministic; with a correct model each assertion fails for ~1% of seeds). Run lengths
    were chosen so the half-width is a few percent of the value. Observed half-widths
    relative to the analytic value (``pytest -rP`` prints every interval):

    * c=1: Wq 2.5%, P(W>0) 0.4%, tails 1.3% / 2.3% (20 x 44 counted days, 0.9 M visitors)
    * c=4: Wq 2.9%, P(W>0) 0.7%, tails 1.6% / 2.6% (20 x 23 counted days, 2.1 M visitors)
    * c=10: Wq 3.2%, P(W>0) 0.6%, tails 1.4% / 2.6% (20 x 13 counted days, 3.4 M visitors)

    Power: the test asserts every half-width is at most 6% of the value (2% for P(W>0)),
    so a model whose mean wait is off by ~5% would almost surely fail, and, explicitly,
    that ``Wq`` times 0.9 and times 1.1 both lie outside the interval.
    """
    result = simulation.run(
        scenario(lam=lam, counters=counters, days=days), replications=replications, seed=seed
    )
    label = f"M/M/{counters} rho={lam / (counters * MU):.2f}"

    wq = mmc_wq(lam, MU, counters)
    ci = check_covers(kpi(result, "wait_mean"), wq, f"{label} Wq")
    check_excludes(ci, 0.9 * wq, f"{label} Wq x 0.9")
    check_excludes(ci, 1.1 * wq, f"{label} Wq x 1.1")

    visits = counted(result.visits)
    served = visits[(visits["outcome"] == "served").to_numpy()]
    assert len(served) > 0.999 * len(visits)  # only those still in the office at the end are not
    scale = 1.0 / (counters * MU - lam)
    for k in (0.5, 1.0):
        t = k * scale
        tail = mmc_wait_tail(lam, MU, counters, t)
        late = by_replication(served["wait_min"].to_numpy() > t, served)
        check_covers(late, tail, f"{label} P(W > {t:.3g})")

    # P(W > 0) is the Erlang C probability itself
    waited = by_replication(served["wait_min"].to_numpy() > 0, served)
    check_covers(waited, erlang_c(counters, lam / MU), f"{label} P(W > 0)", max_rel_half=0.02)
