"""Touching windows of a mobile unit at the same place merge into one window (docs/model.md
§4.3): the unit stays, so nobody is turned away at the join and deferred visitors spread
over both parts. Touching windows at two different places do not merge: the unit moves.

Every expected number below is traced by hand in the comments. Day 0 is Monday 2023-01-02, so
minute 600 is Monday 10:00 and minute 1440 is Tuesday 00:00 (helpers in
``tests/unit/window_rules_support.py``).
"""

from __future__ import annotations

import numpy as np
import pytest

import simulation
from simulation.engine.choice import choose
from simulation.engine.replication import VisitorInputs, run_visitors
from tests.unit.window_rules_support import DAY, first_windows, network, one_choice, unit_only

TWO_TOUCHING_STOPS = (
    {"area": "a", "days": ["mon"], "hours": ["10:00-11:00"], "name": "morning"},
    {"area": "a", "days": ["mon"], "hours": ["11:00-12:00"], "name": "late morning"},
)


@pytest.mark.parametrize(
    "stops",
    [
        TWO_TOUCHING_STOPS,  # two stops, same area
        ({"area": "a", "days": ["mon"], "hours": ["10:00-11:00", "11:00-12:00"]},),  # one stop
    ],
)
def test_touching_stops_at_one_place_are_one_window(stops):
    # rule (a): Monday 10:00-11:00 and 11:00-12:00 at area a -> one window [600, 720) for the
    # place and for the site, exactly as if the schedule said 10:00-12:00
    net = network(unit_only(*stops))
    assert [p.id for p in net.places] == ["unit@a"]
    assert first_windows(net, 0) == [(600.0, 720.0)]
    assert net.site_starts[0][:1].tolist() == [600.0] and net.site_ends[0][:1].tolist() == [720.0]
    same = network(unit_only({"area": "a", "days": ["mon"], "hours": ["10:00-12:00"]}))
    np.testing.assert_array_equal(net.places[0].starts, same.places[0].starts)
    np.testing.assert_array_equal(net.places[0].ends, same.places[0].ends)


def test_touching_stops_across_midnight_are_one_window():
    # rule (a) with §3's midnight join: Monday 20:00-24:00 and Tuesday 00:00-02:00 at area a are
    # one window [1200, 1560), as for an office open 20:00-24:00 and 00:00-02:00
    net = network(
        unit_only(
            {"area": "a", "days": ["mon"], "hours": ["20:00-24:00"]},
            {"area": "a", "days": ["tue"], "hours": ["00:00-02:00"]},
        )
    )
    assert first_windows(net, 0, before=2 * DAY) == [(1200.0, 1560.0)]


def test_touching_stops_at_two_places_stay_two_windows():
    # rule (a) applies to one place only: with setup_minutes 0 the unit may leave area a at
    # 11:00 and open at another point at 11:00; those are two places with a window each, and
    # the site's windows [600, 660) and [660, 720) keep the closing at 11:00
    net = network(
        unit_only(
            {"area": "a", "days": ["mon"], "hours": ["10:00-11:00"]},
            {"location": {"lat": 58.01, "lon": 16.0}, "days": ["mon"], "hours": ["11:00-12:00"]},
            setup=0,
        )
    )
    assert [p.id for p in net.places] == ["unit@a", "unit@58.01000,16.00000"]
    assert first_windows(net, 0) == [(600.0, 660.0)]
    assert first_windows(net, 1) == [(660.0, 720.0)]
    assert net.site_starts[0][:2].tolist() == [600.0, 660.0]
    assert net.site_ends[0][:2].tolist() == [660.0, 720.0]


def test_turn_away_does_not_close_between_touching_stops():
    """Rule (a), end to end, one counter, 40-minute services, ``turn_away``, walk 5 minutes.

    ===  =====  =======  =====  =====  ========================================
    who  need   arrives  start  end    why
    ===  =====  =======  =====  =====  ========================================
    0    10:25  10:30    10:30  11:10  counter idle
    1    10:30  10:35    11:10  11:50  still waiting at 11:00: the unit stays
    2    10:35  10:40    11:50  12:30  starts inside the window, 30 min overtime
    ===  =====  =======  =====  =====  ========================================

    Were 11:00 a closing, visitors 1 and 2 would be ``closed`` at 11:00.
    """
    net = network(unit_only(*TWO_TOUCHING_STOPS, closing="turn_away"))
    need = np.array([625.0, 630.0, 635.0])
    c = choose(net, 0, need, np.zeros(3, dtype=np.int64), np.zeros(3))
    inputs = VisitorInputs(
        area=np.zeros(3, dtype=np.int32),
        errand=np.zeros(3, dtype=np.int32),
        need=need,
        service=np.full(3, 40.0),
        patience=np.full(3, np.inf),
        place=c.place,
        arrival=c.arrival,
        travel=c.travel,
        deferral_days=c.deferral_days,
        declined=c.declined,
    )
    assert c.arrival.tolist() == [630.0, 635.0, 640.0]
    visits = run_visitors(net, 0, inputs)
    assert visits["outcome"].astype(str).tolist() == ["served"] * 3
    assert visits["start_min"].tolist() == [630.0, 670.0, 710.0]
    assert visits["end_min"].tolist() == [670.0, 710.0, 750.0]
    kpis = simulation.measures.kpis.replication_kpis(net, visits, 0)
    stop = kpis[(kpis.scope == "stop") & (kpis["id"] == "unit@a")].set_index("kpi")["value"]
    assert stop["overtime_min"] == pytest.approx(30.0)


def test_deferred_visitors_spread_over_both_touching_stops():
    # rule (a): a need on Sunday of week 0 (minute 6·1440 + 720) waits for Monday of week 1,
    # window [10080 + 600, 10080 + 720) with a flat profile: u = 0.75 is three quarters of the
    # two hours -> 11:30 (minute 10080 + 690), inside the second stop's hours; u = 0.25 -> 10:30
    net = network(unit_only(*TWO_TOUCHING_STOPS))
    sunday_noon = 6 * DAY + 720
    assert one_choice(net, sunday_noon, 0.75) == ("unit@a", 1.0, 7 * DAY + 690)
    assert one_choice(net, sunday_noon, 0.25) == ("unit@a", 1.0, 7 * DAY + 630)
