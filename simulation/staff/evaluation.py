"""Simulating one staffing: R replications under common random numbers → per-period counts.

Every evaluation of a search runs the same replications (same root seed, same replication
numbers, so the same needs, service times and patience: the streams are keyed by name and
replication, never by position), so two staffings differ only by their counters. The fresh
replications of the final check are replication numbers the search never used.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulation.engine.network import Network, compile_network
from simulation.engine.replication import simulate
from simulation.experiment.batches import Executor
from simulation.experiment.executors import WorkerDied, died
from simulation.experiment.progress import Progress
from simulation.experiment.run import run_replication
from simulation.scenario.schema import Scenario
from simulation.staff.blocks import staffed_scenario
from simulation.staff.decision import Judgement, judge_all
from simulation.staff.periods import Layout, period_counts
from simulation.staff.targets import Target


@dataclass(frozen=True)
class Evaluation:
    """One staffing simulated over a set of replications.

    Attributes
    ----------
    counts
        Counters per variable of the layout.
    first, replications
        The replication numbers used: ``first .. first + replications - 1``.
    counts_by_replication
        Per replication, the period counts of :func:`~simulation.staff.periods.period_counts`.
    judgements, met
        Every target judged per period, and whether each period meets them all.
    variable_met
        Per variable, whether all its periods meet the targets.
    staff_hours
        Staffed counter-hours per week of each staffed site (site id → hours).
    """

    counts: tuple[int, ...]
    first: int
    replications: int
    counts_by_replication: list[dict[str, np.ndarray]]
    judgements: list[Judgement]
    met: np.ndarray
    variable_met: np.ndarray
    staff_hours: dict[str, float]

    @property
    def all_met(self) -> bool:
        """Whether every period meets every target."""
        return bool(self.met.all())

    def mean(self, name: str) -> np.ndarray:
        """Mean over the replications of one period count (e.g. ``arrivals``)."""
        return np.mean([c[name] for c in self.counts_by_replication], axis=0)


@dataclass(frozen=True)
class StaffTask:
    """One replication of one staffing, for a worker process (picklable)."""

    key: str
    scenario: Scenario
    layout: Layout
    targets: tuple[Target, ...]
    replication: int
    seed: int
    with_kpis: bool = False


_NETWORKS: dict[str, Network] = {}


def _one(
    network: Network,
    layout: Layout,
    targets: tuple[Target, ...],
    replication: int,
    seed: int,
    with_kpis: bool,
) -> dict[str, Any]:
    """One replication's period counts, and with ``with_kpis`` the staffed hours per site.

    Staff hours depend only on the staffing and the calendar, the same in every replication,
    so an evaluation derives the KPIs of its first replication only; the others are simulated
    alone (the same visit table, :func:`~simulation.engine.replication.simulate`).
    """
    if not with_kpis:
        return {"counts": period_counts(layout, simulate(network, replication, seed), targets)}
    tables = run_replication(network, replication, seed, with_site_hours=False)
    k = tables.kpis
    hours = k[(k["scope"] == "site") & (k["kpi"] == "staff_hours_per_week")]
    return {
        "counts": period_counts(layout, tables.visits, targets),
        "staff_hours": dict(
            zip(hours["id"].astype(str), hours["value"].astype(float), strict=True)
        ),
    }


def run_staff_task(task: StaffTask) -> dict[str, Any]:
    """Worker side of :class:`Evaluator` with ``workers > 1``."""
    network = _NETWORKS.get(task.key)
    if network is None:
        _NETWORKS.clear()
        network = _NETWORKS[task.key] = compile_network(task.scenario)
    return _one(network, task.layout, task.targets, task.replication, task.seed, task.with_kpis)


class Evaluator:
    """Simulates staffings of one layout and judges them (see the module docstring).

    Parameters
    ----------
    layout
        Periods and variables.
    targets
        The service targets.
    confidence
        One-sided confidence of each period's judgement.
    seed
        Root seed of every evaluation.
    workers
        Local worker processes (1: in this process); results are the same for any number.
        One :class:`~simulation.experiment.batches.Executor` serves every evaluation of the
        search (its workers start once); :meth:`close` ends them.
    progress
        Counts simulated replications.
    """

    def __init__(
        self,
        layout: Layout,
        targets: tuple[Target, ...],
        confidence: float,
        seed: int,
        workers: int = 1,
        progress: Progress | None = None,
    ) -> None:
        self.layout = layout
        self.targets = targets
        self.confidence = confidence
        self.seed = seed
        self.workers = workers
        self.progress = progress
        self.runs = 0
        self._cache: dict[tuple[tuple[int, ...], int, int, bool], Evaluation] = {}
        self._executor: Executor | None = None

    def close(self) -> None:
        """End the worker processes of the search (if any were started)."""
        if self._executor is not None:
            self._executor.close()
            self._executor = None

    def evaluate(
        self,
        counts: Sequence[int],
        first: int,
        replications: int,
        scenario: Scenario | None = None,
    ) -> Evaluation:
        """Simulate ``counts`` on replications ``first .. first + replications - 1`` and judge it.

        With ``scenario`` (today's), that scenario is simulated as it is and ``counts`` only
        labels the evaluation.
        """
        key = (tuple(int(c) for c in counts), first, replications, scenario is not None)
        if key in self._cache:
            return self._cache[key]
        if scenario is None:
            scenario = staffed_scenario(self.layout, key[0])
        numbers = list(range(first, first + replications))
        results: dict[int, dict[str, Any]] = {}
        if self.workers <= 1 or replications <= 1:
            network = compile_network(scenario)
            for r in numbers:
                results[r] = _one(network, self.layout, self.targets, r, self.seed, r == first)
                self._tick()
        else:
            tag = f"staff-{id(self)}-{time.perf_counter_ns()}"
            tasks = [
                StaffTask(tag, scenario, self.layout, self.targets, r, self.seed, r == first)
                for r in numbers
            ]
            lost = 0
            if self._executor is None:
                self._executor = Executor(self.workers)
            for task, outcome in self._executor.map(run_staff_task, tasks, "replication"):
                if died(outcome):
                    lost += 1
                elif "error" in outcome:
                    raise RuntimeError(
                        f"replication {task.replication} failed in a worker process:\n"
                        f"{outcome['error']}"
                    )
                else:
                    results[task.replication] = outcome
                    self._tick()
            if lost:
                raise WorkerDied(lost, "replication")
        ordered = [results[r] for r in numbers]
        per_rep = [o["counts"] for o in ordered]
        judgements, met = judge_all(per_rep, self.targets, self.confidence)
        variable_met = np.array(
            [bool(met[list(v.periods)].all()) if v.periods else True for v in self.layout.variables]
        )
        evaluation = Evaluation(
            key[0],
            first,
            replications,
            per_rep,
            judgements,
            met,
            variable_met,
            ordered[0]["staff_hours"],
        )
        self._cache[key] = evaluation
        return evaluation

    def _tick(self) -> None:
        self.runs += 1
        if self.progress is not None:
            self.progress.update(1)
