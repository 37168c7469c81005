"""Design sweeps: every design × factor level × replication, with resume and analysis.

Each run is identified by its run key (:mod:`simulation.identity`: a hash of the resolved
scenario, the contents of the files it references, seed, replication and the code). A
finished run is stored at once as ``runs/<key>.parquet`` (written atomically), so an
interrupted sweep loses no completed run and the same command resumes it; raising the
replication count runs only the new replications. Kept visit and site-hour tables are
``visits/<key>.parquet`` and ``site_hours/<key>.parquet``; the manifest records which key
belongs to which design, level and replication, and at the end of a sweep the files of runs
that are not part of it are removed from these three folders. A stored file that cannot be
read is treated as missing (one warning) and its run done again.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simulation.analysis import compare_designs, replications_needed, summarise_designs
from simulation.arguments import check_count, check_executor, check_flag, check_progress, check_seed
from simulation.executors import default_workers, died, run_dask, run_local
from simulation.identity import input_digests, is_run_key, run_index, run_key
from simulation.kpis import replication_kpis
from simulation.loading import load_scenario
from simulation.network import ANY_IDS, Network, compile_network
from simulation.occupancy import site_hours
from simulation.output import provenance, write_atomic, write_together, write_yaml
from simulation.progress import Progress
from simulation.replication import simulate
from simulation.sweep_schema import AutoReplications, Sweep, load_sweep
from simulation.targets import hold_folder, open_sweep_folder, verify_folder

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
        :data:`simulation.executors.WORKER_DIED` for runs lost with a dead worker process).
    folder
        Where the results were written, if anywhere.
    from_store
        How many runs were taken from the folder's store of finished runs (a resumed sweep).
    """

    replications: pd.DataFrame
    summary: pd.DataFrame
    comparison: pd.DataFrame
    kpis: pd.DataFrame
    failures: list[tuple[str, str, int, str]] = field(default_factory=list)
    folder: Path | None = None
    from_store: int = 0


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
    changed = sorted(p for p, digest in input_digests(document).items() if (p, digest) not in inputs) if inputs else []
    if changed:
        raise RuntimeError(f"{', '.join(changed)} changed while the sweep ran; run the sweep again")
    return network


SAMPLE_REPLICATIONS = 3
"""Replications whose visit and site-hour tables a sweep always keeps (for figures)."""


def execute(task: RunTask) -> dict[str, Any]:
    """Run one task in a worker: its KPIs, and its visit and site-hour tables when kept."""
    network = _network(task.scenario, task.inputs)
    visits = simulate(network, task.replication, task.seed)
    kpis = replication_kpis(network, visits, task.replication)
    if not task.keep_visits:
        return {"kpis": kpis, "visits": None, "site_hours": None}
    return {"kpis": kpis, "visits": visits, "site_hours": site_hours(network, visits, task.replication)}


def _tasks(sweep: Sweep, replications: range, keep_visits: bool, folder: Path | None = None) -> list[RunTask]:
    cells = []
    digests: dict[str, str] = {}
    for design, label, _, scenario in sweep.cells:
        doc = scenario.to_dict()
        text = json.dumps(doc, sort_keys=True, ensure_ascii=False)
        cells.append((design, label, text, input_digests(doc, digests)))
    tasks = []
    for r in replications:
        keep = keep_visits or (folder is not None and r < SAMPLE_REPLICATIONS)
        for design, label, text, inputs in cells:
            tasks.append(RunTask(run_key(text, sweep.seed, r, inputs), design, label, r, sweep.seed, text, keep,
                                 tuple(sorted(inputs.items()))))
    return tasks


STORE_TABLES = ("runs", "visits", "site_hours")
"""servicesim's own subfolders of a sweep folder that hold one file per run key."""


def visits_path(folder: Path, key: str, table: str = "visits") -> Path:
    """Where a sweep keeps the visit (or ``site_hours``) table of the run with this key."""
    return folder / table / f"{key}.parquet"


_KPI_COLUMNS = {"replication", "scope", "id", "kpi", "value"}
_UNREADABLE = (OSError, ValueError, pa.ArrowException)


def _stored_run(path: Path, task: RunTask) -> pd.DataFrame | None:
    """A stored run's KPI table, or ``None`` when it is missing or unreadable (one warning)."""
    if not path.exists():
        return None
    try:
        kpis = pd.read_parquet(path)
        if not _KPI_COLUMNS <= set(kpis.columns) or kpis.empty or set(kpis["replication"]) != {task.replication}:
            raise ValueError("not a KPI table of this run")
    except _UNREADABLE as exc:
        log.warning("stored run %s is unreadable (%s); running it again", path, _reason(exc, path))
        return None
    return kpis


def _kept_intact(folder: Path, task: RunTask) -> bool:
    """Whether a run's kept visit and site-hour tables exist and are readable parquet files."""
    for table in ("visits", "site_hours"):
        path = visits_path(folder, task.key, table)
        if not path.exists():
            return False
        try:
            pq.read_metadata(path)
        except _UNREADABLE as exc:
            log.warning("kept table %s is unreadable (%s); running it again", path, _reason(exc, path))
            return False
    return True


def _reason(exc: BaseException, path: Path) -> str:
    """``Type: first line`` of an error, without the file name (the warning names it)."""
    text = str(exc).replace(f" '{path}'", "").replace(str(path), "").strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _prune_store(folder: Path, tasks: list[RunTask]) -> None:
    """Remove stored runs and kept tables of runs that are not part of this sweep.

    Only files servicesim writes there are touched: ``<run key>.parquet`` and the temporary
    ``.<run key>.parquet.*`` files an interrupted write leaves, plus the ``*.parquet`` tables
    of older servicesim versions in ``visits/`` and ``site_hours/``.
    """
    wanted = {"runs": {t.key for t in tasks}}
    wanted["visits"] = wanted["site_hours"] = {t.key for t in tasks if t.keep_visits}
    for table in STORE_TABLES:
        folder_of_table = folder / table
        if not folder_of_table.is_dir():
            continue
        for path in folder_of_table.iterdir():
            name = path.name
            stale_tmp = name.startswith(".") and ".parquet." in name and is_run_key(name[1:].split(".")[0])
            ours = name.endswith(".parquet") and (table != "runs" or is_run_key(name.removesuffix(".parquet")))
            if path.is_file() and (stale_tmp or (ours and name.removesuffix(".parquet") not in wanted[table])):
                path.unlink(missing_ok=True)


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
    label = long["kpi"].where(long["scope"] == "overall", long["kpi"] + "@" + long["scope"] + ":" + long["id"])
    keep = long["scope"].isin(["overall", "group"]) | pd.Series(
        [(s, i, k) in wanted for s, i, k in zip(long["scope"], long["id"], long["kpi"], strict=True)], index=long.index)
    sub = long[keep].assign(column=label[keep])
    wide = sub.pivot_table(index=["design", "level", "replication"], columns="column", values="value",
                           aggfunc="first", sort=False, dropna=False)
    wide.columns.name = None
    wide = wide.reset_index()
    order = {(d, lvl): i for i, (d, lvl, _, _) in enumerate(sweep.cells)}
    wide["_o"] = [order[(d, lvl)] for d, lvl in zip(wide["design"], wide["level"], strict=True)]
    wide = wide.sort_values(["_o", "replication"]).drop(columns="_o").reset_index(drop=True)
    first = ["design", "level", "replication"] + [c for c in wanted.values() if c in wide]
    return wide[first + sorted(c for c in wide.columns if c not in first)]


def run_sweep(
    source: str | Path | dict[str, Any] | Sweep,
    workers: int | None = None,
    executor: str = "local",
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
        Sweep file, mapping or loaded :class:`~simulation.sweep_schema.Sweep`.
    workers
        Worker processes (default: all cores).
    executor
        ``local`` (processes on this machine) or ``dask`` (a dask.distributed cluster).
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
        10 s (see :mod:`simulation.progress`); ``True``: always a bar; ``False``: nothing.
    seed
        Override the sweep's root seed.
    force
        Let ``out`` replace a result folder of another kind (never a folder servicesim did not
        write). A sweep folder at ``out`` is resumed; anything else there is refused (see
        :func:`simulation.targets.check_target`).

    Raises
    ------
    simulation.targets.TargetError
        If ``out`` may not be written, or another command holds it.
    simulation.output.WriteError
        If a result file cannot be written.
    simulation.arguments.ArgumentError
        For an invalid argument (checked before any work, like the CLI's options).
    ScenarioError
        For an invalid sweep file or scenario.
    """
    workers = check_count(workers, "workers")
    executor = check_executor(executor, scheduler)
    replications = check_count(replications, "replications")
    seed = check_seed(seed)
    keep_visits = check_flag(keep_visits, "keep_visits")
    progress = check_progress(progress)
    sweep = source if isinstance(source, Sweep) else load_sweep(source)
    sweep.check_run_count(replications)  # before anything is written
    if out is None:
        return _run_sweep(sweep, workers, executor, scheduler, None, keep_visits, replications, progress, seed)
    with hold_folder(out):
        open_sweep_folder(Path(out), force)
        return _run_sweep(sweep, workers, executor, scheduler, out, keep_visits, replications, progress, seed)


def _run_sweep(
    sweep: Sweep,
    workers: int | None,
    executor: str,
    scheduler: str | None,
    out: str | Path | None,
    keep_visits: bool,
    replications: int | None,
    progress: bool | None,
    seed: int | None,
) -> SweepResult:
    if seed is not None:
        sweep.seed_override = seed
    workers = workers or default_workers()
    folder = Path(out) if out is not None else None
    runs_dir = folder / "runs" if folder else None
    if runs_dir:
        runs_dir.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    store: dict[str, pd.DataFrame] = {}
    failures: list[tuple[str, str, int, str]] = []
    spec_reps = replications or sweep.spec.replications
    auto = spec_reps if isinstance(spec_reps, AutoReplications) else None
    target = auto.initial if auto else int(spec_reps)
    from_store = 0

    def do(n: int) -> list[RunTask]:
        nonlocal from_store
        tasks = _tasks(sweep, range(n), keep_visits, folder)
        todo = []
        for task in tasks:
            if task.key in store:
                continue
            stored = _stored_run(runs_dir / f"{task.key}.parquet", task) if runs_dir else None
            if stored is not None and (folder is None or not task.keep_visits or _kept_intact(folder, task)):
                store[task.key] = stored
                from_store += 1
            else:
                todo.append(task)
        if from_store:
            log.info("%d of %d run(s) taken from %s", from_store, len(tasks), runs_dir)
        done = len([t for t in tasks if t.key in store])
        bar = Progress(len(tasks), f"sweep {sweep.spec.name}", "run", initial=done,
                       show=progress if todo else False)
        if from_store:
            bar.set_status(f"{from_store} from store")
        with bar:
            _execute(todo, workers, executor, scheduler, store, failures, runs_dir, folder, bar)
        return tasks

    tasks = do(target)
    while auto is not None:
        long = _collect(tasks, store)
        wide = _wide(long, sweep)
        label = auto.kpi.label
        need = max((replications_needed(g[label].to_numpy(), auto.half_width, sweep.spec.level, auto.relative)
                    for _, g in wide.groupby(["design", "level"]) if label in g), default=target)
        if need <= target or target >= auto.max:
            break
        target = min(auto.max, max(need, target + 1))
        log.info("replications algorithm: raising replications to %d", target)
        tasks = do(target)

    long = _collect(tasks, store)
    last_error = {(d, lvl, r): tb for d, lvl, r, tb in failures}  # a run retried in later rounds
    failures = [(t.design, t.level, t.replication, last_error.get((t.design, t.level, t.replication), "no result"))
                for t in tasks if t.key not in store]
    result = _analyse(sweep, long, failures)
    result.folder = folder
    result.from_store = from_store
    if folder is not None:
        _write(sweep, result, folder, tasks, workers, executor, time.perf_counter() - began, replications)
        _prune_store(folder, tasks)
    return result


def _execute(todo, workers, executor, scheduler, store, failures, runs_dir, folder, bar: Progress) -> None:
    if not todo:
        return
    if executor == "dask":
        stream = run_dask(execute, todo, workers, scheduler)
    elif executor == "local":
        stream = run_local(execute, todo, workers)
    else:
        raise ValueError(f"unknown executor {executor!r}; expected 'local' or 'dask'")
    lost = 0
    for task, outcome in stream:
        bar.update(1)
        if "error" in outcome:
            failures.append((task.design, task.level, task.replication, outcome["error"]))
            if died(outcome):
                lost += 1
                continue
            log.error("run %s %s replication %d failed", task.design, task.level, task.replication)
            continue
        kpis = outcome["kpis"].assign(design=task.design, level=task.level)
        store[task.key] = kpis
        if runs_dir is not None:
            write_atomic(runs_dir / f"{task.key}.parquet", lambda p, k=kpis: k.to_parquet(p, index=False))
        if outcome.get("visits") is not None and folder is not None:
            for table in ("visits", "site_hours"):
                path = visits_path(folder, task.key, table)
                path.parent.mkdir(exist_ok=True)
                write_atomic(path, lambda p, t=outcome[table]: t.to_parquet(p, index=False))
    if lost:
        log.info("a worker process died; %d run(s) not finished", lost)


def _collect(tasks: list[RunTask], store: dict[str, pd.DataFrame]) -> pd.DataFrame:
    frames = []
    for t in tasks:
        if t.key in store:
            frames.append(store[t.key].assign(design=t.design, level=t.level))
    if not frames:
        return pd.DataFrame(columns=["replication", "scope", "id", "kpi", "value", "design", "level"])
    long = pd.concat(frames, ignore_index=True)
    first = ["design", "level", "replication", "scope", "id", "kpi", "value"]
    return long[first]


def _analyse(sweep: Sweep, long: pd.DataFrame, failures) -> SweepResult:
    wide = _wide(long, sweep) if len(long) else pd.DataFrame(columns=["design", "level", "replication"])
    kpis = _kpi_columns(sweep)
    summary_cols = list(kpis) + [c for c in wide.columns if c not in kpis and c not in ("design", "level", "replication")]
    summary = summarise_designs(wide, summary_cols, sweep.spec.level)
    comparison = compare_designs(wide, {k: v for k, v in kpis.items() if k in wide},
                                 sweep.spec.baseline_design, sweep.spec.level, sweep.spec.correction)
    return SweepResult(wide, summary, comparison, long, failures)


def _write(sweep: Sweep, result: SweepResult, folder: Path, tasks, workers, executor, wall,
           replications: int | None = None) -> None:
    """Write the final tables, ``scenarios/``, ``errors.log``, ``sweep.yaml`` and the manifest together.

    The manifest (written last, with every file's checksum) and ``sweep.yaml`` record the seed,
    replications and confidence level actually used.
    """
    reps = sorted({t.replication for t in tasks})
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
        files[f"scenarios/{scenario.name}.yaml"] = lambda p, d=doc: write_yaml(p, d)
    if result.failures:
        text = "\n".join(f"== design {d} level {lvl or '-'} replication {r}\n{tb}" for d, lvl, r, tb in result.failures)
        files["errors.log"] = lambda p: p.write_text(text, encoding="utf-8")
    files["sweep.yaml"] = lambda p: write_yaml(p, sweep_doc)
    rows = {"replications.parquet": len(result.replications), "kpis.parquet": len(result.kpis),
            "summary.csv": len(result.summary), "comparison.csv": len(result.comparison)}
    manifest = provenance(
        kind="sweep", sweep=sweep.spec.name, source=sweep.source, seed=sweep.seed,
        baseline=sweep.spec.baseline_design, designs=list(sweep.spec.designs),
        levels=[lbl for lbl, _ in sweep.levels()], replications=len(reps),
        runs=len(tasks), failed=len(result.failures), executor=executor, workers=workers,
        wall_seconds=round(wall, 3), level=sweep.spec.level, correction=sweep.spec.correction,
        kpis=[k.label for k in sweep.spec.kpis], **_run_record(tasks),
    )
    write_together(folder, files, manifest, rows, remove=() if result.failures else ("errors.log",))


def _run_record(tasks: list[RunTask]) -> dict[str, Any]:
    """Manifest fields naming the runs of a sweep: ``run_keys`` (design → level → key per
    replication) and ``kept_replications`` (whose visit and site-hour tables are kept)."""
    return {"run_keys": run_index((t.design, t.level, t.replication, t.key) for t in tasks),
            "kept_replications": sorted({t.replication for t in tasks if t.keep_visits})}


def read_comparison(folder: str | Path) -> pd.DataFrame:
    """The comparison table of a sweep folder (empty when it compared nothing).

    Raises
    ------
    simulation.targets.TargetError
        If the folder is not a complete sweep folder whose files agree with its manifest.
    """
    verify_folder(folder, kinds=("sweep",))
    path = Path(folder) / "comparison.csv"
    if path.stat().st_size == 0:
        return pd.DataFrame()
    return pd.read_csv(path, keep_default_na=False, na_values=[""]).assign(
        level=lambda d: d["level"].astype(object).fillna("") if "level" in d else "")


def format_comparison(comparison: pd.DataFrame) -> str:
    """Plain-text rendering of a comparison table, one line per design × level × KPI."""
    if comparison.empty:
        return "(no comparisons: a sweep needs at least two designs)"
    rows = [("design", "level", "kpi", "baseline", "design mean", "difference (CI)", "verdict")]
    for r in comparison.itertuples(index=False):
        level = r.level if isinstance(r.level, str) and r.level else "-"
        ci = (f"{r.diff_mean:+.2f} ({r.ci_low:+.2f} to {r.ci_high:+.2f})" if math.isfinite(r.ci_low)
              else f"{r.diff_mean:+.2f}")
        rows.append((str(r.design), level, str(r.kpi), f"{r.baseline_mean:.2f}", f"{r.design_mean:.2f}", ci, str(r.verdict)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    right = {3, 4, 5}
    lines = ["  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip()
             for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    first = comparison.iloc[0]
    lines.append(f"intervals: {first['interval_level']:.4f} each ({first['correction']} over "
                 f"{first['comparisons']} comparison(s) per KPI and level); pairing narrowed the "
                 f"intervals by {comparison['pairing_narrowing'].median():.0%} (median) against independent sampling")
    return "\n".join(lines)
