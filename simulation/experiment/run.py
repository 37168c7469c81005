"""Replications of one scenario: the pipeline scenario → single run → many runs → tables."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from simulation.engine.collector import quiet_collector
from simulation.engine.invariants import check_site
from simulation.engine.memory import release_freed_memory
from simulation.engine.network import Network, compile_network, warn_unreachable
from simulation.engine.replication import simulate
from simulation.experiment.arguments import (
    check_count,
    check_flag,
    check_level,
    check_positive,
    check_progress,
    check_seed,
)
from simulation.experiment.batches import Executor
from simulation.experiment.executors import WorkerDied, died
from simulation.experiment.progress import Progress
from simulation.measures.kpis import replication_kpis, summarise
from simulation.measures.occupancy import site_hours
from simulation.scenario.errors import ScenarioError
from simulation.scenario.limits import check_needs, check_runs
from simulation.scenario.loading import load_scenario
from simulation.scenario.profiles import expected_needs
from simulation.scenario.schema import Scenario

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    """Tables from replications of one scenario.

    Attributes
    ----------
    scenario
        The scenario that was run (unchanged by the run).
    seed, replications
        Root seed and number of replications.
    visits
        One row per need and replication (see ``docs/model.md`` for the columns).
    site_hours
        Per site, replication and clock hour: mean waiting, busy and open counters.
    kpis
        Long table of KPIs per replication (``replication, scope, id, kpi, value``).
    summary
        Mean, standard deviation and confidence interval (at :attr:`level`) of each KPI.
    wall_seconds
        Time the replications took.
    level
        Confidence level of the summary's intervals.
    """

    scenario: Scenario
    seed: int
    replications: int
    visits: pd.DataFrame
    site_hours: pd.DataFrame
    kpis: pd.DataFrame
    summary: pd.DataFrame
    wall_seconds: float = field(default=0.0)
    level: float = field(default=0.95)

    def kpi(self, name: str, scope: str = "overall", ident: str = "all") -> pd.Series:
        """One KPI's row of the summary (``mean``, ``ci_low``, ``ci_high`` ...)."""
        s = self.summary
        rows = s[(s["scope"] == scope) & (s["id"] == ident) & (s["kpi"] == name)]
        if rows.empty:
            raise KeyError(f"no KPI {name!r} for {scope} {ident!r}")
        return rows.iloc[0]


@dataclass(frozen=True)
class ReplicationTables:
    """The tables of a single replication (``site_hours`` is ``None`` when not derived)."""

    visits: pd.DataFrame
    site_hours: pd.DataFrame | None
    kpis: pd.DataFrame


def run_replication(
    network: Network,
    replication: int,
    seed: int,
    check_invariants: bool = False,
    with_site_hours: bool = True,
    world: int | None = None,
) -> ReplicationTables:
    """Simulate one replication and derive its tables: the one per-replication pipeline.

    Simulate, then derive the site-hour table and the KPIs from the visit table; used by
    :func:`run` and by every run of a sweep (:func:`simulation.experiment.sweep.execute`).

    Parameters
    ----------
    network
        The compiled scenario.
    replication
        Replication number (selects the random streams).
    seed
        Root seed.
    check_invariants
        Assert the model's invariants after every event (slow; for tests).
    with_site_hours
        Derive the site-hour table (a sweep skips it for runs whose tables it does not keep).
    world
        Sampled world of a robust comparison (selects the random streams with
        ``replication``; ``None``: a plain run).

    Returns
    -------
    ReplicationTables
        Visits, site hours (``None`` without ``with_site_hours``) and KPIs.
    """
    with quiet_collector():  # the collector walks only this run's objects, rarely
        check = check_site if check_invariants else None
        visits = simulate(network, replication, seed, check, world)
        release_freed_memory(len(visits))  # before the site hours and KPIs add their own peak
        return ReplicationTables(
            visits,
            site_hours(network, visits, replication) if with_site_hours else None,
            replication_kpis(network, visits, replication),
        )


def check_run_limits(scenario: Scenario, replications: int) -> None:
    """Refuse a ``run`` beyond the limits of :mod:`simulation.scenario.limits`, before any work.

    A run keeps the visit table of every replication in memory, so the needs of all its
    replications count against ``SERVICESIM_MAX_NEEDS``.

    Raises
    ------
    ScenarioError
        At ``replications`` with the figure, the limit and how to raise it.
    """
    try:
        check_runs(
            replications, ("replications",), f"{replications:,} replication(s) of one scenario"
        )
        check_needs(
            expected_needs(scenario) * replications,
            ("replications",),
            f"in {replications:,} replication(s), all kept in memory by a run",
            "the replications, the demand or calendar.days",
        )
    except ScenarioError as exc:
        raise exc.with_source(f"scenario {scenario.name}") from None


@dataclass(frozen=True)
class ReplicationTask:
    """One replication to run in a worker process (picklable)."""

    key: str  # identity of the scenario, so that a worker compiles each network once
    scenario: Scenario
    replication: int
    seed: int
    check_invariants: bool = False


_NETWORKS: dict[str, Network] = {}


def run_replication_task(task: ReplicationTask) -> dict[str, Any]:
    """Worker side of :func:`run` with ``workers > 1``: one replication's tables."""
    network = _NETWORKS.get(task.key)
    if network is None:
        _NETWORKS.clear()  # one scenario at a time: a worker keeps the latest only
        network = _NETWORKS[task.key] = compile_network(task.scenario)
    return {"tables": run_replication(network, task.replication, task.seed, task.check_invariants)}


def _replications(
    scenario: Scenario,
    network: Network,
    replications: int,
    seed: int,
    check_invariants: bool,
    workers: int | Executor,
    bar: Progress | None = None,
) -> Iterator[tuple[int, ReplicationTables]]:
    """``(replication, tables)`` as they finish: here, or on the executor's workers (given a
    number of workers, an executor of its own, closed at the end). When the executor keeps
    the runs in this process (too short for workers to pay off), ``bar`` says so."""
    if not isinstance(workers, Executor):
        if workers <= 1 or replications <= 1:
            for r in range(replications):
                yield r, run_replication(network, r, seed, check_invariants)
            return
        with Executor(workers) as own:
            yield from _replications(
                scenario, network, replications, seed, check_invariants, own, bar
            )
        return
    key = f"{id(scenario)}-{time.perf_counter_ns()}"
    tasks = [ReplicationTask(key, scenario, r, seed, check_invariants) for r in range(replications)]
    lost = 0
    for task, outcome in workers.map(run_replication_task, tasks, "replication"):
        if bar is not None and workers.plan.startswith("in this process: "):
            bar.set_status("in this process: replications too short for workers to pay off")
        if died(outcome):
            lost += 1
        elif "error" in outcome:
            raise RuntimeError(
                f"replication {task.replication} failed in a worker process:\n{outcome['error']}"
            )
        else:
            yield task.replication, outcome["tables"]
    if lost:
        raise WorkerDied(lost, "replication")


def run(
    scenario: Scenario | Mapping[str, Any] | str,
    replications: int = 1,
    seed: int | None = None,
    level: float = 0.95,
    check_invariants: bool = False,
    workers: int | Executor | None = None,
    progress: bool | None = None,
) -> RunResult:
    """Run replications of a scenario.

    Parameters
    ----------
    scenario
        A ``Scenario``, a mapping, or a path to a YAML file.
    replications
        Number of independent replications (each uses its own streams).
    seed
        Root seed; defaults to the scenario's ``seed``.
    level
        Confidence level of the summary intervals.
    check_invariants
        Assert the model's invariants after every event (see :mod:`simulation.engine.invariants`).
    workers
        Run the replications in this many local processes (default 1: in this process), or
        on a command's :class:`~simulation.experiment.batches.Executor`. The tables are the
        same for any number of workers, executor and batch size.
    progress
        ``None`` (default): a progress bar on a terminal, else a line at most every 10 s
        (see :mod:`simulation.experiment.progress`); ``True``: always a bar; ``False``: nothing.

    Returns
    -------
    RunResult
        Visits, site-hour table, per-replication KPIs and their summary.

    Raises
    ------
    ArgumentError
        For an invalid argument (checked before any work).
    ScenarioError
        For an invalid scenario.
    WorkerDied
        When a worker process died (killed, out of memory) before its replications finished.
    """
    replications = check_positive(replications, "replications")
    seed = check_seed(seed)
    level = check_level(level)
    check_invariants = check_flag(check_invariants, "check_invariants")
    if not isinstance(workers, Executor):
        workers = check_count(workers, "workers") or 1
    progress = check_progress(progress)
    scenario = load_scenario(scenario)
    warn_unreachable(scenario)
    check_run_limits(scenario, replications)
    seed = scenario.seed if seed is None else seed
    network = compile_network(scenario)
    began = time.perf_counter()
    done: dict[int, ReplicationTables] = {}
    with Progress(replications, f"run {scenario.name}", "replication", show=progress) as bar:
        for r, result in _replications(
            scenario, network, replications, seed, check_invariants, workers, bar
        ):
            done[r] = result
            bar.update(1)
            log.info("replication %d done (%d/%d)", r + 1, len(done), replications)
    tables = [done[r] for r in range(replications)]
    wall = time.perf_counter() - began
    kpis = pd.concat([t.kpis for t in tables], ignore_index=True)
    return RunResult(
        scenario=scenario,
        seed=seed,
        replications=replications,
        visits=pd.concat([t.visits for t in tables], ignore_index=True),
        site_hours=pd.concat([t.site_hours for t in tables], ignore_index=True),
        kpis=kpis,
        summary=summarise(kpis, level),
        wall_seconds=wall,
        level=level,
    )
