"""``servicesim staff``: the least staffing that meets a service target, by simulation.

The pipeline (method, confidence rule and limits in ``docs/staffing.md``):

1. :mod:`~simulation.staff.targets` parses the targets (``wait_p80<=15``, ``abandonment<=0.05``,
   ``wait_mean<=10``).
2. :mod:`~simulation.staff.periods` lays out the periods (granularity slots inside opening
   hours, per weekday; a mobile stop's slots) and attributes visitors to the period of their
   arrival.
3. :mod:`~simulation.staff.evaluation` simulates a staffing on fixed replications (common
   random numbers) and :mod:`~simulation.staff.decision` judges each period at the stated
   confidence.
4. :mod:`~simulation.staff.search` raises to feasibility (the ISA iteration), removes counters
   greedily and verifies on fresh replications.
5. :mod:`~simulation.staff.blocks` turns the counts into ``staffing`` blocks (and stop
   ``counters``); :mod:`~simulation.staff.tables`, :mod:`~simulation.staff.report` and
   :mod:`~simulation.staff.output` write the result folder and the terminal summary.
   :mod:`~simulation.staff.source` loads the scenario (or a sweep file's design).

Example::

    import simulation.staff as s
    result = s.staff("configs/examples/norrkoping-staffed.yaml", ["wait_p80<=15"], out="/tmp/st")
    result.staff_hours      # today's and the proposed staff hours per site
    result.blocks           # the staffing blocks to paste
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from simulation.experiment.arguments import check_count, check_level, check_positive, check_seed
from simulation.experiment.progress import Progress
from simulation.results.lock import hold_folder
from simulation.results.targets import check_target
from simulation.scenario.errors import ScenarioError
from simulation.scenario.schema import Mobile, Scenario
from simulation.staff.blocks import paste_blocks
from simulation.staff.evaluation import Evaluator
from simulation.staff.output import terminal_lines, write_outputs
from simulation.staff.periods import Layout, build_layout
from simulation.staff.search import SearchResult, search
from simulation.staff.source import load_source, site_indices
from simulation.staff.tables import period_table, staff_hours_table
from simulation.staff.targets import Target, parse_target

log = logging.getLogger(__name__)

__all__ = ["StaffResult", "Target", "cli_handler", "load_source", "parse_target", "staff"]

GRANULARITIES = (15, 30, 60, 120)
"""Allowed period lengths in minutes."""


@dataclass
class StaffResult:
    """What ``staff`` found and wrote.

    Attributes
    ----------
    scenario, source
        The scenario staffed and the file it came from.
    layout
        Its periods and variables.
    targets, granularity, confidence, seed, replications, verify_replications
        The settings.
    search
        The search's counts, evaluations and steps.
    periods
        One row per period (``staffing.csv``).
    staff_hours
        Today's and the proposed staff hours per site (``staff_hours.csv``).
    blocks
        The blocks to paste, one per staffed site.
    folder, runs, wall_seconds
        Where it was written, simulation runs made, and the time it took.
    """

    scenario: Scenario
    source: str | None
    layout: Layout
    targets: tuple[Target, ...]
    granularity: int
    confidence: float
    seed: int
    replications: int
    verify_replications: int
    search: SearchResult
    periods: pd.DataFrame
    staff_hours: pd.DataFrame
    blocks: list[dict[str, object]]
    folder: Path
    runs: int = 0
    wall_seconds: float = 0.0


def staff(
    source: str | os.PathLike[str] | Scenario | dict[str, Any],
    targets: Sequence[str | Target],
    granularity: int = 60,
    min_counters: int = 1,
    max_counters: int = 30,
    confidence: float = 0.95,
    replications: int = 20,
    verify_replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    out: str | os.PathLike[str] | None = None,
    force: bool = False,
    design: str | None = None,
    sites: Sequence[str] | None = None,
    constant: bool = False,
    same_days: bool = False,
    max_iterations: int = 15,
    progress: bool | None = False,
    write: bool = True,
) -> StaffResult:
    """Find the least staffing that meets the targets in every period (see ``docs/staffing.md``).

    Parameters
    ----------
    source
        A scenario or sweep file, a mapping or a ``Scenario``.
    targets
        Targets such as ``"wait_p80<=15"`` or ``"abandonment<=0.05"`` (all must hold).
    granularity
        Period length in minutes: 15, 30, 60 or 120.
    min_counters, max_counters
        Bounds of every count (a mobile stop at most 100).
    confidence
        One-sided confidence of each period's judgement.
    replications
        Replications of every evaluation of the search.
    verify_replications
        Fresh replications of the final check (default: ``replications``).
    seed
        Root seed (default: the sweep's, else the scenario's).
    workers
        Local worker processes (default 1); the result is the same for any number.
    out
        Result folder (default ``results/<name>-staff``).
    force
        Let ``out`` replace a result folder of another kind.
    design
        The design of a sweep file to staff (default: its baseline).
    sites
        Ids of the sites to staff (default: all).
    constant
        One count per site for every period (the best constant staffing).
    same_days
        One count per slot for all weekdays an office opens with the same windows (one
        pattern for ``mon-fri``), instead of one per weekday.
    max_iterations
        Cap of the raise and verify iterations.
    progress
        Show progress (``None``: a bar on a terminal).
    write
        Write the result folder (``False``: only return the result).

    Returns
    -------
    StaffResult
        The proposal, its tables and where it was written.

    Raises
    ------
    ArgumentError
        For an invalid argument.
    ScenarioError
        For an invalid file, target or site, or (as ``TargetError``) an ``out`` that may not
        be written.
    """
    where = "servicesim staff" if isinstance(source, Scenario | dict) else str(source)
    replications = check_positive(replications, "replications")
    verify = check_positive(
        replications if verify_replications is None else verify_replications,
        "verify_replications",
    )
    confidence = check_level(confidence)
    workers = check_count(workers, "workers") or 1
    max_iterations = check_positive(max_iterations, "max_iterations")
    min_counters = check_positive(min_counters, "min_counters")
    max_counters = check_positive(max_counters, "max_counters")
    if max_counters < min_counters:
        raise ScenarioError(
            "must be at least --min-counters", ("--max-counters",), max_counters, where
        )
    if granularity not in GRANULARITIES:
        raise ScenarioError(
            f"expected one of {', '.join(map(str, GRANULARITIES))} minutes",
            ("--granularity",),
            granularity,
            where,
        )
    parsed: list[Target] = []
    for t in targets:
        try:
            parsed.append(t if isinstance(t, Target) else parse_target(t))
        except ValueError as exc:
            raise ScenarioError(str(exc), ("--target",), t, where) from None
    if not parsed:
        raise ScenarioError(
            "give at least one target, such as wait_p80<=15", ("--target",), [], where
        )
    began = time.perf_counter()
    scenario, sweep_seed = load_source(source, design)
    chosen = site_indices(scenario, sites, where)
    if any(isinstance(scenario.sites[k], Mobile) for k in chosen):
        max_counters_mobile = min(max_counters, 100)
        if max_counters_mobile < min_counters:
            raise ScenarioError(
                "a mobile stop has at most 100 counters", ("--min-counters",), min_counters, where
            )
        max_counters = max_counters_mobile
    root = seed if seed is not None else (sweep_seed if sweep_seed is not None else scenario.seed)
    check_seed(root)
    source_text = None if isinstance(source, Scenario | dict) else str(source)
    folder = Path(out) if out is not None else Path("results") / f"{scenario.name}-staff"
    layout = build_layout(scenario, granularity, chosen, constant, same_days)
    with hold_folder(folder) if write else nullcontext():
        if write:
            check_target(folder, "staff", force)
        return _staff(
            scenario,
            source_text,
            layout,
            tuple(parsed),
            granularity,
            confidence,
            root,
            replications,
            verify,
            workers,
            min_counters,
            max_counters,
            max_iterations,
            folder,
            progress,
            began,
            write,
        )


def _staff(
    scenario: Scenario,
    source: str | None,
    layout: Layout,
    targets: tuple[Target, ...],
    granularity: int,
    confidence: float,
    seed: int,
    replications: int,
    verify: int,
    workers: int,
    min_counters: int,
    max_counters: int,
    max_iterations: int,
    folder: Path,
    progress: bool | None,
    began: float,
    write: bool,
) -> StaffResult:
    with Progress(None, f"staff {scenario.name}", "run", show=progress) as bar:
        evaluator = Evaluator(layout, targets, confidence, seed, workers, bar)
        try:
            found = search(
                layout, evaluator, replications, verify, min_counters, max_counters, max_iterations
            )
        finally:
            evaluator.close()  # the workers of the whole search end with it
    result = StaffResult(
        scenario=scenario,
        source=source,
        layout=layout,
        targets=targets,
        granularity=granularity,
        confidence=confidence,
        seed=seed,
        replications=replications,
        verify_replications=verify,
        search=found,
        periods=period_table(layout, found),
        staff_hours=staff_hours_table(layout, found),
        blocks=paste_blocks(layout, found.counts),
        folder=folder,
        runs=evaluator.runs,
    )
    result.wall_seconds = time.perf_counter() - began
    if write:
        write_outputs(result, workers)
    return result


def cli_handler(args: argparse.Namespace) -> int:
    """The ``servicesim staff`` command: run :func:`staff` and print the summary."""
    result = staff(
        args.scenario,
        args.target,
        granularity=args.granularity,
        min_counters=args.min_counters,
        max_counters=args.max_counters,
        confidence=args.confidence,
        replications=args.replications,
        verify_replications=args.verify_replications,
        seed=args.seed,
        workers=args.workers,
        out=args.out,
        force=args.force,
        design=args.design,
        sites=args.site,
        constant=args.constant,
        same_days=args.same_days,
        progress=None,
    )
    for line in terminal_lines(result):
        sys.stdout.write(line + "\n")
    return 0
