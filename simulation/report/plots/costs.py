"""Cost against benefit: staffed counter-hours against a benefit KPI, one point per design."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from simulation.report.plots.style import (
    design_colour,
    design_marker,
    kpi_label,
    literal,
    new_figure,
    ordered,
    style,
    wrap_label,
)
from simulation.scenario.kpi_catalogue import HEADLINE_KPI
from simulation.scenario.sweep_spec import default_better

COST_KPI = "staff_hours_per_week"
BENEFIT_KPI = HEADLINE_KPI


def cost_benefit(
    summary: pd.DataFrame,
    x: str = COST_KPI,
    y: str = BENEFIT_KPI,
    title: str | None = None,
    confidence: float = 0.95,
) -> Figure:
    """Each design's mean cost KPI against its mean benefit KPI, with confidence intervals.

    Parameters
    ----------
    summary
        Sweep summary (``design, level, kpi, mean, ci_low, ci_high``).
    x, y
        KPI columns on the horizontal and vertical axis (default: staffed counter-hours
        per week against unserved demand in vulnerable areas).
    title
        Figure title.
    confidence
        Level of the summary's intervals (for the title).

    Returns
    -------
    matplotlib.figure.Figure
        One panel per factor level; one marker (gid ``design``) per design with error
        bars, labelled with the design's name.
    """
    table = summary.copy()
    table["level"] = table["level"].fillna("").astype(str)
    missing = [k for k in (x, y) if k not in set(table["kpi"])]
    if missing:
        raise ValueError(f"the summary has no {', '.join(missing)}")
    designs = ordered(table["design"])
    levels = ordered(table["level"])
    xl, yl = kpi_label(x), kpi_label(y)
    n = len(levels)
    with style():
        fig = new_figure(max(6.4, 3.6 * n + 1.0), 4.2)
        axes = fig.subplots(1, n, squeeze=False, sharey=True, sharex=True)[0]
        for ax, level in zip(axes, levels, strict=True):
            sub = table[table["level"] == level].set_index(["design", "kpi"])
            for i, design in enumerate(designs):
                if (design, x) not in sub.index or (design, y) not in sub.index:
                    continue
                px, py = sub.loc[(design, x)], sub.loc[(design, y)]
                mx, my = float(px["mean"]) * xl.scale, float(py["mean"]) * yl.scale
                xerr = _err(px, mx, xl.scale)
                yerr = _err(py, my, yl.scale)
                ax.errorbar(
                    [mx],
                    [my],
                    xerr=xerr,
                    yerr=yerr,
                    linestyle="",
                    marker=design_marker(i),
                    markersize=8,
                    color=design_colour(i),
                    markeredgecolor="black",
                    markeredgewidth=0.6,
                    capsize=3,
                    elinewidth=1.2,
                    zorder=3,
                    gid="design",
                )
                ax.annotate(
                    literal(design),
                    (mx, my),
                    xytext=(7, 5),
                    textcoords="offset points",
                    fontsize=8,
                    color="black",
                    zorder=4,
                )
            ax.set_xlabel(literal(xl.axis))
            if level:
                ax.set_title(literal(level), fontsize=9)
            ax.grid(True, zorder=0)
            ax.margins(x=0.25, y=0.15)
            ax.annotate(
                _hint(x, y),
                (0.01, 0.01),
                xycoords="axes fraction",
                ha="left",
                va="bottom",
                fontsize=7,
                color="#555555",
            )
        axes[0].set_ylabel(literal(wrap_label(yl.axis[0].upper() + yl.axis[1:], 42)))
        level = f"{confidence:.1%}".replace(".0%", "%")
        fig.suptitle(
            literal(
                title or f"Cost against benefit (bars: {level} confidence intervals of the means)"
            )
        )
    return fig


def _err(row: pd.Series, mean: float, scale: float) -> np.ndarray | None:
    lo, hi = float(row["ci_low"]) * scale, float(row["ci_high"]) * scale
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return None
    return np.array([[max(mean - lo, 0.0)], [max(hi - mean, 0.0)]])


def _hint(x: str, y: str) -> str:
    """Which corner is better, from the KPIs' directions."""
    horizontal = "left" if default_better(x) == "lower" else "right"
    vertical = "down" if default_better(y.partition("@")[0]) == "lower" else "up"
    return f"better: {vertical} and to the {horizontal}"
