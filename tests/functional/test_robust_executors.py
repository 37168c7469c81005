"""Worlds × designs × replications give identical tables serial, with 2 local workers and on a
local dask cluster, and a killed robust sweep resumes (docs/testing.md, "Robust comparisons")."""

from __future__ import annotations

import json
import subprocess

import pytest

from simulation.results.layout import ROBUST_FIGURE_NAMES
from simulation.results.robust_files import ROBUST_FILES
from simulation.results.sweep_folder import run_sweep
from tests.faults.test_resume import kill_midway, run_files
from tests.robust_support import flip_sweep
from tests.sweep_support import TABLES, sweep_command, write_sweep

FILES = (*TABLES, *ROBUST_FILES)
ROBUST_FIGURES = ROBUST_FIGURE_NAMES


def _bytes(folder) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in FILES}


def _doc(days: int = 7) -> dict:
    doc = flip_sweep(worlds=32, replications=2)
    doc["scenario"]["calendar"]["days"] = days
    return doc


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    out = tmp_path_factory.mktemp("robust") / "serial"
    result = run_sweep(_doc(), workers=1, out=out, progress=False)
    assert result.robust is not None
    return out


def test_robust_folder_records_worlds_and_runs(serial):
    manifest = json.loads((serial / "manifest.json").read_text())
    assert manifest["runs"] == 2 * 2 + 2 * 32 * 2  # the nominal cells, then every world
    assert manifest["uncertain"]["worlds"] == 32
    assert manifest["uncertain"]["input_order"][0] == "areas.home.location.lat"
    assert set(FILES) <= set(manifest["checksums"])
    assert len(manifest["run_keys"]["a"]) == 1 + 32  # the nominal level and one per world
    assert len(list((serial / "runs").glob("*.parquet"))) == manifest["runs"]


def test_two_local_workers_give_identical_tables(serial, tmp_path):
    run_sweep(_doc(), workers=2, out=tmp_path / "two", progress=False)
    assert _bytes(tmp_path / "two") == _bytes(serial)


def test_dask_local_cluster_gives_identical_tables(serial, tmp_path):
    pytest.importorskip("distributed")
    sweep = write_sweep(tmp_path / "flip.sweep.yaml", _doc())
    out = tmp_path / "dask"
    proc = subprocess.run(
        sweep_command(sweep, out, "--executor", "dask", "--workers", "2", "--no-report", "-q"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert _bytes(out) == _bytes(serial)
    assert "Robust across 32 plausible worlds for travel_mean" in proc.stdout


def test_killed_robust_sweep_resumes_with_identical_tables(tmp_path):
    doc = _doc(days=120)  # runs long enough to be killed midway
    sweep = write_sweep(tmp_path / "flip.sweep.yaml", doc)
    reference = tmp_path / "reference"
    run_sweep(doc, workers=1, out=reference, progress=False)
    out = tmp_path / "out"
    cmd = sweep_command(sweep, out, "--workers", "2", "--no-report", "-q")
    kill_midway(cmd, out, tmp_path, stored=30)
    before = run_files(out)
    assert 30 <= len(before) < 2 * 2 + 2 * 32 * 2
    again = subprocess.run(
        cmd, cwd=tmp_path, capture_output=True, text=True, timeout=240, check=False
    )
    assert again.returncode == 0, again.stderr
    assert "resumed:" in again.stdout
    after = run_files(out)
    assert len(after) == 2 * 2 + 2 * 32 * 2
    # the world runs stored before the kill were reused, not rewritten (kept visit tables of
    # the nominal cells may make a few of those run again: see tests/faults/test_resume.py)
    assert sum(after[k] == v for k, v in before.items()) >= len(before) - 4
    assert _bytes(out) == _bytes(reference)


def test_report_has_the_robust_section_and_reproducible_figures(serial):
    from simulation.report.build import build_report

    names = [f"figures/{n}.{e}" for n in ROBUST_FIGURES for e in ("png", "svg")]
    build_report(serial)
    first = {n: (serial / n).read_bytes() for n in (*names, "report.md")}
    build_report(serial)
    assert {n: (serial / n).read_bytes() for n in first} == first
    report = first["report.md"].decode()
    assert "## Robustness across uncertain assumptions" in report
    assert "Robust across 32 plausible worlds for travel\\_mean: b is best in" in report
    assert "flips.csv: where each design wins" in report


def test_a_failed_world_run_leaves_that_world_out(tmp_path, monkeypatch):
    from tests.sweep_support import PIPELINE

    real = PIPELINE.simulate

    def failing(network, replication, seed, check=None, world=None):
        if world == 3 and replication == 1 and network.scenario.name.endswith("-b-world-003"):
            raise RuntimeError("injected failure")
        return real(network, replication, seed, check, world)

    monkeypatch.setattr(PIPELINE, "simulate", failing)
    result = run_sweep(_doc(), workers=1, out=tmp_path / "out", progress=False)
    assert [(d, lvl, r) for d, lvl, r, _ in result.failures] == [("b", "world-003", 1)]
    robust = result.robust
    assert robust.worlds.loc[3, "best"] == "" and robust.worlds["best"].ne("").sum() == 31
    assert set(robust.robustness["worlds"]) == {31}
    assert robust.robustness["p_best"].sum() == 1.0
    assert robust.sensitivity.empty  # the sampler's design is incomplete
    assert (tmp_path / "out" / "errors.log").exists()
    assert "injected failure" in (tmp_path / "out" / "errors.log").read_text()


def test_compare_prints_the_robust_verdict_again(serial, capsys):
    from tests.sweep_support import cli

    rc, out, _ = cli(capsys, "compare", str(serial))
    assert rc == 0
    assert "Robust across 32 plausible worlds for travel_mean: b is best in" in out
