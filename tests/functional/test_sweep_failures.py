"""A failing run is isolated, reported once, and retried by a rerun."""

from __future__ import annotations

import json
from typing import Any

import pytest

# ``simulation.sweep`` is the ``run_sweep`` function (the package's API alias), so reach the
# module through ``sys.modules``.
from simulation.results.sweep_folder import run_sweep
from tests.sweep_support import PIPELINE, cli, run_files, sweep_doc, write_sweep


@pytest.fixture
def broken_simulate(monkeypatch):
    """Replication 1 of design ``broken`` raises (workers=1 runs in this process)."""
    real = PIPELINE.simulate

    def simulate(network, replication, seed, *args):
        if network.scenario.name.endswith("-broken") and replication == 1:
            raise RuntimeError("boom in the model")
        return real(network, replication, seed, *args)

    monkeypatch.setattr(PIPELINE, "simulate", simulate)
    return real


def broken_doc() -> dict[str, Any]:
    doc = sweep_doc(name="fail")
    doc["designs"]["broken"] = {"set": {"sites.city.counters": 4}}
    return doc


def test_failing_run_is_isolated(tmp_path, broken_simulate, monkeypatch):
    result = run_sweep(broken_doc(), workers=1, out=tmp_path)
    assert len(result.failures) == 1
    design, level, rep, tb = result.failures[0]
    assert (design, level, rep) == ("broken", "", 1)
    assert "Traceback" in tb and "RuntimeError: boom in the model" in tb
    # every other run completed and is analysed (a row for the failed run, if any, is empty)
    wide = result.replications
    done = wide[wide["needs"].notna()]
    assert len(done) == 3 * 3 - 1
    assert set(done.loc[done.design == "broken", "replication"]) == {0, 2}
    failed = wide[(wide.design == "broken") & (wide.replication == 1)]
    assert failed.drop(columns=["design", "level", "replication"]).isna().all().all()
    assert len(run_files(tmp_path)) == 8
    comp = result.comparison.set_index(["design", "kpi"])
    assert comp.loc[("broken", "wait_mean"), "n"] == 2
    assert comp.loc[("more", "wait_mean"), "n"] == 3
    log = (tmp_path / "errors.log").read_text()
    assert "== design broken level - replication 1" in log
    assert "RuntimeError: boom in the model" in log
    assert json.loads((tmp_path / "manifest.json").read_text())["failed"] == 1

    # the same sweep again, with the model fixed: only the failed run is retried
    monkeypatch.setattr(PIPELINE, "simulate", broken_simulate)
    fixed = run_sweep(broken_doc(), workers=1, out=tmp_path)
    assert fixed.failures == []
    assert len(run_files(tmp_path)) == 9
    assert not (tmp_path / "errors.log").exists()


def test_failed_run_reported_once_with_auto_replications(broken_simulate):
    """BUG: with automatic replications a failing run is retried in every round of the
    replications algorithm and reported once per round (here twice), so the CLI says
    "2 run(s) failed" and errors.log repeats it, though one run failed."""
    doc = broken_doc()
    doc["replications"] = {"kpi": "wait_mean", "half_width": 0.001, "initial": 3, "max": 6}
    result = run_sweep(doc, workers=1)
    assert result.replications["replication"].nunique() == 6
    assert [(d, lvl, r) for d, lvl, r, _ in result.failures] == [("broken", "", 1)]


def test_cli_reports_failed_runs(tmp_path, broken_simulate, capsys):
    sweep = write_sweep(tmp_path / "fail.sweep.yaml", broken_doc())
    out = tmp_path / "out"
    rc, stdout, stderr = cli(capsys, "sweep", str(sweep), "--workers", "1", "--out", str(out))
    assert rc == 1
    assert f"sweep fail: 3 design(s) x 1 level(s), baseline today; writing {out}/" in stdout
    assert "3 replication(s) per design and level" in stdout
    assert f"error: 1 run(s) failed; tracebacks in {out / 'errors.log'}" in stderr
    assert "broken - replication 1: RuntimeError: boom in the model" in stderr
    assert "Traceback" not in stderr
    assert (out / "errors.log").exists()
    assert (out / "comparison.csv").exists()


def test_manifest_counts_only_completed_replications(tmp_path, broken_simulate):
    # fault (QA of issue 12): after runs were lost the manifest and the report still said the
    # requested replications (600) while the tables held 85 per design
    run_sweep(broken_doc(), workers=1, out=tmp_path, replications=3)
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["replications_requested"] == 3
    assert manifest["replications"] == 2  # design broken lost replication 1
    assert manifest["failed"] == 1
