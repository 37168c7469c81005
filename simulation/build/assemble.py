"""Building a scenario from a build spec and its tables, and naming the table cell of any error.

The scenario is validated by :func:`simulation.scenario.loading.scenario_from_dict`, like any
scenario file. An error it finds in an area or site built from a table is reported against
that table's row and column (``sites.csv: row 2 (line 3), column opening_hours: ...``), not
against a path in a document the user never wrote.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from simulation.build.areas import AreaRow, area_document, area_rows
from simulation.build.sites import SiteOrigin, site_documents
from simulation.build.spec import BuildSection
from simulation.build.tables import Table, read_table, table_kind
from simulation.scenario.errors import ScenarioError, format_path
from simulation.scenario.loading import scenario_from_dict
from simulation.scenario.pydantic_errors import from_pydantic
from simulation.scenario.schema import Scenario
from simulation.scenario.yaml_io import read_yaml

SCENARIO_ORDER = (
    "name",
    "description",
    "calendar",
    "seed",
    "errands",
    "demand_profile",
    "areas",
    "sites",
    "travel",
    "behaviour",
)

_AREA_COLUMNS = {
    "id": "id",
    "name": "name",
    "population": "population",
    "vulnerable": "vulnerable",
    "demand": "demand_per_1000_per_year",
}
_SITE_COLUMNS = {"location": "lat"}
_STOP_COLUMNS = {"location": "lat", "area": "area"}


def build_spec_section(document: Any, source: str) -> BuildSection:
    """The validated ``build`` key of a spec document.

    Raises
    ------
    ScenarioError
        Naming the spec file and the path inside it.
    """
    if not isinstance(document, Mapping):
        raise ScenarioError(
            "expected a mapping of scenario keys at the top level", (), document, source
        )
    if "build" not in document:
        raise ScenarioError(
            "a build spec needs a 'build' key naming its tables, e.g. "
            "build: {areas: {file: areas.csv}, sites: {file: sites.csv}}",
            source=source,
        )
    if "areas" in document:
        raise ScenarioError(
            "the areas come from build.areas; remove the 'areas' key", ("areas",), source=source
        )
    try:
        return BuildSection.model_validate(document["build"])
    except ValidationError as exc:
        raise from_pydantic(exc).with_prefix(("build",)).with_source(source) from None


def _areas(section: BuildSection, base: Path) -> tuple[list[AreaRow], Table]:
    spec = section.areas
    path = base / spec.file
    kind = table_kind(path)
    if kind == "polygons":
        from simulation.build.geo import apply_overlay, polygon_areas

        table, locations, geoms, weighted = polygon_areas(path, spec, base)
        rows = area_rows(table, locations, spec.municipalities)
        if spec.overlay is not None:
            rows = apply_overlay(rows, geoms, base, spec.overlay, weighted)
            if section.demand is not None:  # carved areas take the rule's vulnerable rate
                rows = [r if r.origin is None else replace(r, per_1000_per_year=None) for r in rows]
        return rows, table
    for key in ("points", "overlay"):
        if getattr(spec, key) is not None:
            raise ScenarioError(
                f"build.areas.{key} needs an areas file of polygons (.gpkg, .geojson, .shp, "
                "GeoParquet)",
                source=str(path),
                value=spec.file,
            )
    table = read_table(path, spec.columns)
    return area_rows(table, None, spec.municipalities), table


def build_document(spec_path: Path) -> tuple[dict[str, Any], list[Any], list[SiteOrigin]]:
    """The scenario document of a build spec, with where each area and site came from."""
    source = str(spec_path)
    document = read_yaml(spec_path)
    section = build_spec_section(document, source)
    base = spec_path.parent
    rows, area_table = _areas(section, base)
    areas = []
    area_origins: list[tuple[Table, int | None, AreaRow]] = []
    for row in rows:
        table, index = (area_table, row.row) if row.origin is None else row.origin
        areas.append(area_document(row, area_table, section.demand))
        area_origins.append((table, index, row))
    sites: list[dict[str, Any]] = []
    origins: list[SiteOrigin] = []
    if section.sites is not None:
        stops = (
            read_table(base / section.stops.file, section.stops.columns)
            if section.stops is not None
            else None
        )
        locations = {a["id"]: a["location"] for a in areas}
        sites, origins = site_documents(
            read_table(base / section.sites.file, section.sites.columns), stops, locations
        )
    elif section.stops is not None:
        raise ScenarioError(
            "build.stops needs build.sites (the mobile units)", ("build", "stops"), source=source
        )
    inline = document.get("sites", [])
    if not isinstance(inline, list):
        raise ScenarioError("expected a list of extra sites", ("sites",), inline, source)
    doc = {k: v for k, v in document.items() if k != "build"}
    doc["areas"] = areas
    doc["sites"] = sites + list(inline)
    ordered = {k: doc[k] for k in SCENARIO_ORDER if k in doc}
    ordered.update(
        {k: v for k, v in doc.items() if k not in ordered}
    )  # unknown keys: the schema says
    return ordered, area_origins, origins


def build_scenario(spec_path: str | os.PathLike[str]) -> Scenario:
    """Build and validate a scenario from a build spec and the tables it names.

    Parameters
    ----------
    spec_path
        The build spec (YAML; see ``docs/build.md``). Table files are relative to it.

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    ScenarioError
        Naming the spec (and the path inside it) or the table, its row and column.
    """
    path = Path(spec_path)
    document, area_origins, site_origins = build_document(path)
    try:
        return scenario_from_dict(document, str(path), path.parent)
    except ScenarioError as exc:
        raise _to_table(exc, area_origins, site_origins) from None


def _cell(table: Table, row: int | None, column: str, rest: tuple[Any, ...]) -> tuple[str, ...]:
    if row is None:
        return ()
    where = table.where(row, column)
    return (f"{where}: {format_path(list(rest))}" if rest else where,)


def _to_table(
    exc: ScenarioError,
    areas: list[tuple[Table, int | None, AreaRow]],
    sites: list[SiteOrigin],
) -> ScenarioError:
    """The error at the table cell an area or site came from (else unchanged)."""
    path = exc.path
    if len(path) < 2 or not isinstance(path[1], int):
        return exc
    section, i, rest = path[0], path[1], path[2:]
    if section == "areas" and i < len(areas):
        table, row, _ = areas[i]
        field = rest[0] if rest else "id"
        column = _AREA_COLUMNS.get(str(field), "lat" if field == "location" else str(field))
        if field == "location" and len(rest) > 1:
            column, rest = str(rest[1]), rest[1:]
        where = _cell(table, row, column, tuple(rest[1:]))
        return ScenarioError(exc.message, where, exc.value, table.source) if where else exc
    if section == "sites" and i >= len(sites):  # an inline site of the spec
        return ScenarioError(exc.message, ("sites", i - len(sites)) + rest, exc.value, exc.source)
    if section == "sites":
        origin = sites[i]
        if rest[:1] == ("schedule",) and len(rest) > 1 and isinstance(rest[1], int):
            stops_table, j = origin.stops[rest[1]]
            field = str(rest[2]) if len(rest) > 2 else "site"
            column = _STOP_COLUMNS.get(field, field)
            where = _cell(stops_table, j, column, tuple(rest[3:]))
            return ScenarioError(exc.message, where, exc.value, stops_table.source)
        field = str(rest[0]) if rest else "id"
        column = _SITE_COLUMNS.get(field, field)
        where = _cell(origin.table, origin.row, column, tuple(rest[1:]))
        return ScenarioError(exc.message, where, exc.value, origin.table.source)
    return exc
