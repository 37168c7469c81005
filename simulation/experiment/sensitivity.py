"""Global sensitivity of each design difference to the uncertain inputs (SALib).

The output analysed is, per design other than the baseline, its world mean of the decision
KPI minus the baseline's (:func:`simulation.experiment.robustness.differences`). With the
``sobol`` sampler (Saltelli's design) the indices are Sobol' first order ``S1`` and total
order ``ST`` (``index`` = ``ST``); with ``lhs`` or ``grid`` they are Borgonovo's
moment-independent ``delta`` (SALib's balanced estimate) and the first-order ``S1`` from the
same sample (``index`` = ``S1``). All come with bootstrap confidence half-widths (``*_conf``)
at the sweep's level. The bootstrap of each input draws from its own stream, keyed by the
input's path (never by its position), so the table is the same byte for byte and adding an input
leaves every other input's numbers unchanged.

The delta indices cost about 0.2 s per design × input at 32 worlds (kernel densities for every
bootstrap resample), far more than the rest of the analysis, so :func:`sensitivity_table` sends
them to the command's :class:`~simulation.experiment.batches.Executor` as one task per design ×
input (Saltelli's design is analysed one task per design): the analysis gains from the workers
as the runs do, and the table does not depend on where its pieces ran.

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
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from simulation.engine.collector import quiet_collector
from simulation.engine.streams import stream
from simulation.experiment.batches import Executor
from simulation.experiment.executors import died, run_serial

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


def _bootstrap_seed(names: list[str]) -> int:
    """SALib's seed for the bootstrap of ``names`` (one input, or all of Saltelli's design):
    drawn from the stream ``sensitivity/<names>`` of a fixed root, never 0 (SALib skips 0)."""
    return int(stream(_SEED, 0, "sensitivity/" + "+".join(names)).integers(1, 2**32 - 1))


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
    seed = _bootstrap_seed(list(problem["names"]))  # type: ignore[call-overload]
    if sampler == "sobol":
        from SALib.analyze import sobol

        res = sobol.analyze(
            problem, y, calc_second_order=False, num_resamples=_RESAMPLES,
            conf_level=level, seed=seed,
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

    res = delta.analyze(problem, x, y, num_resamples=_RESAMPLES, conf_level=level, seed=seed)
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


@dataclass(frozen=True)
class IndexTask:
    """The indices of one design difference for some inputs (picklable, sent to workers).

    ``inputs`` is one input for the ``lhs`` and ``grid`` samplers (each input's indices
    depend only on its own column) and every input for ``sobol`` (Saltelli's design is read as
    a whole).
    """

    design: str
    inputs: tuple[str, ...]
    bounds: tuple[tuple[float, float], ...]
    x: np.ndarray  # (worlds, len(inputs))
    y: np.ndarray  # (worlds,)
    sampler: str
    level: float


def indices(task: IndexTask) -> dict[str, Any]:
    """Worker side: ``{"indices": {column: values per input}}`` of one :class:`IndexTask`."""
    problem = _problem(list(task.inputs), list(task.bounds))
    with quiet_collector():  # thousands of small kernel-density objects
        return {"indices": _analyse(problem, task.x, task.y, task.sampler, task.level)}


def _index_tasks(
    x: np.ndarray,
    outputs: dict[str, np.ndarray],
    inputs: list[str],
    bounds: list[tuple[float, float]],
    sampler: str,
    level: float,
) -> list[IndexTask]:
    groups = [list(range(len(inputs)))] if sampler == "sobol" else [[j] for j in range(len(inputs))]
    x = np.asarray(x, dtype=float).reshape(len(x), len(inputs))
    return [
        IndexTask(
            design,
            tuple(inputs[j] for j in group),
            tuple(tuple(bounds[j]) for j in group),  # type: ignore[misc]
            x[:, group],
            np.asarray(y, dtype=float),
            sampler,
            level,
        )
        for design, y in outputs.items()
        for group in groups
    ]


def _run_index_tasks(
    tasks: list[IndexTask], executor: Executor | None
) -> dict[tuple[str, tuple[str, ...]], dict[str, np.ndarray]]:
    """Every task's indices, on ``executor`` (in this process without one); a task lost
    with a dead worker process is computed here, a task that failed raises."""
    found: dict[tuple[str, tuple[str, ...]], dict[str, np.ndarray]] = {}
    outcomes = (
        executor.map(indices, tasks, what="sensitivity task")
        if executor is not None
        else run_serial(indices, tasks)
    )
    for task, outcome in outcomes:
        if died(outcome):
            outcome = indices(task)
        if "error" in outcome:
            raise RuntimeError(f"sensitivity analysis failed:\n{outcome['error']}")
        found[(task.design, task.inputs)] = outcome["indices"]
    return found


def sensitivity_table(
    x: np.ndarray,
    outputs: dict[str, np.ndarray],
    inputs: list[str],
    bounds: list[tuple[float, float]],
    sampler: str,
    baseline: str,
    level: float,
    executor: Executor | None = None,
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
    executor
        Where the indices are computed (the command's executor: its workers share the
        analysis); ``None`` computes them in this process. The table is the same either way.

    Returns
    -------
    pandas.DataFrame
        One row per design × input (:data:`SENSITIVITY_COLUMNS`); indices are rounded to 6
        decimals.
    """
    tasks = _index_tasks(x, outputs, inputs, bounds, sampler, level) if len(x) else []
    found = _run_index_tasks(tasks, executor)
    rows = []
    method = "sobol" if sampler == "sobol" else "delta"
    for task in tasks:  # designs in the outputs' order, inputs in the sampler's order
        res = found[(task.design, task.inputs)]
        for j, name in enumerate(task.inputs):
            row: dict[str, object] = {
                "design": task.design,
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
