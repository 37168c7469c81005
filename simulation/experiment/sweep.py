"""Design sweeps: every design x factor level x replication, simulated and analysed.

Each run is identified by its run key (:mod:`simulation.experiment.identity`: a hash of the
resolved scenario, the contents of the files it references, seed, replication and the code).
A :class:`RunStore` keeps finished runs so that an interrupted sweep loses no completed run
and the same command resumes it; raising the replication count runs only the new
replications. Where a store keeps them, and the folder written at the end, belong to the
result-folder layer (:mod:`simulation.results.sweep_folder`); this module has no files.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from simulation.engine.network import Network, compile_network
from simulation.experiment.analysis import compare_designs, replications_needed, summarise_designs
from simulation.experiment.batches import Executor
from simulation.experiment.executors import died
from simulation.experiment.identity import input_digests, run_key
from simulation.experiment.progress import Progress
from simulation.experiment.robust_analysis import analyse_worlds
from simulation.experiment.robustness import RobustResult
from simulation.experiment.run import run_replication
from simulation.experiment.world_runs import collect_worlds, world_runs
from simulation.measures.kpis import stack_runs
from simulation.scenario.loading import load_scenario
from simulation.scenario.sweep_spec import AutoReplications, Sweep
from simulation.scenario.travel_matrix import ANY_IDS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunTask:
    """One simulation run of a sweep (picklable, sent to workers)."""

    key: str
    design: str
    level: str
    replication: int
    seed: int
    scenario: str  # resolved scenario as JSON
    keep_visits: bool = False
    inputs: tuple[tuple[str, str], ...] = ()  # (path, sha256) of every file the scenario references
    world: int | None = None  # the sampled world of a robust comparison (None: a plain cell)


@dataclass
class SweepResult:
    """Tables of a finished sweep.

    Attributes
    ----------
    replications
        One row per design × level × replication, a column per KPI.
    summary
        Mean, standard deviation and confidence interval per design × level × KPI.
    comparison
        Paired differences against the baseline with intervals and verdicts.
    kpis
        Every KPI of every run in long form (all scopes).
    failures
        ``(design, level, replication, traceback)`` of runs that failed (the traceback is
        :data:`simulation.experiment.executors.WORKER_DIED` for runs lost with a dead worker process).
    folder
        Where the results were written, if anywhere.
    from_store
        How many runs were taken from the folder's store of finished runs (a resumed sweep).
    tasks
        Every run of the sweep (the last round of the replications algorithm, then the runs
        of the worlds).
    robust
        The robust comparison across the sampled worlds (sweeps with ``uncertain:``).
    """

    replications: pd.DataFrame
    summary: pd.DataFrame
    comparison: pd.DataFrame
    kpis: pd.DataFrame
    failures: list[tuple[str, str, int, str]] = field(default_factory=list)
    folder: Path | None = None
    from_store: int = 0
    tasks: list[RunTask] = field(default_factory=list)
    robust: RobustResult | None = None


@lru_cache(maxsize=16)
def _network(scenario_json: str, inputs: tuple[tuple[str, str], ...] = ()) -> Network:
    """The compiled network of a scenario; ``inputs`` (digests of its files) is part of the
    cache key so that an edited travel matrix is read again.

    Raises
    ------
    RuntimeError
        If a referenced file no longer has the contents the run key was computed from (it
        was edited while the sweep ran).
    """
    document = json.loads(scenario_json)
    network = compile_network(load_scenario(document, ANY_IDS))  # ids checked at load_sweep
    changed = (
        sorted(p for p, digest in input_digests(document).items() if (p, digest) not in inputs)
        if inputs
        else []
    )
    if changed:
        raise RuntimeError(f"{', '.join(changed)} changed while the sweep ran; run the sweep again")
    return network


SAMPLE_REPLICATIONS = 3
"""Replications whose visit and site-hour tables a sweep always keeps (for figures)."""


def execute(task: RunTask) -> dict[str, Any]:
    """Run one task in a worker: its KPIs, and its visit and site-hour tables when kept.

    The run goes through the one per-replication pipeline,
    :func:`simulation.experiment.run.run_replication`.
    """
    network = _network(task.scenario, task.inputs)
    tables = run_replication(
        network, task.replication, task.seed, with_site_hours=task.keep_visits, world=task.world
    )
    if not task.keep_visits:
        return {"kpis": tables.kpis, "visits": None, "site_hours": None}
    return {"kpis": tables.kpis, "visits": tables.visits, "site_hours": tables.site_hours}


def _tasks(
    sweep: Sweep, replications: range, keep_visits: bool, kept: bool = False
) -> list[RunTask]:
    cells = []
    digests: dict[str, str] = {}
    for design, label, _, scenario in sweep.cells:
        doc = scenario.to_dict()
        text = json.dumps(doc, sort_keys=True, ensure_ascii=False)
        cells.append((design, label, text, input_digests(doc, digests)))
    tasks = []
    for r in replications:
        keep = kept and (keep_visits or r < SAMPLE_REPLICATIONS)
        for design, label, text, inputs in cells:
            tasks.append(
                RunTask(
                    run_key(text, sweep.seed, r, inputs),
                    design,
                    label,
                    r,
                    sweep.seed,
                    text,
                    keep,
                    tuple(sorted(inputs.items())),
                )
            )
    return tasks


def _world_tasks(sweep: Sweep) -> list[RunTask]:
    """Every design × world × replication of the sweep's ``uncertain:`` block."""
    return [RunTask(*fields) for fields in world_runs(sweep)]


def _kpi_columns(sweep: Sweep) -> dict[str, str]:
    return {k.label: k.direction for k in sweep.spec.kpis}


def _wanted(sweep: Sweep) -> dict[tuple[str, str, str], str]:
    specs = list(sweep.spec.kpis)
    if isinstance(sweep.spec.replications, AutoReplications):
        specs.append(sweep.spec.replications.kpi)
    return {(k.scope, k.id, k.kpi): k.label for k in specs}


def _wide(long: pd.DataFrame, sweep: Sweep) -> pd.DataFrame:
    """One row per design × level × replication; selected KPIs plus all overall and group KPIs."""
    wanted = _wanted(sweep)
    label = long["kpi"].where(
        long["scope"] == "overall", long["kpi"] + "@" + long["scope"] + ":" + long["id"]
    )  # a KPI's label (KpiSpec.label) names its scope and id: ``kpi@scope:id``
    keep = long["scope"].isin(["overall", "group"]) | label.isin(set(wanted.values()))
    sub = long[keep].assign(column=label[keep])
    wide = sub.pivot_table(
        index=["design", "level", "replication"],
        columns="column",
        values="value",
        aggfunc="first",
        sort=False,
        dropna=False,
    )
    wide.columns.name = None
    wide = wide.reset_index()
    order = {(d, lvl): i for i, (d, lvl, _, _) in enumerate(sweep.cells)}
    wide["_o"] = [order[(d, lvl)] for d, lvl in zip(wide["design"], wide["level"], strict=True)]
    wide = wide.sort_values(["_o", "replication"]).drop(columns="_o").reset_index(drop=True)
    first = ["design", "level", "replication"] + [c for c in wanted.values() if c in wide]
    return wide[first + sorted(c for c in wide.columns if c not in first)]


class RunStore(Protocol):
    """Where a sweep keeps finished runs between commands, so that a rerun resumes.

    :func:`simulate_sweep` asks it for each run before simulating, and hands it each run
    that finishes; the result-folder implementation is
    :class:`simulation.results.run_store.FolderRunStore`.
    """

    where: str
    """Where the runs are kept, for messages."""

    def load(self, task: RunTask) -> pd.DataFrame | None:
        """The stored KPI table of ``task``, or ``None`` if it must be run (again)."""
        ...

    def save(
        self,
        task: RunTask,
        kpis: pd.DataFrame,
        visits: pd.DataFrame | None,
        site_hours: pd.DataFrame | None,
    ) -> None:
        """Keep a finished run (its visit and site-hour tables when ``task.keep_visits``)."""
        ...


def simulate_sweep(
    sweep: Sweep,
    workers: int | None = None,
    executor: str | Executor = "local",
    scheduler: str | None = None,
    keep_visits: bool = False,
    replications: int | None = None,
    progress: bool | None = None,
    seed: int | None = None,
    store: RunStore | None = None,
) -> SweepResult:
    """Simulate every design x factor level x replication of a loaded sweep and analyse it.

    The arguments are those of :func:`simulation.results.sweep_folder.run_sweep` (already
    checked); ``store`` keeps finished runs (``None``: in memory only). With a store the
    first :data:`SAMPLE_REPLICATIONS` replications (all with ``keep_visits``) keep their
    visit and site-hour tables. Runs that the store already holds are not simulated again.
    ``executor`` may be an :class:`~simulation.experiment.batches.Executor` of the calling
    command (then ``workers`` and ``scheduler`` are its own, and it stays open); given a
    name, the sweep starts an executor of its own and closes it at the end.
    """
    if isinstance(executor, Executor):
        return _simulate(sweep, executor, keep_visits, replications, progress, seed, store)
    with Executor(workers, executor, scheduler) as own:
        return _simulate(sweep, own, keep_visits, replications, progress, seed, store)


def _simulate(
    sweep: Sweep,
    executor: Executor,
    keep_visits: bool,
    replications: int | None,
    progress: bool | None,
    seed: int | None,
    store: RunStore | None,
) -> SweepResult:
    if seed is not None:
        sweep.seed_override = seed
    done: dict[str, pd.DataFrame] = {}
    failures: list[tuple[str, str, int, str]] = []
    spec_reps = replications or sweep.spec.replications
    auto = spec_reps if isinstance(spec_reps, AutoReplications) else None
    target = auto.initial if auto is not None else int(spec_reps)  # type: ignore[arg-type]  # an int here
    from_store = 0

    world_tasks = _world_tasks(sweep)

    def do(n: int) -> list[RunTask]:
        nonlocal from_store
        tasks = _tasks(sweep, range(n), keep_visits, kept=store is not None) + world_tasks
        todo = []
        for task in tasks:
            if task.key in done:
                continue
            stored = store.load(task) if store is not None else None
            if stored is not None:
                done[task.key] = stored
                from_store += 1
            else:
                todo.append(task)
        if from_store and store is not None:
            log.info("%d of %d run(s) taken from %s", from_store, len(tasks), store.where)
        finished = len([t for t in tasks if t.key in done])
        bar = Progress(
            len(tasks),
            f"sweep {sweep.spec.name}",
            "run",
            initial=finished,
            show=progress if todo else False,
        )
        if from_store:
            bar.set_status(f"{from_store} from store")
        with bar:
            _execute(todo, executor, done, failures, store, bar)
        return tasks

    tasks = do(target)
    while auto is not None:
        long = _collect([t for t in tasks if t.world is None], done)
        wide = _wide(long, sweep)
        label = auto.kpi.label
        need = max(
            (
                replications_needed(
                    g[label].to_numpy(), auto.half_width, sweep.spec.level, auto.relative
                )
                for _, g in wide.groupby(["design", "level"])
                if label in g
            ),
            default=target,
        )
        if need <= target or target >= auto.max:
            break
        target = min(auto.max, max(need, target + 1))
        log.info("replications algorithm: raising replications to %d", target)
        tasks = do(target)

    long = _collect([t for t in tasks if t.world is None], done)
    last_error = {(d, lvl, r): tb for d, lvl, r, tb in failures}  # a run retried in later rounds
    failures = [
        (
            t.design,
            t.level,
            t.replication,
            last_error.get((t.design, t.level, t.replication), "no result"),
        )
        for t in tasks
        if t.key not in done
    ]
    result = _analyse(sweep, long, failures)
    result.from_store = from_store
    result.tasks = tasks
    if world_tasks:
        result.robust = analyse_worlds(sweep, collect_worlds(world_tasks, done), executor)
    return result


def _execute(
    todo: list[RunTask],
    executor: Executor,
    done: dict[str, pd.DataFrame],
    failures: list[tuple[str, str, int, str]],
    store: RunStore | None,
    bar: Progress,
) -> None:
    if not todo:
        return
    lost = 0
    for task, outcome in executor.map(execute, todo):
        if executor.plan.startswith("in this process: "):  # parallel would not pay off
            bar.set_status("in this process: runs too short for workers to pay off")
        bar.update(1)
        if "error" in outcome:
            failures.append((task.design, task.level, task.replication, outcome["error"]))
            if died(outcome):
                lost += 1
                continue
            log.error("run %s %s replication %d failed", task.design, task.level, task.replication)
            continue
        done[task.key] = outcome["kpis"]  # labelled once for all runs (_collect)
        if store is not None:
            kpis = outcome["kpis"].assign(design=task.design, level=task.level)
            store.save(task, kpis, outcome.get("visits"), outcome.get("site_hours"))
    if lost:
        log.info("a worker process died; %d run(s) not finished", lost)


def _collect(tasks: list[RunTask], store: dict[str, pd.DataFrame]) -> pd.DataFrame:
    finished = [t for t in tasks if t.key in store]
    if not finished:
        return pd.DataFrame(
            columns=["replication", "scope", "id", "kpi", "value", "design", "level"]
        )
    first = ["design", "level", "replication", "scope", "id", "kpi", "value"]
    labels: dict[str, list[object]] = {
        "design": [t.design for t in finished],
        "level": [t.level for t in finished],
    }
    return stack_runs([store[t.key] for t in finished], labels, first)


def _analyse(sweep: Sweep, long: pd.DataFrame, failures) -> SweepResult:
    wide = (
        _wide(long, sweep)
        if len(long)
        else pd.DataFrame(columns=["design", "level", "replication"])
    )
    kpis = _kpi_columns(sweep)
    summary_cols = list(kpis) + [
        c for c in wide.columns if c not in kpis and c not in ("design", "level", "replication")
    ]
    summary = summarise_designs(wide, summary_cols, sweep.spec.level)
    comparison = compare_designs(
        wide,
        {k: v for k, v in kpis.items() if k in wide},
        sweep.spec.baseline_design,
        sweep.spec.level,
        sweep.spec.correction,
    )
    return SweepResult(wide, summary, comparison, long, failures)
