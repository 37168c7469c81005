"""Mobile units' weekly schedules: a weekday × hour timeline with each stop's window."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from simulation.report.plots.style import literal, mobile_colour, new_figure, style
from simulation.report.plots.tables import (
    Scenario,
    StopWindow,
    kpi_means,
    label,
    mobile_units,
    stop_place_id,
    stop_windows,
    weekday_name,
)
from simulation.scenario.schedules import unit_visits
from simulation.scenario.schema import Calendar, Mobile


def visits_per_place(scenario: Scenario) -> dict[str, int]:
    """How many times each stop place is open after the warm-up (stop-scope id → count)."""
    cal = Calendar.model_validate(scenario["calendar"])
    out: dict[str, int] = {}
    for site in mobile_units(scenario):
        unit = Mobile.model_validate(site)
        places = [stop_place_id(site, stop) for stop in site["schedule"]]
        for v in unit_visits(unit, cal, cal.days):
            if v.start >= cal.warmup_min and v.start < cal.horizon_min:
                out[places[v.stop]] = out.get(places[v.stop], 0) + 1
    return out


def _stop_name(scenario: Scenario, stop: Mapping) -> str:
    if stop.get("name"):
        return str(stop["name"])
    if stop.get("area"):
        area = next((a for a in scenario["areas"] if a["id"] == stop["area"]), None)
        return label(area) if area else str(stop["area"])
    loc = stop["location"]
    return f"{float(loc['lat']):.3f}, {float(loc['lon']):.3f}"


def schedule_timeline(
    scenarios: Mapping[str, Scenario],
    kpis: Mapping[str, pd.DataFrame] | None = None,
    title: str | None = None,
) -> Figure:
    """Weekly timeline of every mobile unit's stops, one panel per design that has units.

    Parameters
    ----------
    scenarios
        Design → resolved scenario dict; designs without mobile units are left out.
    kpis
        Optional design → long KPI table; the stop-scope ``served`` and ``utilisation``
        annotate each window (served needs per stop visit, counter utilisation).
    title
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        One rectangle (gid ``stop-window``) per stop window and weekday.

    Raises
    ------
    ValueError
        If no scenario has a mobile unit.
    """
    with_units = {d: sc for d, sc in scenarios.items() if mobile_units(sc)}
    if not with_units:
        raise ValueError("no mobile units to show")
    all_windows = {d: stop_windows(sc) for d, sc in with_units.items()}
    days = sorted({w.weekday for ws in all_windows.values() for w in ws} | set(range(5)))
    start = min(w.start for ws in all_windows.values() for w in ws) / 60.0
    end = max(w.end for ws in all_windows.values() for w in ws) / 60.0
    x0, x1 = math.floor(start) - 1, math.ceil(end) + 1
    n = len(with_units)
    with style():
        fig = new_figure(max(6.8, 0.62 * (x1 - x0) + 2.2), 1.0 + n * (0.5 * len(days) + 0.8))
        axes = fig.subplots(n, 1, squeeze=False, sharex=True)[:, 0]
        legend: dict[str, str] = {}
        for ax, (design, sc) in zip(axes, with_units.items(), strict=True):
            units = mobile_units(sc)
            sites = list(sc["sites"])
            lane = {sites.index(u): i for i, u in enumerate(units)}
            served = visits = util = None
            if kpis is not None and design in kpis:
                served = kpi_means(kpis[design], "stop", "served")
                util = kpi_means(kpis[design], "stop", "utilisation")
                visits = visits_per_place(sc)
            height = 0.8 / len(units)
            for w in all_windows[design]:
                _window(
                    ax, sc, w, days.index(w.weekday), lane[w.unit], height, served, util, visits
                )
                legend.setdefault(label(sites[w.unit]), mobile_colour(lane[w.unit]))
            ax.set_yticks(range(len(days)))
            ax.set_yticklabels([weekday_name(d) for d in days])
            ax.set_ylim(len(days) - 0.5, -0.5)
            ax.set_xlim(x0, x1)
            ax.set_xticks(range(x0, x1 + 1))
            ax.set_xticklabels([f"{h:02d}:00" for h in range(x0, x1 + 1)])
            ax.grid(True, axis="x", zorder=0)
            ax.set_axisbelow(True)
            if len(scenarios) > 1:
                ax.set_title(literal(design), loc="left")
        axes[-1].set_xlabel("time of day")
        handles = [
            Patch(facecolor=c, edgecolor="black", linewidth=0.6, label=literal(name))
            for name, c in legend.items()
        ]
        fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 3))
        note = " (numbers: served needs per stop visit · counter utilisation)" if kpis else ""
        fig.suptitle(literal(title or "Weekly schedule of the mobile units"))
        if note:
            axes[0].set_title(
                note.strip(" ()").capitalize(),
                loc="right",
                fontsize=7.5,
                fontweight="normal",
                color="#555555",
            )
    return fig


def _window(
    ax: Axes,
    sc: Scenario,
    w: StopWindow,
    row: int,
    lane: int,
    height: float,
    served: pd.Series | None,
    util: pd.Series | None,
    visits: dict[str, int] | None,
) -> None:
    site = sc["sites"][w.unit]
    stop = site["schedule"][w.stop]
    colour = mobile_colour(lane)
    top = row - 0.4 + lane * height
    rect = Rectangle(
        (w.start / 60.0, top),
        (w.end - w.start) / 60.0,
        height * 0.92,
        facecolor=colour,
        edgecolor="black",
        linewidth=0.6,
        alpha=0.9,
        zorder=2,
        gid="stop-window",
    )
    ax.add_patch(rect)
    lines = [_stop_name(sc, stop) + (f" ({w.note})" if w.note else "")]
    if served is not None and visits is not None and util is not None:
        count = visits.get(w.place, 0)
        per_visit = float(served.get(w.place, float("nan"))) / count if count else float("nan")
        u = float(util.get(w.place, float("nan")))
        parts = []
        if math.isfinite(per_visit):
            parts.append(f"≈{per_visit:.0f} served per visit")
        if math.isfinite(u):
            parts.append(f"{u:.0%} busy")
        if parts:
            lines.append(" · ".join(parts))
    ax.text(
        (w.start + w.end) / 120.0,
        top + height * 0.46,
        literal("\n".join(lines)),
        ha="center",
        va="center",
        fontsize=7 if height > 0.5 else 6,
        color="white" if _dark(colour) else "black",
        zorder=3,
        clip_on=True,
    )


def _dark(colour: str) -> bool:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b < 0.5
