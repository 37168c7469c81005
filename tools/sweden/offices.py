"""``data/sweden/offices.csv`` and ``regions.csv``: today's offices and the region scenarios."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tools.sweden.tables import TableError, coordinate, read_table

OFFICE_COLUMNS = ("municipality", "id", "name", "lat", "lon", "source_or_assumption")
REGION_COLUMNS = ("slug", "municipalities", "new_office_area", "new_office_source")
MUNICIPALITY_SEPARATOR = "+"


@dataclass(frozen=True)
class OfficeSite:
    """A fixed office: where it is and what we know about it."""

    id: str
    name: str
    lat: float
    lon: float
    note: str  # source or assumption of its existence and location


@dataclass(frozen=True)
class Region:
    """A region scenario: one or more municipalities and their pre-2022 offices."""

    slug: str
    municipalities: tuple[str, ...]
    offices: tuple[OfficeSite, ...] = ()  # empty: one office at each central locality
    new_office_area: str | None = None  # area id of the sourced new office, else by rule
    new_office_note: str = ""


def read_offices(path: Path) -> dict[str, tuple[OfficeSite, ...]]:
    """Today's (pre-2022) offices by municipality, in file order.

    Parameters
    ----------
    path
        The offices table (columns ``municipality,id,name,lat,lon,source_or_assumption``).

    Returns
    -------
    dict
        Municipality name -> its offices. A municipality not listed gets one office at its
        central locality (``scenarios.build_areas_offices``).

    Raises
    ------
    TableError
        On another header, an empty id or name, a duplicate id or a coordinate outside Sweden.
    """
    offices: dict[str, list[OfficeSite]] = {}
    seen: set[str] = set()
    for rec in read_table(path, OFFICE_COLUMNS):
        if not rec["id"] or not rec["name"] or not rec["municipality"]:
            raise TableError(f"{path}: municipality, id and name must not be empty: {rec}")
        if rec["id"] in seen:
            raise TableError(f"{path}: column id: duplicate office id {rec['id']!r}")
        seen.add(rec["id"])
        lat, lon = coordinate(path, rec)
        site = OfficeSite(rec["id"], rec["name"], lat, lon, rec["source_or_assumption"])
        offices.setdefault(rec["municipality"], []).append(site)
    return {name: tuple(sites) for name, sites in offices.items()}


def read_regions(path: Path, offices: dict[str, tuple[OfficeSite, ...]]) -> tuple[Region, ...]:
    """The region scenarios of ``regions.csv``, each with its municipalities' offices.

    Parameters
    ----------
    path
        The regions table (columns ``slug,municipalities,new_office_area,new_office_source``;
        ``municipalities`` joined by ``+``; an empty ``new_office_area`` places the new office
        of the pilot by rule, in the listed area that loses most demand to distance).
    offices
        ``read_offices`` of the offices table.

    Returns
    -------
    tuple of Region
        In file order.
    """
    regions = []
    for rec in read_table(path, REGION_COLUMNS):
        names = tuple(rec["municipalities"].split(MUNICIPALITY_SEPARATOR))
        if not rec["slug"] or not all(names):
            raise TableError(f"{path}: slug and municipalities must not be empty: {rec}")
        if rec["new_office_source"] and not rec["new_office_area"]:
            raise TableError(f"{path}: {rec['slug']}: a new_office_source needs a new_office_area")
        sites = tuple(site for name in names for site in offices.get(name, ()))
        regions.append(
            Region(
                rec["slug"],
                names,
                sites,
                rec["new_office_area"] or None,
                rec["new_office_source"],
            )
        )
    return tuple(regions)


def unknown_municipalities(regions: Sequence[Region], known: set[str]) -> list[str]:
    """Municipalities a region names that ``areas.csv`` does not hold."""
    return sorted({name for r in regions for name in r.municipalities} - known)
