"""Waiting-time distributions: empirical distribution functions of served visitors' waits."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from simulation.report.plots.style import (
    GREY,
    design_colour,
    design_linestyle,
    literal,
    new_figure,
    style,
)

WAIT_MARKS: tuple[float, ...] = (15.0, 30.0)
"""Waits (minutes) marked with vertical lines."""


def served_waits(visits: pd.DataFrame) -> np.ndarray:
    """Sorted waits (minutes) of served visitors whose need arose after the warm-up."""
    rows = visits["outcome"].astype(str) == "served"
    if "counted" in visits:
        rows &= visits["counted"].astype(bool)
    w = visits.loc[rows, "wait_min"].to_numpy(dtype=float)
    return np.sort(w[np.isfinite(w)])


def wait_ecdf(visits: Mapping[str, pd.DataFrame], title: str | None = None) -> Figure:
    """Share of served visitors who waited at most *x* minutes, one line per series.

    Parameters
    ----------
    visits
        Series label (a design, or a group of areas) → visit table (columns ``outcome``,
        ``wait_min`` and optionally ``counted``); all its replications are pooled.
    title
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        One step line per series (gid ``ecdf``), dotted verticals at 15 and 30 minutes
        (gid ``mark``).
    """
    if not visits:
        raise ValueError("no visit tables to plot")
    waits = {name: served_waits(v) for name, v in visits.items()}
    top = [float(np.quantile(w, 0.99)) for w in waits.values() if len(w)]
    xmax = max([max(WAIT_MARKS) * 1.5, *top])
    xmax = math.ceil(xmax / 10) * 10
    with style():
        fig = new_figure(6.4, 3.8)
        ax = fig.add_subplot()
        for i, (name, w) in enumerate(waits.items()):
            if len(w) == 0:
                (line,) = ax.plot(
                    [],
                    [],
                    color=design_colour(i),
                    linestyle=design_linestyle(i),
                    label=literal(f"{name} (no served visitors)"),
                )
            else:
                x = np.concatenate(([0.0], w, [max(xmax, float(w[-1]))]))
                y = np.concatenate(([0.0], np.arange(1, len(w) + 1) / len(w), [1.0]))
                within = [float((w <= m).mean()) for m in WAIT_MARKS]
                text = ", ".join(
                    f"{_share(p)} ≤ {m:g} min" for p, m in zip(within, WAIT_MARKS, strict=True)
                )
                (line,) = ax.step(
                    x,
                    y,
                    where="post",
                    color=design_colour(i),
                    linestyle=design_linestyle(i),
                    label=literal(f"{name} ({text})"),
                )
            line.set_gid("ecdf")
        for m in WAIT_MARKS:
            ax.axvline(m, color=GREY, linestyle=":", linewidth=1.0, zorder=0, gid="mark")
            ax.annotate(
                f"{m:g} min",
                (m, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(0, 2),
                textcoords="offset points",
                color=GREY,
                fontsize=7.5,
                ha="center",
                va="bottom",
            )
        ax.set_xlim(0, xmax)
        ax.set_ylim(0, 1.01)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_xlabel("waiting time before service, x (min)")
        ax.set_ylabel("served visitors waiting at most x (%)")
        ax.grid(True, zorder=0)
        ax.legend(loc="lower right")
        ax.set_title(literal(title or "Waiting times of served visitors"), pad=14)
    return fig


def _share(p: float) -> str:
    """A share in whole per cent that never rounds a share below 1 up to 100%."""
    if 0.995 <= p < 1.0:
        return ">99%"
    return f"{p:.0%}"
