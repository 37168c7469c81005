"""Unserved demand per 1,000 residents per year, by area and reason, per design."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from simulation.report.plots.style import (
    REASON_COLOURS,
    REASON_LABELS,
    REASONS,
    VULNERABLE_EDGE,
    fmt_number,
    literal,
    new_figure,
    style,
)
from simulation.report.plots.tables import Scenario, label, unserved_by_reason


def unserved_bars(
    kpis: Mapping[str, pd.DataFrame],
    scenarios: Mapping[str, Scenario],
    title: str | None = None,
) -> Figure:
    """Stacked horizontal bars of unserved demand by area and reason, one panel per design.

    Parameters
    ----------
    kpis
        Design → long KPI table of its replications (``scope, id, kpi, value``); the
        area-scope counts ``unserved_<reason>`` are averaged and annualised per 1,000
        residents.
    scenarios
        Design → resolved scenario dict (areas, populations, calendar).
    title
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        One bar (gid ``unserved-<reason>``) per area and reason in each panel;
        vulnerable areas get a black outline (gid ``vulnerable``) and a marked label.
    """
    if not kpis:
        raise ValueError("no KPI tables to plot")
    rates = {d: unserved_by_reason(kpis[d], scenarios[d]) for d in kpis}
    totals = [
        float(np.nansum(r.to_numpy(), axis=1).max()) if len(r) else 0.0 for r in rates.values()
    ]
    xmax = max(totals + [1e-9]) * 1.22
    n = len(rates)
    n_areas = max(len(r) for r in rates.values())
    cols = 2 if n == 4 else min(n, 3)
    rows = math.ceil(n / cols)
    with style():
        fig = new_figure(4.2 + 2.6 * cols, 1.2 + rows * (0.35 * n_areas + 0.9))
        axes = fig.subplots(rows, cols, squeeze=False, sharex=True)
        for ax in axes.flat[n:]:
            ax.set_visible(False)
        used: set[str] = set()
        for i, (design, r) in enumerate(rates.items()):
            ax = axes.flat[i]
            sc = scenarios[design]
            areas = {a["id"]: a for a in sc["areas"]}
            y = np.arange(len(r))[::-1]
            left = np.zeros(len(r))
            for reason in REASONS:
                values = r[reason].fillna(0.0).to_numpy()
                bars = ax.barh(
                    y,
                    values,
                    left=left,
                    height=0.62,
                    color=REASON_COLOURS[reason],
                    edgecolor="white",
                    linewidth=0.5,
                )
                for bar in bars:
                    bar.set_gid(f"unserved-{reason}")
                if (values > 0).any():
                    used.add(reason)
                left += values
            for yy, ident, total in zip(y, r.index, left, strict=True):
                if areas[ident].get("vulnerable"):
                    ax.add_patch(
                        Rectangle(
                            (0, yy - 0.36),
                            max(total, xmax * 0.004),
                            0.72,
                            fill=False,
                            edgecolor=VULNERABLE_EDGE,
                            linewidth=1.6,
                            zorder=3,
                            gid="vulnerable",
                        )
                    )
                ax.annotate(
                    fmt_number(total),
                    (total, yy),
                    xytext=(3, 0),
                    textcoords="offset points",
                    va="center",
                    ha="left",
                    fontsize=7.5,
                )
            ax.set_yticks(y)
            if i % cols == 0:
                labels = [
                    literal(label(areas[ident]) + (" ◆" if areas[ident].get("vulnerable") else ""))
                    for ident in r.index
                ]
                ax.set_yticklabels(labels)
                for tick, ident in zip(ax.get_yticklabels(), r.index, strict=True):
                    if areas[ident].get("vulnerable"):
                        tick.set_fontweight("bold")
            else:
                ax.set_yticklabels([])
            ax.set_xlim(0, xmax)
            ax.grid(True, axis="x", zorder=0)
            ax.set_axisbelow(True)
            if n > 1:
                ax.set_title(literal(design))
            if i + cols >= n:
                ax.tick_params(labelbottom=True)
        handles = [
            Patch(facecolor=REASON_COLOURS[k], label=REASON_LABELS[k]) for k in REASONS if k in used
        ]
        if any(a.get("vulnerable") for sc in scenarios.values() for a in sc["areas"]):
            handles.append(
                Patch(
                    facecolor="white",
                    edgecolor=VULNERABLE_EDGE,
                    linewidth=1.6,
                    label="◆ vulnerable area",
                )
            )
        fig.legend(handles=handles, loc="outside right center")
        fig.supxlabel("unserved needs per 1,000 residents per year", fontsize=9)
        fig.suptitle(literal(title or "Unserved demand by area and reason"))
    return fig
