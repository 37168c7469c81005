"""The files of a robust comparison in a sweep folder: writing them, reading them back.

A sweep with ``uncertain:`` adds, beside its usual tables (all listed in ``manifest.json``
with their checksums):

* ``worlds.csv``: one row per world: the sampled inputs, each design's mean of the decision
  KPI, its regret and rank, the best design, the winner (or ``tie``) and the tied designs;
* ``world_runs.parquet``: the decision KPI of every design × world × replication;
* ``robustness.csv``: per design, probability best with its interval, regret, ranks;
* ``sensitivity.csv``: per design difference and input, the sensitivity indices;
* ``flips.csv``: the boxes of the most influential inputs in which each design wins.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from simulation.experiment.robustness import RobustResult

ROBUST_FILES = (
    "worlds.csv",
    "world_runs.parquet",
    "robustness.csv",
    "sensitivity.csv",
    "flips.csv",
)
"""The robust comparison's files in a sweep folder."""


def _csv(frame: pd.DataFrame) -> Callable[[Path], Any]:
    return lambda p: frame.to_csv(p, index=False)


def robust_files(
    robust: RobustResult,
) -> tuple[dict[str, Callable[[Path], Any]], dict[str, int]]:
    """Writers and row counts of the robust comparison's files (for ``write_together``)."""
    files: dict[str, Callable[[Path], Any]] = {
        "worlds.csv": _csv(robust.worlds),
        "world_runs.parquet": lambda p: robust.runs.to_parquet(p, index=False),
        "robustness.csv": _csv(robust.robustness),
        "sensitivity.csv": _csv(robust.sensitivity),
        "flips.csv": _csv(robust.flips),
    }
    rows = {
        "worlds.csv": len(robust.worlds),
        "world_runs.parquet": len(robust.runs),
        "robustness.csv": len(robust.robustness),
        "sensitivity.csv": len(robust.sensitivity),
        "flips.csv": len(robust.flips),
    }
    return files, rows


def robust_record(robust: RobustResult, spec: Any) -> dict[str, Any]:
    """The manifest's ``uncertain`` field: worlds, sampler, replications, KPI and ranges."""
    return {
        "worlds": len(robust.worlds),
        "sampler": spec.sampler,
        "replications": spec.replications,
        "kpi": robust.kpi,
        "better": robust.better,
        "inputs": spec.model_dump(mode="json")["inputs"],
        "input_order": list(spec.inputs),
    }


def read_robust(folder: str | Path, manifest: dict[str, Any]) -> RobustResult | None:
    """The robust comparison of a (verified) sweep folder, or ``None`` if it has none."""
    record = manifest.get("uncertain")
    folder = Path(folder)
    if not isinstance(record, dict) or not (folder / "robustness.csv").exists():
        return None

    def csv(name: str) -> pd.DataFrame:
        path = folder / name
        if path.stat().st_size <= 1:
            return pd.DataFrame()
        return pd.read_csv(path, keep_default_na=False, na_values=[""])

    worlds = csv("worlds.csv")
    inputs = [str(i) for i in record.get("input_order") or record.get("inputs") or []]
    return RobustResult(
        kpi=str(record.get("kpi", "")),
        better=str(record.get("better", "lower")),
        inputs=worlds[["world", *inputs]] if len(worlds) else pd.DataFrame(),
        worlds=worlds,
        robustness=csv("robustness.csv"),
        sensitivity=csv("sensitivity.csv"),
        flips=csv("flips.csv").fillna({"input_2": ""}),
        runs=pd.read_parquet(folder / "world_runs.parquet"),
    )
