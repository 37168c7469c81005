"""The robust comparison of a sweep's worlds: tables, influence, flips and the verdict in words.

:func:`analyse_worlds` turns the runs of every design × world × replication into a
:class:`~simulation.experiment.robustness.RobustResult`; :func:`robust_verdict` states it in
one plain sentence (the terminal and the report print the same words).
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd

from simulation.experiment.batches import Executor
from simulation.experiment.flips import flip_boxes
from simulation.experiment.robustness import (
    TIE,
    RobustResult,
    differences,
    robustness_table,
    world_table,
)
from simulation.experiment.sensitivity import influence, scores, sensitivity_table
from simulation.scenario.sweep_spec import Sweep, default_better


def kpi_runs(long: pd.DataFrame, kpi: str) -> pd.DataFrame:
    """``design, world, replication, value`` of one KPI label from a long KPI table."""
    if long.empty:
        return pd.DataFrame(columns=["design", "world", "replication", "value"])
    label = long["kpi"].where(
        long["scope"] == "overall", long["kpi"] + "@" + long["scope"] + ":" + long["id"]
    )
    rows = long[label == kpi]
    return rows[["design", "world", "replication", "value"]].reset_index(drop=True)


def analyse_worlds(
    sweep: Sweep, long: pd.DataFrame, executor: Executor | None = None
) -> RobustResult:
    """Robustness, sensitivity and flip tables of a sweep's worlds.

    Parameters
    ----------
    sweep
        The loaded sweep (with ``uncertain:``).
    long
        Every KPI of every world run: ``design, world, replication, scope, id, kpi, value``.
    executor
        The command's executor, which computes the sensitivity indices
        (:func:`~simulation.experiment.sensitivity.sensitivity_table`); ``None``: this process.
    """
    worlds = sweep.worlds
    assert worlds is not None
    kpi = worlds.kpi
    spec = next((k for k in sweep.spec.kpis if k.label == kpi), None)
    better = spec.direction if spec is not None else default_better(kpi)
    designs = list(sweep.spec.designs)
    baseline = sweep.spec.baseline_design
    level = sweep.spec.level
    inputs = worlds.table()
    runs = kpi_runs(long, kpi)
    per_world = world_table(runs, inputs, designs, better, level)
    robustness = robustness_table(per_world, designs, level)
    names = worlds.inputs
    bounds = worlds.spec.bounds()
    complete = (
        per_world["best"].fillna("").astype(str).ne("").to_numpy()
        if "best" in per_world
        else np.zeros(len(per_world), dtype=bool)
    )
    if complete.all() and len(per_world):
        sensitivity = sensitivity_table(
            worlds.values,
            differences(per_world, designs, baseline),
            names,
            bounds,
            worlds.spec.sampler,
            baseline,
            level,
            executor,
        )
    else:  # failed runs: indices need every world of the sampler's design
        sensitivity = sensitivity_table(
            worlds.values[:0], {}, names, bounds, worlds.spec.sampler, baseline, level
        )
    top = influence(sensitivity, names)[:2]
    cols = [names.index(t) for t in top]
    done = per_world[complete] if len(per_world) else per_world
    flips = flip_boxes(
        done[top].to_numpy(dtype=float) if len(done) else np.zeros((0, len(top))),
        [str(b) for b in done.get("best", pd.Series(dtype=str))],
        top,
        [bounds[c] for c in cols],
        designs,
    )
    return RobustResult(kpi, better, inputs, per_world, robustness, sensitivity, flips, runs)


def _kpi_words(kpi: str) -> str:
    """The units of a KPI in words, for the verdict."""
    name, _, scope = kpi.partition("@")
    words = {
        "unserved_per_1000_yr": "unserved per 1,000 a year",
        "wait_mean": "min of mean wait",
        "wait_p90": "min of 90th-percentile wait",
        "staff_hours_per_week": "staff hours a week",
        "travel_mean": "min of mean travel",
    }.get(name, name)
    return words + (f" ({scope.replace(':', ' ')})" if scope else "")


def _number(value: float, span: float) -> str:
    """``value`` to a hundredth of ``span`` (the input's range): ``42.3``, ``58.052``."""
    decimals = max(0, math.ceil(-math.log10(span / 100))) if span > 0 else 2
    return f"{value:,.{decimals}f}"


def robust_verdict(result: RobustResult) -> list[str]:
    """The robust comparison in plain words.

    Returns
    -------
    list[str]
        ``Robust across N plausible worlds for <kpi>: <design> is best in P % of them
        (interval, T % too close to call); the order A > B > C holds in Q % of worlds (three
        designs or more); <other> wins when <input> exceeds <t>; choosing <design> loses at
        most <x> <units> in 90 % of worlds (mean, largest).`` — one line, then the most
        influential inputs.
    """
    table = result.robustness
    if table.empty or not (table["worlds"] > 0).any():
        return [f"Robust verdict for {result.kpi}: no world finished."]
    n = int(table["worlds"].iloc[0])
    pick = table.sort_values(["p_best", "regret_mean"], ascending=[False, True], kind="stable")
    top = pick.iloc[0]
    ties = float((result.worlds["winner"] == TIE).mean())
    parts = [
        f"Robust across {n} plausible worlds for {result.kpi}: {top['design']} is best in "
        f"{top['p_best']:.0%} of them (interval {top['p_best_low']:.0%}-{top['p_best_high']:.0%}; "
        f"{ties:.0%} too close to call)"
    ]
    order = _modal_order(result, [str(d) for d in table["design"]])
    if order is not None:
        parts.append(f"the order {' > '.join(order[0])} holds in {order[1]:.0%} of worlds")
    for _, box in result.flips.iterrows():
        if box["design"] == top["design"] or box["worlds"] == 0:
            continue
        parts.append(f"{box['design']} wins when {_box_words(result, box)}")
    parts.append(
        f"choosing {top['design']} loses at most {top['regret_p90']:.1f} "
        f"{_kpi_words(result.kpi)} in 90% of worlds (mean {top['regret_mean']:.1f}, "
        f"largest {top['regret_max']:.1f})"
    )
    lines = ["; ".join(parts) + "."]
    sens = result.sensitivity
    if not sens.empty:
        order = scores(sens).sort_values(ascending=False, kind="stable")
        method = "Sobol' total order" if sens["method"].iloc[0] == "sobol" else "first-order S1"
        conf = _score_confidence(sens)
        shown = ", ".join(
            f"{i} {v:.2f}" + (f" (±{conf[i]:.2f})" if i in conf else "")
            for i, v in order.head(3).items()
        )
        lines.append(
            f"Most influential inputs ({method}, largest over the designs; ± its 95% "
            f"bootstrap half-width): {shown}."
        )
    return lines


def _score_confidence(sens: pd.DataFrame) -> dict[str, float]:
    """Per input, the confidence half-width of the index that :func:`scores` shows."""
    score = sens["index"].where(sens["index"].notna(), sens["S1"])
    conf = sens["index_conf"].where(sens["index"].notna(), sens["S1_conf"])
    out: dict[str, float] = {}
    for name, rows in score.groupby(sens["input"], sort=False):
        if rows.notna().any():
            value = conf.loc[rows.idxmax()]
            if pd.notna(value):
                out[str(name)] = float(value)
    return out


def _modal_order(result: RobustResult, designs: list[str]) -> tuple[list[str], float] | None:
    """The most frequent ranking of all designs by their world means, and its share."""
    cols = [f"rank:{d}" for d in designs]
    done = result.worlds.dropna(subset=[c for c in cols if c in result.worlds])
    if len(designs) < 3 or done.empty or not all(c in done for c in cols):
        return None
    ranks = done[cols].to_numpy(dtype=float)
    orders = [tuple(designs[j] for j in np.argsort(row, kind="stable")) for row in ranks]
    counts = Counter(orders)
    best = max(counts, key=lambda o: (counts[o], -orders.index(o)))
    return list(best), counts[best] / len(orders)


def _box_words(result: RobustResult, box: pd.Series) -> str:
    """``<input> exceeds <t>`` / ``is below`` / ``is between`` for each limited side of a box."""
    words = []
    ranges = dict(
        zip(result.inputs.columns[1:], range(len(result.inputs.columns) - 1), strict=False)
    )
    for j in (1, 2):
        name = box[f"input_{j}"]
        if not name or name not in ranges:
            continue
        lo_all = float(result.inputs[name].min())
        hi_all = float(result.inputs[name].max())
        low, high = float(box[f"low_{j}"]), float(box[f"high_{j}"])
        low_cut, high_cut = low > lo_all, high < hi_all
        span = hi_all - lo_all
        if low_cut and high_cut:
            words.append(f"{name} is between {_number(low, span)} and {_number(high, span)}")
        elif low_cut:
            words.append(f"{name} exceeds {_number(low, span)}")
        elif high_cut:
            words.append(f"{name} is below {_number(high, span)}")
    text = " and ".join(words) if words else "anywhere"
    return f"{text} ({box['share']:.0%} of {int(box['worlds'])} worlds)"
