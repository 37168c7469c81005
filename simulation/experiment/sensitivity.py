"""Global sensitivity of each design difference to the uncertain inputs (SALib).

The output analysed is, per design other than the baseline, its world mean of the decision
KPI minus the baseline's (:func:`simulation.experiment.robustness.differences`). With the
``sobol`` sampler (Saltelli's design) the indices are Sobol' first order ``S1`` and total
order ``ST`` (``index`` = ``ST``); with ``lhs`` or ``grid`` they are Borgonovo's
moment-independent ``delta`` (SALib's balanced estimate) and the first-order ``S1`` from the
same sample (``index`` = ``S1``). All come with bootstrap confidence half-widths (``*_conf``)
at the sweep's level, drawn from a fixed seed so that the table is the same byte for byte.

Why ``index`` is ``S1`` and not ``delta`` for a Latin hypercube: with a few dozen worlds
SALib's ``delta`` (a kernel-density estimate, reported as the mean over bootstrap resamples)
moves by ±0.2 with the number of resamples, and it fails for outputs with point masses (a
difference exactly constant over part of the range; a ``delta`` outside 0..1 is reported as
missing). The binned first-order ``S1`` is stable at that size; its bias for an input without
effect is about (bins − 1) / worlds (≈ 0.15 at 32 worlds), which the tests bound. The ranking
of inputs (:func:`influence`), the tornado and the flip boxes use ``index``.
"""

from __future__ import annotations

import contextlib
import io
import math
import warnings

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

SENSITIVITY_COLUMNS = (
    "design",
    "baseline",
    "input",
    "method",
    "index",
    "index_conf",
    "S1",
    "S1_conf",
    "ST",
    "ST_conf",
    "delta",
    "delta_conf",
)
"""Columns of ``sensitivity.csv``."""

_RESAMPLES = 100
_SEED = 20240601


def _problem(inputs: list[str], bounds: list[tuple[float, float]]) -> dict[str, object]:
    return {"num_vars": len(inputs), "names": list(inputs), "bounds": [list(b) for b in bounds]}


def _analyse(
    problem: dict[str, object], x: np.ndarray, y: np.ndarray, sampler: str, level: float
) -> dict[str, np.ndarray]:
    d = len(x[0])
    if not np.all(np.isfinite(y)) or np.ptp(y) == 0:
        zero = np.zeros(d)
        return {"index": zero, "index_conf": zero, "S1": zero, "S1_conf": zero}
    quiet = io.StringIO()
    formatter = warnings.formatwarning  # SALib's delta replaces it; restored below
    # tiny matrices: BLAS threads only contend (10x slower on 2 busy cores)
    with (
        threadpool_limits(1),
        warnings.catch_warnings(record=True),  # SALib turns its notices back on: keep them here
        contextlib.redirect_stdout(quiet),
        contextlib.redirect_stderr(quiet),
    ):
        warnings.simplefilter("ignore")
        try:
            return _salib(problem, x, y, sampler, level)
        finally:
            warnings.formatwarning = formatter


def _salib(
    problem: dict[str, object], x: np.ndarray, y: np.ndarray, sampler: str, level: float
) -> dict[str, np.ndarray]:
    if sampler == "sobol":
        from SALib.analyze import sobol

        res = sobol.analyze(
            problem, y, calc_second_order=False, num_resamples=_RESAMPLES,
            conf_level=level, seed=_SEED,
        )  # fmt: skip
        return {
            "index": np.asarray(res["ST"]),
            "index_conf": np.asarray(res["ST_conf"]),
            "S1": np.asarray(res["S1"]),
            "S1_conf": np.asarray(res["S1_conf"]),
            "ST": np.asarray(res["ST"]),
            "ST_conf": np.asarray(res["ST_conf"]),
        }
    from SALib.analyze import delta

    res = delta.analyze(problem, x, y, num_resamples=_RESAMPLES, conf_level=level, seed=_SEED)
    index = np.asarray(res["delta_balanced"], dtype=float)
    valid = np.isfinite(index) & (index >= 0) & (index <= 1)
    return {
        "index": np.asarray(res["S1"]),
        "index_conf": np.asarray(res["S1_conf"]),
        "S1": np.asarray(res["S1"]),
        "S1_conf": np.asarray(res["S1_conf"]),
        "delta": np.where(valid, index, np.nan),
        "delta_conf": np.where(valid, np.asarray(res["delta_balanced_conf"]), np.nan),
    }


def sensitivity_table(
    x: np.ndarray,
    outputs: dict[str, np.ndarray],
    inputs: list[str],
    bounds: list[tuple[float, float]],
    sampler: str,
    baseline: str,
    level: float,
) -> pd.DataFrame:
    """Sensitivity indices of every design difference to every input.

    Parameters
    ----------
    x
        ``(worlds, inputs)`` sampled values, in the sampler's order.
    outputs
        Design → its difference from the baseline, world by world.
    inputs, bounds
        The inputs' paths and ranges.
    sampler
        ``lhs``, ``grid`` (delta) or ``sobol`` (Sobol' indices).
    baseline
        The baseline design (named in every row).
    level
        Confidence level of the bootstrap half-widths.

    Returns
    -------
    pandas.DataFrame
        One row per design × input (:data:`SENSITIVITY_COLUMNS`); indices are rounded to 6
        decimals.
    """
    problem = _problem(inputs, bounds)
    rows = []
    method = "sobol" if sampler == "sobol" else "delta"
    for design, y in outputs.items():
        res = _analyse(problem, x, np.asarray(y, dtype=float), sampler, level)
        for j, name in enumerate(inputs):
            row: dict[str, object] = {
                "design": design,
                "baseline": baseline,
                "input": name,
                "method": method,
            }
            for col in SENSITIVITY_COLUMNS[4:]:
                values = res.get(col)
                value = float(values[j]) if values is not None else math.nan
                row[col] = round(value, 6) if math.isfinite(value) else math.nan
            rows.append(row)
    return pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS)


def influence(sensitivity: pd.DataFrame, inputs: list[str]) -> list[str]:
    """The inputs from most to least influential: by their largest ``index`` over the design
    differences (ties in the inputs' order)."""
    top = scores(sensitivity)
    return sorted(inputs, key=lambda i: (-float(top.get(i, 0.0)), inputs.index(i)))


def scores(sensitivity: pd.DataFrame) -> pd.Series:
    """Per input, its largest ``index`` over the design differences (``S1`` where the
    ``index`` is missing), 0 when neither is known."""
    if sensitivity.empty:
        return pd.Series(dtype=float)
    score = sensitivity["index"].where(sensitivity["index"].notna(), sensitivity["S1"])
    return score.groupby(sensitivity["input"], sort=False).max().fillna(0.0)
