"""Sites from a table: offices (and mobile units, whose stops come from a stops table).

Sites table columns: ``id``, ``counters``, and optionally ``kind`` (``office``, the default, or
``mobile``), ``name``, ``lat`` and ``lon`` or ``area`` (an office placed at an area's location),
``opening_hours`` (required for an office, or one column per weekday ``mon`` ... ``sun``),
``staffing``, ``closing``, ``errands``,
``queue_capacity``, ``expected_wait_minutes``, ``setup_minutes`` (mobile units).

Stops table columns: ``site`` (a mobile unit of the sites table), ``area`` or ``lat`` and
``lon``, ``days``, ``hours``, and optionally ``name``, ``every_weeks``, ``from_week``,
``counters``.

Text formats (one cell each)::

    opening_hours   mon-fri 10:00-16:00; thu 10:00-12:00 13:00-18:00      (or: always)
    staffing        mon-fri 10:00-12:00=9 12:00-14:00=7; mon 10:00-12:00=11
    days            mon wed          (or mon-fri; commas work too)
    hours           10:00-15:00      (several windows separated by spaces or commas)
    errands         skatteverket forsakringskassan
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from simulation.build.tables import Table
from simulation.scenario.errors import ScenarioError
from simulation.scenario.hours import parse_day_key, parse_opening_hours, parse_window
from simulation.scenario.schema import WEEKDAYS

_SPLIT = re.compile(r"[\s,]+")


@dataclass(frozen=True)
class SiteOrigin:
    """Where a built site came from: its sites-table row and the stops-table rows of its stops."""

    table: Table
    row: int
    stops: tuple[tuple[Table, int], ...] = ()


def _words(text: str) -> list[str]:
    return [w for w in _SPLIT.split(text.strip()) if w]


def _day_windows(table: Table, row: int, name: str, text: str) -> list[tuple[str, list[str]]]:
    """``mon-fri 10:00-16:00; thu 10:00-12:00 13:00-18:00`` → day keys and their windows."""
    parts: list[tuple[str, list[str]]] = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        key, _, rest = part.partition(" ")
        try:
            parse_day_key(key)
        except ValueError as exc:
            raise table.error(row, name, f"{exc}, e.g. 'mon-fri 10:00-16:00'", key) from None
        parts.append((key.lower(), _words(rest)))
    if not parts:
        raise table.error(row, name, "expected e.g. 'mon-fri 10:00-16:00'", text)
    return parts


def opening_hours(table: Table, row: int) -> Any:
    """The ``opening_hours`` of a site row as the scenario writes it.

    Raises
    ------
    ScenarioError
        Naming the row and column, for a malformed text or invalid windows.
    """
    if not table.has("opening_hours") and any(table.has(day) for day in WEEKDAYS):
        return _weekday_columns(table, row)
    text = table.text(row, "opening_hours", required=True)
    assert text is not None
    if text.lower() == "always":
        return "always"
    hours: dict[str, list[str]] = {}
    for key, windows in _day_windows(table, row, "opening_hours", text):
        hours.setdefault(key, []).extend(windows)
    try:
        parse_opening_hours(hours)
    except ScenarioError as exc:
        raise table.error(row, "opening_hours", exc.nested(), text) from None
    return hours


def _weekday_columns(table: Table, row: int) -> dict[str, list[str]]:
    """Opening hours from one column per weekday (``mon`` ... ``sun``; empty or absent: closed)."""
    hours: dict[str, list[str]] = {}
    for day in WEEKDAYS:
        text = table.text(row, day)
        if text is None:
            continue
        for window in _words(text):
            try:
                parse_window(window)
            except ValueError as exc:
                raise table.error(row, day, str(exc), window) from None
        hours[day] = _words(text)
    if not hours:
        first = next(day for day in WEEKDAYS if table.has(day))
        raise table.error(
            row, first, "an office must be open at some time: every weekday is empty", ""
        )
    return hours


def staffing(table: Table, row: int) -> dict[str, dict[str, int]] | None:
    """The ``staffing`` of a site row (checked against its hours when the scenario is loaded)."""
    text = table.text(row, "staffing")
    if text is None:
        return None
    out: dict[str, dict[str, int]] = {}
    for key, items in _day_windows(table, row, "staffing", text):
        for item in items:
            window, _, count = item.partition("=")
            if not count.strip().isdigit():
                raise table.error(
                    row, "staffing", "expected window=counters, e.g. '10:00-12:00=9'", item
                )
            out.setdefault(key, {})[window] = int(count)
    return out


def site_documents(
    sites: Table, stops: Table | None, area_locations: dict[str, dict[str, float]]
) -> tuple[list[dict[str, Any]], list[SiteOrigin]]:
    """The scenario's ``sites`` from a sites table and an optional stops table.

    Parameters
    ----------
    sites, stops
        The tables.
    area_locations
        Each area id's location, for offices placed at an area (``area`` column).

    Returns
    -------
    tuple
        The site documents and, for each, where it came from.

    Raises
    ------
    ScenarioError
        Naming the file, row and column: a missing column, a bad cell, a duplicate id, an
        unknown area or site, a mobile unit without stops.
    """
    sites.require(["id", "counters"])
    docs: list[dict[str, Any]] = []
    origins: list[SiteOrigin] = []
    first: dict[str, int] = {}
    for i in range(len(sites.records)):
        ident = sites.unique_id(i, first)
        kind = (sites.text(i, "kind") or "office").lower()
        if kind not in ("office", "mobile"):
            raise sites.error(i, "kind", "expected office or mobile", kind)
        doc: dict[str, Any] = {"id": ident, "kind": kind}
        name = sites.text(i, "name")
        if name is not None:
            doc["name"] = name
        if kind == "office":
            doc["location"] = _site_location(sites, i, area_locations)
        doc["counters"] = sites.integer(i, "counters", required=True)
        if kind == "mobile" and sites.raw(i, "opening_hours") is not None:
            raise sites.error(
                i,
                "opening_hours",
                "a mobile unit serves at its stops (the stops table); leave its opening_hours empty",
                sites.raw(i, "opening_hours"),
            )
        if kind == "office":
            doc["opening_hours"] = opening_hours(sites, i)
            plan = staffing(sites, i)
            if plan is not None:
                doc["staffing"] = plan
        _optional(sites, i, doc)
        docs.append(doc)
        origins.append(SiteOrigin(sites, i))
    if stops is not None:
        _attach_stops(stops, docs, origins, set(area_locations))
    for doc, origin in zip(docs, origins, strict=True):
        if doc["kind"] == "mobile" and not doc.get("schedule"):
            where = "the stops table" if stops is not None else "a stops table (build.stops)"
            raise sites.error(
                origin.row, "kind", f"a mobile unit needs its stops in {where}", doc["id"]
            )
    return docs, origins


def _site_location(table: Table, row: int, areas: dict[str, dict[str, float]]) -> dict[str, float]:
    lat, lon = table.number(row, "lat"), table.number(row, "lon")
    area = table.text(row, "area")
    if lat is not None and lon is not None:
        return {"lat": lat, "lon": lon}
    if area is not None:
        if area not in areas:
            raise table.error(row, "area", "unknown area id (not in the areas table)", area)
        return dict(areas[area])
    missing = "lon" if lat is not None else "lat"
    raise table.error(row, missing, "an office needs lat and lon, or an area id in 'area'", "")


def _optional(table: Table, row: int, doc: dict[str, Any]) -> None:
    closing = table.text(row, "closing")
    if closing is not None:
        doc["closing"] = closing
    errands = table.text(row, "errands")
    if errands is not None:
        doc["errands"] = _words(errands)
    capacity = table.integer(row, "queue_capacity")
    if capacity is not None:
        doc["queue_capacity"] = capacity
    for name in ("expected_wait_minutes", "setup_minutes"):
        minutes = table.number(row, name)
        if minutes is not None:
            if name == "setup_minutes" and doc["kind"] != "mobile":
                raise table.error(row, name, "only a mobile unit has setup_minutes", minutes)
            doc[name] = minutes


def _attach_stops(
    stops: Table, docs: list[dict[str, Any]], origins: list[SiteOrigin], areas: set[str]
) -> None:
    stops.require(["site", "days", "hours"])
    index = {doc["id"]: k for k, doc in enumerate(docs)}
    for j in range(len(stops.records)):
        site = stops.text(j, "site", required=True)
        assert site is not None
        if site not in index:
            raise stops.error(j, "site", "unknown site (not in the sites table)", site)
        k = index[site]
        if docs[k]["kind"] != "mobile":
            raise stops.error(
                j, "site", "stops belong to mobile units; this site is an office", site
            )
        stop: dict[str, Any] = {}
        area = stops.text(j, "area")
        lat, lon = stops.number(j, "lat"), stops.number(j, "lon")
        if area is not None:
            if area not in areas:
                raise stops.error(j, "area", "unknown area id (not in the areas table)", area)
            stop["area"] = area
        elif lat is not None and lon is not None:
            stop["location"] = {"lat": lat, "lon": lon}
        else:
            raise stops.error(j, "area", "a stop needs an area id, or lat and lon", "")
        name = stops.text(j, "name")
        if name is not None:
            stop["name"] = name
        days = stops.text(j, "days", required=True)
        assert days is not None
        stop["days"] = [d.lower() for d in _words(days)]
        for day in stop["days"]:
            try:
                parse_day_key(day)
            except ValueError as exc:
                raise stops.error(j, "days", str(exc), day) from None
        hours = stops.text(j, "hours", required=True)
        assert hours is not None
        stop["hours"] = _words(hours)
        for name in ("every_weeks", "from_week", "counters"):
            value = stops.integer(j, name)
            if value is not None:
                stop[name] = value
        docs[k].setdefault("schedule", []).append(stop)
        o = origins[k]
        origins[k] = SiteOrigin(o.table, o.row, o.stops + ((stops, j),))
