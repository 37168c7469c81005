"""Shared helpers of the sweep tests: tiny inline sweeps, folder snapshots, the CLI."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from simulation.cli.main import main

# ``simulation.sweep`` is the ``run_sweep`` function (the package's API alias), so reach the
# module through ``sys.modules``.
from simulation.results.layout import visits_path

SWEEP = importlib.import_module("simulation.experiment.sweep")
PIPELINE = importlib.import_module("simulation.experiment.run")
"""The module of the one per-replication pipeline (``run_replication``): patch its ``simulate``."""
DATA = Path(__file__).resolve().parent / "data"
TINY = DATA / "tiny.sweep.yaml"
TABLES = ("replications.parquet", "summary.csv", "comparison.csv", "kpis.parquet")


def scenario(days: int = 14) -> dict[str, Any]:
    """The tiny base scenario as plain data, ``days`` long."""
    doc = yaml.safe_load((DATA / "tiny-base.yaml").read_text(encoding="utf-8"))
    doc["calendar"]["days"] = days
    return doc


def sweep_doc(**extra: Any) -> dict[str, Any]:
    """An inline sweep: today's office against one with a third counter."""
    doc: dict[str, Any] = {
        "name": "inline",
        "scenario": scenario(),
        "seed": 5,
        "replications": 3,
        "designs": {"today": {}, "more": {"set": {"sites.city.counters": 3}}},
        "kpis": ["wait_mean", "served_share"],
    }
    doc.update(extra)
    return doc


def write_sweep(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def table_bytes(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in TABLES}


def kept_visits(folder: Path, design: str, replication: int, level: str = "") -> pd.DataFrame:
    """The kept visit table of one run of a sweep folder (named by run key in the manifest)."""
    key = json.loads((folder / "manifest.json").read_text())["run_keys"][design][level][replication]
    return pd.read_parquet(visits_path(folder, key))


def sweep_command(sweep: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "simulation", "sweep", str(sweep), "--out", str(out), *extra]


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def run_files(folder: Path) -> dict[str, tuple[int, int]]:
    """``runs/*.parquet`` → (inode, mtime) to tell whether a file was rewritten."""
    out = {}
    for p in (folder / "runs").glob("*.parquet"):
        st = p.stat()
        out[p.name] = (st.st_ino, st.st_mtime_ns)
    return out
