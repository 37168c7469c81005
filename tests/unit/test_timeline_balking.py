"""Hand-traced timelines of the bare engine: balking, queue limits and queue on arrival.

The engine is driven directly: each visitor's arrival, service time and deadline (arrival +
patience) are given, and the expected start, end, leave and outcome of every visitor were
worked out by hand. The expected table is in each test's docstring and is asserted exactly
(times are whole minutes, so exact float equality is intended). Helpers are in
``tests/timeline_support.py``.
"""

from __future__ import annotations

import pytest

from simulation.engine.network import compile_network
from simulation.engine.replication import site_spec
from simulation.scenario.loading import load_scenario
from simulation.scenario.outcomes import BALKED, RENEGED, SERVED
from tests.timeline_support import INF, NAN, assert_table, run_engine, tiny_scenario


def test_balking_counts_only_people_waiting():
    """One counter, limit 2 (at most two may WAIT; the one at the counter does not count).

    ======= ======= ===== === ===== ======= ================
    visitor arrival start end leave outcome queue on arrival
    ======= ======= ===== === ===== ======= ================
    0       0       0     10  -     served  0
    1       1       10    20  -     served  0
    2       2       20    30  -     served  1
    3       3       -     -   3     balked  2 (= limit)
    4       4       -     -   4     balked  2
    5       12      30    40  -     served  1 (1 has started)
    ======= ======= ===== === ===== ======= ================
    """
    rec = run_engine([0, 1, 2, 3, 4, 12], [10] * 6, limit=2)
    assert_table(
        rec,
        [
            (0, 0, 10, NAN, SERVED),
            (1, 10, 20, NAN, SERVED),
            (2, 20, 30, NAN, SERVED),
            (3, NAN, NAN, 3, BALKED),
            (4, NAN, NAN, 4, BALKED),
            (5, 30, 40, NAN, SERVED),
        ],
    )
    assert rec["queue_on_arrival"].tolist() == [0, 0, 1, 2, 2, 1]


def test_balking_with_two_busy_counters_and_limit_one():
    """Two counters, limit 1: two in service plus one waiting are allowed; the next balks.

    ======= ======= ===== === ===== =======
    visitor arrival start end leave outcome
    ======= ======= ===== === ===== =======
    0       0       0     10  -     served
    1       1       1     11  -     served
    2       2       10    20  -     served
    3       3       -     -   3     balked
    ======= ======= ===== === ===== =======
    """
    rec = run_engine([0, 1, 2, 3], [10] * 4, counters=2, limit=1)
    assert_table(
        rec,
        [
            (0, 0, 10, NAN, SERVED),
            (1, 1, 11, NAN, SERVED),
            (2, 10, 20, NAN, SERVED),
            (3, NAN, NAN, 3, BALKED),
        ],
    )


def test_limit_zero_is_pure_loss():
    """Two counters, limit 0 (Erlang loss): an arrival finding every counter busy is lost.

    ======= ======= ===== === ===== =======
    visitor arrival start end leave outcome
    ======= ======= ===== === ===== =======
    0       1       1     11  -     served
    1       2       2     12  -     served
    2       3       -     -   3     balked
    3       13      13    23  -     served
    ======= ======= ===== === ===== =======
    """
    rec = run_engine([1, 2, 3, 13], [10] * 4, counters=2, limit=0)
    assert_table(
        rec,
        [
            (0, 1, 11, NAN, SERVED),
            (1, 2, 12, NAN, SERVED),
            (2, NAN, NAN, 3, BALKED),
            (3, 13, 23, NAN, SERVED),
        ],
    )


@pytest.mark.parametrize("limit", [0, 1])
def test_arrivals_at_time_zero_find_idle_counters(limit):
    """Arrivals at minute 0 exactly must see the idle counters like any later arrival.

    Two idle counters, three simultaneous arrivals at 0, service 10:

    ======= ======= ===== === ===== ======================================
    visitor arrival start end leave outcome
    ======= ======= ===== === ===== ======================================
    0       0       0     10  -     served (counter A)
    1       0       0     10  -     served (counter B)
    2       0       -     -   0     balked if limit 0; else served 10-20
    ======= ======= ===== === ===== ======================================
    """
    rec = run_engine([0, 0, 0], [10] * 3, counters=2, limit=limit)
    third = (2, NAN, NAN, 0, BALKED) if limit == 0 else (2, 10, 20, NAN, SERVED)
    assert_table(
        rec,
        [
            (0, 0, 10, NAN, SERVED),
            (1, 0, 10, NAN, SERVED),
            third,
        ],
    )


def test_balking_sees_reneged_visitors_gone():
    """Limit 1: visitor 1 gave up at 6, so visitor 2 (arriving at 10) finds nobody waiting.

    ======= ======= ======== ===== === ===== ======= ================
    visitor arrival patience start end leave outcome queue on arrival
    ======= ======= ======== ===== === ===== ======= ================
    0       0       inf      0     30  -     served  0
    1       1       5        -     -   6     reneged 0
    2       10      inf      30    40  -     served  0
    ======= ======= ======== ===== === ===== ======= ================
    """
    rec = run_engine([0, 1, 10], [30, 10, 10], [INF, 5, INF], limit=1)
    assert_table(
        rec,
        [
            (0, 0, 30, NAN, SERVED),
            (1, NAN, NAN, 6, RENEGED),
            (2, 30, 40, NAN, SERVED),
        ],
    )
    assert rec["queue_on_arrival"].tolist() == [0, 0, 0]


def test_queue_on_arrival_does_not_count_reneged_without_limit():
    """The same timeline as above without any limit records the same queue on arrival.

    Visitor 1 left at minute 6, so at minute 10 nobody is waiting: ``queue_on_arrival`` of
    visitor 2 must be 0 whether or not a (non-binding) limit is configured.
    """
    without = run_engine([0, 1, 10], [30, 10, 10], [INF, 5, INF], limit=None)
    with_limit = run_engine([0, 1, 10], [30, 10, 10], [INF, 5, INF], limit=100)
    assert with_limit["queue_on_arrival"].tolist() == [0, 0, 0]
    assert without["queue_on_arrival"].tolist() == [0, 0, 0]


def test_site_spec_limit_is_min_of_balk_length_and_capacity():
    """limit = min(balk_queue_length, queue_capacity), ignoring whichever is not set."""

    def limit_for(balk, capacity):
        doc = tiny_scenario(balk_queue_length=balk)
        doc["sites"][0]["queue_capacity"] = capacity
        return site_spec(compile_network(load_scenario(doc)), 0).limit

    assert limit_for(5, 3) == 3
    assert limit_for(2, 3) == 2
    assert limit_for(None, 4) == 4
    assert limit_for(7, None) == 7
    assert limit_for(None, None) is None
    assert limit_for(0, None) == 0
