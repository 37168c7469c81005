"""Measuring sweep throughput: the same sweeps with one worker, two workers and a dask cluster.

Three sweeps, each timed alternating round by round (1 worker, 2 workers[, dask]):

- ``default``: the embedded default pilot sweep (``servicesim run`` with no file), short runs
  (a few hundredths of a second each); the case where pool start-up and per-run overhead
  decide everything.
- ``national``: a sweep of runs of the national scenario shortened to a few weeks (about a
  second a run), the case where a run's own work dominates.
- ``dask``: the default sweep on a local dask cluster of two worker processes against the
  1-worker time of the same round. The cluster is started afresh for each dask round and
  warmed by a one-replication sweep before the timed one (a cluster is long-lived; its start
  and its workers' imports are not a sweep's), and closed before the next 1-worker round: its
  scheduler's threads in this process would slow the 1-worker run (by ~12 %) and flatter dask.

``workers=1`` and ``workers=2`` each call ``run_sweep`` afresh, so the 2-worker time includes
starting (and ending) its worker processes, as a command pays it.
"""

from __future__ import annotations

import resource
import statistics
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from bench.scenarios import NATIONAL, ROOT, mm4_scenario
from bench.timing import Load, LoadWatch, Log, time_once

WORKERS = (1, 2)
DEFAULT_SWEEP = ROOT / "simulation" / "data" / "default" / "pilot.sweep.yaml"
NATIONAL_DAYS = 21
NATIONAL_REPLICATIONS = 16


@dataclass
class SweepMeasurement:
    """One sweep's times (``report.sweep_section`` turns them into text)."""

    name: str  # default, national, dask
    description: str
    runs: int
    rounds: int
    times: dict[str, list[float]] = field(default_factory=dict)  # "1", "2", "dask" -> seconds
    cpu: dict[str, list[float]] = field(default_factory=dict)  # CPU s of this process + workers
    load: Load | None = None
    plans: dict[str, str] = field(default_factory=dict)  # how the executor ran, in words

    def median(self, label: str) -> float:
        """Median wall seconds of one contender."""
        return statistics.median(self.times[label])

    def ratio(self, label: str = "2") -> float:
        """Throughput of ``label`` over throughput with one worker (ratio of median times)."""
        return self.median("1") / self.median(label)


def sweep_document(days: int, replications: int) -> dict[str, Any]:
    """An inline sweep: the M/M/4 with four counters against five (the quick run's sweep)."""
    return {
        "name": "bench-sweep",
        "scenario": mm4_scenario(days),
        "designs": {"four": {}, "five": {"set": {"sites.s.counters": 5}}},
        "replications": replications,
        "seed": 7,
        "kpis": ["wait_mean"],
    }


def national_document(days: int, replications: int) -> dict[str, Any]:
    """A sweep of national runs: today's offices, ``days`` long, ``replications`` runs."""
    return {
        "name": "bench-national",
        "base": str(NATIONAL),
        "seed": 7,
        "replications": replications,
        "designs": {"today": {"set": {"calendar.days": days}}},
        "kpis": ["wait_mean"],
    }


def _children_cpu() -> float:
    """CPU seconds of this process's ended and reaped children (local workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time_sweep(source: Any, log: Log, **kwargs: Any) -> tuple[float, float, str]:
    """Wall seconds of one ``run_sweep``, CPU seconds of this process and its local workers
    (not dask's), and how its executor ran."""
    import logging

    from simulation.results.sweep_folder import run_sweep

    plans: list[str] = []

    class Plan(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            plans.append(record.getMessage())

    logger = logging.getLogger("simulation.experiment.batches")
    handler, level = Plan(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    children = _children_cpu()
    try:
        seconds, cpu, result = time_once(
            partial(run_sweep, source, out=None, progress=False, **kwargs)
        )
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    if result.failures:
        raise RuntimeError(f"sweep runs failed: {result.failures[0][3]}")
    executor = kwargs.get("executor")
    if executor is not None:
        plans.append(executor.plan)
    runs = [p for p in plans if "sensitivity task" not in p]  # how the runs went, not the analysis
    plan = runs[-1] if runs else ""
    return seconds, cpu + _children_cpu() - children, plan.removeprefix("executor: ")


def _measure(
    name: str, description: str, source: Any, runs: int, rounds: int, log: Log, dask: bool = False
) -> SweepMeasurement:
    watch = LoadWatch()
    m = SweepMeasurement(name, description, runs, rounds)
    labels = ["1", "dask"] if dask else ["1", "2"]
    m.times = {label: [] for label in labels}
    m.cpu = {label: [] for label in labels}
    # untimed: imports and caches warm in this process
    _time_sweep(source, log, workers=1, replications=1)
    for r in range(rounds):
        for label in labels:
            if label == "dask":
                seconds, cpu, plan = _time_on_dask(source, log)
            else:
                seconds, cpu, plan = _time_sweep(source, log, workers=int(label))
            m.times[label].append(seconds)
            m.cpu[label].append(cpu)
            m.plans[label] = plan
        log(
            f"  round {r + 1}/{rounds}: "
            + ", ".join(f"{label} {m.times[label][-1]:.2f}s" for label in labels)
        )
    m.load = watch.stop()
    return m


def _time_on_dask(source: Any, log: Log) -> tuple[float, float, str]:
    """One timed sweep on a local dask cluster of 2 processes, started and warmed untimed
    (a one-replication sweep: the workers import the model) and closed afterwards."""
    from simulation.experiment.batches import Executor

    with Executor(2, "dask") as cluster:
        _time_sweep(source, log, executor=cluster, replications=1)
        return _time_sweep(source, log, executor=cluster)


def measure_sweeps(rounds: int, quick: bool, log: Log = print) -> list[SweepMeasurement]:
    """The default, national and dask sweep measurements (tiny ones with ``quick``)."""
    out = []
    if quick:
        default: Any = sweep_document(1, 2)
        runs, what = 4, "an inline M/M/4 sweep, 2 designs × 2 replications over 1 day (quick)"
    else:
        default, runs = DEFAULT_SWEEP, _runs(DEFAULT_SWEEP)
        what = (
            f"the embedded default pilot sweep (`{DEFAULT_SWEEP.relative_to(ROOT)}`), {runs} runs"
        )
    log(f"sweep: {what}, workers 1 vs 2, {rounds} round(s)")
    out.append(_measure("default", what, default, runs, rounds, log))
    if NATIONAL.exists() and not quick:
        what = (
            f"`{NATIONAL.relative_to(ROOT)}` shortened to {NATIONAL_DAYS} days, "
            f"{NATIONAL_REPLICATIONS} replications"
        )
        log(f"sweep: {what}, workers 1 vs 2, {rounds} round(s)")
        doc = national_document(NATIONAL_DAYS, NATIONAL_REPLICATIONS)
        out.append(_measure("national", what, doc, NATIONAL_REPLICATIONS, rounds, log))
    try:
        import distributed  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the install
        log("sweep: dask is not installed; no dask measurement")
        return out
    what = f"{what if quick else 'the default pilot sweep'} on a local dask cluster of 2 processes"
    log(f"sweep: {what}, workers 1 vs dask, {rounds} round(s)")
    out.append(_measure("dask", what, default, runs, rounds, log, dask=True))
    return out


def _runs(path: Path) -> int:
    from simulation.scenario.sweep_spec import load_sweep

    sweep = load_sweep(path)
    runs = len(sweep.cells) * int(sweep.spec.replications)  # type: ignore[call-overload]
    if sweep.worlds is not None:  # the robust comparison's runs: design x world x replication
        runs += len(sweep.worlds.cells) * sweep.worlds.spec.replications
    return runs
