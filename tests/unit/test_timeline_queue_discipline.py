"""Hand-traced timelines of the bare engine: FIFO order, several counters, independent sites.

The engine is driven directly: each visitor's arrival, service time and deadline (arrival +
patience) are given, and the expected start, end, leave and outcome of every visitor were
worked out by hand. The expected table is in each test's docstring and is asserted exactly
(times are whole minutes, so exact float equality is intended). Helpers are in
``tests/timeline_support.py``.
"""

from __future__ import annotations

from simulation.engine.model import Engine, SiteSpec, Visits, as_arrays
from simulation.scenario.outcomes import SERVED
from tests.timeline_support import INF, NAN, assert_table, run_engine


def test_fifo_one_counter():
    """One counter, service 5 min each.

    ======= ======= ===== === ======= =================
    visitor arrival start end outcome queue on arrival
    ======= ======= ===== === ======= =================
    0       0       0     5   served  0 (counter idle)
    1       1       5     10  served  0
    2       2       10    15  served  1
    3       11      15    20  served  0 (2 is at the counter)
    ======= ======= ===== === ======= =================
    """
    rec = run_engine([0, 1, 2, 11], [5, 5, 5, 5])
    assert_table(
        rec,
        [
            (0, 0, 5, NAN, SERVED),
            (1, 5, 10, NAN, SERVED),
            (2, 10, 15, NAN, SERVED),
            (3, 15, 20, NAN, SERVED),
        ],
    )
    assert rec["queue_on_arrival"].tolist() == [0, 0, 1, 0]


def test_fifo_order_not_shortest_job():
    """A long job arriving first is served first even if a short one waits behind it.

    ======= ======= ======= ===== === =======
    visitor arrival service start end outcome
    ======= ======= ======= ===== === =======
    0       0       10      0     10  served
    1       1       30      10    40  served
    2       2       1       40    41  served
    ======= ======= ======= ===== === =======
    """
    rec = run_engine([0, 1, 2], [10, 30, 1])
    assert_table(
        rec,
        [
            (0, 0, 10, NAN, SERVED),
            (1, 10, 40, NAN, SERVED),
            (2, 40, 41, NAN, SERVED),
        ],
    )


def test_two_counters():
    """Two counters.

    ======= ======= ======= ===== === ======= ================
    visitor arrival service start end outcome queue on arrival
    ======= ======= ======= ===== === ======= ================
    0       0       10      0     10  served  0 (counter A)
    1       1       4       1     5   served  0 (counter B)
    2       2       5       5     10  served  0 (B frees at 5)
    3       3       1       10    11  served  1 (A and B free at 10)
    ======= ======= ======= ===== === ======= ================
    """
    rec = run_engine([0, 1, 2, 3], [10, 4, 5, 1], counters=2)
    assert_table(
        rec,
        [
            (0, 0, 10, NAN, SERVED),
            (1, 1, 5, NAN, SERVED),
            (2, 5, 10, NAN, SERVED),
            (3, 10, 11, NAN, SERVED),
        ],
    )
    assert rec["queue_on_arrival"].tolist() == [0, 0, 0, 1]


def test_two_sites_are_independent():
    """Two sites in one engine: a queue at site 0 does not delay site 1.

    ======= ==== ======= ===== === =======
    visitor site arrival start end outcome
    ======= ==== ======= ===== === =======
    0       0    0       0     10  served
    1       1    1       1     11  served
    2       0    2       10    20  served
    3       1    3       11    21  served
    ======= ==== ======= ===== === =======
    """
    visits = Visits.empty([10] * 4, [INF] * 4)
    spec = SiteSpec(1, None, False, [0.0], [100.0])
    Engine([spec, spec], [([0.0, 2.0], [0, 2]), ([1.0, 3.0], [1, 3])], visits, 100.0).run()
    rec = as_arrays(visits)
    assert_table(
        rec,
        [
            (0, 0, 10, NAN, SERVED),
            (1, 1, 11, NAN, SERVED),
            (2, 10, 20, NAN, SERVED),
            (3, 11, 21, NAN, SERVED),
        ],
    )
