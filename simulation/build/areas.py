"""Areas from a table: one area per row, its demand from a column or the spec's rule.

Columns (our names; a spec's ``columns`` maps them to the file's): ``id``, ``population``,
``lat``, ``lon`` (not for polygons: their location comes from the geometry), and optionally
``name``, ``vulnerable``, ``municipality``, ``demand_per_1000_per_year``, ``demand_per_year``,
``speed_kmh`` (the residents' own door-to-door travel speed, e.g. by car in the countryside).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from simulation.build.spec import DemandRule
from simulation.build.tables import Table
from simulation.scenario.errors import ScenarioError

AREA_COLUMNS = (
    "id",
    "name",
    "population",
    "lat",
    "lon",
    "vulnerable",
    "municipality",
    "demand_per_1000_per_year",
    "demand_per_year",
    "speed_kmh",
)


@dataclass(frozen=True)
class AreaRow:
    """One area read from its table (before demand rates are filled in).

    ``row`` is the record it came from (``None`` for an area carved from an overlay polygon,
    whose ``origin`` then names that polygon's table and row).
    """

    id: str
    name: str | None
    population: int
    lat: float
    lon: float
    vulnerable: bool
    municipality: str | None
    per_1000_per_year: float | None
    per_year: float | None
    row: int | None
    origin: tuple[Table, int] | None = None
    speed_kmh: float | None = None

    def moved(self, lat: float, lon: float) -> AreaRow:
        """The same area at another location."""
        return replace(self, lat=lat, lon=lon)


def area_rows(
    table: Table,
    locations: list[tuple[float, float]] | None = None,
    municipalities: tuple[str, ...] | None = None,
) -> list[AreaRow]:
    """Read every row of an areas table.

    Parameters
    ----------
    table
        The areas table.
    locations
        Per row, the (lat, lon) computed from its polygon; ``None`` reads the ``lat`` and
        ``lon`` columns.
    municipalities
        Keep only the rows whose ``municipality`` is one of these.

    Raises
    ------
    ScenarioError
        Naming the file, row and column of the first bad cell, a duplicate id or a missing
        column.
    """
    needed = ["id", "population"] + (["lat", "lon"] if locations is None else [])
    table.require(needed)
    if municipalities is not None:
        table.require(["municipality"], " (build.areas.municipalities selects by it)")
    rows: list[AreaRow] = []
    first: dict[str, int] = {}
    for i in range(len(table.records)):
        ident = table.unique_id(i, first)
        municipality = table.text(i, "municipality")
        if municipalities is not None and municipality not in municipalities:
            continue
        population = table.integer(i, "population", required=True)
        assert population is not None
        if population < 0:
            raise table.error(i, "population", "expected a population of 0 or more", population)
        if locations is None:
            lat = table.number(i, "lat", required=True)
            lon = table.number(i, "lon", required=True)
            assert lat is not None and lon is not None
            if not -90 <= lat <= 90:
                raise table.error(i, "lat", "expected a latitude between -90 and 90", lat)
            if not -180 <= lon <= 180:
                raise table.error(i, "lon", "expected a longitude between -180 and 180", lon)
        else:
            lat, lon = locations[i]
        rows.append(
            AreaRow(
                id=ident,
                name=table.text(i, "name"),
                population=population,
                lat=lat,
                lon=lon,
                vulnerable=bool(table.flag(i, "vulnerable")),
                municipality=municipality,
                per_1000_per_year=_rate(table, i, "demand_per_1000_per_year"),
                per_year=_rate(table, i, "demand_per_year"),
                row=i,
                speed_kmh=_speed(table, i),
            )
        )
    if not rows:
        raise ScenarioError(
            "no row is left after selecting the municipalities",
            source=table.source,
            value=list(municipalities or ()),
        )
    return rows


def _rate(table: Table, row: int, name: str) -> float | None:
    rate = table.number(row, name)
    if rate is not None and rate < 0:
        raise table.error(row, name, "expected a demand rate of 0 or more", rate)
    return rate


def _speed(table: Table, row: int) -> float | None:
    speed = table.number(row, "speed_kmh")
    if speed is not None and not 0 < speed <= 1000:
        raise table.error(row, "speed_kmh", "expected a speed above 0 and at most 1000 km/h", speed)
    return speed


def area_document(area: AreaRow, table: Table, rule: DemandRule | None) -> dict[str, Any]:
    """The scenario's ``areas`` entry of one area.

    The demand is the row's ``demand_per_1000_per_year`` or ``demand_per_year`` (one of them),
    else the spec's ``build.demand`` rule.

    Raises
    ------
    ScenarioError
        If the row gives both rates, or neither and there is no rule.
    """
    given = area.per_1000_per_year is not None, area.per_year is not None
    if all(given):
        assert area.row is not None
        raise table.error(
            area.row,
            "demand_per_year",
            "give at most one of demand_per_1000_per_year and demand_per_year per row",
            area.per_year,
        )
    if area.per_1000_per_year is not None:
        demand: dict[str, float] = {"per_1000_per_year": area.per_1000_per_year}
    elif area.per_year is not None:
        demand = {"per_year": area.per_year}
    elif rule is not None:
        demand = {"per_1000_per_year": round(rule.rate(area.vulnerable), 6)}
    else:
        where = (table.where(area.row, "demand_per_1000_per_year"),) if area.row is not None else ()
        raise ScenarioError(
            "no demand rate: give the column demand_per_1000_per_year (or demand_per_year), "
            "or a rule in the spec's build.demand (per_1000_per_year, vulnerable_uplift)",
            where,
            area.id,
            table.source,
        )
    doc: dict[str, Any] = {"id": area.id}
    if area.name is not None:
        doc["name"] = area.name
    doc["population"] = area.population
    doc["location"] = {"lat": round(area.lat, 6), "lon": round(area.lon, 6)}
    doc["vulnerable"] = area.vulnerable
    doc["demand"] = demand
    if area.speed_kmh is not None:
        doc["speed_kmh"] = area.speed_kmh
    return doc
