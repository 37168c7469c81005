"""Replications of one scenario: the pipeline scenario → single run → many runs → tables."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from simulation.errors import ScenarioError
from simulation.invariants import check_site
from simulation.kpis import replication_kpis, summarise
from simulation.limits import check_needs, check_runs
from simulation.loading import load_scenario
from simulation.network import Network, compile_network
from simulation.occupancy import site_hours
from simulation.profiles import expected_needs
from simulation.replication import simulate
from simulation.schema import Scenario

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
        Mean, standard deviation and 95% confidence interval of each KPI.
    wall_seconds
        Time the replications took.
    """

    scenario: Scenario
    seed: int
    replications: int
    visits: pd.DataFrame
    site_hours: pd.DataFrame
    kpis: pd.DataFrame
    summary: pd.DataFrame
    wall_seconds: float = field(default=0.0)

    def kpi(self, name: str, scope: str = "overall", ident: str = "all") -> pd.Series:
        """One KPI's row of the summary (``mean``, ``ci_low``, ``ci_high`` ...)."""
        s = self.summary
        rows = s[(s["scope"] == scope) & (s["id"] == ident) & (s["kpi"] == name)]
        if rows.empty:
            raise KeyError(f"no KPI {name!r} for {scope} {ident!r}")
        return rows.iloc[0]


@dataclass(frozen=True)
class ReplicationTables:
    """The tables of a single replication."""

    visits: pd.DataFrame
    site_hours: pd.DataFrame
    kpis: pd.DataFrame


def run_replication(
    network: Network, replication: int, seed: int, check_invariants: bool = False
) -> ReplicationTables:
    """Simulate one replication and derive its tables.

    With ``check_invariants`` the model asserts its invariants after every event
    (slow; for tests).
    """
    visits = simulate(network, replication, seed, check_site if check_invariants else None)
    return ReplicationTables(
        visits,
        site_hours(network, visits, replication),
        replication_kpis(network, visits, replication),
    )


def check_run_limits(scenario: Scenario, replications: int) -> None:
    """Refuse a ``run`` beyond the limits of :mod:`simulation.limits`, before any work.

    A run keeps the visit table of every replication in memory, so the needs of all its
    replications count against ``SERVICESIM_MAX_NEEDS``.

    Raises
    ------
    ScenarioError
        At ``replications`` with the figure, the limit and how to raise it.
    """
    try:
        check_runs(replications, ("replications",), f"{replications:,} replication(s) of one scenario")
        check_needs(expected_needs(scenario) * replications, ("replications",),
                    f"in {replications:,} replication(s), all kept in memory by a run",
                    "the replications, the demand or calendar.days")
    except ScenarioError as exc:
        raise exc.with_source(f"scenario {scenario.name}") from None


def run(
    scenario: Scenario | Mapping[str, Any] | str,
    replications: int = 1,
    seed: int | None = None,
    level: float = 0.95,
    check_invariants: bool = False,
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
        Assert the model's invariants after every event (see :mod:`simulation.invariants`).

    Returns
    -------
    RunResult
        Visits, site-hour table, per-replication KPIs and their summary.
    """
    scenario = load_scenario(scenario)
    if replications < 1:
        raise ValueError(f"replications must be at least 1 (got {replications})")
    check_run_limits(scenario, replications)
    seed = scenario.seed if seed is None else seed
    network = compile_network(scenario)
    began = time.perf_counter()
    tables = []
    for r in range(replications):
        tables.append(run_replication(network, r, seed, check_invariants))
        log.info("replication %d/%d done", r + 1, replications)
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
    )
