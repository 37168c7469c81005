"""Demand: weekly profiles, hourly rates and the needs sampled from them."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.engine.demand import hourly_rates, sample_needs
from simulation.engine.streams import stream
from simulation.scenario.loading import load_scenario
from simulation.scenario.profiles import weekly_multipliers
from simulation.scenario.schema import Area, Profile
from tests.conftest import EXAMPLES

DAY = 1440.0


def test_weekly_multipliers_mean_one():
    grid = weekly_multipliers(
        Profile(weekday={"mon": 2, "tue": 1, "sat": 0.5}, hour={9: 1, 10: 3, 14: 2})
    )
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
        10070 * 500 / 1000 / (365 * DAY)
    )


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
