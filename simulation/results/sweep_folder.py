"""Sweep result folders: run a sweep into a folder (resuming it), write its final tables, read them.

:func:`run_sweep` checks its arguments and the target folder before any work, holds the
folder's lock for the whole command, resumes from the folder's store of finished runs
(:class:`~simulation.results.run_store.FolderRunStore`), and writes the final tables,
``scenarios/``, ``errors.log``, ``sweep.yaml`` and ``manifest.json`` together
(:func:`~simulation.results.files.write_together`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from simulation.engine.network import warn_unreachable
from simulation.experiment.arguments import (
    check_count,
    check_executor,
    check_flag,
    check_progress,
    check_seed,
)
from simulation.experiment.batches import Executor
from simulation.experiment.executors import default_workers
from simulation.experiment.identity import run_index
from simulation.experiment.sweep import RunTask, SweepResult, simulate_sweep
from simulation.results.files import provenance, write_together, write_yaml
from simulation.results.layout import REPORT_FILES
from simulation.results.lock import hold_folder
from simulation.results.manifest import verify_folder
from simulation.results.robust_files import ROBUST_FILES, robust_files, robust_record
from simulation.results.run_store import FolderRunStore
from simulation.results.targets import open_sweep_folder
from simulation.scenario.sweep_spec import Sweep, load_sweep


def run_sweep(
    source: str | Path | dict[str, Any] | Sweep,
    workers: int | None = None,
    executor: str | Executor = "local",
    scheduler: str | None = None,
    out: str | Path | None = None,
    keep_visits: bool = False,
    replications: int | None = None,
    progress: bool | None = None,
    seed: int | None = None,
    force: bool = False,
) -> SweepResult:
    """Run a sweep and analyse it.

    Parameters
    ----------
    source
        Sweep file, mapping or loaded :class:`~simulation.scenario.sweep_spec.Sweep`.
    workers
        Worker processes (default: all cores).
    executor
        ``local`` (processes on this machine) or ``dask`` (a dask.distributed cluster), or
        the :class:`~simulation.experiment.batches.Executor` of the calling command (its
        workers are started once and reused by every sweep of the command; ``workers`` and
        ``scheduler`` are then its own).
    scheduler
        Address of a running dask scheduler; without it a local cluster is started.
    out
        Result folder; ``None`` keeps results in memory only (no resume).
    keep_visits
        Store every run's visit and site-hour tables (the first
        ``SAMPLE_REPLICATIONS`` replications are always kept, for figures).
    replications
        Override the sweep file's replications.
    progress
        ``None`` (default): a progress bar on a terminal, else a progress line at most every
        10 s (see :mod:`simulation.experiment.progress`); ``True``: always a bar; ``False``: nothing.
    seed
        Override the sweep's root seed.
    force
        Let ``out`` replace a result folder of another kind (never a folder servicesim did not
        write). A sweep folder at ``out`` is resumed; anything else there is refused (see
        :func:`simulation.results.targets.check_target`).

    Raises
    ------
    simulation.results.errors.TargetError
        If ``out`` may not be written, or another command holds it.
    simulation.results.files.WriteError
        If a result file cannot be written.
    simulation.experiment.arguments.ArgumentError
        For an invalid argument (checked before any work, like the CLI's options).
    ScenarioError
        For an invalid sweep file or scenario.
    """
    workers = check_count(workers, "workers")
    if isinstance(executor, Executor):
        workers, scheduler = executor.workers, None
    else:
        executor = check_executor(executor, scheduler)
    replications = check_count(replications, "replications")
    seed = check_seed(seed)
    keep_visits = check_flag(keep_visits, "keep_visits")
    progress = check_progress(progress)
    sweep = source if isinstance(source, Sweep) else load_sweep(source)
    for _, _, _, scenario in sweep.cells:
        warn_unreachable(scenario)
    sweep.check_run_count(replications)  # before anything is written
    if out is None:
        return simulate_sweep(
            sweep, workers, executor, scheduler, keep_visits, replications, progress, seed
        )
    folder = Path(out)
    with hold_folder(folder):
        open_sweep_folder(folder, force)
        began = time.perf_counter()
        store = FolderRunStore(folder)
        result = simulate_sweep(
            sweep, workers, executor, scheduler, keep_visits, replications, progress, seed, store
        )
        result.folder = folder
        _write(
            sweep,
            result,
            folder,
            result.tasks,
            workers or default_workers(),
            executor.kind if isinstance(executor, Executor) else executor,
            time.perf_counter() - began,
            replications,
        )
        store.prune(result.tasks)
        return result


def _write(
    sweep: Sweep,
    result: SweepResult,
    folder: Path,
    tasks: list[RunTask],
    workers: int,
    executor: str,
    wall: float,
    replications: int | None = None,
) -> None:
    """Write the final tables, ``scenarios/``, ``errors.log``, ``sweep.yaml`` and the manifest together.

    The manifest (written last, with every file's checksum) and ``sweep.yaml`` record the seed,
    replications and confidence level actually used.
    """
    reps = sorted({t.replication for t in tasks})
    done = (
        result.kpis.groupby(["design", "level"])["replication"].nunique()
        if len(result.kpis)
        else {}
    )
    completed = min((int(done.get((d, lvl), 0)) for d, lvl, _, _ in sweep.cells), default=0)
    sweep_doc = sweep.spec.model_dump(mode="json")
    sweep_doc["seed"] = sweep.seed
    if replications is not None:
        sweep_doc["replications"] = replications
    files: dict[str, Callable[[Path], Any]] = {
        "replications.parquet": lambda p: result.replications.to_parquet(p, index=False),
        "kpis.parquet": lambda p: result.kpis.to_parquet(p, index=False),
        "summary.csv": lambda p: result.summary.to_csv(p, index=False),
        "comparison.csv": lambda p: result.comparison.to_csv(p, index=False),
    }
    for _, _, _, scenario in sweep.cells:
        doc = scenario.to_dict()
        files[f"scenarios/{scenario.name}.yaml"] = partial(write_yaml, data=doc)
    if result.failures:
        text = "\n".join(
            f"== design {d} level {lvl or '-'} replication {r}\n{tb}"
            for d, lvl, r, tb in result.failures
        )
        files["errors.log"] = lambda p: p.write_text(text, encoding="utf-8")
    files["sweep.yaml"] = lambda p: write_yaml(p, sweep_doc)
    rows = {
        "replications.parquet": len(result.replications),
        "kpis.parquet": len(result.kpis),
        "summary.csv": len(result.summary),
        "comparison.csv": len(result.comparison),
    }
    extra: dict[str, Any] = {}
    if result.robust is not None and sweep.worlds is not None:
        robust, robust_rows = robust_files(result.robust)
        files.update(robust)
        rows.update(robust_rows)
        extra["uncertain"] = robust_record(result.robust, sweep.worlds.spec)
    manifest = provenance(
        kind="sweep",
        sweep=sweep.spec.name,
        source=sweep.source,
        seed=sweep.seed,
        baseline=sweep.spec.baseline_design,
        designs=list(sweep.spec.designs),
        levels=[lbl for lbl, _ in sweep.levels()],
        replications=completed,  # in every design and level (fewer than asked when runs failed)
        replications_requested=len(reps),
        runs=len(tasks),
        failed=len(result.failures),
        executor=executor,
        workers=workers,
        wall_seconds=round(wall, 3),
        level=sweep.spec.level,
        correction=sweep.spec.correction,
        kpis=[k.label for k in sweep.spec.kpis],
        **_run_record(tasks),
        **extra,
    )
    # the tables changed: a report of the old ones must not stay beside them (the CLI writes a
    # new one unless --no-report)
    stale = [*REPORT_FILES, *("errors.log",)[: 0 if result.failures else 1]]
    if result.robust is None:
        stale.extend(ROBUST_FILES)
    write_together(folder, files, manifest, rows, remove=stale)


def _run_record(tasks: list[RunTask]) -> dict[str, Any]:
    """Manifest fields naming the runs of a sweep: ``run_keys`` (design → level → key per
    replication) and ``kept_replications`` (whose visit and site-hour tables are kept)."""
    return {
        "run_keys": run_index((t.design, t.level, t.replication, t.key) for t in tasks),
        "kept_replications": sorted({t.replication for t in tasks if t.keep_visits}),
    }


def read_comparison(folder: str | Path) -> pd.DataFrame:
    """The comparison table of a sweep folder (empty when it compared nothing).

    Raises
    ------
    simulation.results.errors.TargetError
        If the folder is not a complete sweep folder whose files agree with its manifest.
    """
    verify_folder(folder, kinds=("sweep",))
    path = Path(folder) / "comparison.csv"
    if path.stat().st_size == 0:
        return pd.DataFrame()
    return pd.read_csv(path, keep_default_na=False, na_values=[""]).assign(
        level=lambda d: d["level"].astype(object).fillna("") if "level" in d else ""
    )
