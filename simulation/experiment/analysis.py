"""Output analysis of replications: confidence intervals, paired comparisons, verdicts.

Replication *i* of every design uses the same random streams (common random numbers), so
the per-replication differences ``d_i = KPI(design, i) - KPI(baseline, i)`` are paired
and their t interval is usually much narrower than the interval from independent samples.
With several designs compared against one baseline, the interval level is corrected by
Bonferroni: each of the ``m`` comparisons (per KPI and factor level) uses level
``1 - (1 - level) / m``, so all ``m`` hold together with at least the stated level.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from simulation.measures.intervals import t_interval


def summarise_designs(
    replications: pd.DataFrame, kpis: Sequence[str], level: float
) -> pd.DataFrame:
    """Per design, factor level and KPI: ``n, mean, std, ci_low, ci_high``."""
    rows = []
    for (design, lvl), group in replications.groupby(["design", "level"], sort=False):
        for kpi in kpis:
            if kpi not in group:
                continue
            values = group[kpi].to_numpy(dtype=float)
            mean, std, lo, hi = t_interval(values, level)
            rows.append(
                {
                    "design": design,
                    "level": lvl,
                    "kpi": kpi,
                    "n": int(np.isfinite(values).sum()),
                    "mean": mean,
                    "std": std,
                    "ci_low": lo,
                    "ci_high": hi,
                }
            )
    return pd.DataFrame(
        rows, columns=["design", "level", "kpi", "n", "mean", "std", "ci_low", "ci_high"]
    )


def verdict(lo: float, hi: float, better: str) -> str:
    """``better`` / ``worse`` when the interval of design − baseline excludes zero."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return "too few replications"
    if hi < 0:
        return "better" if better == "lower" else "worse"
    if lo > 0:
        return "worse" if better == "lower" else "better"
    return "no clear difference"


def compare_designs(
    replications: pd.DataFrame,
    kpis: dict[str, str],
    baseline: str,
    level: float,
    correction: str = "bonferroni",
) -> pd.DataFrame:
    """Paired comparison of every design with the baseline, per factor level and KPI.

    Parameters
    ----------
    replications
        Wide table: ``design, level, replication`` and one column per KPI.
    kpis
        KPI column → ``"lower"`` or ``"higher"`` (which is better).
    baseline
        The design compared against.
    level
        Family confidence level.
    correction
        ``bonferroni`` or ``none``.

    Returns
    -------
    pandas.DataFrame
        One row per design (other than the baseline) × level × KPI, with the paired
        difference, its interval, the verdict, the independent-samples half-width and how
        much pairing narrowed the interval.
    """
    designs = [d for d in dict.fromkeys(replications["design"]) if d != baseline]
    m = max(len(designs), 1)
    used = 1 - (1 - level) / m if correction == "bonferroni" else level
    rows = []
    for lvl, group in replications.groupby("level", sort=False):
        base = group[group["design"] == baseline].set_index("replication")
        for design in designs:
            other = group[group["design"] == design].set_index("replication")
            common = base.index.intersection(other.index)
            for kpi, better in kpis.items():
                if kpi not in group:
                    continue
                b = base.loc[common, kpi].to_numpy(dtype=float)
                d = other.loc[common, kpi].to_numpy(dtype=float)
                ok = np.isfinite(b) & np.isfinite(d)
                diff = d[ok] - b[ok]
                mean, std, lo, hi = t_interval(diff, used)
                n = int(ok.sum())
                paired_half = (hi - lo) / 2 if math.isfinite(lo) else math.nan
                indep_half = math.nan
                if n >= 2:
                    se = math.sqrt(np.var(d[ok], ddof=1) / n + np.var(b[ok], ddof=1) / n)
                    indep_half = float(stats.t.ppf(0.5 + used / 2, 2 * n - 2)) * se
                base_mean = float(np.mean(b[ok])) if n else math.nan
                rows.append(
                    {
                        "level": lvl,
                        "design": design,
                        "baseline": baseline,
                        "kpi": kpi,
                        "better": better,
                        "n": n,
                        "baseline_mean": base_mean,
                        "design_mean": float(np.mean(d[ok])) if n else math.nan,
                        "diff_mean": mean,
                        "diff_std": std,
                        "ci_low": lo,
                        "ci_high": hi,
                        "relative_diff": mean / base_mean if n and base_mean else math.nan,
                        "verdict": verdict(lo, hi, better),
                        "interval_level": used,
                        "correction": correction,
                        "comparisons": m,
                        "paired_half_width": paired_half,
                        "independent_half_width": indep_half,
                        "pairing_narrowing": 1 - paired_half / indep_half
                        if indep_half and math.isfinite(indep_half) and indep_half > 0
                        else math.nan,
                    }
                )
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


COMPARISON_COLUMNS = (
    "level",
    "design",
    "baseline",
    "kpi",
    "better",
    "n",
    "baseline_mean",
    "design_mean",
    "diff_mean",
    "diff_std",
    "ci_low",
    "ci_high",
    "relative_diff",
    "verdict",
    "interval_level",
    "correction",
    "comparisons",
    "paired_half_width",
    "independent_half_width",
    "pairing_narrowing",
)
"""Columns of the comparison table."""


def replications_needed(values: np.ndarray, target: float, level: float, relative: bool) -> int:
    """Replications for the t half-width of ``values`` to reach ``target`` (the replications
    algorithm's estimate ``n (h / target)^2``, at least the current ``n``)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n < 2:
        return n + 2
    mean, _, lo, hi = t_interval(x, level)
    half = (hi - lo) / 2
    goal = target * abs(mean) if relative else target
    if goal <= 0:
        return n if half == 0 else n * 2
    if half <= goal:
        return n
    return int(math.ceil(n * (half / goal) ** 2))


def best_design(
    comparison: pd.DataFrame, kpi: str, level: str | None = None
) -> tuple[str, pd.DataFrame]:
    """The design that does best on ``kpi`` with a clear verdict against the baseline.

    Among designs whose interval says ``better``, the one with the best mean; the baseline
    when none is clearly better.

    Returns
    -------
    tuple
        The design's name and the comparison rows for ``kpi`` (at ``level``, or the first).
    """
    rows = comparison[comparison["kpi"] == kpi]
    if rows.empty:
        return "", rows
    chosen_level = rows["level"].iloc[0] if level is None else level
    rows = rows[rows["level"] == chosen_level]
    better = rows[rows["verdict"] == "better"]
    if better.empty:
        return str(rows["baseline"].iloc[0]), rows
    lower = better["better"].iloc[0] == "lower"
    pick = better.sort_values("design_mean", ascending=lower).iloc[0]
    return str(pick["design"]), rows
