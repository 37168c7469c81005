"""The compiled network: everything static that a run derives from a scenario.

Built once per scenario and shared by all replications: site windows on the calendar,
the places where each site serves (an office has one; a mobile unit one per stop place),
travel times from every area to every place, which site serves which errand, and each
area's demand rates.
"""

from __future__ import annotations

import csv
import difflib
import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simulation.demand import area_profile, hourly_rates, weekly_multipliers
from simulation.errors import ScenarioError
from simulation.geography import great_circle_km, travel_minutes
from simulation.hours import calendar_windows, parse_opening_hours
from simulation.limits import check_input_file
from simulation.schedules import place_key, place_windows, stop_place_id
from simulation.schema import Mobile, Scenario

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

    def place_windows(self, p: int) -> tuple[np.ndarray, np.ndarray]:
        """Open windows of place ``p`` within the horizon."""
        place = self.places[p]
        inside = place.starts < self.horizon
        return place.starts[inside], np.minimum(place.ends[inside], self.horizon)

    @property
    def horizon(self) -> float:
        """End of the run in minutes."""
        return self.scenario.calendar.horizon_min


@dataclass(frozen=True)
class TravelIds:
    """Ids a travel matrix may name beyond those of the scenario being loaded.

    One matrix serves every design of a sweep, so a row for a site that one design removed
    (or an area, or a mobile unit's place another design adds) is ignored in the designs
    without it; a row for an id that no design has is an error.

    Attributes
    ----------
    areas, sites
        Area ids, and site or place ids (``unit@area``), of every design.
    any
        Accept every id without a word (the scenario was checked already, e.g. when a
        sweep's worker reloads one of its designs).
    """

    areas: frozenset[str] = frozenset()
    sites: frozenset[str] = frozenset()
    any: bool = False

    @classmethod
    def of(cls, scenarios: Iterable[Scenario]) -> TravelIds:
        """The ids of all ``scenarios`` (e.g. every design of a sweep)."""
        areas: set[str] = set()
        sites: set[str] = set()
        for scenario in scenarios:
            areas.update(a.id for a in scenario.areas)
            sites.update(scenario_site_ids(scenario))
        return cls(frozenset(areas), frozenset(sites))


ANY_IDS = TravelIds(any=True)
"""Accept rows for any id (the scenario's matrix was checked when it was loaded)."""

MATRIX_COLUMNS = ("area", "site", "minutes")

_MATRIX_CACHE: dict[tuple[str, int, int, int], tuple[tuple[int, str, str, float], ...]] = {}


def scenario_site_ids(scenario: Scenario) -> set[str]:
    """Ids a matrix row may give as ``site``: site ids and mobile stop places (``unit@area``)."""
    return {s.id for s in scenario.sites} | {p.id for p in _places(scenario)[0]}


def matrix_rows(path: Path) -> tuple[tuple[int, str, str, float], ...]:
    """The rows ``(line, area, site, minutes)`` of a travel-matrix CSV, checked for form.

    The file is checked before it is opened (no special files, size limit). An empty file, a
    header without rows, a wrong header, a line of the wrong length, a bad number and the
    same (area, site) pair with two different minutes are errors. Messages never echo the
    file beyond the offending field. Parsed files are remembered by path, size and
    modification time.

    Raises
    ------
    ScenarioError
        With path ``travel.matrix`` and, for a line, the offending field as value.
    """
    where = ("travel", "matrix")
    try:
        info = check_input_file(path, "matrix")
    except ScenarioError as exc:
        raise ScenarioError(f"travel matrix: {exc.message}", where, str(path)) from None
    key = (str(path), info.st_mtime_ns, info.st_size, info.st_ino)
    if key in _MATRIX_CACHE:
        return _MATRIX_CACHE[key]
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = _parse_matrix(csv.reader(handle), path)
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"travel matrix is not UTF-8 text (bad byte at offset {exc.start})",
                            where, str(path)) from None
    except OSError as exc:
        raise ScenarioError(f"cannot read travel matrix: {exc.strerror or exc}", where, str(path)) from None
    if len(_MATRIX_CACHE) >= 8:
        _MATRIX_CACHE.clear()
    _MATRIX_CACHE[key] = rows
    return rows


def _parse_matrix(reader: Any, path: Path) -> tuple[tuple[int, str, str, float], ...]:
    where = ("travel", "matrix")
    try:
        header = next(reader, None)
        if header is None:
            raise ScenarioError("travel matrix is empty: expected the header line 'area,site,minutes' and one "
                                "row per area and site", where, str(path))
        names = [h.strip().lstrip("\ufeff") for h in header]
        if sorted(names) != sorted(MATRIX_COLUMNS):
            missing = [c for c in MATRIX_COLUMNS if c not in names]
            other = len([h for h in names if h not in MATRIX_COLUMNS])
            detail = ", ".join(([f"missing {', '.join(missing)}"] if missing else [])
                               + ([f"{other} other column{'s' if other != 1 else ''}"] if other else [])
                               + ([] if missing or other else ["a column given twice"]))
            raise ScenarioError(f"line 1 of the travel matrix must be the header 'area,site,minutes' (columns in "
                                f"any order; {detail})", where, str(path))
        col = {name: names.index(name) for name in MATRIX_COLUMNS}
        first: dict[tuple[str, str], tuple[int, float]] = {}
        rows = []
        for fields in reader:
            n = reader.line_num
            if not fields:
                continue  # a blank line
            if len(fields) != len(MATRIX_COLUMNS):
                raise ScenarioError(f"line {n}: expected 3 fields (area,site,minutes), found {len(fields)}",
                                    where, str(path))
            area, site, text = (fields[col[c]] for c in MATRIX_COLUMNS)
            try:
                minutes = float(text)
            except ValueError:
                minutes = math.nan
            if not (math.isfinite(minutes) and minutes >= 0):
                raise ScenarioError(f"line {n}: minutes must be a non-negative number", where, text)
            pair = (area, site)
            if pair in first and first[pair][1] != minutes:
                line, before = first[pair]
                raise ScenarioError(f"line {n}: area '{area}' to site '{site}' is given again with other minutes "
                                    f"(line {line}: {before:g})", where, minutes)
            first.setdefault(pair, (n, minutes))
            rows.append((n, area, site, minutes))
    except csv.Error as exc:
        raise ScenarioError(f"line {reader.line_num}: travel matrix is not valid CSV ({exc})", where,
                            str(path)) from None
    if not rows:
        raise ScenarioError("travel matrix has a header but no rows", where, str(path))
    return tuple(rows)


def read_travel_matrix(scenario: Scenario, known: TravelIds | None = None) -> dict[tuple[str, str], float]:
    """Read ``travel.matrix``: a CSV with columns ``area,site,minutes``.

    Parameters
    ----------
    scenario
        The scenario whose matrix to read.
    known
        Ids beyond the scenario's own that rows may name (they are ignored), e.g. those of
        every design of a sweep; :data:`ANY_IDS` ignores rows for every unknown id.

    Returns
    -------
    dict
        ``(area id, site or place id) → minutes`` for the scenario's own ids.

    Raises
    ------
    ScenarioError
        If the file cannot be read, is empty, has other columns, bad numbers, conflicting
        duplicate rows or ids that are neither the scenario's nor in ``known``.
    """
    path = Path(scenario.travel.matrix or "")
    where = ("travel", "matrix")
    known = known or TravelIds()
    rows = matrix_rows(path)
    area_ids = {a.id for a in scenario.areas}
    site_ids = scenario_site_ids(scenario)
    sweep = " (in no design of the sweep)" if known.areas or known.sites else ""
    out: dict[tuple[str, str], float] = {}
    for n, area, site, minutes in rows:
        if area in area_ids and site in site_ids:
            out[(area, site)] = minutes
            continue
        if known.any:
            continue
        if area not in area_ids and area not in known.areas:
            raise ScenarioError(f"line {n}: undefined area id{sweep}{_near(area, area_ids)}", where, area)
        if site not in site_ids and site not in known.sites:
            raise ScenarioError(f"line {n}: undefined site id{sweep}{_near(site, site_ids)}", where, site)
    return out


def _near(word: str, words: set[str]) -> str:
    near = difflib.get_close_matches(word, sorted(words), n=1)
    return f"; did you mean '{near[0]}'?" if near else ""


_WARNED: set[tuple[str, tuple[str, ...]]] = set()


def warn_unreachable(scenario: Scenario, matrix: dict[tuple[str, str], float] | None) -> list[str]:
    """Log a warning naming the areas from which no site can be reached.

    Reachable means a finite travel time (from the matrix, else great-circle) within
    ``travel.max_travel_minutes``. Each (matrix, areas) warning is given once per process.

    Returns
    -------
    list of str
        Ids of the unreachable areas.
    """
    if not scenario.sites:
        return []
    places = _places(scenario)[0]
    travel = travel_table(scenario, places, matrix)
    ids = [a.id for a, row in zip(scenario.areas, travel, strict=True) if not np.isfinite(row).any()]
    key = (str(scenario.travel.matrix), tuple(ids))
    if ids and key not in _WARNED:
        _WARNED.add(key)
        shown = ", ".join(ids[:20]) + (f" and {len(ids) - 20} more" if len(ids) > 20 else "")
        source = "the travel matrix" if matrix is not None else "travel.max_travel_minutes"
        log.warning("scenario %s: no site can be reached from %d area(s) (%s gives no time within reach): %s; "
                    "all their needs will go unserved", scenario.name, len(ids), source, shown)
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


def travel_table(scenario: Scenario, places: Sequence[Place],
                 matrix: dict[tuple[str, str], float] | None) -> np.ndarray:
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
    lat = np.array([a.location.lat for a in scenario.areas])[:, None]
    lon = np.array([a.location.lon for a in scenario.areas])[:, None]
    plat = np.array([p.lat for p in places])[None, :]
    plon = np.array([p.lon for p in places])[None, :]
    t = scenario.travel
    travel = travel_minutes(great_circle_km(lat, lon, plat, plon), t.speed_kmh, t.detour_factor)
    travel = np.array(np.broadcast_to(travel, (len(scenario.areas), len(places))), dtype=float)
    if matrix is not None:
        for a, area in enumerate(scenario.areas):
            for p, place in enumerate(places):
                site_id = scenario.sites[place.site].id
                travel[a, p] = matrix.get((area.id, place.id), matrix.get((area.id, site_id), math.inf))
    for p, place in enumerate(places):
        if place.area >= 0:
            travel[place.area, p] = t.within_area_minutes
    if t.max_travel_minutes is not None:
        travel = np.where(travel > t.max_travel_minutes, np.inf, travel)
    return np.asarray(travel, dtype=float).reshape(len(scenario.areas), len(places))


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
    return Network(scenario, tuple(places), travel, serves, rates, profiles,
                   tuple(site_starts), tuple(site_ends))
