"""The evaluator of a propose run: simulates designs through the sweep machinery.

Every candidate design of a step is one design of a single sweep
(:func:`simulation.results.sweep_folder.run_sweep`), and every sweep of a batch uses the
same seed and replications, so all designs are compared under common random numbers.
:class:`Evaluator` registers designs (one per distinct scenario) and keeps every
replication of each, batch by batch.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simulation.experiment.batches import Executor
from simulation.experiment.executors import WORKER_DIED, WorkerDied
from simulation.experiment.progress import Progress
from simulation.propose.timetable import Timetable
from simulation.results.sweep_folder import run_sweep
from simulation.scenario.errors import ScenarioError
from simulation.scenario.names import slug
from simulation.scenario.overrides import apply_changes
from simulation.scenario.propose_loading import Propose

log = logging.getLogger(__name__)

BASELINE = "baseline"
"""Design id of the base scenario as it is."""

CONFIRMATION = 1_000_000
"""First batch number of the confirmation replications (fresh, never used to select)."""


@dataclass
class Design:
    """A design the propose run has simulated.

    Attributes
    ----------
    id
        Design name in sweeps and tables (``baseline``, ``s001``..., or a hand-made name).
    kind
        ``baseline``, ``hand-made`` or ``search``.
    stage
        Where it was first evaluated (``baseline``, ``compare_with``, ``greedy-2``, ``local-1``).
    changes
        Its changes to the base scenario (``set/add/remove``), as in a sweep file.
    timetable
        The visits of a search design (empty for the others).
    aliases
        Other names of the same scenario (a hand-made design equal to the baseline).
    """

    id: str
    kind: str
    stage: str
    changes: dict[str, Any]
    timetable: Timetable = ()
    aliases: list[str] = field(default_factory=list)


class Evaluator:
    """Simulates designs through the sweep machinery and keeps every replication.

    Replications come in batches. Batch 0 has ``search.replications`` replications under
    the propose seed, so it is exactly what ``servicesim sweep`` gives for those
    replications; batch ``b >= 1`` uses a root seed derived from ``(seed, b)``, so its
    replications are independent of the other batches. Every design that runs a batch runs
    it with the same seed and size, so replication *j* of two designs always shares its
    random numbers (common random numbers) and their paired differences line up.

    Parameters
    ----------
    propose
        The loaded propose file.
    workers
        Worker processes of every sweep (default: all cores), or the command's
        :class:`~simulation.experiment.batches.Executor`: its workers are started once and
        fed every sweep; it runs a sweep in this process when its runs are too short for
        workers to pay off.
    """

    def __init__(
        self,
        propose: Propose,
        workers: int | Executor | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.propose = propose
        self.progress = progress
        self._stage = ""
        self.executor = workers if isinstance(workers, Executor) else Executor(workers)
        self.workers = self.executor.workers
        self.designs: dict[str, Design] = {}
        self.kpis = list(
            dict.fromkeys(
                [propose.spec.objective.label] + [k.label for k in propose.spec.secondary]
            )
        )
        self.sign = 1.0 if propose.spec.objective.direction == "lower" else -1.0
        self.sizes: dict[int, int] = {0: propose.spec.search.replications}
        self.runs = 0
        self.sweeps = 0
        self._keys: dict[str, str] = {}
        self._data: dict[str, dict[int, pd.DataFrame]] = {}  # design -> batch -> replications
        self._search_count = 0

    # -- progress ---------------------------------------------------------------------------

    def stage(self, name: str) -> None:
        """Name the stage now running, for the progress bar (``greedy-2``, ``selection``)."""
        self._stage = name
        self._show()

    def _show(self) -> None:
        if self.progress is not None:
            self.progress.set_status(
                f"stage {self._stage}, {len(self.search_designs)} evaluation(s)"
            )

    # -- designs --------------------------------------------------------------------------

    def add(
        self,
        kind: str,
        stage: str,
        changes: dict[str, Any],
        name: str | None = None,
        timetable: Timetable = (),
    ) -> Design:
        """Register a design (or return the registered one with the same scenario)."""
        where: tuple[str | int, ...] = (
            ("compare_with", "designs", name) if kind == "hand-made" and name is not None else ()
        )
        key = self._key(changes, where)
        if key in self._keys:
            existing = self.designs[self._keys[key]]
            if name and name != existing.id and name not in existing.aliases:
                existing.aliases.append(name)
            if timetable and not existing.timetable:
                existing.timetable = tuple(sorted(timetable))
            return existing
        if name is None:
            self._search_count += 1
            name = f"s{self._search_count:03d}"
        if name in self.designs:
            name = f"{name}-{kind}"
        design = Design(name, kind, stage, changes, tuple(sorted(timetable)))
        self.designs[name] = design
        self._keys[key] = name
        self._data[name] = {}
        return design

    def _key(self, changes: dict[str, Any], where: tuple[str | int, ...] = ()) -> str:
        """Identity of a design: its whole scenario document as canonical JSON."""
        try:
            doc = apply_changes(self.propose.base_document, changes, where)
        except ScenarioError as exc:
            raise exc.with_source(self.propose.source) if self.propose.source else exc from None
        return json.dumps(doc, sort_keys=True, default=str)

    def find(self, changes: dict[str, Any]) -> str | None:
        """Id of the registered design with the same scenario as ``changes``, if any."""
        return self._keys.get(self._key(changes))

    @property
    def search_designs(self) -> list[Design]:
        """Every design with a timetable the search built (within the budget), in order."""
        return [d for d in self.designs.values() if d.timetable]

    # -- replications -----------------------------------------------------------------------

    def batch_seed(self, batch: int) -> int:
        """Root seed of a batch: the propose seed for batch 0, else one derived from it."""
        if batch == 0:
            return self.propose.seed
        state = np.random.SeedSequence([self.propose.seed, batch]).generate_state(2, np.uint32)
        return int((int(state[0]) << 31) ^ int(state[1]))

    def _sequential(self, design: str) -> list[int]:
        """The design's batches before :data:`CONFIRMATION`, which run from 0 without gaps."""
        return sorted(b for b in self._data[design] if b < CONFIRMATION)

    def count(self, design: str) -> int:
        """Replications of ``design`` so far (confirmation batches not included)."""
        return sum(len(self._data[design][b]) for b in self._sequential(design))

    def ensure(self, designs: Sequence[str], n: int, batch_size: int | None = None) -> None:
        """Run whole batches until every design in ``designs`` has at least ``n`` replications.

        Designs that need the same batch run together in one sweep. A batch run for the first
        time has ``min(batch_size, what is still missing)`` replications; later designs that
        need it get the same size.
        """
        while True:
            todo: dict[int, list[str]] = {}
            for d in dict.fromkeys(designs):
                if self.count(d) < n:
                    todo.setdefault(len(self._sequential(d)), []).append(d)
            if not todo:
                return
            batch = min(todo)
            if batch not in self.sizes:
                missing = max(n - self.count(todo[batch][0]), 1)
                self.sizes[batch] = max(1, min(batch_size or missing, missing))
            self._run(todo[batch], batch)

    def confirm(
        self, designs: Sequence[str], n: int, batch_size: int, first: int = CONFIRMATION
    ) -> None:
        """Run ``n`` fresh replications of ``designs`` in batches numbered from ``first``
        (default :data:`CONFIRMATION`): independent of every replication used to search or
        select, and of other confirmation batches when ``first`` is past them."""
        done = 0
        batch = first
        while done < n:
            self.sizes[batch] = min(batch_size, n - done)
            self._run(list(dict.fromkeys(designs)), batch)
            done += self.sizes[batch]
            batch += 1

    def confirmed(self, design: str) -> np.ndarray:
        """The oriented objective of ``design``'s confirmation replications."""
        frames = [f for b, f in sorted(self._data[design].items()) if b >= CONFIRMATION]
        if not frames:
            return np.empty(0)
        return self.sign * pd.concat(frames)[self.kpis[0]].to_numpy(dtype=float)

    def _run(self, designs: list[str], batch: int) -> None:
        size = self.sizes[batch]
        self.sweeps += 1
        document = {
            "name": slug(f"{self.propose.name}-propose-{self.sweeps}"),
            "scenario": self.propose.base_document,
            "designs": {d: self.designs[d].changes for d in designs},
            "replications": size,
            "seed": self.batch_seed(batch),
            "kpis": self.kpis,
        }
        log.info(
            "simulating %d design(s) x %d replication(s) (batch %d)", len(designs), size, batch
        )
        result = run_sweep(document, executor=self.executor, out=None, progress=False)
        lost = sum(trace == WORKER_DIED for _, _, _, trace in result.failures)
        if lost:
            raise WorkerDied(lost)
        if result.failures:
            design, _, rep, trace = result.failures[0]
            last = trace.strip().splitlines()[-1] if trace.strip() else "?"
            raise RuntimeError(
                f"{len(result.failures)} simulation run(s) failed; first: design {design} "
                f"replication {rep}: {last}"
            )
        self.runs += len(designs) * size
        if self.progress is not None:
            self.progress.update(len(designs) * size)
            self._show()
        wide = result.replications
        objective = self.kpis[0]
        if objective not in wide or not np.isfinite(wide[objective].to_numpy(dtype=float)).all():
            raise ScenarioError(
                "the objective is not defined in every replication (is it a KPI the "
                "simulation reports for this scope?)",
                ("objective",),
                objective,
                self.propose.source,
            )
        for d in designs:
            rows = wide[wide["design"] == d].sort_values("replication")
            frame = pd.DataFrame({"batch": batch, "replication": rows["replication"].to_numpy()})
            for k in self.kpis:
                frame[k] = rows[k].to_numpy(dtype=float) if k in rows else math.nan
            self._data[d][batch] = frame

    def table(self, design: str) -> pd.DataFrame:
        """Every replication of ``design`` (confirmation included): ``batch, replication`` and KPIs."""
        frames = [f for _, f in sorted(self._data[design].items())]
        if not frames:
            return pd.DataFrame(columns=["batch", "replication", *self.kpis])
        return pd.concat(frames, ignore_index=True)

    def values(self, design: str, n: int | None = None) -> np.ndarray:
        """The objective of ``design``'s first ``n`` replications (all by default, confirmation
        batches not included), times :attr:`sign` so that lower is always better."""
        frames = [self._data[design][b] for b in self._sequential(design)]
        if not frames:
            return np.empty(0)
        v = self.sign * pd.concat(frames)[self.kpis[0]].to_numpy(dtype=float)
        return v if n is None else v[:n]

    def score(self, design: str) -> float:
        """Mean oriented objective over the search replications (batch 0): lower is better."""
        return float(np.mean(self.values(design, self.sizes[0])))
