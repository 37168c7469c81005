"""The result folder of ``servicesim run``: what is written (read back by :mod:`simulation.results.read`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from simulation.experiment.run import RunResult
from simulation.results.files import (
    folder_checksums,
    provenance,
    staged_folder,
    write_json,
    write_yaml,
    writing,
)
from simulation.results.lock import hold_folder
from simulation.results.targets import check_target

RUN_FILES = (
    "visits.parquet",
    "summary.json",
    "summary.csv",
    "kpis.csv",
    "site_hours.csv",
    "scenario.yaml",
    "manifest.json",
)


def write_run(result: RunResult, folder: Path, force: bool = False) -> Path:
    """Write a run's tables, resolved scenario and manifest to ``folder`` (replaced whole).

    Parameters
    ----------
    result
        The run.
    folder
        The run folder: created, or an earlier run folder replaced atomically. Anything else
        is refused (see :func:`simulation.results.targets.check_target`).
    force
        Also replace a result folder of another kind (never a folder servicesim did not write).

    Returns
    -------
    pathlib.Path
        The folder written.

    Raises
    ------
    simulation.results.errors.TargetError
        If ``folder`` may not be written, or another command holds it.
    simulation.results.files.WriteError
        If a file cannot be written (the folder is then left as it was).
    """
    folder = Path(folder)
    with hold_folder(folder):
        check_target(folder, "run", force)
        summary = {
            "scenario": result.scenario.name,
            "seed": result.seed,
            "replications": result.replications,
            "kpis": result.summary.to_dict(orient="records"),
        }
        # the scenario as run: with the seed actually used, so rerunning it reproduces the run
        scenario = {**result.scenario.to_dict(), "seed": result.seed}
        writers: dict[str, Callable[[Path], object]] = {
            "visits.parquet": lambda p: result.visits.to_parquet(p, index=False),
            "summary.csv": lambda p: result.summary.to_csv(p, index=False),
            "kpis.csv": lambda p: result.kpis.to_csv(p, index=False),
            "site_hours.csv": lambda p: result.site_hours.to_csv(p, index=False),
            "scenario.yaml": lambda p: write_yaml(p, scenario),
            "summary.json": lambda p: write_json(p, summary),
        }
        with staged_folder(folder) as tmp:
            for name, write in writers.items():
                with writing(folder / name):
                    write(tmp / name)
            tables = [f for f in RUN_FILES if f != "manifest.json"]
            rows = {
                "visits.parquet": len(result.visits),
                "summary.csv": len(result.summary),
                "kpis.csv": len(result.kpis),
                "site_hours.csv": len(result.site_hours),
            }
            manifest = provenance(
                kind="run",
                scenario=result.scenario.name,
                seed=result.seed,
                replications=result.replications,
                level=result.level,
                wall_seconds=round(result.wall_seconds, 3),
                files=list(RUN_FILES),
                checksums=folder_checksums(tmp, tables, rows),
            )
            with writing(folder / "manifest.json"):
                write_json(tmp / "manifest.json", manifest)
    return folder
