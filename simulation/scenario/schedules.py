"""Mobile-unit schedules: stops laid on the calendar, and checks that a unit is in one place.

A stop occurs on a day when the day's weekday is listed and its week matches
(``(week - from_week) % every_weeks == 0`` and ``week >= from_week``, where week 0 is the
Monday-to-Sunday week that holds day 0), or when the day's date is listed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulation.scenario.errors import ScenarioError
from simulation.scenario.hours import parse_day_key, parse_window
from simulation.scenario.schema import Calendar, Mobile, Scenario, Stop


@dataclass(frozen=True)
class StopVisit:
    """One occurrence of a stop: which stop, and its window in minutes since day 0."""

    stop: int
    start: float
    end: float


def place_key(stop: Stop | Mapping[str, Any]) -> str:
    """Identifier of the place a stop is at: the area id, or ``lat,lon`` (5 decimals).

    ``stop`` is a validated :class:`~simulation.scenario.schema.Stop` or its plain-data form (as in a
    result folder's ``scenario.yaml``).
    """
    if isinstance(stop, Mapping):
        if stop.get("area"):
            return str(stop["area"])
        loc = stop["location"]
        return f"{float(loc['lat']):.5f},{float(loc['lon']):.5f}"
    if stop.area is not None:
        return stop.area
    assert stop.location is not None
    return f"{stop.location.lat:.5f},{stop.location.lon:.5f}"


def stop_place_id(unit: str, stop: Stop | Mapping[str, Any]) -> str:
    """Id of the place where mobile unit ``unit`` makes ``stop``: ``unit@area`` or ``unit@lat,lon``.

    It names the unit's stops in the network, in stop-scope KPIs and in figures.
    """
    return f"{unit}@{place_key(stop)}"


def stop_days(stop: Stop, calendar: Calendar, days: int) -> list[int]:
    """Day indices (from 0 to ``days - 1``) on which the stop takes place."""
    if stop.dates is not None:
        out = [(d - calendar.start).days for d in stop.dates]
        return sorted(d for d in out if 0 <= d < days)
    weekdays: set[int] = set()
    for key in stop.days or ():
        weekdays.update(parse_day_key(key))
    first = calendar.first_weekday
    out = []
    for day in range(days):
        week = (day + first) // 7
        if (
            (day + first) % 7 in weekdays
            and week >= stop.from_week
            and (week - stop.from_week) % stop.every_weeks == 0
        ):
            out.append(day)
    return out


def unit_visits(unit: Mobile, calendar: Calendar, days: int) -> list[StopVisit]:
    """Every stop occurrence of a unit over ``days`` days, sorted by start.

    Raises
    ------
    ScenarioError
        With a path relative to the unit (``schedule[j]...``) for malformed days or hours.
    """
    visits: list[StopVisit] = []
    for j, stop in enumerate(unit.schedule):
        try:
            day_list = stop_days(stop, calendar, days)
        except ValueError as exc:
            raise ScenarioError(str(exc), ("schedule", j, "days"), list(stop.days or ())) from None
        windows = []
        for h, text in enumerate(stop.hours):
            try:
                windows.append(parse_window(text))
            except ValueError as exc:
                raise ScenarioError(str(exc), ("schedule", j, "hours", h), text) from None
        for day in day_list:
            for start, end in windows:
                visits.append(StopVisit(j, day * 1440.0 + start, day * 1440.0 + end))
    visits.sort(key=lambda v: (v.start, v.stop))
    return visits


def check_schedule(unit: Mobile, scenario: Scenario) -> None:
    """Reject a schedule that puts a unit in two places at once or moves it too fast.

    Raises
    ------
    ScenarioError
        Path relative to the unit, naming the later of the two conflicting stops.
    """
    area_ids = {a.id for a in scenario.areas}
    for j, stop in enumerate(unit.schedule):
        if stop.area is not None and stop.area not in area_ids:
            raise ScenarioError("undefined area id", ("schedule", j, "area"), stop.area)
    cal = scenario.calendar
    visits = unit_visits(unit, cal, cal.days + scenario.behaviour.max_deferral_days + 1)
    for prev, cur in zip(visits, visits[1:], strict=False):
        when = (cal.start + dt.timedelta(days=int(cur.start // 1440))).isoformat()
        if cur.start < prev.end:
            raise ScenarioError(
                f"stop overlaps stop {prev.stop} on {when}: a unit is at one place at a time",
                ("schedule", cur.stop),
                _describe(unit.schedule[cur.stop]),
            )
        same = place_key(unit.schedule[prev.stop]) == place_key(unit.schedule[cur.stop])
        gap = cur.start - prev.end
        if not same and gap < unit.setup_minutes:
            raise ScenarioError(
                f"stop starts {gap:g} min after stop {prev.stop} ends on {when}, at another place; "
                f"setup_minutes is {unit.setup_minutes:g}",
                ("schedule", cur.stop),
                _describe(unit.schedule[cur.stop]),
            )


def _describe(stop: Stop) -> str:
    days = ",".join(stop.days) if stop.days else ",".join(d.isoformat() for d in stop.dates or ())
    return f"{place_key(stop)} {days} {' '.join(stop.hours)}"


def place_windows(
    unit: Mobile, calendar: Calendar, days: int
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Windows of each place the unit visits (keyed by :func:`place_key`), sorted.

    Windows that follow each other without a break at the same place (within a stop, between
    two stops there, or across midnight) are merged into one: the unit stays, so its closing
    policy applies only when it leaves (docs/model.md, section 4.3). Touching windows at two
    different places stay apart.
    """
    out: dict[str, tuple[list[float], list[float]]] = {}
    for v in unit_visits(unit, calendar, days):
        starts, ends = out.setdefault(place_key(unit.schedule[v.stop]), ([], []))
        if ends and ends[-1] == v.start:  # back-to-back at the same place: the unit stays
            ends[-1] = v.end
        else:
            starts.append(v.start)
            ends.append(v.end)
    return {k: (np.asarray(s), np.asarray(e)) for k, (s, e) in out.items()}
