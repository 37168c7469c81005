"""Robust comparison: which design wins across the sampled worlds, and what a wrong choice costs.

Every design runs in every world with ``R`` replications that share the world's random
streams (common random numbers), so within a world the per-replication differences between
two designs are paired. Per world (:func:`world_table`):

* each design's mean of the decision KPI over its replications, its rank (1 = best) and its
  **regret**, the distance to the best design's mean in that world (in the KPI's units, ≥ 0);
* the **winner**: the best design by mean if its paired interval against every other design
  excludes zero in its favour (Bonferroni over the ``k - 1`` comparisons at the sweep's
  level), else ``tie``; the designs whose interval against the best includes zero are
  ``tied`` with it.

Per design (:func:`robustness_table`, ``robustness.csv``): the share of worlds it clearly wins
(``p_best``), the share it wins or ties (``p_best_or_tie``), an interval from both
(``p_best_low``: Wilson lower bound of the clear wins; ``p_best_high``: Wilson upper bound of
wins and ties, over the worlds), mean, 90th percentile and largest regret, and the share of
worlds at each rank.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from simulation.measures.intervals import t_interval

TIE = "tie"
"""The winner of a world where no design is clearly best."""


@dataclass
class RobustResult:
    """Tables of a robust comparison (see the module docstring and ``docs/model.md`` §14).

    Attributes
    ----------
    kpi, better
        The decision KPI and which way is better.
    inputs
        ``worlds.csv``: one row per world with each input's sampled value.
    worlds
        Per world: inputs, each design's mean and regret, the best design and the winner.
    robustness
        ``robustness.csv``: one row per design.
    sensitivity
        ``sensitivity.csv``: one row per design difference × input.
    flips
        ``flips.csv``: the boxes of the two most influential inputs where each design wins.
    runs
        The decision KPI of every design × world × replication.
    """

    kpi: str
    better: str
    inputs: pd.DataFrame
    worlds: pd.DataFrame
    robustness: pd.DataFrame
    sensitivity: pd.DataFrame
    flips: pd.DataFrame
    runs: pd.DataFrame = field(default_factory=pd.DataFrame)


def _sign(better: str) -> float:
    return 1.0 if better == "lower" else -1.0


def world_table(
    runs: pd.DataFrame, inputs: pd.DataFrame, designs: list[str], better: str, level: float
) -> pd.DataFrame:
    """Per world: each design's mean, rank and regret, the best design and the winner.

    Parameters
    ----------
    runs
        ``design, world, replication, value``: the decision KPI of every run.
    inputs
        ``world`` and one column per input.
    designs
        The designs in the sweep's order (ties in means go to the earlier one).
    better
        ``lower`` or ``higher``.
    level
        Confidence level of the paired intervals (Bonferroni over ``k - 1`` comparisons).

    Returns
    -------
    pandas.DataFrame
        ``world``, the inputs, ``mean:<design>``, ``regret:<design>``, ``rank:<design>``,
        ``best`` (by mean), ``winner`` (``best`` when clear, else ``tie``) and ``tied``
        (``+``-joined designs not clearly worse than the best). A world where some run of some
        design failed has ``best`` ``""`` and no means: it counts in no share.
    """
    sign = _sign(better)
    k = len(designs)
    used = 1 - (1 - level) / max(k - 1, 1)
    wide = runs.pivot_table(
        index=["world", "replication"], columns="design", values="value", aggfunc="first"
    )
    rows = []
    for world, row in inputs.set_index("world").iterrows():
        out: dict[str, object] = {"world": int(world), **row.to_dict()}
        block = wide.loc[world] if world in wide.index.get_level_values(0) else None
        present = [
            d for d in designs if block is not None and d in block and np.isfinite(block[d]).all()
        ]
        if len(present) < len(designs):  # a run failed: the world is left out of the tables
            rows.append({**out, "best": "", "winner": "", "tied": ""})
            continue
        assert block is not None
        means = {d: float(np.nanmean(block[d].to_numpy(dtype=float))) for d in present}
        order = sorted(present, key=lambda d: (sign * means[d], designs.index(d)))
        best = order[0] if order else ""
        tied = [best] if best else []
        for d in order[1:]:
            diff = sign * (block[d].to_numpy(dtype=float) - block[best].to_numpy(dtype=float))
            _, _, lo, _ = t_interval(diff, used)
            if not (math.isfinite(lo) and lo > 0):
                tied.append(d)
        for d in designs:
            out[f"mean:{d}"] = means.get(d, math.nan)
            out[f"regret:{d}"] = sign * (means[d] - means[best]) if d in means else math.nan
            out[f"rank:{d}"] = order.index(d) + 1 if d in order else math.nan
        out["best"] = best
        out["winner"] = best if len(tied) == 1 else TIE
        out["tied"] = "+".join(tied)
        rows.append(out)
    return pd.DataFrame(rows)


def _wilson(successes: int, n: int, level: float) -> tuple[float, float]:
    if n == 0:
        return math.nan, math.nan
    z = float(stats.norm.ppf(0.5 + level / 2))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


ROBUSTNESS_COLUMNS = (
    "design",
    "worlds",
    "p_best",
    "p_best_or_tie",
    "p_best_low",
    "p_best_high",
    "mean",
    "regret_mean",
    "regret_p90",
    "regret_max",
)
"""Leading columns of ``robustness.csv`` (then ``rank_1`` … ``rank_k``)."""


def robustness_table(worlds: pd.DataFrame, designs: list[str], level: float) -> pd.DataFrame:
    """Per design: probability best with its interval, regret and the rank distribution.

    Parameters
    ----------
    worlds
        The output of :func:`world_table`.
    designs
        The designs in the sweep's order.
    level
        Confidence level of the Wilson intervals over the worlds.
    """
    done = (
        worlds[worlds["best"].fillna("").astype(str) != ""] if "best" in worlds else worlds.iloc[:0]
    )
    n = len(done)
    rows = []
    for d in designs:
        wins = int((done["winner"] == d).sum())
        ties = int(
            (
                (done["winner"] == TIE) & done["tied"].map(lambda t, d=d: d in str(t).split("+"))
            ).sum()
        )
        low, _ = _wilson(wins, n, level)
        _, high = _wilson(wins + ties, n, level)
        regret = done[f"regret:{d}"].to_numpy(dtype=float) if n else np.array([])
        regret = regret[np.isfinite(regret)]
        row: dict[str, object] = {
            "design": d,
            "worlds": n,
            "p_best": wins / n if n else math.nan,
            "p_best_or_tie": (wins + ties) / n if n else math.nan,
            "p_best_low": low,
            "p_best_high": high,
            "mean": float(np.nanmean(done[f"mean:{d}"])) if n else math.nan,
            "regret_mean": float(regret.mean()) if len(regret) else math.nan,
            "regret_p90": float(np.percentile(regret, 90)) if len(regret) else math.nan,
            "regret_max": float(regret.max()) if len(regret) else math.nan,
        }
        for r in range(1, len(designs) + 1):
            row[f"rank_{r}"] = float((done[f"rank:{d}"] == r).mean()) if n else math.nan
        rows.append(row)
    columns = list(ROBUSTNESS_COLUMNS) + [f"rank_{r}" for r in range(1, len(designs) + 1)]
    return pd.DataFrame(rows, columns=columns)


def differences(worlds: pd.DataFrame, designs: list[str], baseline: str) -> dict[str, np.ndarray]:
    """Per design other than the baseline: its mean minus the baseline's, world by world."""
    base = worlds[f"mean:{baseline}"].to_numpy(dtype=float)
    return {d: worlds[f"mean:{d}"].to_numpy(dtype=float) - base for d in designs if d != baseline}
