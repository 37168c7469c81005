"""Offices on a map: which sites they are, their square markers and their legend entry.

The area map (:mod:`~simulation.report.plots.maps`) and the national map
(:mod:`~simulation.report.plots.national`) draw offices the same way, at their own sizes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from simulation.report.plots.style import OFFICE_COLOUR
from simulation.report.plots.tables import Scenario


def office_sites(scenario: Scenario) -> list[Mapping[str, Any]]:
    """The scenario's sites that are not mobile units, in their order."""
    return [s for s in scenario.get("sites") or () if s.get("kind") != "mobile"]


def draw_offices(
    ax: Axes, offices: list[Mapping[str, Any]], size: float, edge_width: float
) -> None:
    """Offices as squares at their locations, in a collection with gid ``offices``.

    Parameters
    ----------
    ax
        The map's axes (longitude on x, latitude on y).
    offices
        Office site dicts with ``location``; none draws nothing.
    size
        Marker area in points².
    edge_width
        Width of the white edge in points.
    """
    if not offices:
        return
    coll = ax.scatter(
        [s["location"]["lon"] for s in offices],
        [s["location"]["lat"] for s in offices],
        marker="s",
        s=size,
        c=OFFICE_COLOUR,
        edgecolors="white",
        linewidths=edge_width,
        zorder=4,
    )
    coll.set_gid("offices")


def office_handle(markersize: float, text: str) -> Line2D:
    """The legend entry of offices: a square of ``markersize`` points labelled ``text``."""
    return Line2D(
        [],
        [],
        linestyle="",
        marker="s",
        markersize=markersize,
        markerfacecolor=OFFICE_COLOUR,
        markeredgecolor="white",
        label=text,
    )
