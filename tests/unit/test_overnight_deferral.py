"""A deferred visitor to a window open across midnight arrives on the day the window opens
(docs/model.md §7): it is spread over the part of the window before the next midnight,
the day its ``deferral_days`` counts, so arrival day - need day = deferral_days for
every visitor.

Every expected number below is traced by hand in the comments. Day 0 is Monday 2023-01-02, so
minute 600 is Monday 10:00 and minute 1440 is Tuesday 00:00 (helpers in
``tests/unit/window_rules_support.py``).
"""

from __future__ import annotations

import numpy as np
import pytest

import simulation
from simulation.engine.choice import choose
from tests.unit.window_rules_support import DAY, first_windows, network, office_only, one_choice

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
