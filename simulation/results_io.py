"""The result folder of ``servicesim run``: what is written and how to read it back."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from simulation.experiment import RunResult
from simulation.output import provenance, staged_folder, write_json, write_yaml

RUN_FILES = ("visits.parquet", "summary.json", "summary.csv", "kpis.csv", "site_hours.csv",
             "scenario.yaml", "manifest.json")


def write_run(result: RunResult, folder: Path) -> Path:
    """Write a run's tables, resolved scenario and manifest to ``folder`` (replaced whole).

    Returns
    -------
    pathlib.Path
        The folder written.
    """
    folder = Path(folder)
    with staged_folder(folder) as tmp:
        result.visits.to_parquet(tmp / "visits.parquet", index=False)
        result.summary.to_csv(tmp / "summary.csv", index=False)
        result.kpis.to_csv(tmp / "kpis.csv", index=False)
        result.site_hours.to_csv(tmp / "site_hours.csv", index=False)
        # the scenario as run: with the seed actually used, so rerunning it reproduces the run
        write_yaml(tmp / "scenario.yaml", {**result.scenario.to_dict(), "seed": result.seed})
        write_json(tmp / "summary.json", {
            "scenario": result.scenario.name,
            "seed": result.seed,
            "replications": result.replications,
            "kpis": result.summary.to_dict(orient="records"),
        })
        write_json(tmp / "manifest.json", provenance(
            kind="run",
            scenario=result.scenario.name,
            seed=result.seed,
            replications=result.replications,
            wall_seconds=round(result.wall_seconds, 3),
            files=list(RUN_FILES),
        ))
    return folder


def read_summary(folder: Path) -> pd.DataFrame:
    """The summary table of a run folder."""
    return pd.read_csv(Path(folder) / "summary.csv")
