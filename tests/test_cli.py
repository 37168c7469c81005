"""The command line: run writes a complete folder; bad input exits 2 with one clear line."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from typing import Any

import pandas as pd
import pytest
import yaml

import simulation.results_io
from simulation.cli import EXIT_BAD_INPUT, main
from simulation.loading import load_scenario
from tests.conftest import EXAMPLES, ROOT

TWO_AREAS = EXAMPLES / "two-areas.yaml"
RUN_FILES = {"visits.parquet", "summary.json", "summary.csv", "kpis.csv", "site_hours.csv",
             "scenario.yaml", "manifest.json"}
VISIT_COLUMNS = ["replication", "visitor", "area", "errand", "need_min", "site", "arrival_min",
                 "start_min", "end_min", "wait_min", "service_min", "travel_min",
                 "deferral_days", "queue_on_arrival", "outcome"]


@pytest.fixture(scope="module")
def two_area_run(tmp_path_factory):
    """``servicesim run two-areas.yaml -r 2 --out <tmp>/out``, run once for this module."""
    out = tmp_path_factory.mktemp("cli") / "out"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        rc = main(["run", str(TWO_AREAS), "-r", "2", "--out", str(out)])
    return rc, out, stdout.getvalue(), stderr.getvalue()


def test_run_writes_every_file(two_area_run):
    rc, out, stdout, stderr = two_area_run
    assert rc == 0
    assert {p.name for p in out.iterdir()} == RUN_FILES | {"report.md", "report.html", "figures"}
    assert "Traceback" not in stderr
    assert "scenario two-areas: 2 replication(s), seed 20230102" in stdout
    assert f"results written to {out}/" in stdout
    # no staging folders left next to the output
    assert [p.name for p in out.parent.iterdir()] == ["out"]


def test_run_visits_table(two_area_run):
    _, out, _, _ = two_area_run
    visits = pd.read_parquet(out / "visits.parquet")
    assert set(VISIT_COLUMNS) <= set(visits.columns)
    assert sorted(visits["replication"].unique().tolist()) == [0, 1]
    assert set(visits["area"].astype(str)) == {"skaggetorp", "linkoping-rest"}
    assert set(visits["outcome"].astype(str)) <= {"served", "no_option", "balked", "reneged",
                                                   "closed", "declined", "pending"}
    served = visits[visits["outcome"].astype(str) == "served"]
    assert len(served) > 1000
    pd.testing.assert_series_equal(served["wait_min"], served["start_min"] - served["arrival_min"],
                                   check_names=False)
    pd.testing.assert_series_equal(served["service_min"], served["end_min"] - served["start_min"],
                                   check_names=False)
    for rep, group in visits.groupby("replication"):
        assert group["visitor"].tolist() == list(range(len(group))), rep


def test_run_manifest_summary_and_scenario(two_area_run):
    _, out, _, _ = two_area_run
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kind"] == "run"
    assert manifest["scenario"] == "two-areas"
    assert manifest["replications"] == 2
    assert manifest["seed"] == 20230102
    assert set(manifest["files"]) == RUN_FILES
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["replications"] == 2 and summary["kpis"]
    assert not pd.read_csv(out / "summary.csv").empty
    kpis = pd.read_csv(out / "kpis.csv")
    assert sorted(kpis["replication"].unique().tolist()) == [0, 1]
    # the resolved scenario reloads to the scenario that was run
    resolved = yaml.safe_load((out / "scenario.yaml").read_text(encoding="utf-8"))
    assert load_scenario(resolved) == load_scenario(TWO_AREAS)


def test_run_seed_option(tmp_path, capsys):
    doc = yaml.safe_load(TWO_AREAS.read_text(encoding="utf-8"))
    doc["calendar"]["days"] = 3
    path = tmp_path / "short.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    assert main(["run", str(path), "-r", "1", "--seed", "5", "--out", str(tmp_path / "o")]) == 0
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 5 and manifest["replications"] == 1
    assert "seed 5" in capsys.readouterr().out


# -- bad input ----------------------------------------------------------------------------------


def _broken(kind: str) -> tuple[dict[str, Any], str, str]:
    """A broken two-areas document, the path the error must name and the value it must show."""
    doc = yaml.safe_load(TWO_AREAS.read_text(encoding="utf-8"))
    site = doc["sites"][0]
    if kind == "misspelt":
        site["countres"] = site.pop("counters")
        return doc, "sites[0].countres", "'counters'"
    if kind == "type":
        site["counters"] = "four"
        return doc, "sites[0].counters", "'four'"
    site["errands"] = ["skatteverket", "pass"]
    return doc, "sites[0].errands[1]", "'pass'"


@pytest.mark.parametrize("kind", ["type", "undefined_errand", "misspelt"])
def test_broken_file_exits_2_with_one_line(tmp_path, capsys, kind):
    doc, where, value = _broken(kind)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    out = tmp_path / "out"
    rc = main(["run", str(path), "-r", "1", "--out", str(out)])
    captured = capsys.readouterr()
    assert rc == EXIT_BAD_INPUT == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    line = lines[0]
    assert "Traceback" not in captured.err
    assert line.startswith(f"error: {path}: ")
    assert captured.out == ""
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["broken.yaml"]  # nothing half-written
    assert where in line
    assert value in line


def test_validate_broken_file(tmp_path, capsys):
    doc, where, value = _broken("type")
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"{path}: {where}" in err and value in err


def test_missing_scenario_file(tmp_path, capsys):
    rc = main(["run", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert rc == 2
    assert "cannot read file" in err and "nope.yaml" in err
    assert not (tmp_path / "out").exists()


def test_bad_replications_argument(capsys):
    with pytest.raises(SystemExit) as info:
        main(["run", str(TWO_AREAS), "-r", "0"])
    assert info.value.code == 2
    assert "expected at least 1" in capsys.readouterr().err


def test_validate_prints_resolved_scenario(capsys):
    assert main(["validate", str(TWO_AREAS)]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().splitlines()[-1] == f"# {TWO_AREAS}: valid"
    printed = yaml.safe_load(out)
    scenario = load_scenario(TWO_AREAS)
    assert printed == scenario.to_dict()
    # defaults are filled in
    assert printed["sites"][0]["queue_capacity"] is None
    assert printed["travel"]["speed_kmh"] == 20
    assert printed["behaviour"]["patience_minutes"]["median"] == 30
    assert load_scenario(printed) == scenario


def test_subprocess_validate_bad_file_has_no_traceback(tmp_path):
    doc, where, value = _broken("undefined_errand")
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "simulation", "validate", str(path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=60, check=False)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
    assert proc.stderr.startswith(f"error: {path}: {where}: undefined errand id")
    assert proc.stdout == ""


def test_failed_write_leaves_no_folder(tmp_path, monkeypatch, capsys):
    """A failure while writing results leaves neither the folder nor a staging folder."""
    doc = yaml.safe_load(TWO_AREAS.read_text(encoding="utf-8"))
    doc["calendar"]["days"] = 2
    path = tmp_path / "short.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")

    def fail(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(simulation.results_io, "write_yaml", fail)
    out = tmp_path / "out"
    assert main(["run", str(path), "-r", "1", "--out", str(out)]) == 1
    assert "disk full" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["short.yaml"]

    # an existing result folder survives a failed rewrite untouched (a folder servicesim did
    # not write is refused before any work: tests/faults/test_output_targets.py)
    monkeypatch.undo()
    assert main(["run", str(path), "-r", "1", "--out", str(out), "--no-report"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    monkeypatch.setattr(simulation.results_io, "write_yaml", fail)
    assert main(["run", str(path), "-r", "1", "--seed", "9", "--out", str(out), "--no-report"]) == 1
    assert f"cannot write {out / 'scenario.yaml'}: disk full" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "short.yaml"]
