"""Figures of a robust comparison: regret, probability best, where the choice flips, tornado.

Pure functions of the tables of :mod:`simulation.results.robust_files` (``worlds.csv``,
``robustness.csv``, ``sensitivity.csv``, ``flips.csv``); the designs keep their colours and
markers of every other figure, and each figure carries a second cue beside colour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from simulation.report.plots.style import (
    GREY,
    LIGHT_GREY,
    design_colour,
    design_marker,
    kpi_label,
    literal,
    new_figure,
    style,
    wrap_label,
)

_HORIZONTAL: dict[str, Any] = (
    {"orientation": "horizontal"}
    if tuple(int(p) for p in mpl.__version__.split(".")[:2]) >= (3, 10)
    else {"vert": False}
)
"""Horizontal boxes (``vert`` is deprecated since matplotlib 3.10, ``orientation`` new in it)."""


def regret_boxes(worlds: pd.DataFrame, designs: Sequence[str], kpi: str, title: str) -> Figure:
    """Regret of each design across the worlds: a box (quartiles, whiskers to 5-95 %) and
    every world as a point.

    Parameters
    ----------
    worlds
        ``worlds.csv`` (``regret:<design>`` columns).
    designs
        Designs in the sweep's order.
    kpi
        The decision KPI (for the axis label).
    title
        Figure title.
    """
    shown = [d for d in designs if f"regret:{d}" in worlds]
    if not shown or worlds.empty:
        raise ValueError("no world has finished")
    info = kpi_label(kpi)
    with style():
        fig = new_figure(6.4, 1.2 + 0.55 * len(shown))
        ax = fig.subplots()
        y = np.arange(len(shown))[::-1].astype(float)
        for i, (yy, d) in enumerate(zip(y, shown, strict=True)):
            values = worlds[f"regret:{d}"].to_numpy(dtype=float)
            values = values[np.isfinite(values)] * info.scale
            if not len(values):
                continue
            box = ax.boxplot(
                values, positions=[yy], widths=0.5, whis=(5, 95), showfliers=False,
                patch_artist=True, **_HORIZONTAL,
            )  # fmt: skip
            for patch in box["boxes"]:
                patch.set(facecolor=design_colour(designs.index(d)), alpha=0.35, edgecolor="black")
            for line in box["medians"]:
                line.set(color="black", linewidth=1.4)
            offsets = (np.arange(len(values)) % 7 - 3) * 0.05  # a fixed spread, no randomness
            ax.scatter(
                values, yy + offsets, s=10, color=design_colour(designs.index(d)),
                marker=design_marker(designs.index(d)), edgecolors="black", linewidths=0.3,
                zorder=3, gid=f"regret-{i}",
            )  # fmt: skip
        ax.set_yticks(y, [literal(d) for d in shown])
        ax.axvline(0, color=GREY, linewidth=0.8)
        unit = f" ({info.unit})" if info.unit else ""
        ax.set_xlabel(wrap_label(f"regret: distance to the best design of the world{unit}", 60))
        ax.set_title(literal(title))
    return fig


def probability_best(robustness: pd.DataFrame, level: float, title: str) -> Figure:
    """Share of worlds in which each design is clearly best (solid), best or tied (hatched),
    with the interval from ``p_best_low`` to ``p_best_high``."""
    if robustness.empty:
        raise ValueError("no world has finished")
    designs = [str(d) for d in robustness["design"]]
    with style():
        fig = new_figure(7.6, 1.4 + 0.55 * len(designs))
        ax = fig.subplots()
        y = np.arange(len(designs))[::-1].astype(float)
        for i, (yy, (_, row)) in enumerate(zip(y, robustness.iterrows(), strict=True)):
            colour = design_colour(i)
            p, tie = float(row["p_best"]), float(row["p_best_or_tie"])
            ax.barh(yy, p, height=0.6, color=colour, edgecolor="black", gid=f"best-{i}")
            ax.barh(
                yy, tie - p, left=p, height=0.6, color="white", edgecolor=colour, hatch="///",
                linewidth=0.8,
            )  # fmt: skip
            lo, hi = float(row["p_best_low"]), float(row["p_best_high"])
            if math.isfinite(lo) and math.isfinite(hi):
                ax.errorbar(
                    p, yy, xerr=[[max(p - lo, 0)], [max(hi - p, 0)]], color="black",
                    capsize=4, linewidth=1.0,
                )  # fmt: skip
            label = f"{p:.0%}" + (f" (+{tie - p:.0%} tied)" if tie > p else "")
            ax.text(max(hi, tie) + 0.02, yy + 0.3, label, va="center", fontsize=8)
        ax.set_yticks(y, [literal(d) for d in designs])
        ax.set_xlim(0, 1.3)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
        ax.set_xlabel("share of sampled worlds")
        ax.legend(
            handles=[
                Patch(facecolor=GREY, edgecolor="black", label="clearly best"),
                Patch(facecolor="white", edgecolor=GREY, hatch="///", label="tied with the best"),
            ],
            loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7,
            title=f"whiskers: {level:.0%} interval", title_fontsize=7,
        )  # fmt: skip
        ax.set_title(literal(title))
    return fig


def flip_map(
    worlds: pd.DataFrame,
    flips: pd.DataFrame,
    inputs: Sequence[str],
    designs: Sequence[str],
    title: str,
) -> Figure:
    """The best design of every world over the two most influential inputs, with the boxes
    of :func:`simulation.experiment.flips.flip_boxes` (dashed) and each box's design."""
    shown = [i for i in inputs if i in worlds][:2]
    if not shown or worlds.empty or "best" not in worlds:
        raise ValueError("no world has finished")
    x_name = shown[0]
    y_name = shown[1] if len(shown) > 1 else None
    with style():
        fig = new_figure(6.4, 4.6)
        ax = fig.subplots()
        x = worlds[x_name].to_numpy(dtype=float)
        y = worlds[y_name].to_numpy(dtype=float) if y_name else np.zeros(len(worlds))
        best = worlds["best"].astype(str).to_numpy()
        tie = (worlds["winner"].astype(str) == "tie").to_numpy()
        for i, d in enumerate(designs):
            mask = best == d
            if not mask.any():
                continue
            ax.scatter(
                x[mask & ~tie], y[mask & ~tie], s=28, color=design_colour(i),
                marker=design_marker(i), edgecolors="black", linewidths=0.4,
                label=literal(d), zorder=3, gid=f"world-{i}",
            )  # fmt: skip
            if (mask & tie).any():
                ax.scatter(
                    x[mask & tie], y[mask & tie], s=28, facecolors="white",
                    edgecolors=design_colour(i), marker=design_marker(i), linewidths=1.0, zorder=3,
                )  # fmt: skip
        for _, box in flips.iterrows():
            if str(box.get("input_1", "")) != x_name:
                continue
            x0, x1 = float(box["low_1"]), float(box["high_1"])
            if y_name and str(box.get("input_2", "")) == y_name:
                y0, y1 = float(box["low_2"]), float(box["high_2"])
            else:
                y0, y1 = ax.get_ylim()
            ax.add_patch(
                Rectangle(
                    (x0, y0), x1 - x0, y1 - y0, fill=False, linestyle="--",
                    edgecolor=GREY, linewidth=1.0, zorder=1,
                )
            )  # fmt: skip
            ax.text(
                (x0 + x1) / 2, y1, f"{literal(box['design'])} ({float(box['share']):.0%})",
                ha="center", va="top", fontsize=7, color="black",
                bbox={"facecolor": "white", "edgecolor": LIGHT_GREY, "pad": 1.5},
            )  # fmt: skip
        ax.set_xlabel(literal(x_name))
        ax.set_ylabel(literal(y_name) if y_name else "")
        if not y_name:
            ax.set_yticks([])
        ax.legend(
            title="best design (open: too close to call)", fontsize=7, title_fontsize=7,
            loc="upper left", bbox_to_anchor=(1.01, 1.0),
        )  # fmt: skip
        ax.set_title(literal(title))
    return fig


def tornado(sensitivity: pd.DataFrame, title: str) -> Figure:
    """Sensitivity index of every input for each design difference, largest first, with the
    bootstrap half-widths (``S1`` where the ``index`` is missing)."""
    if sensitivity.empty:
        raise ValueError("no sensitivity indices (the worlds did not all finish)")
    table = sensitivity.copy()
    table["score"] = table["index"].where(table["index"].notna(), table["S1"]).fillna(0.0)
    table["conf"] = table["index_conf"].where(table["index"].notna(), table["S1_conf"])
    order = table.groupby("input", sort=False)["score"].max().sort_values(kind="stable")
    inputs = list(order.index)
    designs = list(dict.fromkeys(table["design"].astype(str)))
    method = "Sobol' total order ST" if table["method"].iloc[0] == "sobol" else "first-order S1"
    height = 0.8 / max(len(designs), 1)
    with style():
        fig = new_figure(6.8, 1.3 + 0.5 * len(inputs) * max(1, len(designs) / 2))
        ax = fig.subplots()
        for j, d in enumerate(designs):
            sub = table[table["design"].astype(str) == d].set_index("input")
            ys = np.arange(len(inputs)) + 0.4 - height * (j + 0.5)  # first design on top
            scores = [float(sub.loc[i, "score"]) if i in sub.index else 0.0 for i in inputs]
            confs = [float(sub.loc[i, "conf"]) if i in sub.index else math.nan for i in inputs]
            ax.barh(
                ys, scores, height=height * 0.9, color=design_colour(j + 1), edgecolor="black",
                label=literal(f"{d} − {table['baseline'].iloc[0]}"), gid=f"tornado-{j}",
            )  # fmt: skip
            err = np.array([c if math.isfinite(c) else 0.0 for c in confs])
            ax.errorbar(scores, ys, xerr=err, fmt="none", color="black", capsize=2, linewidth=0.8)
        ax.set_yticks(np.arange(len(inputs)), [literal(wrap_label(i, 30)) for i in inputs])
        ax.set_xlabel(f"sensitivity index ({method})")
        ax.axvline(0, color=GREY, linewidth=0.8)
        ax.legend(title="design difference", fontsize=7, title_fontsize=7, loc="lower right")
        ax.set_title(literal(title))
    return fig
