"""Weekly timetables of mobile units: visits, the budget check, and their scenario changes.

A timetable is a set of :class:`Visit` — a unit at a shortlisted stop on a weekday in an
allowed window. :func:`feasible` checks it against the propose file's budget, and
:func:`timetable_changes` turns it into the sweep ``changes`` that add the units running it
to the base scenario (the schedule validation of :mod:`simulation.scenario.schedules`
checks every one again when the sweep loads it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from simulation.scenario.hours import parse_window
from simulation.scenario.propose_loading import Propose
from simulation.scenario.propose_spec import weekday_name, window_hours


@dataclass(frozen=True, order=True)
class Visit:
    """One weekly stop of a unit: ``unit`` at candidate ``stop`` on ``day`` (0 = Monday)."""

    unit: str
    stop: str
    day: int
    window: str

    @property
    def span(self) -> tuple[float, float]:
        """Start and end of the window in minutes after midnight."""
        return parse_window(self.window)


Timetable = tuple[Visit, ...]


def describe(timetable: Timetable) -> str:
    """Short text of a timetable: ``mobile-1: navestad mon,tue 10:00-15:00; hageby wed ...``."""
    if not timetable:
        return "(no mobile stops)"
    parts = []
    units = list(dict.fromkeys(v.unit for v in sorted(timetable)))
    for unit in units:
        groups: dict[tuple[str, str], list[int]] = {}
        for v in sorted(timetable, key=lambda v: (v.day, v.span, v.stop)):
            if v.unit == unit:
                groups.setdefault((v.stop, v.window), []).append(v.day)
        text = "; ".join(
            f"{stop} {','.join(weekday_name(d) for d in days)} {window}"
            for (stop, window), days in groups.items()
        )
        parts.append(f"{unit}: {text}" if len(units) > 1 else text)
    return " | ".join(parts)


def feasible(timetable: Iterable[Visit], propose: Propose) -> bool:
    """Whether a timetable keeps the budget and lets each unit be at one place at a time.

    Checks the unit-days a week, the stops and open hours of each unit-day, overlapping
    windows, and the set-up time a unit needs between two different places.
    """
    spec = propose.spec
    setup = {u.id: u.setup_minutes for u in spec.units}
    by_day: dict[tuple[str, int], list[Visit]] = {}
    for v in timetable:
        by_day.setdefault((v.unit, v.day), []).append(v)
    if len(by_day) > spec.budget.unit_days_per_week:
        return False
    for (unit, _), visits in by_day.items():
        if len(visits) > spec.constraints.max_stops_per_day:
            return False
        if sum(window_hours(v.window) for v in visits) > spec.budget.hours_per_day + 1e-9:
            return False
        visits.sort(key=lambda v: v.span)
        for prev, cur in zip(visits, visits[1:], strict=False):
            gap = cur.span[0] - prev.span[1]
            if gap < 0 or (cur.stop != prev.stop and gap < setup[unit]):
                return False
    return True


def unit_sites(propose: Propose, timetable: Timetable) -> list[dict[str, Any]]:
    """The mobile-unit sites (scenario ``sites`` entries) that run ``timetable``."""
    candidates = {c.id: c for c in propose.candidates}
    sites = []
    for unit in propose.spec.units:
        mine = sorted(
            (v for v in timetable if v.unit == unit.id), key=lambda v: (v.day, v.span, v.stop)
        )
        if not mine:
            continue
        groups: dict[tuple[str, str], list[int]] = {}
        for v in mine:
            groups.setdefault((v.stop, v.window), []).append(v.day)
        schedule = [
            {
                **candidates[stop].stop_fields(),
                "days": [weekday_name(d) for d in days],
                "hours": [window],
            }
            for (stop, window), days in groups.items()
        ]
        site: dict[str, Any] = {"id": unit.id, "kind": "mobile"}
        if unit.name:
            site["name"] = unit.name
        site["counters"] = unit.counters
        if unit.errands is not None:
            site["errands"] = list(unit.errands)
        site.update(setup_minutes=unit.setup_minutes, closing=unit.closing, schedule=schedule)
        sites.append(site)
    return sites


def timetable_changes(propose: Propose, timetable: Timetable) -> dict[str, Any]:
    """The sweep ``changes`` that add the units running ``timetable`` to the base scenario."""
    return {"add": {"sites": unit_sites(propose, timetable)}} if timetable else {}
