"""Small helpers that read result tables and resolved scenario dicts for the figures.

Scenario dicts are the resolved scenarios written to ``scenario.yaml`` (a run) or
``scenarios/<cell>.yaml`` (a sweep), i.e. :meth:`simulation.scenario.schema.Scenario.to_dict`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulation.report.plots.style import REASONS
from simulation.scenario import schedules
from simulation.scenario.hours import parse_day_key, parse_window
from simulation.scenario.schema import WEEKDAYS

Scenario = Mapping[str, Any]
"""A resolved scenario as plain data."""


def label(item: Mapping[str, Any]) -> str:
    """Display name of an area or site: its ``name``, else its ``id``."""
    return str(item.get("name") or item["id"])


def counted_years(scenario: Scenario) -> float:
    """Length of the counted period (after the warm-up) in years."""
    cal = scenario["calendar"]
    return (int(cal["days"]) - int(cal.get("warmup_days") or 0)) / 365.0


def location(scenario: Scenario, stop: Mapping[str, Any]) -> tuple[float, float]:
    """``(lon, lat)`` of a stop (its area's location, or its own)."""
    if stop.get("area"):
        area = next(a for a in scenario["areas"] if a["id"] == stop["area"])
        loc = area["location"]
    else:
        loc = stop["location"]
    return float(loc["lon"]), float(loc["lat"])


def stop_place_id(site: Mapping[str, Any], stop: Mapping[str, Any]) -> str:
    """Id of the place a stop is at, as in stop-scope KPIs (``unit@area`` or ``unit@lat,lon``)."""
    return schedules.stop_place_id(str(site["id"]), stop)


def mobile_units(scenario: Scenario) -> list[Mapping[str, Any]]:
    """The scenario's mobile units."""
    return [s for s in scenario.get("sites") or () if s.get("kind") == "mobile"]


@dataclass(frozen=True)
class StopWindow:
    """One weekly window of a mobile unit's stop.

    Attributes
    ----------
    unit, stop
        Index of the unit among the scenario's sites and of the stop in its schedule.
    weekday
        0 = Monday.
    start, end
        Minutes after midnight.
    place
        Stop-scope KPI id of the place.
    note
        ``""``, ``"every 2nd week"`` or ``"on given dates"``.
    """

    unit: int
    stop: int
    weekday: int
    start: float
    end: float
    place: str
    note: str


def stop_windows(scenario: Scenario) -> list[StopWindow]:
    """Every weekly window of every mobile unit, in weekly order (weekday, start)."""
    out: list[StopWindow] = []
    for k, site in enumerate(scenario.get("sites") or ()):
        if site.get("kind") != "mobile":
            continue
        for j, stop in enumerate(site["schedule"]):
            if stop.get("dates"):
                days = sorted({dt.date.fromisoformat(str(d)).weekday() for d in stop["dates"]})
                note = "on given dates"
            else:
                days = sorted({d for key in stop["days"] for d in parse_day_key(key)})
                every = int(stop.get("every_weeks") or 1)
                note = "" if every == 1 else f"every {_ordinal(every)} week"
            for text in stop["hours"]:
                start, end = parse_window(text)
                for day in days:
                    out.append(StopWindow(k, j, day, start, end, stop_place_id(site, stop), note))
    out.sort(key=lambda w: (w.unit, w.weekday, w.start, w.stop))
    return out


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def weekday_name(day: int) -> str:
    """Short English weekday name (0 = Monday)."""
    return ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[day]


def kpi_means(kpis: pd.DataFrame, scope: str, kpi: str) -> pd.Series:
    """Mean over replications of ``kpi`` at ``scope``, indexed by id (first-seen order)."""
    rows = kpis[(kpis["scope"] == scope) & (kpis["kpi"] == kpi)]
    order = list(dict.fromkeys(rows["id"]))
    return rows.groupby("id", sort=False)["value"].mean().reindex(order)


def unserved_by_reason(kpis: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Unserved needs per 1,000 residents per year, by area (rows) and reason (columns).

    Averaged over the replications in ``kpis`` (area-scope ``unserved_<reason>`` counts).
    Areas keep the scenario's order; areas without residents get NaN.
    """
    years = counted_years(scenario)
    ids = [a["id"] for a in scenario["areas"]]
    population = pd.Series({a["id"]: float(a["population"]) for a in scenario["areas"]})
    columns = {}
    for reason in REASONS:
        counts = kpi_means(kpis, "area", f"unserved_{reason}").reindex(ids).fillna(0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = counts / population.reindex(ids).replace(0.0, np.nan) * 1000.0 / years
        columns[reason] = rate
    return pd.DataFrame(columns, index=pd.Index(ids, name="area"))


WEEKDAY_INDEX = {name: i for i, name in enumerate(WEEKDAYS)}
