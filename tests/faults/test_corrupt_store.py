"""Corrupt stored runs (issue 12, rule 5): a bad file under ``runs/`` (or a kept table) is
treated as missing, with one warning naming it, and its run is done again.

Today a truncated ``runs/<key>.parquet`` makes every later resume fail with an
``ArrowInvalid`` traceback.
"""

from __future__ import annotations

import importlib
import json
import logging
import subprocess
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from simulation.results.layout import visits_path
from simulation.results.read import load_results
from simulation.results.sweep_folder import run_sweep
from tests.sweep_support import sweep_command

SWEEP = importlib.import_module("simulation.experiment.sweep")
DATA = Path(__file__).resolve().parents[1] / "data"
TABLES = ("replications.parquet", "summary.csv", "comparison.csv", "kpis.parquet")


def sweep_doc() -> dict[str, Any]:
    doc = yaml.safe_load((DATA / "tiny-base.yaml").read_text(encoding="utf-8"))
    return {
        "name": "corrupt",
        "scenario": doc,
        "seed": 3,
        "replications": 4,
        "designs": {"today": {}, "more": {"set": {"sites.city.counters": 3}}},
        "kpis": ["wait_mean", "served_share"],
    }


def table_bytes(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in TABLES}


def keys(folder: Path) -> dict[str, dict[str, list[str]]]:
    return json.loads((folder / "manifest.json").read_text())["run_keys"]


@pytest.fixture
def swept(tmp_path) -> tuple[Path, dict[str, bytes]]:
    out = tmp_path / "out"
    run_sweep(sweep_doc(), workers=1, out=out)
    return out, table_bytes(out)


def warnings_about(caplog, path: Path) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and str(path) in r.getMessage()
    ]


@pytest.mark.parametrize("damage", ["truncated", "empty", "garbage", "foreign"])
def test_corrupt_stored_run_is_rerun_with_one_warning(swept, caplog, damage):
    # fault: a stored run file is truncated / empty / not parquet / a parquet of something else
    out, tables = swept
    path = out / "runs" / f"{keys(out)['more'][''][3]}.parquet"
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "garbage":
        path.write_bytes(b"not a parquet file\n")
    else:
        pd.DataFrame({"x": [1, 2]}).to_parquet(path)
    with caplog.at_level(logging.WARNING):
        result = run_sweep(sweep_doc(), workers=1, out=out)
    assert not result.failures
    assert len(warnings_about(caplog, path)) == 1
    assert table_bytes(out) == tables
    assert pq.read_table(path).num_rows > 0  # overwritten with the run's KPIs
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        run_sweep(sweep_doc(), workers=1, out=out)
    assert warnings_about(caplog, path) == []


@pytest.mark.parametrize("table", ["visits", "site_hours"])
def test_truncated_kept_table_is_rerun(swept, caplog, table):
    # fault: a kept visit / site-hour table (used for figures) is truncated
    out, tables = swept
    path = visits_path(out, keys(out)["today"][""][1], table)
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 3])
    with caplog.at_level(logging.WARNING):
        run_sweep(sweep_doc(), workers=1, out=out)
    assert len(warnings_about(caplog, path)) == 1
    assert path.read_bytes() == good
    assert table_bytes(out) == tables
    res = load_results(out)
    assert sorted(res.visits["today"]["replication"].unique()) == [0, 1, 2]


def test_cli_resume_over_truncated_run_has_no_traceback(tmp_path):
    # fault: as above, through the command line: exit 0, one warning line, no traceback
    sweep = tmp_path / "c.sweep.yaml"
    sweep.write_text(yaml.safe_dump(sweep_doc()), encoding="utf-8")
    out = tmp_path / "out"
    cmd = sweep_command(sweep, out, "--workers", "1", "--no-report")
    assert subprocess.run(cmd, cwd=tmp_path, capture_output=True, check=False).returncode == 0
    tables = table_bytes(out)
    path = out / "runs" / f"{keys(out)['today'][''][0]}.parquet"
    path.write_bytes(path.read_bytes()[:100])
    proc = subprocess.run(
        cmd, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if path.name in line]
    assert len(lines) == 1 and lines[0].startswith("WARNING"), proc.stderr
    assert table_bytes(out) == tables
