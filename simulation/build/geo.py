"""Areas from polygons: locations from centroids or population-weighted points, and overlays.

Needs the optional ``geo`` extra (``pip install 'servicesim[geo]'``: geopandas, pyogrio,
shapely). Surfaces, centroids and overlaps are computed in the UTM zone of the layer (metres),
then locations are turned back into WGS84 degrees.

* **Location**: an area's polygon centroid, or with a points table the population-weighted
  mean of the points inside it (an area with no point inside keeps its centroid).
* **Overlay, mark**: an area is vulnerable when the overlay's polygons cover at least
  ``min_overlap`` of its surface.
* **Overlay, carve**: each overlay polygon becomes an area of its own (vulnerable), with the
  residents of the parts of the areas it covers — the overlay's ``population`` column when it
  has one, shared over the covered areas by covered surface, else each area's residents × the
  share of its surface covered (residents assumed spread evenly over the surface) — taken away
  from those areas, which keep the rest, located at what is left of their polygon.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simulation.build.areas import AreaRow
from simulation.build.spec import OverlaySpec, TableSpec
from simulation.build.tables import Table, read_table, table_from_frame, table_kind
from simulation.scenario.errors import ScenarioError

INSTALL_HINT = "pip install 'servicesim[geo]'"
WGS84 = "EPSG:4326"


def _geopandas(source: str) -> Any:
    try:
        import geopandas
    except ImportError:
        raise ScenarioError(
            "reading polygons needs the optional geo extra (geopandas, pyogrio, shapely); "
            f"install it with: {INSTALL_HINT}",
            source=source,
        ) from None
    return geopandas


def read_polygons(path: Path, spec: TableSpec) -> tuple[Any, Table]:
    """Read a polygon layer: its geometries (in metres) and its attributes as a :class:`Table`.

    Raises
    ------
    ScenarioError
        Without the geo extra (with the command that installs it), for an unreadable file, a
        layer without a coordinate reference system, or a row whose geometry is not a polygon.
    """
    source = str(path)
    gpd = _geopandas(source)
    if not path.exists():
        raise ScenarioError("no such file", source=source)
    try:
        if path.suffix.lower() in (".parquet", ".pq", ".geoparquet"):
            frame = gpd.read_parquet(path)
        else:
            frame = gpd.read_file(path, layer=spec.layer) if spec.layer else gpd.read_file(path)
    except Exception as exc:  # pyogrio and fiona raise many kinds  # noqa: BLE001
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ScenarioError(f"cannot read the polygons: {first}", source=source) from None
    if frame.crs is None:
        raise ScenarioError(
            "the layer has no coordinate reference system; save it with one (e.g. EPSG:3006 "
            "or EPSG:4326)",
            source=source,
        )
    table = table_from_frame(frame.drop(columns=frame.geometry.name), source, False, spec.columns)
    for i, geom in enumerate(frame.geometry):
        if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
            kind = "nothing" if geom is None or geom.is_empty else geom.geom_type
            raise ScenarioError(
                "expected a polygon", (f"row {i + 1}, column {frame.geometry.name}",), kind, source
            )
    metric = frame.to_crs(frame.estimate_utm_crs()).geometry.make_valid()
    return metric, table


def _points(path: Path, spec: TableSpec, crs: Any) -> tuple[Any, list[float]]:
    """Population-weighted points (a CSV/Parquet with lat, lon, population, or a point layer)."""
    gpd = _geopandas(str(path))
    if table_kind(path) == "polygons":
        frame = gpd.read_file(path, layer=spec.layer) if spec.layer else gpd.read_file(path)
        table = table_from_frame(
            frame.drop(columns=frame.geometry.name), str(path), False, spec.columns
        )
        table.require(["population"])
        geoms = frame.to_crs(crs).geometry
    else:
        table = read_table(path, spec.columns)
        table.require(["lat", "lon", "population"])
        lats = [table.number(i, "lat", required=True) for i in range(len(table.records))]
        lons = [table.number(i, "lon", required=True) for i in range(len(table.records))]
        geoms = gpd.GeoSeries.from_xy(lons, lats, crs=WGS84).to_crs(crs)
    weights = []
    for i in range(len(table.records)):
        weight = table.number(i, "population", required=True)
        assert weight is not None
        if weight < 0:
            raise table.error(i, "population", "expected a population of 0 or more", weight)
        weights.append(weight)
    return geoms, weights


def locate(
    pieces: list[Any], crs: Any, points: tuple[Any, list[float]] | None
) -> list[tuple[float, float]]:
    """The (lat, lon) of each polygon (in metres, ``crs``): weighted mean of points, else centroid.

    A point on a boundary between two polygons counts for neither (``within``).
    """
    import numpy as np

    gpd = _geopandas("")
    shapes = gpd.GeoSeries(pieces, crs=crs)
    centroids = shapes.centroid
    x, y = centroids.x.to_numpy(), centroids.y.to_numpy()
    if points is not None:
        geoms, weights = points
        point_at, piece_at = shapes.sindex.query(geoms, predicate="within")
        order = np.lexsort((point_at, piece_at))  # a fixed order of summation
        point_at, piece_at = point_at[order], piece_at[order]
        w = np.asarray(weights, dtype=float)[point_at]
        total = np.bincount(piece_at, w, minlength=len(pieces))
        sum_x = np.bincount(piece_at, w * geoms.x.to_numpy()[point_at], minlength=len(pieces))
        sum_y = np.bincount(piece_at, w * geoms.y.to_numpy()[point_at], minlength=len(pieces))
        weighted = total > 0
        x = np.where(weighted, sum_x / np.where(weighted, total, 1), x)
        y = np.where(weighted, sum_y / np.where(weighted, total, 1), y)
    lonlat = gpd.GeoSeries.from_xy(x, y, crs=crs).to_crs(WGS84)
    return [(round(float(p.y), 6), round(float(p.x), 6)) for p in lonlat]


def polygon_locations(
    geoms: Any, base: Path, points: TableSpec | None
) -> tuple[list[tuple[float, float]], tuple[Any, list[float]] | None]:
    """Each area's location, and the weighted points (for overlays) when given."""
    weighted = _points(base / points.file, points, geoms.crs) if points is not None else None
    return locate(list(geoms), geoms.crs, weighted), weighted


def apply_overlay(
    rows: list[AreaRow],
    geoms: Any,
    base: Path,
    spec: OverlaySpec,
    points: tuple[Any, list[float]] | None,
) -> list[AreaRow]:
    """Mark or carve the areas with an overlay layer (see the module docstring).

    Parameters
    ----------
    rows
        The areas, each with ``row`` indexing ``geoms``.
    geoms
        The areas' polygons, in metres.

    Raises
    ------
    ScenarioError
        For a bad overlay file, an overlay id that is also an area id, or an overlay population
        larger than the residents of the areas it covers.
    """
    layer, table = read_polygons(base / spec.file, spec)
    layer = layer.to_crs(geoms.crs)
    covered = layer.union_all()
    if spec.mode == "mark":
        touched = set(layer.sindex.query(geoms, predicate="intersects")[0].tolist())
        out = []
        for area in rows:
            shape = geoms.iloc[area.row]
            share = 0.0
            if area.row in touched and shape.area > 0:
                share = shape.intersection(covered).area / shape.area
            out.append(area if share < spec.min_overlap else _vulnerable(area))
        return out
    return _carve(rows, geoms, layer, table, points)


def _vulnerable(area: AreaRow) -> AreaRow:
    from dataclasses import replace

    return replace(area, vulnerable=True)


def _carve(
    rows: list[AreaRow],
    geoms: Any,
    layer: Any,
    table: Table,
    points: tuple[Any, list[float]] | None,
) -> list[AreaRow]:
    from dataclasses import replace

    table.require(["id"])
    ids = {a.id for a in rows}
    position = {a.row: i for i, a in enumerate(rows)}
    taken = [0] * len(rows)
    carved: list[AreaRow] = []
    pieces: list[Any] = []  # each carved area's polygon part inside the areas, in order
    for k, shape in enumerate(layer):
        ident = table.text(k, "id", required=True)
        assert ident is not None
        if ident in ids:
            raise table.error(
                k, "id", "this id is also an area id; give overlay areas their own", ident
            )
        ids.add(ident)
        found = geoms.sindex.query(shape, predicate="intersects").tolist()
        hits = sorted(position[r] for r in found if r in position)
        overlap = {i: geoms.iloc[rows[i].row].intersection(shape).area for i in hits}
        hits = [i for i in hits if overlap[i] > 0]
        given = table.integer(k, "population")
        if given is not None and given > 0 and not hits:
            raise table.error(k, "population", "this polygon covers no area", given)
        if given is None:
            parts = [
                round(rows[i].population * overlap[i] / geoms.iloc[rows[i].row].area) for i in hits
            ]
        else:
            parts = _share(given, [overlap[i] for i in hits])
        for i, part in zip(hits, parts, strict=True):
            if part > rows[i].population - taken[i]:
                raise table.error(
                    k,
                    "population",
                    f"more residents than are left in area {rows[i].id} "
                    f"({rows[i].population - taken[i]}) under this polygon",
                    given,
                )
            taken[i] += part
        parent = rows[max(hits, key=lambda i: (overlap[i], -i))] if hits else None
        inside = (
            shape.intersection(geoms.iloc[[rows[i].row for i in hits]].union_all())
            if hits
            else shape
        )
        pieces.append(shape if inside.is_empty else inside)
        carved.append(
            AreaRow(
                id=ident,
                name=table.text(k, "name"),
                population=sum(parts),
                lat=0.0,
                lon=0.0,
                vulnerable=True,
                municipality=parent.municipality if parent else None,
                per_1000_per_year=parent.per_1000_per_year if parent else None,
                per_year=None,
                row=None,
                origin=(table, k),
            )
        )
    covered = layer.union_all()
    changed = [i for i in range(len(rows)) if taken[i]]
    rests = {i: geoms.iloc[rows[i].row].difference(covered) for i in changed}
    moved = [i for i in changed if not rests[i].is_empty]
    spots = locate(pieces + [rests[i] for i in moved], geoms.crs, points)
    carved = [a.moved(*spot) for a, spot in zip(carved, spots, strict=False)]
    where = dict(zip(moved, spots[len(pieces) :], strict=True))
    out = []
    for i, area in enumerate(rows):
        if taken[i]:
            lat, lon = where.get(i, (area.lat, area.lon))
            area = replace(area, population=area.population - taken[i], lat=lat, lon=lon)
        out.append(area)
    return out + carved


def _share(total: int, weights: list[float]) -> list[int]:
    """``total`` shared over ``weights`` in whole numbers (largest remainders; ties: first)."""
    whole = sum(weights)
    if whole <= 0:
        return [0] * len(weights)
    exact = [total * w / whole for w in weights]
    parts = [int(e) for e in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def polygon_areas(
    path: Path, spec: Any, base: Path
) -> tuple[Table, list[tuple[float, float]], Any, Any]:
    """Read an areas polygon layer: its table, each row's location, the polygons and points."""
    geoms, table = read_polygons(path, spec)
    locations, weighted = polygon_locations(geoms, base, spec.points)
    return table, locations, geoms, weighted


__all__ = ["INSTALL_HINT", "apply_overlay", "polygon_areas", "read_polygons"]
