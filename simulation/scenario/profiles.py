"""Demand profiles as a scenario specifies them: weekday and hour weights, and expected needs.

The weights of an area (its own profile, else the scenario's) give its relative rate in each
weekday and clock hour, normalised to average 1 over the week; :mod:`simulation.engine.demand`
samples needs from them. :func:`expected_needs` lets the scenario's size be checked at load,
before any work.
"""

from __future__ import annotations

import numpy as np

from simulation.scenario.schema import WEEKDAYS, Area, Profile, ProfileSpec, Scenario


def weekly_multipliers(profile: ProfileSpec) -> np.ndarray:
    """Relative rate for each weekday (rows, Monday first) and hour (columns), mean 1.

    Parameters
    ----------
    profile
        ``"flat"`` or a :class:`~simulation.scenario.schema.Profile`.

    Returns
    -------
    numpy.ndarray
        Array of shape ``(7, 24)`` whose mean is 1 (all zeros if every weight is zero).
    """
    if profile == "flat":
        return np.ones((7, 24))
    assert isinstance(profile, Profile)
    day = (
        np.ones(7)
        if profile.weekday is None
        else np.array([profile.weekday.get(d, 0.0) for d in WEEKDAYS])
    )
    hour = (
        np.ones(24)
        if profile.hour is None
        else np.array([profile.hour.get(h, 0.0) for h in range(24)])
    )
    with np.errstate(over="ignore"):  # absurd weights overflow to inf (refused by the limits)
        grid = np.outer(day, hour)
        mean = grid.mean()
    return grid / mean if mean > 0 else grid


def area_profile(scenario: Scenario, area: Area) -> ProfileSpec:
    """The profile that applies to ``area`` (its own, else the scenario's)."""
    return area.demand_profile if area.demand_profile is not None else scenario.demand_profile


def expected_needs(scenario: Scenario) -> float:
    """Expected number of needs in one replication (all areas over all calendar days).

    Computed from the weekly profiles and the count of each weekday in the calendar, without
    building the hourly rates, so it is cheap even for a long calendar.
    """
    cal = scenario.calendar
    weekday_counts = np.bincount((cal.first_weekday + np.arange(cal.days)) % 7, minlength=7)
    total = 0.0
    with np.errstate(over="ignore", invalid="ignore"):  # absurd profile weights give inf or nan
        for area in scenario.areas:
            per_day = weekly_multipliers(area_profile(scenario, area)).sum(axis=1) * 60.0
            total += area.demand.per_minute(area.population) * float(per_day @ weekday_counts)
    return total
