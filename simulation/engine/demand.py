"""Needs: when residents of an area need in-person help, and for which errand.

Needs form a non-homogeneous Poisson process whose rate is constant within each clock hour:
the area's average rate times its weekday weight times its hour weight, normalised so that
the weights average 1 over the week. Sampling is exact: a Poisson count per hour, then
uniform times within the hour.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation.scenario.profiles import weekly_multipliers
from simulation.scenario.schema import Area, Calendar, ProfileSpec


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
    rates: np.ndarray,
    shares: np.ndarray,
    rng_time: np.random.Generator,
    rng_errand: np.random.Generator,
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
