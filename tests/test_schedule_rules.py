"""Two window rules that docs/model.md once stated against the code (issue 13, item 7).

(a) Touching windows of a mobile unit at the same place merge into one window (§4.3): the unit
    stays, so nobody is turned away at the join and deferred visitors spread over both parts.
    Touching windows at two different places do not merge: the unit moves.
(b) A deferred visitor to a window open across midnight arrives on the day the window opens
    (§7): it is spread over the part of the window before the next midnight, the day its
    ``deferral_days`` counts, so arrival day - need day = deferral_days for every visitor.

Every expected number below is traced by hand in the comments. Day 0 is Monday 2023-01-02, so
minute 600 is Monday 10:00 and minute 1440 is Tuesday 00:00.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

import simulation
from simulation.choice import choose
from simulation.network import Network, compile_network
from simulation.replication import VisitorInputs, run_visitors

MONDAY = "2023-01-02"
DAY = 1440.0


def unit_only(
    *stops: dict[str, Any], closing: str = "serve_queue", setup: float = 30
) -> dict[str, Any]:
    """One area ``a``; one mobile unit with the given stops; 5-minute walk; 40-minute services."""
    return {
        "name": "schedule-rules",
        "calendar": {"start": MONDAY, "days": 7},
        "errands": [
            {"id": "e", "share": 1.0, "service_minutes": {"dist": "deterministic", "value": 40}}
        ],
        "areas": [
            {
                "id": "a",
                "population": 1000,
                "location": {"lat": 58.0, "lon": 16.0},
                "demand": {"per_hour": 1},
            }
        ],
        "sites": [
            {
                "id": "unit",
                "kind": "mobile",
                "counters": 1,
                "setup_minutes": setup,
                "closing": closing,
                "schedule": list(stops),
            }
        ],
        "travel": {"within_area_minutes": 5},
        "behaviour": {"max_deferral_days": 7},
    }


def office_only(hours: dict[str, list[str]], profile: Any = "flat") -> dict[str, Any]:
    """One area ``a`` and one office at the same point (travel 0) with the given hours."""
    return {
        "name": "overnight",
        "calendar": {"start": MONDAY, "days": 14},
        "errands": [
            {"id": "e", "share": 1.0, "service_minutes": {"dist": "deterministic", "value": 1}}
        ],
        "demand_profile": profile,
        "areas": [
            {
                "id": "a",
                "population": 1000,
                "location": {"lat": 58.0, "lon": 16.0},
                "demand": {"per_hour": 1},
            }
        ],
        "sites": [
            {
                "id": "office",
                "kind": "office",
                "location": {"lat": 58.0, "lon": 16.0},
                "counters": 1,
                "opening_hours": hours,
            }
        ],
        "behaviour": {"max_deferral_days": 7},
    }


def network(doc: dict[str, Any]) -> Network:
    return compile_network(simulation.load_scenario(copy.deepcopy(doc)))


def first_windows(net: Network, p: int, before: float = DAY) -> list[tuple[float, float]]:
    place = net.places[p]
    return [
        (float(s), float(e)) for s, e in zip(place.starts, place.ends, strict=True) if s < before
    ]


def one_choice(net: Network, need: float, u: float) -> tuple[str, float, float]:
    """Place id, days deferred and arrival minute of one need of area 0 with arrival uniform u."""
    c = choose(net, 0, np.array([need]), np.array([0]), np.array([u]))
    return net.places[int(c.place[0])].id, float(c.deferral_days[0]), float(c.arrival[0])


# ---------------------------------------------------------------------------------------------
# (a) touching windows of a unit at the same place merge


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
    kpis = simulation.kpis.replication_kpis(net, visits, 0)
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


# ---------------------------------------------------------------------------------------------
# (b) a deferred visitor to a window open across midnight arrives on the day it opens

OVERNIGHT = {"mon": ["20:00-24:00"], "tue": ["00:00-02:00"]}  # one window [1200, 1560)


def test_overnight_window_is_one_window():
    net = network(office_only(OVERNIGHT))
    assert first_windows(net, 0, before=7 * DAY) == [(1200.0, 1560.0)]


@pytest.mark.parametrize(
    ("u", "arrival"),
    [
        (0.0, 1200.0),  # opening, 20:00
        (0.25, 1260.0),  # a quarter of 20:00-24:00 -> 21:00
        (0.5, 1320.0),  # 22:00 (over the whole window 20:00-02:00 it would be 23:00)
        (0.75, 1380.0),  # 23:00 (whole window: 00:30 on Tuesday)
    ],
)
def test_deferred_overnight_arrival_on_the_opening_day_flat(u, arrival):
    # rule (b), flat profile: need Monday 12:00 (minute 720), travel 0, window [1200, 1560)
    # -> deferred 0 days, arrival uniform over [1200, 1440), i.e. 1200 + 240 u
    assert one_choice(network(office_only(OVERNIGHT)), 720.0, u) == ("office", 0.0, arrival)


def test_deferred_overnight_arrival_follows_hour_weights_before_midnight():
    # rule (b), hour weights 20: 1, 21: 3, 0: 5, 1: 5 (others 0). Before midnight the masses are
    # 1 (20-21) and 3 (21-22), total 4; u = 0.5 is mass 2 = 1 + 1/3 of hour 21 -> 21:20 (1280).
    # Counting the 10 units of mass after midnight, u = 0.5 would be mass 7 -> Tuesday 00:36.
    # u = 0.999 is mass 3.996 = 1 + 2.996, 2.996 / 3 of hour 21 = 59.92 min -> 1319.92: the
    # weight after midnight draws nobody.
    doc = office_only(OVERNIGHT, profile={"hour": {20: 1, 21: 3, 0: 5, 1: 5}})
    net = network(doc)
    assert one_choice(net, 720.0, 0.5) == ("office", 0.0, pytest.approx(1280.0))
    assert one_choice(net, 720.0, 0.999) == ("office", 0.0, pytest.approx(1319.92))


def test_deferred_overnight_arrivals_are_uniform_before_midnight_statistically():
    # rule (b), flat profile, 20,000 needs on Monday 12:00 with uniforms from a fixed seed:
    # every arrival lies in [20:00, 24:00); each of the four hours gets a quarter (binomial
    # standard error sqrt(0.25 * 0.75 / 20000) = 0.0031, tolerance 0.015 is almost 5 of them)
    n = 20_000
    u = np.random.default_rng(13).random(n)
    net = network(office_only(OVERNIGHT))
    c = choose(net, 0, np.full(n, 720.0), np.zeros(n, dtype=np.int64), u)
    assert (c.deferral_days == 0).all()
    assert c.arrival.min() >= 1200.0 and c.arrival.max() < 1440.0
    share = np.bincount(((c.arrival - 1200.0) // 60).astype(int), minlength=4) / n
    np.testing.assert_allclose(share, 0.25, atol=0.015)
    assert c.arrival.mean() == pytest.approx(1320.0, abs=2.0)  # sd 69 / sqrt(n) = 0.5


def test_need_after_midnight_inside_the_window_is_immediate():
    # rule (b) concerns deferred visitors only: a need on Tuesday 01:00 (minute 1500) finds the
    # window open and arrives at once (travel 0), 0 days after its need
    assert one_choice(network(office_only(OVERNIGHT)), 1500.0, 0.5) == ("office", 0.0, 1500.0)


def test_deferred_visitor_to_a_multi_day_window_arrives_on_its_first_day():
    # rule (b) for a window spanning days: mon-fri 00:00-24:00 is one window from Monday 00:00
    # to Saturday 00:00 of each week. A need on Saturday 12:00 (minute 7920) is deferred 2 days
    # to Monday of week 1 (minute 10080) and, flat, u = 0.5 arrives Monday 12:00 (10800); over
    # the whole five-day window it would arrive on Wednesday 12:00, four days after its need.
    net = network(office_only({"mon-fri": ["00:00-24:00"]}))
    assert first_windows(net, 0, before=8 * DAY) == [(0.0, 5 * DAY), (7 * DAY, 12 * DAY)]
    assert one_choice(net, 5 * DAY + 720, 0.5) == ("office", 2.0, 7 * DAY + 720)


def test_run_deferral_days_equal_the_arrival_day_minus_the_need_day():
    # rule (b) end to end: the office opens only Monday 20:00 - Tuesday 02:00 and
    # Thursday 20:00 - Friday 02:00; needs arise all day, so most visitors are deferred; no
    # deferred visitor arrives after midnight, and for every visitor deferral_days is exactly
    # the number of calendar days between need and arrival
    doc = office_only(
        {
            "mon": ["20:00-24:00"],
            "tue": ["00:00-02:00"],
            "thu": ["20:00-24:00"],
            "fri": ["00:00-02:00"],
        }
    )
    doc["areas"][0]["demand"] = {"per_hour": 4}
    v = simulation.run(doc, replications=2, seed=5).visits
    went = v[v["arrival_min"].notna()]
    need, arrival = went["need_min"].to_numpy(), went["arrival_min"].to_numpy()
    deferred = arrival > need + went["travel_min"].to_numpy()
    assert deferred.sum() > 1000
    minute = arrival % DAY
    assert ((minute[deferred] >= 1200) & (minute[deferred] < 1440)).all()
    assert (~deferred & (minute < 120)).sum() > 50  # after midnight: needs that arose there
    day = np.floor(arrival / DAY) - np.floor(need / DAY)
    np.testing.assert_array_equal(went["deferral_days"].to_numpy(), day)
