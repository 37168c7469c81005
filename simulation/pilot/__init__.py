"""``servicesim pilot``: in which one or two regions does the same mobile unit do most good?

The pipeline (method, formulas and limits in ``docs/pilot.md``):

1. :mod:`~simulation.scenario.pilot_spec` loads a PILOT.yaml: the candidate regions, the one
   unit design and budget, ``choose``, the objective and the selection's P* and δ.
2. :mod:`~simulation.pilot.ranking` finds each region's best timetable with the propose
   machinery and estimates its benefit on fresh replications.
3. :mod:`~simulation.pilot.rinott` selects the best ``choose`` regions with Rinott's
   two-stage procedure (independent regions, unequal variances).
4. With ``share:``, :mod:`~simulation.pilot.shared` finds one unit's timetable for every
   pair of neighbouring regions (:mod:`~simulation.scenario.pilot_share`) and compares it
   per unit with the two separately selected regions.
5. With ``uncertain:``, :mod:`~simulation.pilot.robust` runs every region's timetable in the
   plausible worlds and counts how often each region is in the top ``choose``.
6. :mod:`~simulation.pilot.output` writes ``ranking.csv``, the selected regions' scenario
   and sweep files (``shared.csv``, ``robustness.csv``, ``worlds.csv`` and the chosen pair's
   files with the blocks), the figures and ``pilot.md``; :mod:`~simulation.pilot.verdict`
   says it in words.

Example::

    import simulation.pilot as p
    result = p.pilot("configs/examples/pilot-three.yaml", workers=2, out="/tmp/pilot")
    result.statement      # "Run the pilot in ...: ... fewer unserved needs a year ..."
    result.ranking        # one row per region
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from simulation.experiment.arguments import check_count, check_executor, check_progress
from simulation.experiment.batches import Executor
from simulation.experiment.progress import Progress
from simulation.measures.intervals import level_text
from simulation.pilot.output import write_outputs
from simulation.pilot.ranking import Region, find_timetable, ranking_table, rinott_selection
from simulation.pilot.robust import robust_sentence, robustness
from simulation.pilot.shared import SharedOption, choose_option, evaluate_pairs, shared_table
from simulation.pilot.verdict import shared_verdict, verdict
from simulation.propose.evaluator import Evaluator
from simulation.results.lock import hold_folder
from simulation.results.targets import check_target
from simulation.scenario.pilot_spec import Pilot, PilotSpec, load_pilot

log = logging.getLogger(__name__)

__all__ = ["Pilot", "PilotResult", "PilotSpec", "cli_handler", "load_pilot", "pilot"]


@dataclass
class PilotResult:
    """What ``pilot`` found and wrote.

    Attributes
    ----------
    name
        Name of the pilot.
    statement
        The verdict in words.
    ranking
        ``ranking.csv``: one row per region with its timetable, baseline and with-unit
        objective, benefit (with intervals), benefit per staff hour, rank and selected flag.
    selected
        The selected regions, best first.
    guaranteed
        Whether the selection holds with the stated confidence (no region was capped by
        ``max_replications``).
    h
        Rinott's constant used.
    shared
        ``shared.csv`` (with ``share:``): one row per shared pair, else ``None``.
    shared_pilot
        The shared pair that is the pilot (it beats each of two separate units on average),
        else ``None``.
    robustness
        ``robustness.csv`` (with ``uncertain:``): how often each region is in the top
        ``choose`` across the plausible worlds, else ``None``.
    worlds
        ``worlds.csv`` (with ``uncertain:``): every region's benefit in every world.
    unshared
        Neighbours within ``share.max_km`` that cannot share a unit, with the reason.
    """

    name: str
    statement: str
    ranking: pd.DataFrame
    selected: tuple[str, ...]
    guaranteed: bool
    h: float
    objective: str
    confidence: float
    indifference: float
    choose: int
    initial: int
    seed: int
    folder: Path
    source: str | None
    centres: dict[str, tuple[float, float]] = field(default_factory=dict)
    spec: dict[str, Any] = field(default_factory=dict)
    runs: int = 0
    wall_seconds: float = 0.0
    shared: pd.DataFrame | None = None
    shared_pilot: str | None = None
    robustness: pd.DataFrame | None = None
    worlds: pd.DataFrame | None = None
    unshared: tuple[tuple[str, str], ...] = ()


def _display(region: Region) -> str:
    description = region.propose.scenario.description or ""
    head = description.split(":")[0].strip()
    return head if head and len(head) < 40 else region.name


def _centre(region: Region) -> tuple[float, float]:
    areas = region.propose.scenario.areas
    total = sum(a.population for a in areas) or 1.0
    lat = sum(a.location.lat * a.population for a in areas) / total
    lon = sum(a.location.lon * a.population for a in areas) / total
    return float(lat), float(lon)


def _spec_record(spec: PilotSpec) -> dict[str, Any]:
    """The spec for ``manifest.json``; the optional blocks only when given (as before them)."""
    record = spec.model_dump(mode="json")
    for key in ("share", "uncertain"):
        if record.get(key) is None:
            record.pop(key, None)
    return record


def pilot(
    source: str | os.PathLike[str] | Mapping[str, Any],
    workers: int | None = None,
    out: str | os.PathLike[str] | None = None,
    force: bool = False,
    progress: bool | None = None,
    executor: str = "local",
    scheduler: str | None = None,
) -> PilotResult:
    """Rank the candidate regions for a mobile-unit pilot and select the best ``choose``.

    Parameters
    ----------
    source
        A PILOT.yaml file or a mapping with the same content.
    workers
        Worker processes for the simulations (default: all cores).
    out
        Result folder (default ``results/<name>-pilot``); an earlier pilot folder there is
        replaced as a whole when done, anything else is refused before any work.
    force
        Let ``out`` replace a result folder of another kind.
    progress
        ``None``: a progress bar on a terminal; ``True``: always; ``False``: never.
    executor
        ``local`` (worker processes) or ``dask`` (a dask.distributed cluster); the tables are
        identical either way.
    scheduler
        Address of a running dask scheduler (``dask`` only); without it a local cluster of
        ``workers`` processes is started for the command.

    Returns
    -------
    PilotResult
        The ranking, the selection, the verdict and where it was written.

    Raises
    ------
    ScenarioError
        If the pilot file or a region's scenario is invalid, or ``out`` may not be written.
    """
    workers = check_count(workers, "workers")
    progress = check_progress(progress)
    check_executor(executor, scheduler)
    if out is not None and not isinstance(out, str | os.PathLike):
        raise TypeError(f"out: expected a path or None (got {out!r})")
    began = time.perf_counter()
    loaded = load_pilot(source)
    folder = Path(out) if out is not None else Path("results") / f"{loaded.name}-pilot"
    with hold_folder(folder):
        check_target(folder, "pilot", force)
        with Progress(None, f"pilot {loaded.name}", "run", show=progress) as bar:
            with Executor(workers, executor, scheduler) as pool:  # one for every region
                return _pilot(loaded, pool, workers or 1, folder, bar, began)


def _pilot(
    loaded: Pilot, executor: Executor, workers: int, folder: Path, bar: Progress, began: float
) -> PilotResult:
    spec = loaded.spec
    sel = spec.selection
    regions: list[Region] = []
    for propose in loaded.regions:
        bar.set_status(f"region {propose.name}: search")
        evaluator = Evaluator(propose, executor, progress=bar)
        evaluator.stage(f"{propose.name} search")
        screening, best = find_timetable(propose, evaluator)
        regions.append(Region(propose.name, propose, evaluator, screening, best))
    selection = rinott_selection(
        regions,
        spec.choose,
        sel.indifference,
        sel.confidence,
        sel.initial,
        sel.max_replications,
        on_stage=lambda s: bar.set_status(f"selection {s}"),
    )
    table = ranking_table(regions, selection, sel.confidence)
    names = {r.name: _display(r) for r in regions}
    statement = verdict(
        table,
        spec.objective.label,
        sel.confidence,
        sel.indifference,
        selection.guaranteed,
        names,
    )
    for pair, reason in loaded.unshared:
        log.warning("%s: not shared: %s", pair, reason)
    options: list[SharedOption] = []
    shared: pd.DataFrame | None = None
    chosen: str | None = None
    if loaded.shared:
        options = evaluate_pairs(
            loaded.shared,
            executor,
            bar,
            selection.stage.h,
            sel.indifference,
            sel.initial,
            sel.max_replications,
            on_stage=lambda s: bar.set_status(f"shared {s}"),
        )
        separate = [float(b) for b in table.loc[table["selected"], "benefit"]]
        winner, per_unit = choose_option(options, separate)
        chosen = winner.pair.name if winner else None
        shared = shared_table(options, per_unit, chosen, sel.confidence)
        top = shared.iloc[0]
        parts = next(o.pair.parts for o in options if o.pair.name == top["pair"])
        statement = shared_verdict(
            statement,
            top,
            (names[parts[0]], names[parts[1]]),
            chosen is not None,
            per_unit,
            [names[r] for r in selection.selected],
            spec.objective.label,
            sel.confidence,
            sel.indifference,
        )
    robust = None
    if spec.uncertain is not None:
        robust = robustness(
            regions,
            spec.uncertain,
            loaded.seed,
            spec.choose,
            sel.confidence,
            executor,
            on_stage=lambda s: bar.set_status(f"worlds {s}"),
        )
        level = level_text(sel.confidence)
        statement += " " + robust_sentence(robust.table, spec.choose, names, level)
    result = PilotResult(
        name=loaded.name,
        statement=statement,
        ranking=table,
        selected=selection.selected,
        guaranteed=selection.guaranteed,
        h=selection.stage.h,
        objective=spec.objective.label,
        confidence=sel.confidence,
        indifference=sel.indifference,
        choose=spec.choose,
        initial=sel.initial,
        seed=loaded.seed,
        folder=folder,
        source=loaded.source,
        centres={r.name: _centre(r) for r in regions},
        spec=_spec_record(spec),
        runs=sum(r.evaluator.runs for r in [*regions, *(o.region for o in options)]),
        shared=shared,
        shared_pilot=chosen,
        robustness=robust.table if robust else None,
        unshared=loaded.unshared,
        worlds=robust.worlds if robust else None,
    )
    result.runs += robust.runs if robust else 0
    result.wall_seconds = time.perf_counter() - began
    write_outputs(result, regions, workers, [o.region for o in options])
    log.info("pilot %s: %d run(s) in %.1f s", loaded.name, result.runs, result.wall_seconds)
    return result


def cli_handler(args: argparse.Namespace) -> int:
    """The ``servicesim pilot`` command: run :func:`pilot` and print the ranking and verdict."""
    out = sys.stdout
    load_pilot(Path(args.pilot))  # bad input is refused before the banner
    out.write(f"pilot {args.pilot}: each region's best timetable, then Rinott's selection\n")
    out.flush()
    result = pilot(
        Path(args.pilot),
        workers=args.workers,
        out=args.out,
        force=getattr(args, "force", False),
        executor=getattr(args, "executor", "local"),
        scheduler=getattr(args, "scheduler", None),
    )
    out.write(
        f"pilot {result.name}: {result.runs} simulation run(s) in {result.wall_seconds:.0f} s\n"
    )
    for row in result.ranking.itertuples(index=False):
        mark = "*" if row.selected else " "
        out.write(
            f"{mark} {row.rank:>2}  {row.region:<14} benefit {row.benefit:>8,.0f} "
            f"({row.benefit_ci_low:,.0f} to {row.benefit_ci_high:,.0f})  {row.timetable}\n"
        )
    if result.shared is not None:
        for row in result.shared.itertuples(index=False):
            mark = "*" if row.chosen else " "
            out.write(
                f"{mark} shared {row.pair:<14} benefit {row.benefit:>8,.0f} "
                f"({row.benefit_ci_low:,.0f} to {row.benefit_ci_high:,.0f})  {row.timetable}\n"
            )
    out.write(result.statement + "\n")
    out.write(f"results written to {result.folder}/\n")
    return 0
