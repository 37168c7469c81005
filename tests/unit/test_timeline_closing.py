"""Hand-traced timelines of the bare engine: closing policies and lunch closures.

The engine is driven directly: each visitor's arrival, service time and deadline (arrival +
patience) are given, and the expected start, end, leave and outcome of every visitor were
worked out by hand. The expected table is in each test's docstring and is asserted exactly
(times are whole minutes, so exact float equality is intended). Helpers are in
``tests/timeline_support.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulation.scenario.outcomes import CLOSED, RENEGED, SERVED
from tests.timeline_support import INF, NAN, assert_table, run_engine


def test_closing_serve_queue_serves_everyone_in_overtime():
    """Open 0-60, one counter, service 20, ``serve_queue``.

    Everyone who arrived before closing is served; service after 60 is overtime.

    ======= ======= ===== === =======
    visitor arrival start end outcome
    ======= ======= ===== === =======
    0       30      30    50  served
    1       40      50    70  served (10 min overtime)
    2       50      70    90  served (all overtime)
    3       55      90    110 served
    ======= ======= ===== === =======
    """
    rec = run_engine([30, 40, 50, 55], [20] * 4, windows=((0, 60),))
    assert_table(
        rec,
        [
            (0, 30, 50, NAN, SERVED),
            (1, 50, 70, NAN, SERVED),
            (2, 70, 90, NAN, SERVED),
            (3, 90, 110, NAN, SERVED),
        ],
    )


def test_closing_turn_away():
    """Open 0-60 and 120-180, one counter, service 20, ``turn_away``.

    At 60 those still waiting leave (``closed``, leave = 60); the one at the counter
    finishes. A visitor whose patience ran out before closing is ``reneged`` at its deadline.
    The counter serves again in the next window.

    ======= ======= ======== ===== === ===== =======
    visitor arrival patience start end leave outcome
    ======= ======= ======== ===== === ===== =======
    0       30      inf      30    50  -     served
    1       40      inf      50    70  -     served (started before closing)
    2       50      inf      -     -   60    closed
    3       55      3        -     -   58    reneged (deadline 58 < 60)
    4       130     inf      130   150 -     served
    ======= ======= ======== ===== === ===== =======
    """
    rec = run_engine(
        [30, 40, 50, 55, 130],
        [20] * 5,
        [INF, INF, INF, 3, INF],
        turn_away=True,
        windows=((0, 60), (120, 180)),
    )
    assert_table(
        rec,
        [
            (0, 30, 50, NAN, SERVED),
            (1, 50, 70, NAN, SERVED),
            (2, NAN, NAN, 60, CLOSED),
            (3, NAN, NAN, 58, RENEGED),
            (4, 130, 150, NAN, SERVED),
        ],
    )


def test_turn_away_counter_freeing_exactly_at_closing_does_not_start():
    """Open 0-60, ``turn_away``: the counter frees at 60 exactly, the site is closed then.

    ======= ======= ======= ===== === ===== =======
    visitor arrival service start end leave outcome
    ======= ======= ======= ===== === ===== =======
    0       30      30      30    60  -     served
    1       45      10      -     -   60    closed
    ======= ======= ======= ===== === ===== =======
    """
    rec = run_engine([30, 45], [30, 10], turn_away=True, windows=((0, 60),))
    assert_table(
        rec,
        [
            (0, 30, 60, NAN, SERVED),
            (1, NAN, NAN, 60, CLOSED),
        ],
    )


@pytest.mark.parametrize("turn_away", [True, False])
def test_lunch_closure(turn_away):
    """Open 10:00-12:00 and 13:00-16:00 (minutes 600-720, 780-960), one counter, service 30.

    ======= ======= ============================ ============================
    visitor arrival turn_away                    serve_queue
    ======= ======= ============================ ============================
    0       11:40   11:40-12:10 served           11:40-12:10 served
    1       11:50   closed, leave 12:00          12:10-12:40 served (lunch)
    2       13:10   13:10-13:40 served           13:10-13:40 served
    ======= ======= ============================ ============================

    Under ``turn_away`` nobody starts service between 12:00 and 13:00.
    """
    rec = run_engine(
        [700, 710, 790],
        [30] * 3,
        turn_away=turn_away,
        windows=((600, 720), (780, 960)),
        horizon=1440,
    )
    if turn_away:
        assert_table(
            rec,
            [
                (0, 700, 730, NAN, SERVED),
                (1, NAN, NAN, 720, CLOSED),
                (2, 790, 820, NAN, SERVED),
            ],
        )
        starts = rec["start_min"][~np.isnan(rec["start_min"])]
        assert not np.any((starts >= 720) & (starts < 780))
    else:
        assert_table(
            rec,
            [
                (0, 700, 730, NAN, SERVED),
                (1, 730, 760, NAN, SERVED),
                (2, 790, 820, NAN, SERVED),
            ],
        )
