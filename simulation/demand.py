"""Needs: when residents of an area need in-person help, and for which errand.

Needs form a non-homogeneous Poisson process whose rate is constant within each clock hour:
the area's average rate times its weekday weight times its hour weight, normalised so that
the weights average 1 over the week. Sampling is exact: a Poisson count per hour, then
uniform times within the hour.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation.schema import WEEKDAYS, Area, Calendar, Profile, ProfileSpec, Scenario


def weekly_multipliers(profile: ProfileSpec) -> np.ndarray:
    """Relative rate for each weekday (rows, Monday first) and hour (columns), mean 1.

    Parameters
    ----------
    profile
        ``"flat"`` or a :class:`~simulation.schema.Profile`.

    Returns
    -------
    numpy.ndarray
        Array of shape ``(7, 24)`` whose mean is 1 (all zeros if every weight is zero).
    """
    if profile == "flat":
        return np.ones((7, 24))
    assert isinstance(profile, Profile)
    day = np.ones(7) if profile.weekday is None else np.array(
        [profile.weekday.get(d, 0.0) for d in WEEKDAYS]
    )
    hour = np.ones(24) if profile.hour is None else np.array(
        [profile.hour.get(h, 0.0) for h in range(24)]
    )
    grid = np.outer(day, hour)
    mean = grid.mean()
    return grid / mean if mean > 0 else grid


def area_profile(scenario: Scenario, area: Area) -> ProfileSpec:
    """The profile that applies to ``area`` (its own, else the scenario's)."""
    return area.demand_profile if area.demand_profile is not None else scenario.demand_profile


def hourly_rates(area: Area, profile: ProfileSpec, calendar: Calendar) -> np.ndarray:
    """Needs per minute in each clock hour of the run (length ``days * 24``)."""
    grid = weekly_multipliers(profile)
    weekday = (calendar.first_weekday + np.arange(calendar.days)) % 7
    return area.demand.per_minute(area.population) * grid[weekday].ravel()


@dataclass(frozen=True)
class Needs:
    """The needs of one area in one replication, sorted by time."""

    time: np.ndarray
    errand: np.ndarray  # index into scenario.errands


def sample_needs(
    rates: np.ndarray, shares: np.ndarray, rng_time: np.random.Generator, rng_errand: np.random.Generator
) -> Needs:
    """Sample need times from hourly rates and an errand for each need.

    Parameters
    ----------
    rates
        Needs per minute in each clock hour, from :func:`hourly_rates`.
    shares
        Share of each errand (sums to 1).
    rng_time, rng_errand
        The area's need-time and errand streams.
    """
    counts = rng_time.poisson(rates * 60.0)
    total = int(counts.sum())
    starts = np.repeat(np.arange(len(rates), dtype=float) * 60.0, counts)
    times = np.sort(starts + rng_time.random(total) * 60.0)
    cumulative = np.cumsum(shares)
    cumulative[-1] = 1.0
    errands = np.searchsorted(cumulative, rng_errand.random(total), side="right")
    return Needs(times, np.minimum(errands, len(shares) - 1).astype(np.int32))


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
