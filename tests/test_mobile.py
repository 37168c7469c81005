"""Mobile units: schedules, presence, choice against offices, common random numbers."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import simulation
from simulation.choice import choose
from simulation.cli import main
from simulation.network import compile_network
from simulation.outcomes import CLOSED, OUTCOMES, SERVED
from simulation.replication import VisitorInputs, run_visitors

MONDAY = "2023-01-02"


def base(**behaviour) -> dict:
    """One area, one office 40 travel-minutes away (via a travel matrix), no randomness needed."""
    return {
        "name": "mobile-test",
        "calendar": {"start": MONDAY, "days": 14},
        "seed": 7,
        "errands": [{"id": "e", "share": 1.0, "service_minutes": {"dist": "deterministic", "value": 30}}],
        "areas": [{"id": "a", "population": 1000, "location": {"lat": 58.0, "lon": 16.0},
                   "vulnerable": True, "demand": {"per_hour": 1}}],
        "sites": [{"id": "office", "kind": "office", "location": {"lat": 58.2, "lon": 16.0},
                   "counters": 1, "opening_hours": {"mon-fri": ["10:00-16:00"]}}],
        "travel": {"speed_kmh": 33.4, "detour_factor": 1.0, "within_area_minutes": 5},
        "behaviour": {"max_deferral_days": 7, **behaviour},
    }


def with_unit(doc: dict, *stops: dict, **unit) -> dict:
    doc = copy.deepcopy(doc)
    doc["sites"].append({"id": "unit", "kind": "mobile", "counters": 1, "setup_minutes": 30,
                         "schedule": list(stops), **unit})
    return doc


def test_office_travel_is_forty_minutes():
    net = compile_network(simulation.load_scenario(base()))
    assert net.travel[0, 0] == pytest.approx(40.0, abs=0.1)


@pytest.mark.parametrize(("delay", "expected"), [(15, "unit@a"), (30, "office")])
def test_choice_mobile_two_days_away_against_forty_minute_trip(delay, expected):
    """Need on Monday 10:00. Office: 40 min travel today, cost 40.
    Unit in the area on Wednesday: 5 min walk + 2 days x delay: 35 (delay 15) or 65 (delay 30)."""
    doc = with_unit(base(delay_minutes_per_day=delay),
                    {"area": "a", "days": ["wed"], "hours": ["10:00-14:00"]})
    net = compile_network(simulation.load_scenario(doc))
    c = choose(net, 0, np.array([600.0]), np.array([0]), np.array([0.5]))
    assert net.places[c.place[0]].id == expected
    assert c.deferral_days[0] == (2 if expected == "unit@a" else 0)
    if expected == "unit@a":  # arrives during Wednesday's window
        assert 2 * 1440 + 600 <= c.arrival[0] < 2 * 1440 + 840
    else:
        assert c.arrival[0] == pytest.approx(640.0, abs=0.1)


def test_logit_choice_shares_follow_costs():
    """Costs 35 (unit) and 40 (office), scale 5: P(unit) = 1 / (1 + exp(-1)) = 0.731."""
    doc = with_unit(base(choice={"rule": "logit", "scale": 5}),
                    {"area": "a", "days": ["wed"], "hours": ["10:00-14:00"]})
    net = compile_network(simulation.load_scenario(doc))
    n = 20000
    u = np.random.default_rng(1).random(n)
    c = choose(net, 0, np.full(n, 600.0), np.zeros(n, dtype=int), np.full(n, 0.5), u)
    share = np.mean(c.place == 1)
    assert share == pytest.approx(1 / (1 + np.exp(-1)), abs=0.015)


def test_distance_decay_declines_at_the_expected_rate():
    """Best option costs 40; exponential decay with scale 40 acts with probability exp(-1)."""
    net = compile_network(simulation.load_scenario(base(decay={"form": "exponential", "scale": 40})))
    n = 20000
    u = np.random.default_rng(2).random(n)
    c = choose(net, 0, np.full(n, 600.0), np.zeros(n, dtype=int), np.full(n, 0.5), None, u)
    assert c.declined.mean() == pytest.approx(1 - np.exp(-1), abs=0.015)
    assert np.all(c.place[c.declined] == -1)


def test_unit_errands_exclude_unserved_errand():
    doc = with_unit(base(delay_minutes_per_day=0), {"area": "a", "days": ["mon"], "hours": ["10:00-14:00"]})
    doc["errands"] = [{"id": "e", "share": 0.5, "service_minutes": {"dist": "deterministic", "value": 30}},
                      {"id": "mv", "share": 0.5, "service_minutes": {"dist": "deterministic", "value": 30}}]
    doc["sites"][1]["errands"] = ["e"]
    net = compile_network(simulation.load_scenario(doc))
    c = choose(net, 0, np.array([600.0, 600.0]), np.array([0, 1]), np.array([0.5, 0.5]))
    assert [net.places[p].id for p in c.place] == ["unit@a", "office"]


def hand_visitors(net, need, service, patience=None) -> VisitorInputs:
    """Visitors of area 0 at the given need times, choosing by the model's own rule."""
    need = np.asarray(need, dtype=float)
    n = len(need)
    errand = np.zeros(n, dtype=np.int32)
    c = choose(net, 0, need, errand, np.zeros(n))
    return VisitorInputs(
        area=np.zeros(n, dtype=np.int32), errand=errand, need=need,
        service=np.asarray(service, dtype=float),
        patience=np.full(n, np.inf) if patience is None else np.asarray(patience, dtype=float),
        place=c.place, arrival=c.arrival, travel=c.travel, deferral_days=c.deferral_days,
        declined=c.declined,
    )


@pytest.mark.parametrize("policy", ["serve_queue", "turn_away"])
def test_unit_presence_timeline(policy):
    """Only the unit serves (no office). It is at the area on Monday 10:00-11:00.

    Walk 5 min. Needs at 09:55, 10:00, 10:05 arrive 10:00 (window opens; u=0 puts the
    deferred arrival at opening), 10:05, 10:10; service 30 min each, one counter.

    ====  =======  =====  =====  ===========  ============
    who   arrives  start  end    serve_queue  turn_away
    ====  =======  =====  =====  ===========  ============
    0     10:00    10:00  10:30  served       served
    1     10:05    10:30  11:00  served       served
    2     10:10    11:00  11:30  served (30   closed at 11:00
                                 overtime)
    ====  =======  =====  =====  ===========  ============
    """
    doc = with_unit(base(delay_minutes_per_day=15), {"area": "a", "days": ["mon"], "hours": ["10:00-11:00"]},
                    closing=policy)
    doc["sites"] = doc["sites"][1:]
    doc["demand_profile"] = {"hour": {10: 1}}
    net = compile_network(simulation.load_scenario(doc))
    v = hand_visitors(net, [595.0, 600.0, 605.0], [30, 30, 30])
    assert list(v.arrival) == pytest.approx([600.0, 605.0, 610.0])
    visits = run_visitors(net, 0, v)
    assert list(visits["start_min"][:2]) == [600.0, 630.0]
    assert list(visits["end_min"][:2]) == [630.0, 660.0]
    outcome = visits["outcome"].astype(str).tolist()
    if policy == "serve_queue":
        assert outcome == ["served"] * 3
        assert visits["start_min"][2] == 660.0 and visits["end_min"][2] == 690.0
        kpis = simulation.kpis.replication_kpis(net, visits, 0)
        over = kpis[(kpis.scope == "stop") & (kpis.kpi == "overtime_min")]["value"].iloc[0]
        assert over == pytest.approx(30.0)
    else:
        assert outcome == ["served", "served", "closed"]
        assert visits["leave_min"][2] == 660.0
        assert np.isnan(visits["start_min"][2])


def test_nobody_served_while_unit_is_away():
    """Under turn_away, every service starts inside one of the stop's windows."""
    doc = with_unit(base(), {"area": "a", "days": ["tue", "thu"], "hours": ["10:00-12:00"]},
                    closing="turn_away")
    doc["sites"] = doc["sites"][1:]
    doc["areas"][0]["demand"] = {"per_hour": 6}
    result = simulation.run(doc, replications=2)
    v = result.visits
    started = v.dropna(subset=["start_min"])
    assert len(started) > 20
    minute = started["start_min"] % 1440
    weekday = (started["start_min"] // 1440) % 7
    assert set(weekday.astype(int)) <= {1, 3}
    assert ((minute >= 600) & (minute < 720)).all()
    arrived = v.dropna(subset=["arrival_min"])
    assert (((arrived["arrival_min"] % 1440) >= 600) & ((arrived["arrival_min"] % 1440) < 720)).all()
    assert (v["outcome"] == "closed").sum() > 0


def test_every_nth_week_and_dates():
    doc = with_unit(base(), {"area": "a", "days": ["tue"], "every_weeks": 2, "from_week": 1,
                             "hours": ["10:00-11:00"]},
                    {"area": "a", "dates": ["2023-01-05"], "hours": ["10:00-11:00"]})
    doc["calendar"]["days"] = 28
    net = compile_network(simulation.load_scenario(doc))
    place = next(p for p in net.places if p.id == "unit@a")
    days = sorted({int(s // 1440) for s in place.starts})
    assert days[:3] == [3, 8, 22]  # Thu 5 Jan (date), Tue of week 1, Tue of week 3


@pytest.mark.parametrize(("stops", "fragment"), [
    ([{"area": "a", "days": ["tue"], "hours": ["10:00-12:00"]},
      {"location": {"lat": 58.1, "lon": 16.1}, "days": ["tue"], "hours": ["11:00-13:00"]}],
     "overlaps stop 0"),
    ([{"area": "a", "days": ["tue"], "hours": ["10:00-12:00"]},
      {"location": {"lat": 58.1, "lon": 16.1}, "days": ["tue"], "hours": ["12:10-14:00"]}],
     "setup_minutes is 30"),
    ([{"area": "nowhere", "days": ["tue"], "hours": ["10:00-12:00"]}], "undefined area id"),
    ([{"area": "a", "days": ["tue"], "hours": ["10:00-09:00"]}], "must end after it starts"),
    ([{"area": "a", "hours": ["10:00-12:00"]}], "exactly one of 'days'"),
])
def test_schedule_errors(stops, fragment):
    with pytest.raises(simulation.ScenarioError) as err:
        simulation.load_scenario(with_unit(base(), *stops))
    assert fragment in str(err.value)
    assert err.value.path[:3] == ("sites", 1, "schedule")


def test_same_place_back_to_back_needs_no_setup():
    doc = with_unit(base(), {"area": "a", "days": ["tue"], "hours": ["10:00-12:00", "12:00-14:00"]})
    simulation.load_scenario(doc)


def test_cli_overlapping_stops_exit_2(tmp_path, capsys):
    import yaml

    doc = with_unit(base(), {"area": "a", "days": ["tue"], "hours": ["10:00-12:00"]},
                    {"area": "a", "days": ["mon-fri"], "hours": ["11:00-13:00"]})
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert str(path) in err and "sites[1].schedule[1]" in err and "overlaps" in err


def test_unreachable_unit_leaves_every_visitor_unchanged():
    """Common random numbers: a unit nobody can reach changes no need, errand or outcome."""
    doc = base()
    doc["travel"]["max_travel_minutes"] = 60
    doc["areas"][0]["demand"] = {"per_hour": 3}
    doc["behaviour"]["patience_minutes"] = {"dist": "exponential", "mean": 20}
    far = with_unit(doc, {"location": {"lat": 65.0, "lon": 20.0}, "days": ["mon-fri"], "hours": ["10:00-16:00"]})
    a = simulation.run(doc, replications=2).visits
    b = simulation.run(far, replications=2).visits
    for col in ("need_min", "errand", "outcome", "arrival_min", "start_min", "wait_min"):
        assert a[col].astype(str).tolist() == b[col].astype(str).tolist(), col
    assert (a["outcome"] == "served").sum() > 100


def test_examples_show_the_trade_off():
    """Same seed: the mobile unit and the new office both cut unserved demand in vulnerable
    areas against fixed offices only, and both cost staff hours."""
    from tests.conftest import EXAMPLES

    got = {}
    for name in ("fixed", "mobile", "new-office"):
        r = simulation.run(EXAMPLES / f"norrkoping-{name}.yaml", replications=3)
        got[name] = (r.kpi("unserved_per_1000_yr", "group", "vulnerable")["mean"],
                     r.kpi("staff_hours_per_week")["mean"])
        if name == "mobile":
            assert r.kpi("mobile_share", "group", "vulnerable")["mean"] > 0.2
            assert r.kpi("served", "stop", "unit@navestad".replace("unit", "mobile-1"))["mean"] > 0
    assert got["mobile"][0] < got["fixed"][0] and got["new-office"][0] < got["fixed"][0]
    assert got["mobile"][1] > got["fixed"][1] and got["new-office"][1] > got["fixed"][1]


def test_outcome_codes_match_names():
    assert OUTCOMES[SERVED] == "served" and OUTCOMES[CLOSED] == "closed"
