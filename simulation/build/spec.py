"""The build spec: which tables make the areas and sites, and the rest of the scenario.

A build spec is a scenario document whose ``areas`` and ``sites`` come from tables: every
scenario key (``name``, ``calendar``, ``seed``, ``errands``, ``demand_profile``, ``travel``,
``behaviour``, and extra inline ``sites``) is taken as written, and the ``build`` key names the
tables (see ``docs/build.md``)::

    build:
      areas: {file: areas.csv}
      sites: {file: sites.csv}
      stops: {file: stops.csv}               # optional: mobile units' stops
      demand: {per_1000_per_year: 270, vulnerable_uplift: 1.85}
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

_FROZEN = ConfigDict(extra="forbid", frozen=True)

Rate = Annotated[float, Field(ge=0, le=1e12, allow_inf_nan=False)]


class TableSpec(BaseModel):
    """A table file, relative to the spec, and how its columns are named.

    ``columns`` maps our column names to the file's (``{population: folkmangd}``); columns not
    named keep our names. ``layer`` picks a layer of a GeoPackage.
    """

    model_config = _FROZEN
    file: Annotated[str, Field(min_length=1)]
    columns: dict[str, Annotated[str, Field(min_length=1)]] = {}
    layer: str | None = None


class OverlaySpec(TableSpec):
    """A second polygon layer (e.g. the police-listed areas) laid over the areas.

    ``mode: mark`` makes an area vulnerable when at least ``min_overlap`` of its surface lies
    inside the layer's polygons; ``mode: carve`` cuts each polygon out of the areas it overlaps
    as an area of its own (vulnerable), taking its residents from them.
    """

    mode: Literal["mark", "carve"] = "mark"
    min_overlap: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = 0.5


class AreasSpec(TableSpec):
    """The areas table: CSV, Parquet, or polygons (GeoPackage, GeoJSON, Shapefile, GeoParquet).

    ``municipalities`` keeps only the rows of those municipalities (the ``municipality``
    column). For polygons, ``points`` is a table of population-weighted points (``lat``,
    ``lon``, ``population``) that place each area at its residents' mean instead of its
    centroid, and ``overlay`` a second polygon layer (see :class:`OverlaySpec`).
    """

    municipalities: Annotated[tuple[str, ...], Field(min_length=1)] | None = None
    points: TableSpec | None = None
    overlay: OverlaySpec | None = None


class DemandRule(BaseModel):
    """Demand rates for the areas whose table gives none.

    Every area gets ``per_1000_per_year``; a vulnerable area gets
    ``vulnerable_per_1000_per_year`` or ``per_1000_per_year × vulnerable_uplift`` instead.
    """

    model_config = _FROZEN
    per_1000_per_year: Rate
    vulnerable_per_1000_per_year: Rate | None = None
    vulnerable_uplift: Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)] | None = None

    @model_validator(mode="after")
    def _one_uplift(self) -> DemandRule:
        if self.vulnerable_per_1000_per_year is not None and self.vulnerable_uplift is not None:
            raise ValueError(
                "give at most one of vulnerable_per_1000_per_year or vulnerable_uplift"
            )
        return self

    def rate(self, vulnerable: bool) -> float:
        """Needs per 1,000 residents a year of an area."""
        if vulnerable and self.vulnerable_per_1000_per_year is not None:
            return self.vulnerable_per_1000_per_year
        if vulnerable and self.vulnerable_uplift is not None:
            return self.per_1000_per_year * self.vulnerable_uplift
        return self.per_1000_per_year


class BuildSection(BaseModel):
    """The ``build`` key of a build spec."""

    model_config = _FROZEN
    areas: AreasSpec
    sites: TableSpec | None = None
    stops: TableSpec | None = None
    demand: DemandRule | None = None
