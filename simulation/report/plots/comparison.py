"""Comparison against the baseline: a forest plot of paired differences with intervals."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from simulation.report.plots.style import (
    GREY,
    VERDICT_STYLE,
    kpi_label,
    literal,
    new_figure,
    ordered,
    style,
    wrap_label,
)


def _row_label(design: str, level: str, levels: int) -> str:
    return literal(design if levels <= 1 or not level else f"{design}\n{level}")


def forest_plot(
    comparison: pd.DataFrame,
    kpis: Sequence[str] | None = None,
    title: str | None = None,
) -> Figure:
    """Paired difference (design − baseline) with its interval, one panel per KPI.

    Parameters
    ----------
    comparison
        Table of :func:`simulation.experiment.analysis.compare_designs` (``design, level, kpi,
        baseline, diff_mean, ci_low, ci_high, relative_diff, verdict, interval_level``).
    kpis
        KPIs to show, in order (default: all, in the table's order).
    title
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        One marker (gid ``diff``) per design × level in every panel; colour and shape
        show the verdict; a vertical line marks zero (no difference).
    """
    if comparison.empty:
        raise ValueError("the comparison table is empty (a sweep needs at least two designs)")
    table = comparison.copy()
    table["level"] = table["level"].fillna("").astype(str)
    kpis = list(kpis) if kpis is not None else ordered(table["kpi"])
    kpis = [k for k in kpis if k in set(table["kpi"])]
    designs = ordered(table["design"])
    levels = ordered(table["level"])
    rows = [(d, lvl) for d in designs for lvl in levels]
    n = len(kpis)
    cols = 1 if n == 1 else 2
    grid_rows = math.ceil(n / cols)
    baseline = str(table["baseline"].iloc[0]) if "baseline" in table else "baseline"
    interval = float(table["interval_level"].iloc[0]) if "interval_level" in table else float("nan")
    panel_h = 0.45 + 0.42 * len(rows)
    with style():
        fig = new_figure(3.1 + 3.4 * cols, 1.4 + panel_h * grid_rows)
        axes = fig.subplots(grid_rows, cols, squeeze=False, sharey=True)
        for ax in axes.flat[n:]:
            ax.set_visible(False)
        y = np.arange(len(rows))[::-1].astype(float)
        used: list[str] = []
        for i, kpi in enumerate(kpis):
            ax = axes.flat[i]
            info = kpi_label(kpi)
            sub = table[table["kpi"] == kpi].set_index(["design", "level"])
            lo_all, hi_all = [0.0], [0.0]
            for yy, key in zip(y, rows, strict=True):
                if key not in sub.index:
                    continue
                r = sub.loc[key]
                mean, lo, hi = (
                    float(r[c]) * info.scale for c in ("diff_mean", "ci_low", "ci_high")
                )
                st = VERDICT_STYLE.get(str(r["verdict"]), VERDICT_STYLE["too few replications"])
                if str(r["verdict"]) not in used:
                    used.append(str(r["verdict"]))
                if math.isfinite(lo) and math.isfinite(hi):
                    ax.hlines(yy, lo, hi, color=st["color"], linewidth=2.2, gid="ci")
                    lo_all.append(lo)
                    hi_all.append(hi)
                ax.plot(
                    [mean],
                    [yy],
                    linestyle="",
                    marker=st["marker"],
                    markersize=7,
                    color=st["color"],
                    markeredgecolor="black",
                    markeredgewidth=0.6,
                    gid="diff",
                    zorder=3,
                )
                lo_all.append(mean)
                hi_all.append(mean)
                rel = float(r["relative_diff"]) if "relative_diff" in r else float("nan")
                if math.isfinite(rel):
                    ax.annotate(
                        f"{rel:+.0%}".replace("-", "\u2212"),
                        (mean, yy),
                        xytext=(0, 6),
                        textcoords="offset points",
                        ha="center",
                        va="bottom",
                        fontsize=7,
                        color="#333333",
                    )
            lo, hi = min(lo_all), max(hi_all)
            pad = (hi - lo) * 0.12 or 1.0
            ax.set_xlim(lo - pad, hi + pad)
            ax.axvline(0.0, color=GREY, linewidth=1.0, linestyle="--", zorder=0, gid="zero")
            ax.set_yticks(y)
            ax.set_yticklabels([_row_label(d, lvl, len(levels)) for d, lvl in rows])
            ax.set_ylim(y.min() - 0.7, y.max() + 0.7)
            ax.set_title(literal(wrap_label(info.name[0].upper() + info.name[1:], 44)), fontsize=9)
            unit = f" ({info.unit})" if info.unit else ""
            ax.set_xlabel(literal(f"difference from {baseline}{unit}"))
            ax.grid(True, axis="x", zorder=0)
            for k in range(1, len(designs)):
                if len(levels) > 1:
                    ax.axhline(y[k * len(levels) - 1] - 0.5, color="#E5E5E5", linewidth=0.8)
        order = [v for v in VERDICT_STYLE if v in used]
        handles = [
            Line2D(
                [],
                [],
                linestyle="-",
                linewidth=2.2,
                marker=VERDICT_STYLE[v]["marker"],
                markersize=7,
                color=VERDICT_STYLE[v]["color"],
                markeredgecolor="black",
                markeredgewidth=0.6,
                label=VERDICT_STYLE[v]["label"],
            )
            for v in order
        ]
        level_text = f"{interval:.1%}".replace(".0%", "%") + " " if math.isfinite(interval) else ""
        corrected = (
            ", Bonferroni-corrected"
            if "correction" in table and table["correction"].iloc[0] == "bonferroni"
            else ""
        )
        fig.legend(
            handles=handles,
            loc="outside lower center",
            ncol=len(handles),
            title=literal(
                f"Verdict against {baseline}. Point: mean paired difference;\n"
                f"bar: {level_text}confidence interval{corrected}."
            ),
        )
        named = "" if baseline.lower() == "baseline" else f" ({baseline})"
        fig.suptitle(literal(title or f"Difference from the baseline{named}"))
    return fig
