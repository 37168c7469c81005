"""Run identity (issue 12, rule 2): a stored run is reused only when it is the same run.

Today's key hashes the travel matrix's *path* and the package *version*: an edited matrix or
edited code silently returns the old numbers. The key now covers the contents of every
referenced file and the code (git commit and a hash of the package's sources).
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from simulation.experiment import identity
from simulation.results.sweep_folder import run_sweep
from simulation.scenario.sweep_spec import load_sweep
from tests.sweep_support import sweep_command

SWEEP = importlib.import_module("simulation.experiment.sweep")
PIPELINE = importlib.import_module("simulation.experiment.run")  # run_replication: every run
DATA = Path(__file__).resolve().parents[1] / "data"
PACKAGE = identity.PACKAGE_ROOT


def matrix_sweep(matrix: Path, reps: int = 2) -> dict[str, Any]:
    """The tiny scenario with its travel times from ``matrix``, today's office against three counters."""
    doc = yaml.safe_load((DATA / "tiny-base.yaml").read_text(encoding="utf-8"))
    doc["travel"]["matrix"] = str(matrix)
    return {
        "name": "matrix",
        "scenario": doc,
        "seed": 5,
        "replications": reps,
        "designs": {"today": {}, "more": {"set": {"sites.city.counters": 3}}},
        "kpis": ["wait_mean", "travel_mean"],
    }


def write_matrix(path: Path, north: float, south: float) -> Path:
    path.write_text(
        f"area,site,minutes\nnorth,city,{north}\nsouth,city,{south}\n", encoding="utf-8"
    )
    return path


def run_files(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in (folder / "runs").glob("*.parquet")}


def count_simulations(monkeypatch) -> list[tuple[str, int]]:
    calls: list[tuple[str, int]] = []
    real = PIPELINE.simulate

    def counting(network, replication, seed, *args):
        calls.append((network.scenario.name, replication))
        return real(network, replication, seed, *args)

    monkeypatch.setattr(PIPELINE, "simulate", counting)
    return calls


def test_edited_travel_matrix_reruns_and_gives_new_numbers(tmp_path, monkeypatch):
    # fault: the travel matrix is edited in place (same path, new minutes), then the sweep rerun
    matrix = write_matrix(tmp_path / "minutes.csv", 5, 10)
    out = tmp_path / "out"
    first = run_sweep(matrix_sweep(matrix), workers=1, out=out)
    write_matrix(matrix, 25, 40)
    calls = count_simulations(monkeypatch)
    second = run_sweep(matrix_sweep(matrix), workers=1, out=out)
    assert len(calls) == 4  # every run done again
    fresh = run_sweep(matrix_sweep(matrix), workers=1, out=tmp_path / "fresh")
    pd.testing.assert_frame_equal(second.replications, fresh.replications)
    assert (second.replications["travel_mean"] > first.replications["travel_mean"] + 15).all()
    assert (out / "replications.parquet").read_bytes() == (
        tmp_path / "fresh" / "replications.parquet"
    ).read_bytes()
    # the runs of the old matrix are gone from the store
    assert set(run_files(out)) == set(run_files(tmp_path / "fresh"))


def test_unchanged_rerun_reuses_every_run(tmp_path, monkeypatch):
    # fault: none; the same command again must not run anything (and name its runs in the manifest)
    matrix = write_matrix(tmp_path / "minutes.csv", 5, 10)
    out = tmp_path / "out"
    run_sweep(matrix_sweep(matrix), workers=1, out=out)
    before = run_files(out)
    calls = count_simulations(monkeypatch)
    run_sweep(matrix_sweep(matrix), workers=1, out=out)
    assert calls == []
    assert run_files(out) == before
    keys = json.loads((out / "manifest.json").read_text())["run_keys"]
    assert {f"{k}.parquet" for d in keys.values() for ks in d.values() for k in ks} == set(before)


def test_key_covers_inputs_code_seed_and_replication():
    # fault: any one of the things that determine a run changes; the key must change with it
    code = {"version": "1", "git_commit": "abc", "sources": "0" * 64}
    base = identity.run_key("{}", 1, 0, {"/m.csv": "aa"}, code)
    assert identity.is_run_key(base)
    assert base == identity.run_key("{}", 1, 0, {"/m.csv": "aa"}, dict(code))
    changed = [
        identity.run_key('{"a": 1}', 1, 0, {"/m.csv": "aa"}, code),
        identity.run_key("{}", 2, 0, {"/m.csv": "aa"}, code),
        identity.run_key("{}", 1, 1, {"/m.csv": "aa"}, code),
        identity.run_key("{}", 1, 0, {"/m.csv": "ab"}, code),
        identity.run_key("{}", 1, 0, {"/m.csv": "aa"}, {**code, "git_commit": "abd"}),
        identity.run_key("{}", 1, 0, {"/m.csv": "aa"}, {**code, "git_commit": None}),
        identity.run_key("{}", 1, 0, {"/m.csv": "aa"}, {**code, "sources": "1" * 64}),
        identity.run_key("{}", 1, 0, {"/m.csv": "aa"}, {**code, "version": "2"}),
    ]
    assert len({base, *changed}) == len(changed) + 1
    assert set(identity.code_identity()) == {"version", "git_commit", "sources"}


def copy_package(dest: Path) -> Path:
    shutil.copytree(
        PACKAGE, dest / "simulation", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    return dest / "simulation"


def test_source_digest_follows_source_bytes_only(tmp_path):
    # fault: a source file's bytes change (a cache file appearing must not count)
    pkg = copy_package(tmp_path)
    digest = identity.source_digest(pkg)
    assert digest == identity.source_digest(PACKAGE)
    (pkg / "__pycache__").mkdir(exist_ok=True)
    (pkg / "__pycache__" / "kpis.cpython-311.pyc").write_bytes(b"cache")
    assert identity.source_digest(pkg) == digest
    names = [p.as_posix() for p in identity.source_files(pkg)]
    assert (
        "measures/kpis.py" in names
        and "data/default/region.yaml" in names
        and names == sorted(names)
    )
    with open(pkg / "measures" / "kpis.py", "a", encoding="utf-8") as handle:
        handle.write("# edited\n")
    assert identity.source_digest(pkg) != digest
    (pkg / "measures" / "kpis.py").write_text(
        (PACKAGE / "measures" / "kpis.py").read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert identity.source_digest(pkg) == digest
    (pkg / "data" / "default" / "region.yaml").write_text("edited: 1\n", encoding="utf-8")
    assert identity.source_digest(pkg) != digest


def test_changed_package_source_invalidates_the_store(tmp_path):
    # fault: the installed package's code changes (a copy of it, edited); a rerun must not reuse
    pkg = copy_package(tmp_path / "site")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    where = subprocess.run(
        [sys.executable, "-c", "import simulation; print(simulation.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()).resolve().parent == pkg.resolve()
    sweep = tmp_path / "s.sweep.yaml"
    sweep.write_text(
        yaml.safe_dump(matrix_sweep(write_matrix(tmp_path / "m.csv", 5, 10))), encoding="utf-8"
    )
    out = tmp_path / "out"
    cmd = sweep_command(sweep, out, "--workers", "1", "--no-report")

    def sweep_once() -> dict[str, int]:
        proc = subprocess.run(
            cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert proc.returncode == 0, proc.stderr
        return run_files(out)

    first = sweep_once()
    assert len(first) == 4
    assert sweep_once() == first  # unchanged code: every run reused, none rewritten
    with open(pkg / "measures" / "kpis.py", "a", encoding="utf-8") as handle:
        handle.write("\n# a change to the code\n")
    changed = sweep_once()
    assert len(changed) == 4 and not set(changed) & set(first)  # all runs done again, old ones gone
    assert sweep_once() == changed


def test_matrix_edited_during_the_sweep_fails_the_run(tmp_path):
    # fault: the matrix changes between computing the run keys and a worker reading it
    matrix = write_matrix(tmp_path / "minutes.csv", 5, 10)
    sweep = load_sweep(matrix_sweep(matrix))
    task = SWEEP._tasks(sweep, range(1), False)[0]
    assert task.inputs == ((str(matrix), identity.file_digest(matrix)),)
    write_matrix(matrix, 25, 40)
    with pytest.raises(RuntimeError, match="changed while the sweep ran"):
        SWEEP.execute(task)
