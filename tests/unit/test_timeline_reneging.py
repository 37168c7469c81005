"""Hand-traced timelines of the bare engine: reneging and its ties with a freeing counter.

The engine is driven directly: each visitor's arrival, service time and deadline (arrival +
patience) are given, and the expected start, end, leave and outcome of every visitor were
worked out by hand. The expected table is in each test's docstring and is asserted exactly
(times are whole minutes, so exact float equality is intended). Helpers are in
``tests/timeline_support.py``.
"""

from __future__ import annotations

from simulation.scenario.outcomes import RENEGED, SERVED
from tests.timeline_support import INF, NAN, assert_table, run_engine


def test_reneging_and_deadline_tie():
    """One counter. Visitor 2's deadline (2 + 28 = 30) equals the moment the counter frees.

    Documented rule: a visitor whose deadline is *exactly* the moment a counter frees is
    still served (reneging needs ``deadline < now``).

    ======= ======= ======== ======== ===== === ===== =======
    visitor arrival patience deadline start end leave outcome
    ======= ======= ======== ======== ===== === ===== =======
    0       0       inf      inf      0     30  -     served
    1       1       10       11       -     -   11    reneged (leave = arrival + patience)
    2       2       28       30       30    35  -     served (deadline == counter free)
    3       3       inf      inf      35    40  -     served
    ======= ======= ======== ======== ===== === ===== =======
    """
    rec = run_engine([0, 1, 2, 3], [30, 5, 5, 5], [INF, 10, 28, INF])
    assert_table(
        rec,
        [
            (0, 0, 30, NAN, SERVED),
            (1, NAN, NAN, 11, RENEGED),
            (2, 30, 35, NAN, SERVED),
            (3, 35, 40, NAN, SERVED),
        ],
    )


def test_reneging_just_before_counter_frees():
    """Deadline one minute before the counter frees: reneged, leave exactly at the deadline.

    ======= ======= ======== ===== === ===== =======
    visitor arrival patience start end leave outcome
    ======= ======= ======== ===== === ===== =======
    0       0       inf      0     30  -     served
    1       2       27       -     -   29    reneged
    2       3       0.5      -     -   3.5   reneged
    3       4       100      30    31  -     served
    ======= ======= ======== ===== === ===== =======
    """
    rec = run_engine([0, 2, 3, 4], [30, 1, 1, 1], [INF, 27, 0.5, 100])
    assert_table(
        rec,
        [
            (0, 0, 30, NAN, SERVED),
            (1, NAN, NAN, 29, RENEGED),
            (2, NAN, NAN, 3.5, RENEGED),
            (3, 30, 31, NAN, SERVED),
        ],
    )


def test_zero_patience_with_idle_counter_is_served():
    """Patience only matters while waiting: with a free counter, patience 0 is served.

    ======= ======= ======== ===== === =======
    visitor arrival patience start end outcome
    ======= ======= ======== ===== === =======
    0       5       0        5     8   served
    ======= ======= ======== ===== === =======
    """
    rec = run_engine([5], [3], [0])
    assert_table(rec, [(0, 5, 8, NAN, SERVED)])
