"""``servicesim run``: writes a complete result folder, or nothing at all."""

from __future__ import annotations

import contextlib
import io
import json

import pandas as pd
import pytest
import yaml

import simulation.results.run_folder
from simulation.cli.main import main
from simulation.scenario.loading import load_scenario
from tests.conftest import EXAMPLES

TWO_AREAS = EXAMPLES / "two-areas.yaml"
RUN_FILES = {
    "visits.parquet",
    "summary.json",
    "summary.csv",
    "kpis.csv",
    "site_hours.csv",
    "scenario.yaml",
    "manifest.json",
}
VISIT_COLUMNS = [
    "replication",
    "visitor",
    "area",
    "errand",
    "need_min",
    "site",
    "arrival_min",
    "start_min",
    "end_min",
    "wait_min",
    "service_min",
    "travel_min",
    "deferral_days",
    "queue_on_arrival",
    "outcome",
]


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
    assert set(visits["outcome"].astype(str)) <= {
        "served",
        "no_option",
        "balked",
        "reneged",
        "closed",
        "declined",
        "pending",
    }
    served = visits[visits["outcome"].astype(str) == "served"]
    assert len(served) > 1000
    pd.testing.assert_series_equal(
        served["wait_min"], served["start_min"] - served["arrival_min"], check_names=False
    )
    pd.testing.assert_series_equal(
        served["service_min"], served["end_min"] - served["start_min"], check_names=False
    )
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


def test_failed_write_leaves_no_folder(tmp_path, monkeypatch, capsys):
    """A failure while writing results leaves neither the folder nor a staging folder."""
    doc = yaml.safe_load(TWO_AREAS.read_text(encoding="utf-8"))
    doc["calendar"]["days"] = 2
    path = tmp_path / "short.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")

    def fail(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(simulation.results.run_folder, "write_yaml", fail)
    out = tmp_path / "out"
    assert main(["run", str(path), "-r", "1", "--out", str(out)]) == 1
    assert "disk full" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["short.yaml"]

    # an existing result folder survives a failed rewrite untouched (a folder servicesim did
    # not write is refused before any work: tests/faults/test_output_targets.py)
    monkeypatch.undo()
    assert main(["run", str(path), "-r", "1", "--out", str(out), "--no-report"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    monkeypatch.setattr(simulation.results.run_folder, "write_yaml", fail)
    assert main(["run", str(path), "-r", "1", "--seed", "9", "--out", str(out), "--no-report"]) == 1
    assert f"cannot write {out / 'scenario.yaml'}: disk full" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "short.yaml"]
