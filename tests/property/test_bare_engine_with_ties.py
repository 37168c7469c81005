"""The bare engine keeps every site-level invariant with many ties, on random valid scenarios.

Each test states one property that must hold for *every* scenario and seed; the checks are
computed independently from the output tables by the oracle in ``tests/property/oracle.py``.
``docs/testing.md`` lists every invariant with the test that checks it.
"""

from __future__ import annotations

from hypothesis import example, given

from simulation.engine.invariants import check_site
from tests.property.hypothesis_settings import PROPERTY
from tests.property.oracle import ALL_CHECKS, engine_site_run
from tests.strategies import engine_cases

# turn_away, windows 0-10 and 20-30: visitor 0's 25-minute service (started at 5) ends at 30,
# the second closing, before the doors process (scheduled later) empties the queue; the
# counter must not start visitor 1, who waits since 21, at 30 when the site is closed.
LONG_SERVICE_AT_CLOSING = {
    "horizon": 100.0,
    "counters": 1,
    "limit": None,
    "turn_away": True,
    "windows": [(0.0, 10.0), (20.0, 30.0)],
    "arrivals": [5.0, 21.0],
    "service": [25.0, 5.0],
    "patience": [float("inf"), float("inf")],
}


@PROPERTY
@example(case=LONG_SERVICE_AT_CLOSING)
@given(engine_cases())
def test_engine_with_whole_minute_ties(case):
    """The bare engine on one site with whole-minute times (many ties, zero service times):
    every site-level check above holds."""
    s = engine_site_run(case)
    for check in ALL_CHECKS:
        check(s)


@PROPERTY
@given(engine_cases(at_zero=True))
def test_engine_arrivals_at_minute_zero(case):
    """The same with someone arriving at minute 0, when every counter is idle."""
    s = engine_site_run(case)
    for check in ALL_CHECKS:
        check(s)


@PROPERTY
@given(engine_cases(unit=0.1))
def test_engine_with_tenth_minute_times(case):
    """Times in tenths of a minute (not exact in binary): the site-level checks hold with
    a rounding tolerance, and the in-model checker, which compares times exactly, accepts
    the run (``start <= now`` must hold for the clock the engine itself keeps)."""
    s = engine_site_run(case, check_site)
    for check in ALL_CHECKS:
        check(s)
