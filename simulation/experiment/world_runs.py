"""The runs of a robust comparison: every design × world × replication, and their KPIs.

Each world run is a :class:`simulation.experiment.sweep.RunTask` whose ``level`` is the world's
label (``world-007``) and whose ``world`` is its index, which enters the run key
(:func:`simulation.experiment.identity.run_key`) and the random streams
(:mod:`simulation.engine.streams`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

import pandas as pd

from simulation.experiment.identity import input_digests, run_key
from simulation.measures.kpis import stack_runs
from simulation.scenario.sweep_spec import Sweep
from simulation.scenario.uncertain import world_label


class WorldTask(Protocol):
    """What :func:`collect_worlds` reads of a task (a :class:`~simulation.experiment.sweep.RunTask`)."""

    @property
    def key(self) -> str: ...

    @property
    def design(self) -> str: ...

    @property
    def world(self) -> int | None: ...


def world_runs(sweep: Sweep) -> list[tuple[Any, ...]]:
    """The fields of every world run's task, world by world, design by design, replication by
    replication: ``(key, design, level, replication, seed, scenario JSON, keep_visits,
    inputs, world)`` (world runs keep no visit tables)."""
    if sweep.worlds is None:
        return []
    digests: dict[str, str] = {}
    out = []
    for design, world, scenario in sweep.worlds.cells:
        doc = scenario.to_dict()
        text = json.dumps(doc, sort_keys=True, ensure_ascii=False)
        inputs = input_digests(doc, digests)
        files = tuple(sorted(inputs.items()))
        for r in range(sweep.worlds.spec.replications):
            key = run_key(text, sweep.seed, r, inputs, world=world)
            out.append((key, design, world_label(world), r, sweep.seed, text, False, files, world))
    return out


def collect_worlds(tasks: Iterable[WorldTask], store: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The long KPI table of the finished world runs, with a ``world`` column."""
    finished = [t for t in tasks if t.key in store]
    first = ["design", "world", "replication", "scope", "id", "kpi", "value"]
    if not finished:
        return pd.DataFrame(columns=first)
    labels: dict[str, list[object]] = {
        "design": [t.design for t in finished],
        "world": [t.world for t in finished],
    }
    return stack_runs([store[t.key] for t in finished], labels, first)
