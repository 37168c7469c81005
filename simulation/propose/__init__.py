"""``servicesim propose``: where and when should a mobile unit stop?

The pipeline (method, formulas and limits in ``docs/propose.md``):

1. :mod:`~simulation.scenario.propose_spec` loads a PROPOSE.yaml: base scenario, units, budget,
   candidates, objective and the settings below.
2. :mod:`~simulation.propose.screening` ranks candidate stops by the demand the offices
   do not reach (Gaussian 2SFCA) and shortlists the best set by maximal covering.
3. :mod:`~simulation.propose.search` builds a weekly timetable
   (:mod:`~simulation.propose.timetable`) over the shortlist by simulation: greedy
   construction, then local improvement, each step one sweep of the
   :mod:`~simulation.propose.evaluator` under common random numbers.
4. :mod:`~simulation.propose.selection` spends further replications on the best search
   designs, the hand-made designs of ``compare_with`` and the baseline, and selects the
   best with a stated probability of correct selection (Kim and Nelson's procedure).
5. :mod:`~simulation.propose.tables` and :mod:`~simulation.propose.verdict` give the
   tables and the verdict in words; :mod:`~simulation.propose.report_document` builds the
   report, and :mod:`~simulation.propose.output` writes the proposed scenario, a sweep file
   that reruns the comparison, the tables and the report.

Example::

    import simulation.propose as p
    result = p.propose("configs/examples/norrkoping-propose.yaml", workers=2, out="/tmp/prop")
    result.statement      # the verdict, with its confidence and indifference zone
    result.timetable      # the proposed stops
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation.experiment.arguments import check_count, check_progress
from simulation.experiment.batches import Executor
from simulation.experiment.progress import Progress
from simulation.propose.evaluator import BASELINE, Evaluator
from simulation.propose.output import proposed_documents, write_outputs
from simulation.propose.screening import screen
from simulation.propose.search import search
from simulation.propose.selection import (
    Track,
    best_search_design,
    compare_with,
    only_adds_mobile,
    run_selection,
)
from simulation.propose.tables import design_table, selection_table, timetable_table
from simulation.propose.verdict import statement
from simulation.results.lock import hold_folder
from simulation.results.targets import check_target
from simulation.scenario.propose_loading import Propose, load_propose
from simulation.scenario.propose_spec import ProposeSpec

log = logging.getLogger(__name__)

__all__ = ["Propose", "ProposeResult", "ProposeSpec", "cli_handler", "load_propose", "propose"]


@dataclass
class ProposeResult:
    """What ``propose`` found and wrote.

    Attributes
    ----------
    name
        Name of the proposal.
    proposal
        Design id of the proposed timetable (``None`` if no stop could be proposed).
    selected
        Design selected as best among all compared designs (may be hand-made or baseline).
    statement
        The verdict in words, with confidence and indifference zone.
    timetable
        The proposed stops: ``unit, weekday, stop, place, hours``.
    screening
        Candidate stops with coverage, residual demand and shortlist flag.
    designs
        Every design simulated, with its replications, objective and secondary KPIs.
    selection
        The final comparison: contenders, their intervals, statuses and verdicts.
    steps
        The search steps (greedy and local).
    scenario
        The proposed scenario (base plus the proposed unit), as plain data.
    sweep
        A sweep document comparing baseline, proposal and hand-made designs.
    confidence, indifference
        The stated probability of correct selection and the indifference zone δ.
    folder
        Where the results were written.
    runs, wall_seconds
        Simulation runs made, and the time it all took.
    solver
        How the screening's covering model was solved.
    tracks
        The two selections (``overall`` and ``within budget``) with every design's status.
    """

    name: str
    proposal: str | None
    selected: str | None
    statement: str
    timetable: pd.DataFrame
    screening: pd.DataFrame
    designs: pd.DataFrame
    selection: pd.DataFrame
    steps: pd.DataFrame
    scenario: dict[str, Any] | None
    sweep: dict[str, Any]
    confidence: float
    indifference: float
    folder: Path
    runs: int = 0
    wall_seconds: float = 0.0
    solver: str = ""
    tracks: tuple[Track, ...] = ()


def propose(
    source: str | os.PathLike[str] | Mapping[str, Any],
    workers: int | None = None,
    out: str | os.PathLike[str] | None = None,
    force: bool = False,
    progress: bool | None = None,
) -> ProposeResult:
    """Propose where and when mobile units should stop, and compare it with the alternatives.

    Parameters
    ----------
    source
        A PROPOSE.yaml file or a mapping with the same content.
    workers
        Worker processes for the simulations (default: all cores).
    out
        Result folder (default ``results/<name>-propose``); an earlier propose folder there is
        replaced as a whole when done, anything else is refused before any work (see
        :func:`simulation.results.targets.check_target`).
    force
        Let ``out`` replace a result folder of another kind (never a folder servicesim did
        not write).
    progress
        ``None`` (default): a progress bar (stage, evaluations, runs) on a terminal, else a
        line at most every 10 s (see :mod:`simulation.experiment.progress`); ``True``: always a bar;
        ``False``: nothing.

    Returns
    -------
    ProposeResult
        The proposal, the comparison and where it was written.

    Raises
    ------
    ArgumentError
        For an invalid argument (checked before any work).
    ScenarioError
        If the propose file, its base scenario or its ``compare_with`` sweep is invalid, or
        (as :class:`simulation.results.errors.TargetError`) if ``out`` may not be written.
    """
    workers = check_count(workers, "workers")
    progress = check_progress(progress)
    if out is not None and not isinstance(out, str | os.PathLike):
        raise TypeError(f"out: expected a path or None (got {out!r})")
    began = time.perf_counter()
    loaded = load_propose(source)
    folder = Path(out) if out is not None else Path("results") / f"{loaded.name}-propose"
    with hold_folder(folder):
        check_target(folder, "propose", force)
        with (
            Progress(None, f"propose {loaded.name}", "run", show=progress) as bar,
            Executor(workers) as executor,  # workers started once for every sweep of the search
        ):
            return _propose(loaded, executor, folder, bar, began)


def _propose(
    loaded: Propose, workers: Executor, folder: Path, bar: Progress, began: float
) -> ProposeResult:
    spec = loaded.spec
    sel = spec.selection
    bar.set_status("stage screening")
    screening = screen(loaded)

    evaluator = Evaluator(loaded, workers, progress=bar)
    evaluator.stage("references")
    evaluator.add("baseline", "baseline", {}, name=BASELINE)
    hand_made = list(
        dict.fromkeys(
            evaluator.add("hand-made", "compare_with", changes, name=name).id
            for name, changes in loaded.hand_made.items()
        )
    )
    references = [d for d in hand_made if d != BASELINE] + [BASELINE]
    evaluator.ensure(references, spec.search.replications)
    found = search(loaded, screening.shortlist, evaluator)

    ranked = sorted(evaluator.search_designs, key=lambda d: evaluator.score(d.id))
    contenders = [d.id for d in ranked[: sel.contenders]]
    mobile_alternatives = [
        d for d in hand_made if d != BASELINE and only_adds_mobile(evaluator.designs[d].changes)
    ]
    within_budget = tuple(dict.fromkeys(contenders + mobile_alternatives))
    delta = sel.indifference or max(0.05 * abs(float(np.mean(evaluator.values(BASELINE)))), 1e-9)
    alpha = 1.0 - sel.confidence
    overall_designs = tuple(dict.fromkeys(contenders + references))
    deciding = sum(len(ds) > 1 for ds in (overall_designs, within_budget))
    each = alpha / max(deciding, 1)
    tracks = [Track("overall", overall_designs, each)]
    if contenders:
        tracks.append(Track("within budget", within_budget, each))
    evaluator.stage("selection")
    log.info(
        "selection among %s (δ = %g, confidence %g)",
        ", ".join(overall_designs),
        delta,
        sel.confidence,
    )
    run_selection(
        evaluator,
        tracks,
        references,
        delta=delta,
        initial=sel.initial,
        batch=sel.batch,
        max_replications=sel.max_replications,
    )

    overall = tracks[0]
    proposal = best_search_design(evaluator, tracks[1], contenders) if contenders else None
    versus = None
    if proposal is not None:
        others = [d for d in references if d != proposal]
        if sel.confirmation:
            evaluator.stage("confirmation")
            evaluator.confirm([proposal, *others], sel.confirmation, sel.confirmation)
            versus = compare_with(
                evaluator.confirmed, proposal, others, sel.confidence, evaluator.sign
            )
        else:
            versus = compare_with(
                evaluator.values, proposal, others, sel.confidence, evaluator.sign
            )
    used = max([t.replications for t in tracks] + [sel.confirmation])
    scenario_doc, sweep_doc = proposed_documents(
        loaded, evaluator, proposal, references, used, folder
    )
    result = ProposeResult(
        name=loaded.name,
        proposal=proposal,
        selected=overall.selected,
        statement=statement(loaded, evaluator, tracks, proposal, versus, delta),
        timetable=timetable_table(
            loaded, evaluator.designs[proposal].timetable if proposal else ()
        ),
        screening=screening.table,
        designs=design_table(loaded, evaluator, tracks, sel.confidence),
        selection=selection_table(loaded, evaluator, tracks, versus, sel.confidence, proposal),
        steps=found.steps,
        scenario=scenario_doc,
        sweep=sweep_doc,
        confidence=sel.confidence,
        indifference=delta,
        folder=folder,
        runs=evaluator.runs,
        solver=screening.solver,
        tracks=tuple(tracks),
    )
    result.wall_seconds = time.perf_counter() - began
    evaluator.stage("writing")
    write_outputs(loaded, result, screening, evaluator.workers)
    log.info(
        "propose %s: %d run(s) in %.1f s; results in %s",
        loaded.name,
        result.runs,
        result.wall_seconds,
        folder,
    )
    return result


def cli_handler(args: argparse.Namespace) -> int:
    """The ``servicesim propose`` command: run :func:`propose` and print the verdict.

    Expects ``args.propose`` (the PROPOSE.yaml), ``args.workers`` and ``args.out``. Bad
    input raises :class:`~simulation.scenario.errors.ScenarioError`, which the CLI's ``main`` turns
    into one line on stderr and exit status 2.
    """
    out = sys.stdout
    load_propose(
        Path(args.propose)
    )  # bad input is refused before the banner (cheap: no simulation)
    out.write(
        f"propose {args.propose}: screening, search and selection by simulation "
        "(add -v to follow the steps)\n"
    )
    out.flush()
    result = propose(
        Path(args.propose), workers=args.workers, out=args.out, force=getattr(args, "force", False)
    )
    out.write(
        f"propose {result.name}: {result.runs} simulation run(s) in {result.wall_seconds:.0f} s\n"
    )
    if result.proposal is not None:
        out.write("proposed timetable:\n")
        for row in result.timetable.itertuples(index=False):
            out.write(f"  {row.unit}  {row.weekday}  {row.hours}  {row.stop}\n")
    out.write(result.statement + "\n")
    out.write(f"results written to {result.folder}/\n")
    return 0
