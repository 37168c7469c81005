"""Named random streams, demand sampling and the choice of place and arrival time."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

import simulation
from simulation.choice import choose, window_arrival
from simulation.demand import hourly_rates, sample_needs, weekly_multipliers
from simulation.geography import great_circle_km
from simulation.loading import load_scenario
from simulation.network import compile_network
from simulation.replication import draw_visitors
from simulation.schema import Area, Profile
from simulation.streams import Streams, stream
from tests.conftest import EXAMPLES

DAY = 1440.0


# -- streams ------------------------------------------------------------------------------------


def test_same_name_same_draws():
    a = stream(11, 3, "needs/skaggetorp").random(50)
    b = stream(11, 3, "needs/skaggetorp").random(50)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(Streams(11, 3)("needs", "skaggetorp").random(50), a)


@pytest.mark.parametrize("other", [(12, 3, "needs/skaggetorp"), (11, 4, "needs/skaggetorp"),
                                   (11, 3, "needs/linkoping-rest"), (11, 3, "errand/skaggetorp")])
def test_different_seed_rep_or_name_differ(other):
    a = stream(11, 3, "needs/skaggetorp").random(20)
    b = stream(*other).random(20)
    assert not np.any(a == b)


def test_stream_independent_of_creation_order():
    s = Streams(5, 0)
    first = s("x").random(10)
    s("y").random(1000)
    np.testing.assert_array_equal(Streams(5, 0)("x").random(10), first)


def two_areas_doc() -> dict[str, Any]:
    return load_scenario(EXAMPLES / "two-areas.yaml").to_dict()


def by_area(network, streams, area_id):
    """The rows of one area from draw_visitors, keyed by (need time)."""
    v = draw_visitors(network, streams)
    a = [x.id for x in network.scenario.areas].index(area_id)
    rows = v.area == a
    return {name: getattr(v, name)[rows] for name in
            ("need", "errand", "service", "patience", "arrival", "travel", "deferral_days")}


def test_adding_an_area_leaves_other_areas_unchanged():
    doc = two_areas_doc()
    bigger = copy.deepcopy(doc)
    new_area = copy.deepcopy(doc["areas"][0])
    new_area.update(id="ryd", name="Ryd", location={"lat": 58.40, "lon": 15.57})
    bigger["areas"].insert(0, new_area)  # shifts every other area's index
    small_net = compile_network(load_scenario(doc))
    big_net = compile_network(load_scenario(bigger))
    for area_id in ("skaggetorp", "linkoping-rest"):
        before = by_area(small_net, Streams(1, 2), area_id)
        after = by_area(big_net, Streams(1, 2), area_id)
        assert len(before["need"]) > 100
        for name in before:
            np.testing.assert_array_equal(before[name], after[name], err_msg=f"{area_id} {name}")
    # the new area does add needs
    assert len(by_area(big_net, Streams(1, 2), "ryd")["need"]) > 100


def test_adding_a_site_leaves_needs_errands_and_service_unchanged():
    doc = two_areas_doc()
    more = copy.deepcopy(doc)
    extra = copy.deepcopy(doc["sites"][0])
    extra.update(id="ryd-office", location={"lat": 58.40, "lon": 15.57}, counters=1)
    more["sites"].insert(0, extra)
    one = compile_network(load_scenario(doc))
    two = compile_network(load_scenario(more))
    for area_id in ("skaggetorp", "linkoping-rest"):
        before = by_area(one, Streams(0, 0), area_id)
        after = by_area(two, Streams(0, 0), area_id)
        for name in ("need", "errand", "service", "patience"):
            np.testing.assert_array_equal(before[name], after[name], err_msg=f"{area_id} {name}")


def test_replications_differ_and_repeat():
    network = compile_network(load_scenario(EXAMPLES / "two-areas.yaml"))
    a = draw_visitors(network, Streams(1, 0))
    b = draw_visitors(network, Streams(1, 0))
    c = draw_visitors(network, Streams(1, 1))
    np.testing.assert_array_equal(a.need, b.need)
    np.testing.assert_array_equal(a.service, b.service)
    assert len(a.need) != len(c.need) or not np.array_equal(a.need, c.need)


def test_run_is_reproducible():
    one = simulation.run(EXAMPLES / "two-areas.yaml", replications=1, seed=9).visits
    two = simulation.run(EXAMPLES / "two-areas.yaml", replications=1, seed=9).visits
    assert one.equals(two)


# -- demand -------------------------------------------------------------------------------------


def test_weekly_multipliers_mean_one():
    grid = weekly_multipliers(Profile(weekday={"mon": 2, "tue": 1, "sat": 0.5},
                                      hour={9: 1, 10: 3, 14: 2}))
    assert grid.shape == (7, 24)
    assert grid.mean() == pytest.approx(1.0)
    assert grid[6].sum() == 0  # sunday not given: weight 0
    assert grid[:, 11].sum() == 0  # hour 11 not given: weight 0
    assert grid[0, 10] == pytest.approx(2 * grid[1, 10]) == pytest.approx(6 * grid[1, 9])
    np.testing.assert_array_equal(weekly_multipliers("flat"), np.ones((7, 24)))


def test_weekly_multipliers_weekday_only():
    grid = weekly_multipliers(Profile(weekday={"mon": 1, "tue": 1, "wed": 1, "thu": 1, "fri": 1}))
    assert grid.mean() == pytest.approx(1.0)
    np.testing.assert_allclose(grid[:5], 7 / 5)
    assert grid[5:].sum() == 0


def test_hourly_rates_keep_weekly_total():
    scenario = load_scenario(EXAMPLES / "two-areas.yaml")
    area = scenario.areas[0]
    rates = hourly_rates(area, scenario.demand_profile, scenario.calendar)
    assert len(rates) == scenario.calendar.days * 24
    # 28 days = 4 whole weeks: the mean rate equals the area's average rate
    assert rates.mean() == pytest.approx(area.demand.per_minute(area.population))
    assert area.demand.per_minute(area.population) == pytest.approx(
        10070 * 500 / 1000 / (365 * DAY))


def test_needs_only_in_hours_with_weight():
    profile = Profile(weekday={"mon": 1, "wed": 2}, hour={10: 1, 14: 2})
    scenario = load_scenario(EXAMPLES / "two-areas.yaml")
    area = Area.model_validate({**scenario.areas[0].model_dump(), "demand": {"per_hour": 30.0}})
    rates = hourly_rates(area, profile, scenario.calendar)
    needs = sample_needs(rates, np.array([0.4, 0.6]), stream(1, 0, "t"), stream(1, 0, "e"))
    assert len(needs.time) > 1000
    assert np.all(np.diff(needs.time) >= 0)
    hour = (needs.time // 60).astype(int) % 24
    weekday = (needs.time // DAY).astype(int) % 7  # day 0 is a Monday
    assert set(hour.tolist()) == {10, 14}
    assert set(weekday.tolist()) == {0, 2}
    # weights 1:2 for hours, 1:2 for days: about twice as many at 14 as at 10
    assert 1.7 < np.sum(hour == 14) / np.sum(hour == 10) < 2.3
    assert 1.7 < np.sum(weekday == 2) / np.sum(weekday == 0) < 2.3
    # the weekly total still follows the rate: 30/hour * 24 * 28 days
    assert abs(len(needs.time) - 30 * 24 * 28) < 5 * np.sqrt(30 * 24 * 28)
    # errands follow the shares
    assert 0.35 < np.mean(needs.errand == 0) < 0.45
    assert set(needs.errand.tolist()) == {0, 1}


# -- arrival within a window ----------------------------------------------------------------------


def test_window_arrival_inside_window_and_uniform_when_flat():
    u = np.linspace(0, 1, 1001, endpoint=False)
    t = window_arrival(600.0, 960.0, np.ones((7, 24)), 0, u)
    assert np.all((t >= 600) & (t < 960))
    np.testing.assert_allclose(t, 600 + 360 * u)


def test_window_arrival_follows_weights():
    profile = np.zeros((7, 24))
    profile[:, 11] = 1.0  # only 11:00-12:00 has weight
    u = np.random.default_rng(0).random(500)
    t = window_arrival(600.0, 960.0, profile, 0, u)
    assert np.all((t >= 660) & (t < 720))
    # two hours, weight 1:3
    profile[:, 13] = 3.0
    t = window_arrival(600.0, 960.0, profile, 0, u)
    in_11, in_13 = np.sum((t >= 660) & (t < 720)), np.sum((t >= 780) & (t < 840))
    assert in_11 + in_13 == len(u)
    assert 2.4 < in_13 / in_11 < 3.8


def test_window_arrival_weekday_of_later_day():
    """A window on day 2 (Wednesday when day 0 is Monday) uses Wednesday's weights."""
    profile = np.zeros((7, 24))
    profile[2, 15] = 1.0  # Wednesday 15:00
    profile[0, 10] = 1.0  # Monday 10:00 must not matter
    u = np.linspace(0, 1, 50, endpoint=False)
    t = window_arrival(2 * DAY + 600, 2 * DAY + 960, profile, 0, u)
    assert np.all((t >= 2 * DAY + 900) & (t < 2 * DAY + 960))


def test_window_arrival_uniform_when_no_weight_in_window():
    profile = np.zeros((7, 24))
    profile[:, 20] = 1.0
    u = np.array([0.0, 0.25, 0.5, 0.999999])
    t = window_arrival(600.0, 720.0, profile, 0, u)
    np.testing.assert_allclose(t, 600 + 120 * u)


def test_window_arrival_partial_hours():
    u = np.linspace(0, 1, 200, endpoint=False)
    t = window_arrival(630.0, 735.0, np.ones((7, 24)), 0, u)
    assert np.all((t >= 630) & (t < 735))
    np.testing.assert_allclose(t, 630 + 105 * u)


# -- choice -------------------------------------------------------------------------------------

HOME = {"lat": 59.0, "lon": 18.0}
MON_FRI = {"mon-fri": ["10:00-16:00"]}


def choice_doc(sites: list[dict], **behaviour) -> dict[str, Any]:
    """Day 0 is Monday 2023-01-02; travel minutes = great-circle km (60 km/h, no detour)."""
    return {
        "name": "choice",
        "calendar": {"start": "2023-01-02", "days": 14},
        "errands": [{"id": "e", "share": 1.0,
                     "service_minutes": {"dist": "deterministic", "value": 5}}],
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
    doc = choice_doc([{"id": "s", "location": HOME, "opening_hours": MON_FRI}],
                     max_deferral_days=1)
    _, c = choose_for(doc, [5 * DAY + 600, 6 * DAY + 600])
    assert c.place.tolist() == [-1, 0]
    assert np.isnan(c.arrival[0]) and np.isnan(c.deferral_days[0])
    assert c.deferral_days[1] == 1


def test_saturday_need_no_option_end_to_end():
    doc = choice_doc([{"id": "s", "location": HOME, "opening_hours": MON_FRI}],
                     max_deferral_days=1)
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
    doc = choice_doc([{"id": "far", "location": far, "opening_hours": "always"}],
                     max_deferral_days=7)
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
        [{"id": "far", "location": {"lat": 59.5, "lon": 18.0}, "opening_hours": "always"},
         {"id": "near", "location": {"lat": 59.1, "lon": 18.0},
          "opening_hours": {"mon": ["10:00-16:00"]}}],
        delay_minutes_per_day=delay, max_deferral_days=7,
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
    doc = choice_doc([{"id": "s", "location": HOME, "opening_hours": "always",
                       "errands": ["other"]},
                      {"id": "t", "location": {"lat": 59.1, "lon": 18.0},
                       "opening_hours": "always"}])
    doc["errands"] = [
        {"id": "e", "share": 0.5, "service_minutes": {"dist": "deterministic", "value": 5}},
        {"id": "other", "share": 0.5, "service_minutes": {"dist": "deterministic", "value": 5}},
    ]
    network = compile_network(load_scenario(doc))
    c = choose(network, 0, np.array([600.0, 600.0]), np.array([0, 1], dtype=np.int32),
               np.array([0.5, 0.5]))
    assert c.place.tolist() == [1, 0]
