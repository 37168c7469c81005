"""Choosing between a mobile unit and an office: generalised cost, logit shares, distance
decay and the errands a unit serves.
"""

from __future__ import annotations

import numpy as np
import pytest

import simulation
from simulation.engine.choice import choose
from simulation.engine.network import compile_network
from tests.mobile_support import base, with_unit


def test_office_travel_is_forty_minutes():
    net = compile_network(simulation.load_scenario(base()))
    assert net.travel[0, 0] == pytest.approx(40.0, abs=0.1)


@pytest.mark.parametrize(("delay", "expected"), [(15, "unit@a"), (30, "office")])
def test_choice_mobile_two_days_away_against_forty_minute_trip(delay, expected):
    """Need on Monday 10:00. Office: 40 min travel today, cost 40.
    Unit in the area on Wednesday: 5 min walk + 2 days x delay: 35 (delay 15) or 65 (delay 30)."""
    doc = with_unit(
        base(delay_minutes_per_day=delay), {"area": "a", "days": ["wed"], "hours": ["10:00-14:00"]}
    )
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
    doc = with_unit(
        base(choice={"rule": "logit", "scale": 5}),
        {"area": "a", "days": ["wed"], "hours": ["10:00-14:00"]},
    )
    net = compile_network(simulation.load_scenario(doc))
    n = 20000
    u = np.random.default_rng(1).random(n)
    c = choose(net, 0, np.full(n, 600.0), np.zeros(n, dtype=int), np.full(n, 0.5), u)
    share = np.mean(c.place == 1)
    assert share == pytest.approx(1 / (1 + np.exp(-1)), abs=0.015)


def test_distance_decay_declines_at_the_expected_rate():
    """Best option costs 40; exponential decay with scale 40 acts with probability exp(-1)."""
    net = compile_network(
        simulation.load_scenario(base(decay={"form": "exponential", "scale": 40}))
    )
    n = 20000
    u = np.random.default_rng(2).random(n)
    c = choose(net, 0, np.full(n, 600.0), np.zeros(n, dtype=int), np.full(n, 0.5), None, u)
    assert c.declined.mean() == pytest.approx(1 - np.exp(-1), abs=0.015)
    assert np.all(c.place[c.declined] == -1)


def test_unit_errands_exclude_unserved_errand():
    doc = with_unit(
        base(delay_minutes_per_day=0), {"area": "a", "days": ["mon"], "hours": ["10:00-14:00"]}
    )
    doc["errands"] = [
        {"id": "e", "share": 0.5, "service_minutes": {"dist": "deterministic", "value": 30}},
        {"id": "mv", "share": 0.5, "service_minutes": {"dist": "deterministic", "value": 30}},
    ]
    doc["sites"][1]["errands"] = ["e"]
    net = compile_network(simulation.load_scenario(doc))
    c = choose(net, 0, np.array([600.0, 600.0]), np.array([0, 1]), np.array([0.5, 0.5]))
    assert [net.places[p].id for p in c.place] == ["unit@a", "office"]
