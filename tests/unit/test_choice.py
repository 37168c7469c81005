"""The choice of place and day: deferral to the next window, travel limits, generalised
cost and errands a site does not serve.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import simulation
from simulation.engine.choice import choose
from simulation.engine.geography import great_circle_km
from simulation.engine.network import compile_network
from simulation.scenario.loading import load_scenario

DAY = 1440.0


HOME = {"lat": 59.0, "lon": 18.0}
MON_FRI = {"mon-fri": ["10:00-16:00"]}


def choice_doc(sites: list[dict], **behaviour) -> dict[str, Any]:
    """Day 0 is Monday 2023-01-02; travel minutes = great-circle km (60 km/h, no detour)."""
    return {
        "name": "choice",
        "calendar": {"start": "2023-01-02", "days": 14},
        "errands": [
            {"id": "e", "share": 1.0, "service_minutes": {"dist": "deterministic", "value": 5}}
        ],
        "areas": [{"id": "a", "population": 1, "location": HOME, "demand": {"per_hour": 1}}],
        "sites": [{"kind": "office", "counters": 1, **s} for s in sites],
        "travel": {"speed_kmh": 60, "detour_factor": 1.0},
        "behaviour": behaviour,
    }


def minutes_to(lat: float, lon: float) -> float:
    return float(great_circle_km(HOME["lat"], HOME["lon"], lat, lon))


def choose_for(doc: dict[str, Any], need: list[float], u: float | list[float] = 0.5):
    network = compile_network(load_scenario(doc))
    need_a = np.asarray(need, dtype=float)
    u_a = np.broadcast_to(np.asarray(u, dtype=float), need_a.shape).copy()
    return network, choose(network, 0, need_a, np.zeros(len(need_a), dtype=np.int32), u_a)


def test_need_before_opening_arrives_same_day():
    doc = choice_doc([{"id": "s", "location": HOME, "opening_hours": MON_FRI}])
    u = np.linspace(0, 1, 40, endpoint=False)
    _, c = choose_for(doc, [540.0] * 40, u)  # Monday 09:00; opens 10:00
    assert np.all(c.place == 0)
    assert np.all(c.deferral_days == 0)
    assert np.all(c.travel == 0)
    assert np.all((c.arrival >= 600) & (c.arrival < 960))
    np.testing.assert_allclose(c.arrival, 600 + 360 * u)  # flat profile: uniform in window


def test_need_while_open_arrives_after_travel():
    loc = {"lat": 59.1, "lon": 18.0}
    doc = choice_doc([{"id": "s", "location": loc, "opening_hours": MON_FRI}])
    _, c = choose_for(doc, [660.0])  # Monday 11:00
    travel = minutes_to(59.1, 18.0)
    assert 10 < travel < 12
    assert c.place[0] == 0 and c.deferral_days[0] == 0
    assert c.travel[0] == pytest.approx(travel)
    assert c.arrival[0] == pytest.approx(660.0 + travel)


def test_need_after_closing_goes_next_day():
    doc = choice_doc([{"id": "s", "location": HOME, "opening_hours": MON_FRI}])
    _, c = choose_for(doc, [1000.0])  # Monday 16:40
    assert c.deferral_days[0] == 1
    assert DAY + 600 <= c.arrival[0] < DAY + 960


def test_saturday_need_defers_to_monday():
    doc = choice_doc([{"id": "s", "location": HOME, "opening_hours": MON_FRI}])
    saturday = 5 * DAY + 600
    _, c = choose_for(doc, [saturday, 6 * DAY + 600], [0.0, 0.0])
    assert c.place.tolist() == [0, 0]
    assert c.deferral_days.tolist() == [2, 1]
    assert np.all(c.arrival == 7 * DAY + 600)  # Monday 10:00 (u = 0)


def test_saturday_need_beyond_max_deferral_has_no_option():
    doc = choice_doc([{"id": "s", "location": HOME, "opening_hours": MON_FRI}], max_deferral_days=1)
    _, c = choose_for(doc, [5 * DAY + 600, 6 * DAY + 600])
    assert c.place.tolist() == [-1, 0]
    assert np.isnan(c.arrival[0]) and np.isnan(c.deferral_days[0])
    assert c.deferral_days[1] == 1


def test_saturday_need_no_option_end_to_end():
    doc = choice_doc([{"id": "s", "location": HOME, "opening_hours": MON_FRI}], max_deferral_days=1)
    doc["demand_profile"] = {"weekday": {"sat": 1}}
    v = simulation.run(doc, replications=1, seed=1).visits
    assert len(v) > 100
    assert (v["outcome"] == "no_option").all()
    assert v["arrival_min"].isna().all()
    assert v["site"].isna().all()

    doc["behaviour"]["max_deferral_days"] = 2
    v = simulation.run(doc, replications=1, seed=1).visits
    arrived = v[v["arrival_min"] < 14 * DAY]
    assert (v["deferral_days"] == 2).all()
    assert ((arrived["arrival_min"] // DAY) % 7 == 0).all()  # all arrive on a Monday


def test_site_beyond_max_travel_is_not_chosen():
    far = {"lat": 59.5, "lon": 18.0}  # about 56 minutes away
    assert 50 < minutes_to(**far) < 60
    doc = choice_doc(
        [{"id": "far", "location": far, "opening_hours": "always"}], max_deferral_days=7
    )
    doc["travel"]["max_travel_minutes"] = 30
    network, c = choose_for(doc, [600.0, 5 * DAY])
    assert np.isinf(network.travel[0, 0])
    assert c.place.tolist() == [-1, -1]
    doc["travel"]["max_travel_minutes"] = 60
    _, c = choose_for(doc, [600.0])
    assert c.place.tolist() == [0]


def two_sites(delay: float, max_travel: float | None = None) -> dict[str, Any]:
    """'far' (~56 min, always open) listed first; 'near' (~11 min) open Mondays only."""
    doc = choice_doc(
        [
            {"id": "far", "location": {"lat": 59.5, "lon": 18.0}, "opening_hours": "always"},
            {
                "id": "near",
                "location": {"lat": 59.1, "lon": 18.0},
                "opening_hours": {"mon": ["10:00-16:00"]},
            },
        ],
        delay_minutes_per_day=delay,
        max_deferral_days=7,
    )
    doc["travel"]["max_travel_minutes"] = max_travel
    return doc


def test_cheaper_generalised_cost_wins():
    tuesday = DAY + 600.0
    far, near = minutes_to(59.5, 18.0), minutes_to(59.1, 18.0)
    # delay 15/day: near costs near + 6 * 15 = ~101 > far ~56: go far today
    _, c = choose_for(two_sites(15.0), [tuesday])
    assert near + 6 * 15 > far
    assert c.place.tolist() == [0] and c.deferral_days[0] == 0
    assert c.arrival[0] == pytest.approx(tuesday + far)
    # delay 5/day: near costs ~41 < far ~56: wait for Monday
    _, c = choose_for(two_sites(5.0), [tuesday], 0.0)
    assert near + 6 * 5 < far
    assert c.place.tolist() == [1] and c.deferral_days[0] == 6
    assert c.arrival[0] == 7 * DAY + 600
    assert c.travel[0] == pytest.approx(near)
    # on Monday itself near wins at any delay
    _, c = choose_for(two_sites(15.0), [600.0])
    assert c.place.tolist() == [1] and c.deferral_days[0] == 0


def test_max_travel_excludes_cheaper_far_site():
    _, c = choose_for(two_sites(15.0, max_travel=30.0), [DAY + 600.0])
    assert c.place.tolist() == [1]
    assert c.deferral_days[0] == 6


def test_site_not_serving_the_errand_is_skipped():
    doc = choice_doc(
        [
            {"id": "s", "location": HOME, "opening_hours": "always", "errands": ["other"]},
            {"id": "t", "location": {"lat": 59.1, "lon": 18.0}, "opening_hours": "always"},
        ]
    )
    doc["errands"] = [
        {"id": "e", "share": 0.5, "service_minutes": {"dist": "deterministic", "value": 5}},
        {"id": "other", "share": 0.5, "service_minutes": {"dist": "deterministic", "value": 5}},
    ]
    network = compile_network(load_scenario(doc))
    c = choose(
        network, 0, np.array([600.0, 600.0]), np.array([0, 1], dtype=np.int32), np.array([0.5, 0.5])
    )
    assert c.place.tolist() == [1, 0]
