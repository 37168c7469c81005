"""The pilot report's figures: a national map of the candidates and a forest plot of benefits."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from simulation.report.plots.style import new_figure, style


def region_centres(centres: dict[str, tuple[float, float]], table: pd.DataFrame) -> pd.DataFrame:
    """The ranking with each region's population-weighted centre (``lat``, ``lon``)."""
    out = table.copy()
    out["lat"] = [centres[r][0] for r in out["region"]]
    out["lon"] = [centres[r][1] for r in out["region"]]
    return out


def benefit_map(table: pd.DataFrame, unit: str) -> Figure:
    """Candidates at their centres (longitude × latitude), shaded by mean benefit.

    Selected regions are ringed. The x axis is scaled by cos(latitude) so distances look right.
    """
    with style():
        fig = new_figure(5.0, 7.0)
        ax = fig.add_subplot()
        lat0 = float(table["lat"].mean())
        ax.set_aspect(1.0 / math.cos(math.radians(lat0)))
        points = ax.scatter(
            table["lon"], table["lat"], c=table["benefit"], cmap="viridis", s=90, zorder=3
        )
        chosen = table[table["selected"]]
        ax.scatter(
            chosen["lon"], chosen["lat"], s=260, facecolors="none", edgecolors="black", zorder=2
        )
        for row in table.itertuples(index=False):
            ax.annotate(
                str(row.region), (row.lon, row.lat), xytext=(6, 3), textcoords="offset points"
            )
        pad = 1.0
        ax.set_xlim(min(10.5, table["lon"].min() - pad), max(19.5, table["lon"].max() + pad))
        ax.set_ylim(min(55.2, table["lat"].min() - pad), max(61.0, table["lat"].max() + pad))
        ax.set_xlabel("longitude (°E)")
        ax.set_ylabel("latitude (°N)")
        fig.colorbar(points, ax=ax, label=f"benefit ({unit})", shrink=0.6)
    return fig


def benefit_forest(table: pd.DataFrame, unit: str, indifference: float) -> Figure:
    """Each region's mean benefit with its interval, best at the top; selected in bold."""
    with style():
        rows = table.sort_values("benefit")
        fig = new_figure(6.0, 0.45 * len(rows) + 1.2)
        ax = fig.add_subplot()
        y = np.arange(len(rows))
        low = (rows["benefit"] - rows["benefit_ci_low"]).to_numpy(dtype=float)
        high = (rows["benefit_ci_high"] - rows["benefit"]).to_numpy(dtype=float)
        colours = ["black" if s else "grey" for s in rows["selected"]]
        for yi, x, lo, hi, c in zip(y, rows["benefit"], low, high, colours, strict=True):
            ax.errorbar([x], [yi], xerr=[[lo], [hi]], fmt="none", ecolor=c, capsize=3)
        ax.scatter(rows["benefit"], y, c=colours, zorder=3)
        ax.axvline(0.0, color="grey", linewidth=0.8)
        ax.set_yticks(
            y,
            [
                f"{r}{' (selected)' if s else ''}"
                for r, s in zip(rows["region"], rows["selected"], strict=True)
            ],
        )
        ax.set_xlabel(f"benefit: reduction of {unit} (δ = {indifference:g})")
    return fig
