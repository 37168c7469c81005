"""The per-period decision rule: does a period meet its targets at the stated confidence?

For each period and target, one value per replication (the period's late share, abandonment
or mean wait over the visitors who arrived in it, pooled over every such weekday of the
replication's run) gives a mean and a **one-sided** upper confidence bound
``mean + t(confidence, n-1) * s / sqrt(n)``; the period meets the target when that bound is at
most the target's bound (:attr:`~simulation.staff.targets.Target.bound`). Replications in which
the period had no visitor to judge (no arrival, or no served visitor for a wait target) are
left out; with fewer than two values no interval exists and the point value decides (no
value at all: met, there is nobody to serve). Each period is judged on its own (no correction
for the number of periods).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from simulation.staff.targets import Target


@dataclass(frozen=True)
class Judgement:
    """One target judged over every period (arrays over periods).

    Attributes
    ----------
    target
        The target.
    mean, upper, lower
        Mean of the judged statistic across replications and its one-sided upper bound at the
        confidence (``lower``: the matching lower bound, for the report's interval).
    replications
        Replications that had a value.
    met
        Whether ``upper <= target.bound`` (see the module docstring for too few values).
    """

    target: Target
    mean: np.ndarray
    upper: np.ndarray
    lower: np.ndarray
    replications: np.ndarray
    met: np.ndarray


def statistic_values(target: Target, counts: list[dict[str, np.ndarray]]) -> np.ndarray:
    """The judged statistic per replication (rows) and period (columns); NaN where undefined."""
    if target.quantile is not None:
        num = np.array([c[f"late:{target.limit:g}"] for c in counts])
        den = np.array([c["served"] for c in counts])
    elif target.kpi == "abandonment":
        num = np.array([c["abandoned"] for c in counts])
        den = np.array([c["arrivals"] for c in counts])
    else:
        num = np.array([c["wait_sum"] for c in counts])
        den = np.array([c["served"] for c in counts])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def judge(values: np.ndarray, target: Target, confidence: float) -> Judgement:
    """Judge one target in every period from per-replication values (see the module docstring).

    Parameters
    ----------
    values
        Shape ``(replications, periods)``; NaN where a replication had nothing to judge.
    target
        The target.
    confidence
        One-sided confidence level, e.g. ``0.95``.
    """
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    n = finite.sum(axis=0)
    total = np.where(finite, values, 0.0).sum(axis=0)
    mean = np.where(n > 0, total / np.maximum(n, 1), np.nan)
    dev = np.where(finite, values - mean, 0.0)
    std = np.sqrt((dev**2).sum(axis=0) / np.maximum(n - 1, 1))
    t = stats.t.ppf(confidence, np.maximum(n - 1, 1))
    half = np.where(n > 1, t * std / np.sqrt(np.maximum(n, 1)), 0.0)
    upper = mean + half
    lower = mean - half
    met = np.where(n > 0, upper <= target.bound + 1e-12, True)
    return Judgement(target, mean, upper, lower, n, met.astype(bool))


def judge_all(
    counts: list[dict[str, np.ndarray]], targets: tuple[Target, ...], confidence: float
) -> tuple[list[Judgement], np.ndarray]:
    """Judge every target; a period meets its targets when it meets each of them.

    Returns
    -------
    tuple
        The judgements (one per target) and the boolean array ``met`` over periods.
    """
    judgements = [judge(statistic_values(t, counts), t, confidence) for t in targets]
    met = np.logical_and.reduce([j.met for j in judgements])
    return judgements, np.asarray(met, dtype=bool)
