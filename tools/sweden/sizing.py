"""The expected-load model that sizes counters and picks where new sites go.

Travel times come from ``simulation.engine.geography``, so the generator and the model measure
distance the same way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from simulation.engine import geography
from tools.sweden.parameters import (
    DECAY_SCALE,
    DETOUR,
    ERRANDS,
    MAX_TRAVEL_MIN,
    MV,
    OPEN_HOURS_PER_DAY,
    OPENING,
    SPEED_KMH,
    VISITS_PER_STAFF_DAY,
    WEEKDAYS_PER_YEAR,
    Errand,
)


@dataclass(frozen=True)
class DemandArea:
    """A demand area of a scenario."""

    id: str
    name: str
    municipality: str
    population: int
    lat: float
    lon: float
    vulnerable: bool
    rate: float  # per 1,000 residents per year
    comments: dict[str, str] = field(default_factory=dict)
    speed_kmh: float | None = None  # A17: the residents' own door-to-door speed (None: SE2's)

    @property
    def per_year(self) -> float:
        """Expected needs per year."""
        return self.rate * self.population / 1000.0


@dataclass(frozen=True)
class Office:
    """A fixed office of a scenario."""

    id: str
    name: str
    municipality: str
    lat: float
    lon: float
    mv: bool
    note: str
    counters: int = 0
    hours: str = OPENING


def travel_minutes(
    lat1: float, lon1: float, lat2: float, lon2: float, speed_kmh: float | None = None
) -> float:
    """Door-to-door minutes between two points, as the model computes them (SE2; an area's
    own speed, A17, where it has one)."""
    here, there = np.asarray([lat1, lon1]), np.asarray([lat2, lon2])
    km = geography.great_circle_km(here[0], here[1], there[0], there[1])
    return float(geography.travel_minutes(km, speed_kmh or SPEED_KMH, DETOUR))


def act_share(minutes: float) -> float:
    """Share of needs acted on at a given travel time (exponential decay, A9)."""
    return math.exp(-minutes / DECAY_SCALE)


def mix(with_mv: bool) -> list[Errand]:
    """The errand mix (A7), renormalised without Migrationsverket when no office serves it."""
    if with_mv:
        return list(ERRANDS)
    rest = [e for e in ERRANDS if e[0] != MV]
    total = sum(e[2] for e in rest)
    shares = [round(e[2] / total, 6) for e in rest]
    shares[-1] = round(1.0 - sum(shares[:-1]), 6)
    return [(e[0], e[1], s) for e, s in zip(rest, shares, strict=True)]


def expected_load(
    areas: Sequence[DemandArea],
    offices: Sequence[Office],
    errands: Sequence[Errand],
) -> tuple[dict[str, float], dict[str, float]]:
    """Expected visits per year at each office, and needs lost to distance per area.

    Each need goes to the nearest office that serves its errand (least cost on the same day)
    and is acted on with probability ``exp(-travel / scale)``; queue losses are ignored.
    """
    load = {o.id: 0.0 for o in offices}
    lost = {a.id: 0.0 for a in areas}
    for area in areas:
        for errand, _, share in errands:
            options = [
                (travel_minutes(area.lat, area.lon, o.lat, o.lon, area.speed_kmh), k)
                for k, o in enumerate(offices)
                if errand != MV or o.mv
            ]
            options = [(t, k) for t, k in options if t <= MAX_TRAVEL_MIN]
            needs = area.per_year * share
            if not options:
                lost[area.id] += needs
                continue
            t, k = min(options)
            load[offices[k].id] += needs * act_share(t)
            lost[area.id] += needs * (1 - act_share(t))
    return load, lost


def size_counters(per_year: float, hours_per_day: float = OPEN_HOURS_PER_DAY) -> tuple[int, float]:
    """Counters so that each serves ~``VISITS_PER_STAFF_DAY`` visits per 6-hour day.

    Returns
    -------
    tuple
        The counters (at least 1) and the expected visits per weekday.
    """
    daily = per_year / WEEKDAYS_PER_YEAR
    per_counter = VISITS_PER_STAFF_DAY * hours_per_day / OPEN_HOURS_PER_DAY
    return max(1, round(daily / per_counter)), daily


def size_offices(
    areas: Sequence[DemandArea],
    offices: Sequence[Office],
    errands: Sequence[Errand],
) -> tuple[list[Office], dict[str, float]]:
    """Offices with counters sized from expected demand, and the expected visits per year."""
    load, _ = expected_load(areas, offices, errands)
    out = []
    for o in offices:
        counters, _ = size_counters(load[o.id])
        out.append(replace(o, counters=counters))
    return out, load
