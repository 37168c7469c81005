"""Hand-traced timelines with deterministic times.

Most tests drive the engine directly: each visitor's arrival, service time and deadline
(arrival + patience) are given, and the expected start, end, leave and outcome of every
visitor were worked out by hand. The expected table is in each test's docstring and is
asserted exactly (times are whole minutes, so exact float equality is intended).

The last tests run tiny scenarios end to end through ``simulation.run`` and check
invariants that must hold for every visitor.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import simulation
from simulation.loading import load_scenario
from simulation.model import Engine, SiteSpec, Visits, as_arrays
from simulation.network import compile_network
from simulation.outcomes import BALKED, CLOSED, OUTCOMES, PENDING, RENEGED, SERVED
from simulation.replication import site_spec

INF = math.inf
NAN = math.nan


def run_engine(
    arrivals: list[float],
    service: list[float],
    patience: list[float] | None = None,
    *,
    counters: int = 1,
    limit: int | None = None,
    turn_away: bool = False,
    windows: tuple[tuple[float, float], ...] = ((0.0, 10_000.0),),
    horizon: float = 10_000.0,
) -> dict[str, np.ndarray]:
    """Run one site; visitor ``i`` arrives at ``arrivals[i]`` (sorted)."""
    assert list(arrivals) == sorted(arrivals)
    if patience is None:
        patience = [INF] * len(arrivals)
    deadline = [a + p for a, p in zip(arrivals, patience, strict=True)]
    visits = Visits.empty(service, deadline)
    spec = SiteSpec(counters, limit, turn_away, [w[0] for w in windows], [w[1] for w in windows])
    Engine([spec], [(list(arrivals), list(range(len(arrivals))))], visits, horizon).run()
    return as_arrays(visits)


def assert_table(rec: dict[str, np.ndarray], expected: list[tuple]) -> None:
    """``expected`` rows: (visitor, start, end, leave, outcome code)."""
    got = [
        (i, rec["start_min"][i], rec["end_min"][i], rec["leave_min"][i], OUTCOMES[rec["outcome"][i]])
        for i in range(len(expected))
    ]
    want = [(i, s, e, lv, OUTCOMES[o]) for i, s, e, lv, o in expected]
    assert len(rec["outcome"]) == len(expected)
    for g, w in zip(got, want, strict=True):
        # NaN-aware exact comparison
        assert g[0] == w[0]
        for a, b in zip(g[1:4], w[1:4], strict=True):
            assert (math.isnan(a) and math.isnan(b)) or a == b, f"visitor {g[0]}: got {g}, want {w}"
        assert g[4] == w[4], f"visitor {g[0]}: got {g}, want {w}"


# -- queue discipline ---------------------------------------------------------------------------


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
    assert_table(rec, [
        (0, 0, 5, NAN, SERVED),
        (1, 5, 10, NAN, SERVED),
        (2, 10, 15, NAN, SERVED),
        (3, 15, 20, NAN, SERVED),
    ])
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
    assert_table(rec, [
        (0, 0, 10, NAN, SERVED),
        (1, 10, 40, NAN, SERVED),
        (2, 40, 41, NAN, SERVED),
    ])


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
    assert_table(rec, [
        (0, 0, 10, NAN, SERVED),
        (1, 1, 5, NAN, SERVED),
        (2, 5, 10, NAN, SERVED),
        (3, 10, 11, NAN, SERVED),
    ])
    assert rec["queue_on_arrival"].tolist() == [0, 0, 0, 1]


# -- balking ------------------------------------------------------------------------------------


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
    assert_table(rec, [
        (0, 0, 10, NAN, SERVED),
        (1, 10, 20, NAN, SERVED),
        (2, 20, 30, NAN, SERVED),
        (3, NAN, NAN, 3, BALKED),
        (4, NAN, NAN, 4, BALKED),
        (5, 30, 40, NAN, SERVED),
    ])
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
    assert_table(rec, [
        (0, 0, 10, NAN, SERVED),
        (1, 1, 11, NAN, SERVED),
        (2, 10, 20, NAN, SERVED),
        (3, NAN, NAN, 3, BALKED),
    ])


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
    assert_table(rec, [
        (0, 1, 11, NAN, SERVED),
        (1, 2, 12, NAN, SERVED),
        (2, NAN, NAN, 3, BALKED),
        (3, 13, 23, NAN, SERVED),
    ])


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
    assert_table(rec, [
        (0, 0, 10, NAN, SERVED),
        (1, 0, 10, NAN, SERVED),
        third,
    ])


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
    assert_table(rec, [
        (0, 0, 30, NAN, SERVED),
        (1, NAN, NAN, 6, RENEGED),
        (2, 30, 40, NAN, SERVED),
    ])
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


# -- reneging -----------------------------------------------------------------------------------


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
    assert_table(rec, [
        (0, 0, 30, NAN, SERVED),
        (1, NAN, NAN, 11, RENEGED),
        (2, 30, 35, NAN, SERVED),
        (3, 35, 40, NAN, SERVED),
    ])


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
    assert_table(rec, [
        (0, 0, 30, NAN, SERVED),
        (1, NAN, NAN, 29, RENEGED),
        (2, NAN, NAN, 3.5, RENEGED),
        (3, 30, 31, NAN, SERVED),
    ])


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


# -- closing ------------------------------------------------------------------------------------


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
    assert_table(rec, [
        (0, 30, 50, NAN, SERVED),
        (1, 50, 70, NAN, SERVED),
        (2, 70, 90, NAN, SERVED),
        (3, 90, 110, NAN, SERVED),
    ])


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
        [30, 40, 50, 55, 130], [20] * 5, [INF, INF, INF, 3, INF],
        turn_away=True, windows=((0, 60), (120, 180)),
    )
    assert_table(rec, [
        (0, 30, 50, NAN, SERVED),
        (1, 50, 70, NAN, SERVED),
        (2, NAN, NAN, 60, CLOSED),
        (3, NAN, NAN, 58, RENEGED),
        (4, 130, 150, NAN, SERVED),
    ])


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
    assert_table(rec, [
        (0, 30, 60, NAN, SERVED),
        (1, NAN, NAN, 60, CLOSED),
    ])


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
    rec = run_engine([700, 710, 790], [30] * 3, turn_away=turn_away,
                     windows=((600, 720), (780, 960)), horizon=1440)
    if turn_away:
        assert_table(rec, [
            (0, 700, 730, NAN, SERVED),
            (1, NAN, NAN, 720, CLOSED),
            (2, 790, 820, NAN, SERVED),
        ])
        starts = rec["start_min"][~np.isnan(rec["start_min"])]
        assert not np.any((starts >= 720) & (starts < 780))
    else:
        assert_table(rec, [
            (0, 700, 730, NAN, SERVED),
            (1, 730, 760, NAN, SERVED),
            (2, 790, 820, NAN, SERVED),
        ])


# -- horizon ------------------------------------------------------------------------------------


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
    rec = run_engine([60, 70, 80, 85, 120], [50, 5, 5, 5, 5], [INF, INF, 10, 15, INF],
                     horizon=100, windows=((0, 100),))
    assert_table(rec, [
        (0, 60, NAN, NAN, PENDING),
        (1, NAN, NAN, NAN, PENDING),
        (2, NAN, NAN, 90, RENEGED),
        (3, NAN, NAN, NAN, PENDING),
        (4, NAN, NAN, NAN, PENDING),
    ])
    assert math.isnan(rec["queue_on_arrival"][4])  # never arrived


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
    assert_table(rec, [
        (0, 0, 10, NAN, SERVED),
        (1, 1, 11, NAN, SERVED),
        (2, 10, 20, NAN, SERVED),
        (3, 11, 21, NAN, SERVED),
    ])


# -- end to end ---------------------------------------------------------------------------------


def tiny_scenario(**behaviour) -> dict:
    """Mon-Fri 10:00-12:00 office, needs only 10:00-12:00 Mon-Fri, travel 0, service 5."""
    return {
        "name": "tiny",
        "calendar": {"start": "2023-01-02", "days": 14},
        "seed": 7,
        "errands": [{"id": "e", "share": 1.0,
                     "service_minutes": {"dist": "deterministic", "value": 5}}],
        "demand_profile": {"weekday": {"mon": 1, "tue": 1, "wed": 1, "thu": 1, "fri": 1},
                           "hour": {10: 1, 11: 1}},
        "areas": [{"id": "a", "population": 100, "location": {"lat": 59.0, "lon": 18.0},
                   "demand": {"per_hour": 1.0}}],
        "sites": [{"id": "s", "kind": "office", "location": {"lat": 59.0, "lon": 18.0},
                   "counters": 1, "opening_hours": {"mon-fri": ["10:00-12:00"]}}],
        "behaviour": {"patience_minutes": None, "balk_queue_length": None, **behaviour},
    }


def _in_windows(t: np.ndarray, start: float, end: float) -> np.ndarray:
    """Day 0 is a Monday: weekday < 5 and minute of day within [start, end)."""
    day = np.floor(t / 1440)
    minute = t - day * 1440
    return (day % 7 < 5) & (minute >= start) & (minute < end)


def test_end_to_end_single_counter_follows_lindley():
    """One counter, FIFO, no patience: start_i = max(arrival_i, end_(i-1)) for every visitor."""
    result = simulation.run(tiny_scenario(), replications=2, seed=3)
    v = result.visits
    assert len(v) > 50
    for _, rep in v.groupby("replication"):
        rep = rep.sort_values("arrival_min", kind="stable")
        assert (rep["outcome"] == "served").all()
        assert _in_windows(rep["arrival_min"].to_numpy(), 600, 720).all()
        assert (rep["travel_min"] == 0).all()
        assert (rep["deferral_days"] == 0).all()
        arrival = rep["arrival_min"].to_numpy()
        start = rep["start_min"].to_numpy()
        end = rep["end_min"].to_numpy()
        np.testing.assert_allclose(end - start, 5.0)
        np.testing.assert_allclose(rep["service_min"], 5.0)
        np.testing.assert_allclose(rep["wait_min"], start - arrival)
        expected_start = np.empty_like(arrival)
        free = -np.inf
        for i, a in enumerate(arrival):
            expected_start[i] = max(a, free)
            free = expected_start[i] + 5.0
        # SimPy advances the clock by differences, so allow float rounding only
        np.testing.assert_allclose(start, expected_start, rtol=0, atol=1e-9)


def test_end_to_end_turn_away_never_starts_outside_windows():
    """Busy ``turn_away`` office with deterministic patience: the closing rules hold."""
    doc = tiny_scenario(patience_minutes={"dist": "deterministic", "value": 20})
    doc["areas"][0]["demand"] = {"per_hour": 14.0}
    doc["sites"][0]["closing"] = "turn_away"
    v = simulation.run(doc, replications=1, seed=1).visits
    outcomes = set(v["outcome"].astype(str))
    assert {"served", "reneged", "closed"} <= outcomes
    arrival = v["arrival_min"].to_numpy()
    assert _in_windows(arrival, 600, 720).all()
    served = v[v["outcome"] == "served"]
    assert _in_windows(served["start_min"].to_numpy(), 600, 720).all()
    np.testing.assert_allclose(served["wait_min"], served["start_min"] - served["arrival_min"])
    assert (served["wait_min"] <= 20).all()
    reneged = v[v["outcome"] == "reneged"]
    np.testing.assert_allclose(reneged["leave_min"], reneged["arrival_min"] + 20)
    closed = v[v["outcome"] == "closed"]
    assert ((closed["leave_min"] % 1440) == 720).all()  # the 12:00 closing
    assert (closed["leave_min"] - closed["arrival_min"] <= 20).all()
