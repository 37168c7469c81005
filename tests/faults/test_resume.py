"""Resume after ``kill -9``: the stored runs are reused and the tables come out byte-identical.

Moved here from ``tests/test_sweep.py`` and extended for run identity (issue 12, rule 2): the
kept visit and site-hour tables are named by run key, the manifest names the run of every
design × level × replication, and no temporary file of an interrupted write is left behind.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pandas as pd
import psutil
import yaml

from simulation.cli.main import main
from simulation.results.layout import visits_path
from simulation.results.sweep_folder import run_sweep
from simulation.scenario.sweep_spec import load_sweep
from tests.sweep_support import sweep_command

SWEEP = importlib.import_module("simulation.experiment.sweep")
DATA = Path(__file__).resolve().parents[1] / "data"
TABLES = ("replications.parquet", "summary.csv", "comparison.csv", "kpis.parquet")


def scenario(days: int = 14) -> dict[str, Any]:
    doc = yaml.safe_load((DATA / "tiny-base.yaml").read_text(encoding="utf-8"))
    doc["calendar"]["days"] = days
    return doc


def write_sweep(path: Path, reps: int) -> Path:
    doc = {
        "name": "resume",
        "scenario": scenario(days=42),
        "seed": 5,
        "replications": reps,
        "designs": {"today": {}, "more": {"set": {"sites.city.counters": 3}}},
        "kpis": ["wait_mean", "served_share"],
    }
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def table_bytes(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in TABLES}


def run_files(folder: Path) -> dict[str, tuple[int, int]]:
    """``runs/*.parquet`` → (inode, mtime) to tell whether a file was rewritten."""
    return {
        p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (folder / "runs").glob("*.parquet")
    }


def alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    out = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


def kill_midway(cmd: list[str], out: Path, cwd: Path, stored: int) -> list[psutil.Process]:
    """Start the sweep, SIGKILL it once ``stored`` runs are stored, return its children."""
    with open(cwd / "first.err", "w") as err:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        try:
            deadline = time.monotonic() + 60
            while (
                proc.poll() is None
                and len(run_files(out) if (out / "runs").exists() else {}) < stored
            ):
                assert time.monotonic() < deadline, "the sweep stored no runs within 60 s"
                time.sleep(0.02)
            assert proc.poll() is None, "the sweep finished before it could be killed"
            children = psutil.Process(proc.pid).children(recursive=True)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
    return children


def test_killed_sweep_resumes_only_missing_runs(tmp_path):
    # fault: kill -9 mid-sweep, then the same command again (and then more replications)
    designs, reps = 2, 20
    sweep = write_sweep(tmp_path / "resume.sweep.yaml", reps)
    out = tmp_path / "out"
    cmd = sweep_command(sweep, out, "--workers", "2")
    children = kill_midway(cmd, out, tmp_path, stored=10)
    assert len(children) >= 2  # the two workers (and multiprocessing's resource tracker)
    # workers notice their parent is gone and exit (they check every 0.5 s)
    _, still = psutil.wait_procs(children, timeout=3)
    assert alive(still) == [], [p.cmdline() for p in alive(still)]

    before = run_files(out)
    assert 10 <= len(before) < designs * reps
    assert not (out / "manifest.json").exists()
    # A stored run is complete unless it is one of the first SAMPLE_REPLICATIONS, whose visit
    # and site-hour tables (named by run key) are written after the run file: the kill may
    # fall in between, and then that run is (rightly) done again.
    task_of = {t.key: t for t in SWEEP._tasks(load_sweep(sweep), range(reps), False)}
    assert set(before) <= {f"{k}.parquet" for k in task_of}
    complete = {
        name: v
        for name, v in before.items()
        if (t := task_of[name.removesuffix(".parquet")]).replication >= SWEEP.SAMPLE_REPLICATIONS
        or all(visits_path(out, t.key, table).exists() for table in ("visits", "site_hours"))
    }
    assert len(complete) >= 10 - 2 * designs

    again = subprocess.run(
        cmd, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert again.returncode == 0, again.stderr
    assert "Traceback" not in again.stderr
    after = run_files(out)
    assert len(after) == designs * reps
    # complete runs stored before the kill were neither run again nor rewritten
    assert {k: after[k] for k in complete} == complete
    assert sum(after[k] != v for k, v in before.items()) == len(before) - len(complete)
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["runs"], manifest["replications"], manifest["failed"]) == (
        designs * reps,
        reps,
        0,
    )
    # the manifest names the run of every design × replication; exactly their tables are kept
    keys = manifest["run_keys"]
    assert {f"{k}.parquet" for lv in keys.values() for ks in lv.values() for k in ks} == set(after)
    kept = {f"{keys[d][''][r]}.parquet" for d in keys for r in range(SWEEP.SAMPLE_REPLICATIONS)}
    for table in ("visits", "site_hours"):
        assert {p.name for p in (out / table).iterdir()} == kept  # no stray temporary files
    assert not [p.name for p in (out / "runs").iterdir() if p.name.startswith(".")]

    clean = tmp_path / "clean"
    run_sweep(sweep, workers=1, out=clean)
    assert table_bytes(out) == table_bytes(clean)
    for table in ("visits", "site_hours"):
        assert {p.name: p.read_bytes() for p in (out / table).iterdir()} == {
            p.name: p.read_bytes() for p in (clean / table).iterdir()
        }

    # more replications: only the new ones run
    rc = main(
        [
            "sweep",
            str(sweep),
            "--workers",
            "1",
            "--out",
            str(out),
            "--replications",
            str(reps + 3),
            "--no-report",
        ]
    )
    assert rc == 0
    grown = run_files(out)
    assert len(grown) - len(after) == designs * 3
    assert {k: grown[k] for k in after} == after
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["runs"], manifest["replications"]) == (designs * (reps + 3), reps + 3)
    wide = pd.read_parquet(out / "replications.parquet")
    assert sorted(wide["replication"].unique()) == list(range(reps + 3))
    old = wide[wide.replication < reps].reset_index(drop=True)
    pd.testing.assert_frame_equal(old, pd.read_parquet(clean / "replications.parquet"))
