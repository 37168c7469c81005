"""Hand-traced timelines of the bare engine: what is pending at the end of the horizon.

The engine is driven directly: each visitor's arrival, service time and deadline (arrival +
patience) are given, and the expected start, end, leave and outcome of every visitor were
worked out by hand. The expected table is in each test's docstring and is asserted exactly
(times are whole minutes, so exact float equality is intended). Helpers are in
``tests/timeline_support.py``.
"""

from __future__ import annotations

import math

from simulation.scenario.outcomes import PENDING, RENEGED
from tests.timeline_support import INF, NAN, assert_table, run_engine


def test_horizon_end_is_pending():
    """Horizon 100, one counter.

    ======= ======= ======== ======= ===== === ===== =======================================
    visitor arrival patience service start end leave outcome
    ======= ======= ======== ======= ===== === ===== =======================================
    0       60      inf      50      60    -   -     pending (in service at 100)
    1       70      inf      5       -     -   -     pending (waiting at 100)
    2       80      10       5       -     -   90    reneged (deadline 90 < 100)
    3       85      15       5       -     -   -     pending (deadline 100 = horizon)
    4       120     inf      5       -     -   -     pending (arrives after the horizon)
    ======= ======= ======== ======= ===== === ===== =======================================
    """
    rec = run_engine(
        [60, 70, 80, 85, 120],
        [50, 5, 5, 5, 5],
        [INF, INF, 10, 15, INF],
        horizon=100,
        windows=((0, 100),),
    )
    assert_table(
        rec,
        [
            (0, 60, NAN, NAN, PENDING),
            (1, NAN, NAN, NAN, PENDING),
            (2, NAN, NAN, 90, RENEGED),
            (3, NAN, NAN, NAN, PENDING),
            (4, NAN, NAN, NAN, PENDING),
        ],
    )
    assert math.isnan(rec["queue_on_arrival"][4])  # never arrived
