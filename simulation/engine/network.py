"""The compiled network: everything static that a run derives from a scenario.

Built once per scenario and shared by all replications: site windows on the calendar,
the places where each site serves (an office has one; a mobile unit one per stop place),
travel times from every area to every place, which site serves which errand, and each
area's demand rates.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simulation.engine.demand import hourly_rates
from simulation.engine.geography import great_circle_km, travel_minutes
from simulation.scenario.hours import (
    calendar_windows,
    parse_opening_hours,
    parse_staffing,
    staffing_segments,
)
from simulation.scenario.profiles import area_profile, weekly_multipliers
from simulation.scenario.schedules import place_key, place_windows, stop_place_id, unit_visits
from simulation.scenario.schema import Calendar, Mobile, Office, Scenario
from simulation.scenario.travel_matrix import ANY_IDS, read_travel_matrix

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Place:
    """Where a site serves, and when (windows over the run plus the deferral look-ahead).

    An office has one place (its id is the site id); a mobile unit has one per distinct
    stop place (``unit@area`` or ``unit@lat,lon``). ``area`` is the index of the area the
    place lies in when a stop names an area, else -1.
    """

    id: str
    site: int
    lat: float
    lon: float
    area: int
    starts: np.ndarray
    ends: np.ndarray


@dataclass(frozen=True)
class Network:
    """Static structure of a scenario, derived once and never mutated."""

    scenario: Scenario
    places: tuple[Place, ...]
    travel: np.ndarray  # (areas, places) minutes; inf where unreachable
    serves: np.ndarray  # (sites, errands) bool
    rates: tuple[np.ndarray, ...]  # per area: needs per minute in each clock hour
    profiles: tuple[np.ndarray, ...]  # per area: (7, 24) weekly multipliers
    site_starts: tuple[np.ndarray, ...]  # per site: open windows within the horizon
    site_ends: tuple[np.ndarray, ...]
    # per site: staffed periods (starts, ends, counts) when it has a staffing key, else None
    site_staffing: tuple[tuple[np.ndarray, np.ndarray, np.ndarray] | None, ...] = ()

    def staffing(self, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Staffed periods of site ``k`` within the horizon, or ``None`` without ``staffing``."""
        return self.site_staffing[k] if k < len(self.site_staffing) else None

    def place_windows(self, p: int) -> tuple[np.ndarray, np.ndarray]:
        """Open windows of place ``p`` within the horizon."""
        place = self.places[p]
        inside = place.starts < self.horizon
        return place.starts[inside], np.minimum(place.ends[inside], self.horizon)

    @functools.cached_property
    def reachable(self) -> tuple[np.ndarray, ...]:
        """Per area: the indices (ascending) of the places within reach that have windows.

        The only places a need of the area can choose; computed once per network so that the
        choice step costs what an area can reach, not areas x places.
        """
        has_windows = np.array([len(p.ends) > 0 for p in self.places], dtype=bool)
        ok = np.isfinite(self.travel) & has_windows[None, :]
        return tuple(np.flatnonzero(row) for row in ok)

    @property
    def horizon(self) -> float:
        """End of the run in minutes."""
        return self.scenario.calendar.horizon_min


_WARNED: set[tuple[str, tuple[str, ...]]] = set()


def warn_unreachable(scenario: Scenario) -> list[str]:
    """Log a warning naming the areas from which no site can be reached.

    Reachable means a finite travel time (from the travel matrix, else great-circle) within
    ``travel.max_travel_minutes``. Each (matrix, areas) warning is given once per process.
    Called before work starts by :func:`simulation.run`, sweeps and ``servicesim validate``.

    Returns
    -------
    list of str
        Ids of the unreachable areas.
    """
    if not scenario.sites or (
        scenario.travel.matrix is None and scenario.travel.max_travel_minutes is None
    ):
        return []
    matrix = read_travel_matrix(scenario, ANY_IDS) if scenario.travel.matrix is not None else None
    places = _places(scenario)[0]
    travel = travel_table(scenario, places, matrix)
    ids = [
        a.id for a, row in zip(scenario.areas, travel, strict=True) if not np.isfinite(row).any()
    ]
    key = (str(scenario.travel.matrix), tuple(ids))
    if ids and key not in _WARNED:
        _WARNED.add(key)
        shown = ", ".join(ids[:20]) + (f" and {len(ids) - 20} more" if len(ids) > 20 else "")
        source = "the travel matrix" if matrix is not None else "travel.max_travel_minutes"
        log.warning(
            "scenario %s: no site can be reached from %d area(s) (%s gives no time within reach): %s; "
            "all their needs will go unserved",
            scenario.name,
            len(ids),
            source,
            shown,
        )
    return ids


def _places(scenario: Scenario) -> tuple[list[Place], list[np.ndarray], list[np.ndarray]]:
    """Places of every site, and each site's windows within the horizon."""
    cal = scenario.calendar
    days = cal.days + scenario.behaviour.max_deferral_days + 1
    lookahead = cal.model_copy(update={"days": days})
    area_index = {a.id: i for i, a in enumerate(scenario.areas)}
    places: list[Place] = []
    site_starts, site_ends = [], []
    for k, site in enumerate(scenario.sites):
        if isinstance(site, Mobile):
            windows = place_windows(site, cal, days)
            for stop in site.schedule:
                key, place_id = place_key(stop), stop_place_id(site.id, stop)
                if any(p.id == place_id for p in places):
                    continue
                if stop.area is not None:
                    loc = scenario.areas[area_index[stop.area]].location
                    where = area_index[stop.area]
                else:
                    assert stop.location is not None  # a stop has an area or a location
                    loc, where = stop.location, -1
                starts, ends = windows.get(key, (np.empty(0), np.empty(0)))
                places.append(Place(place_id, k, loc.lat, loc.lon, where, starts, ends))
            starts = np.concatenate([w[0] for w in windows.values()] or [np.empty(0)])
            ends = np.concatenate([w[1] for w in windows.values()] or [np.empty(0)])
            order = np.argsort(starts, kind="stable")
            starts, ends = starts[order], ends[order]
        else:
            weekly = parse_opening_hours(site.opening_hours)
            starts, ends = calendar_windows(weekly, lookahead)
            places.append(Place(site.id, k, site.location.lat, site.location.lon, -1, starts, ends))
        inside = starts < cal.horizon_min
        site_starts.append(starts[inside])
        site_ends.append(np.minimum(ends[inside], cal.horizon_min))
    return places, site_starts, site_ends


@dataclass(frozen=True)
class Destination:
    """A place travel times are wanted to: where it is, and the ids a travel matrix may use.

    Attributes
    ----------
    id
        Place id (a site id, or a mobile stop place ``unit@area`` / ``unit@lat,lon``).
    site
        Id of the site serving there (the matrix's fallback key when it has no row for ``id``).
    lat, lon
        Where it is.
    area
        Index of the area it lies in (within-area minutes apply), else -1.
    """

    id: str
    site: str
    lat: float
    lon: float
    area: int = -1


def travel_table(
    scenario: Scenario, places: Sequence[Place], matrix: dict[tuple[str, str], float] | None
) -> np.ndarray:
    """Minutes from every area (rows) to every place (columns); ``inf`` where out of reach.

    Parameters
    ----------
    scenario
        The scenario.
    places
        Its places (from the sites).
    matrix
        The scenario's travel matrix (:func:`read_travel_matrix`), or ``None`` for
        great-circle times.
    """
    destinations = [
        Destination(p.id, scenario.sites[p.site].id, p.lat, p.lon, p.area) for p in places
    ]
    return _travel(scenario, destinations, matrix)


def area_travel_minutes(scenario: Scenario, destinations: Sequence[Destination]) -> np.ndarray:
    """Minutes from every area of ``scenario`` (rows) to each destination (columns).

    The same rules as the network's travel times (:func:`travel_table`): the scenario's travel
    matrix if it has one (a row for the place id, else for the site id, else out of reach),
    otherwise great-circle distance times the detour factor at the travel speed (the
    area's own ``speed_kmh`` where it has one); within-area
    minutes for a destination in an area; ``inf`` beyond ``travel.max_travel_minutes``. The
    destinations need not be places of the scenario (e.g. candidate stops of a unit it does
    not have yet).

    Parameters
    ----------
    scenario
        The scenario whose areas, travel settings and matrix apply.
    destinations
        Where to.

    Returns
    -------
    numpy.ndarray
        Shape ``(areas, destinations)``; ``inf`` where out of reach.
    """
    matrix = read_travel_matrix(scenario, ANY_IDS) if scenario.travel.matrix is not None else None
    return _travel(scenario, destinations, matrix)


def _travel(
    scenario: Scenario,
    destinations: Sequence[Destination],
    matrix: dict[tuple[str, str], float] | None,
) -> np.ndarray:
    """Minutes from every area to every destination (see :func:`area_travel_minutes`)."""
    lat = np.array([a.location.lat for a in scenario.areas])[:, None]
    lon = np.array([a.location.lon for a in scenario.areas])[:, None]
    plat = np.array([p.lat for p in destinations])[None, :]
    plon = np.array([p.lon for p in destinations])[None, :]
    t = scenario.travel
    speed = np.array([a.speed_kmh or t.speed_kmh for a in scenario.areas])[:, None]
    travel = travel_minutes(great_circle_km(lat, lon, plat, plon), speed, t.detour_factor)
    travel = np.array(
        np.broadcast_to(travel, (len(scenario.areas), len(destinations))), dtype=float
    )
    if matrix is not None:
        for a, area in enumerate(scenario.areas):
            for p, place in enumerate(destinations):
                travel[a, p] = matrix.get(
                    (area.id, place.id), matrix.get((area.id, place.site), math.inf)
                )
    for p, place in enumerate(destinations):
        if place.area >= 0:
            travel[place.area, p] = t.within_area_minutes
    if t.max_travel_minutes is not None:
        travel = np.where(travel > t.max_travel_minutes, np.inf, travel)
    return np.asarray(travel, dtype=float).reshape(len(scenario.areas), len(destinations))


def stop_segments(unit: Mobile, calendar: Calendar) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Staffed periods of a mobile unit: each stop occurrence with the stop's own ``counters``
    (else the unit's), sorted and clipped to the horizon."""
    visits = unit_visits(unit, calendar, calendar.days)
    counts = [unit.schedule[v.stop].counters or unit.counters for v in visits]
    starts = np.asarray([v.start for v in visits], dtype=float)
    ends = np.minimum(np.asarray([v.end for v in visits], dtype=float), calendar.horizon_min)
    keep = starts < calendar.horizon_min
    return starts[keep], ends[keep], np.asarray(counts, dtype=np.int64)[keep]


def compile_network(scenario: Scenario) -> Network:
    """Derive the static network of ``scenario`` (see :class:`Network`)."""
    cal = scenario.calendar
    places, site_starts, site_ends = _places(scenario)

    matrix = read_travel_matrix(scenario, ANY_IDS) if scenario.travel.matrix is not None else None
    travel = travel_table(scenario, places, matrix)

    errand_ids = [e.id for e in scenario.errands]
    serves = np.zeros((len(scenario.sites), len(errand_ids)), dtype=bool)
    for k, site in enumerate(scenario.sites):
        allowed = set(site.errands) if site.errands is not None else set(errand_ids)
        serves[k] = [e in allowed for e in errand_ids]

    profiles = tuple(weekly_multipliers(area_profile(scenario, a)) for a in scenario.areas)
    rates = tuple(hourly_rates(a, area_profile(scenario, a), cal) for a in scenario.areas)
    staffing: list[tuple[np.ndarray, np.ndarray, np.ndarray] | None] = []
    for site in scenario.sites:
        if isinstance(site, Office) and site.staffing is not None:
            weekly = parse_opening_hours(site.opening_hours)
            staff = parse_staffing(site.staffing, weekly)
            staffing.append(staffing_segments(weekly, staff, site.counters, cal))
        elif isinstance(site, Mobile) and any(stop.counters is not None for stop in site.schedule):
            staffing.append(stop_segments(site, cal))
        else:
            staffing.append(None)
    return Network(
        scenario,
        tuple(places),
        travel,
        serves,
        rates,
        profiles,
        tuple(site_starts),
        tuple(site_ends),
        tuple(staffing),
    )
