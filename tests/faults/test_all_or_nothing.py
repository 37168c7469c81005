"""All or nothing (issue 12, rule 4): a sweep's final tables, manifest and ``sweep.yaml``
appear together, record what was actually used, and ``report``/``compare`` refuse a folder
whose tables disagree with its manifest.

Today ``_write`` writes the tables one after another: a failure between them leaves
``replications.parquet`` with 6 replications beside a summary of 5, and ``report`` accepts it;
``sweep.yaml`` records the file's seed and replications, not those used.
"""

from __future__ import annotations

import importlib
import json
import shutil

import pandas as pd
import pytest
import yaml

from simulation.cli.main import EXIT_BAD_INPUT
from simulation.results.errors import TargetError
from simulation.results.files import WriteError
from simulation.results.manifest import verify_folder
from simulation.results.run_folder import write_run
from simulation.results.sweep_folder import run_sweep
from simulation.scenario.sweep_spec import load_sweep
from tests.faults.h1_helpers import TINY_BASE, cli, one_error_line, snapshot, sweep_doc

SWEEP = importlib.import_module("simulation.experiment.sweep")
OUTPUT = importlib.import_module("simulation.results.files")
FINAL = (
    "replications.parquet",
    "kpis.parquet",
    "summary.csv",
    "comparison.csv",
    "sweep.yaml",
    "manifest.json",
)


def final_files(folder) -> dict[str, bytes]:
    return {
        k: v
        for k, v in snapshot(folder).items()
        if v is not None and (k in FINAL or k.startswith("scenarios/") or k == "errors.log")
    }


def test_manifest_and_sweep_yaml_record_the_seed_and_replications_used(tmp_path):
    # fault: sweep.yaml recorded the file's seed (5) and replications (2), not the overrides
    out = tmp_path / "s"
    run_sweep(sweep_doc(), workers=1, out=out, seed=9, replications=3)
    manifest = json.loads((out / "manifest.json").read_text())
    recorded = yaml.safe_load((out / "sweep.yaml").read_text())
    assert (manifest["seed"], manifest["replications"], manifest["level"]) == (9, 3, 0.95)
    assert (recorded["seed"], recorded["replications"], recorded["level"]) == (9, 3, 0.95)
    # so the recorded sweep reruns the same sweep
    again = run_sweep(load_sweep(out / "sweep.yaml"), workers=1)
    pd.testing.assert_frame_equal(again.replications, pd.read_parquet(out / "replications.parquet"))


def test_manifest_vouches_for_every_final_file(tmp_path):
    # fault: the manifest recorded no checksums, so nothing could tell a mixed folder apart
    out = tmp_path / "s"
    run_sweep(sweep_doc(), workers=1, out=out)
    manifest = verify_folder(out)
    checksums = manifest["checksums"]
    assert set(FINAL) - {"manifest.json"} <= set(checksums)
    assert any(name.startswith("scenarios/") for name in checksums)
    assert checksums["replications.parquet"]["rows"] == 4
    assert not [p for p in out.iterdir() if p.name.startswith(".staging")]


@pytest.fixture
def complete(tmp_path):
    """A finished 2-replication sweep folder and its final files."""
    out = tmp_path / "s"
    run_sweep(sweep_doc(), workers=1, out=out)
    return out, final_files(out)


def fail_on(monkeypatch, name: str) -> None:
    """Make writing the final file ``name`` fail (as a full disk would)."""
    real_parquet, real_csv = pd.DataFrame.to_parquet, pd.DataFrame.to_csv
    real_json = OUTPUT.write_json

    def parquet(self, path, *a, **k):
        if str(path).endswith(name):
            raise OSError(28, "No space left on device")
        return real_parquet(self, path, *a, **k)

    def csv(self, path=None, *a, **k):
        if str(path).endswith(name):
            raise OSError(28, "No space left on device")
        return real_csv(self, path, *a, **k)

    def write_json(path, data):
        if str(path).endswith(name):
            raise OSError(28, "No space left on device")
        return real_json(path, data)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", parquet)
    monkeypatch.setattr(pd.DataFrame, "to_csv", csv)
    monkeypatch.setattr(OUTPUT, "write_json", write_json)


@pytest.mark.parametrize("failing", ["kpis.parquet", "summary.csv", "comparison.csv"])
def test_failure_between_final_tables_leaves_the_folder_as_before(
    complete, monkeypatch, capsys, failing
):
    # fault: a write failure after replications.parquet left 3 replications beside a summary of 2
    out, before = complete
    fail_on(monkeypatch, failing)
    with pytest.raises(WriteError, match=f"cannot write {out / failing}: No space left on device"):
        run_sweep(sweep_doc(), workers=1, out=out, replications=3)
    assert final_files(out) == before  # every final file as it was, and they agree
    assert verify_folder(out)["replications"] == 2
    monkeypatch.undo()
    rc, _, err = cli(capsys, "compare", str(out))
    assert rc == 0, err


def test_failure_at_the_manifest_leaves_a_folder_report_and_compare_refuse(
    complete, monkeypatch, capsys
):
    # fault: a folder caught between its tables and its manifest was reported as if complete
    out, _ = complete
    fail_on(monkeypatch, "manifest.json")
    with pytest.raises(WriteError, match="manifest.json: No space left on device"):
        run_sweep(sweep_doc(), workers=1, out=out, replications=3)
    monkeypatch.undo()
    assert not (out / "manifest.json").exists()
    for command in ("report", "compare"):
        rc, _, err = cli(capsys, command, str(out))
        assert rc == EXIT_BAD_INPUT
        one_error_line(
            err, f"error: {out}: no manifest.json here (an unfinished sweep: run the same sweep"
        )
    # the same command finishes it
    run_sweep(sweep_doc(), workers=1, out=out, replications=3)
    assert verify_folder(out)["replications"] == 3


def test_tables_that_disagree_with_the_manifest_are_refused(tmp_path, capsys):
    # fault: replications.parquet with 6 replications beside a summary of 5 was reported
    five, six = tmp_path / "five", tmp_path / "six"
    run_sweep(sweep_doc(), workers=1, out=five, replications=5)
    run_sweep(sweep_doc(), workers=1, out=six, replications=6)
    shutil.copyfile(six / "replications.parquet", five / "replications.parquet")
    for command in ("report", "compare"):
        rc, stdout, err = cli(capsys, command, str(five))
        assert rc == EXIT_BAD_INPUT
        one_error_line(
            err,
            f"error: {five}: replications.parquet does not match manifest.json "
            "(12 rows, manifest says 10)",
        )
        assert stdout == ""
    assert not (five / "report.html").exists()


def test_a_missing_listed_file_is_refused(tmp_path, capsys):
    # fault: a sweep folder without its summary gave a traceback from pandas
    out = tmp_path / "s"
    run_sweep(sweep_doc(), workers=1, out=out)
    (out / "summary.csv").unlink()
    rc, _, err = cli(capsys, "report", str(out))
    assert rc == EXIT_BAD_INPUT
    one_error_line(err, f"error: {out}: summary.csv is missing but manifest.json lists it")


def test_run_folder_tables_are_checked_too(tmp_path, capsys):
    # fault: a run folder whose summary was changed after the run was reported as the run's
    import simulation

    out = tmp_path / "r"
    write_run(simulation.run(simulation.load_scenario(TINY_BASE), replications=1, seed=2), out)
    manifest = verify_folder(out)
    assert set(manifest["checksums"]) == {
        "visits.parquet",
        "summary.json",
        "summary.csv",
        "kpis.csv",
        "site_hours.csv",
        "scenario.yaml",
    }
    with open(out / "summary.csv", "a", encoding="utf-8") as handle:
        handle.write("overall,,wait_mean,0,0,0,0,0\n")
    rc, _, err = cli(capsys, "report", str(out))
    assert rc == EXIT_BAD_INPUT
    one_error_line(err, f"error: {out}: summary.csv does not match manifest.json")


def test_propose_folder_manifest_has_checksums(tmp_path):
    # fault: the propose manifest vouched for none of its files
    from simulation.propose import propose
    from tests.propose_support import region, spec, write

    write(tmp_path, "region.yaml", region())
    path = write(
        tmp_path,
        "p.propose.yaml",
        spec(search={"replications": 2}, selection={"initial": 2, "confirmation": 0}),
    )
    out = tmp_path / "p"
    propose(path, workers=1, out=out)
    manifest = verify_folder(out, kinds=("propose",))
    assert {
        "designs.csv",
        "screening.csv",
        "selection.csv",
        "propose.md",
        "proposed.sweep.yaml",
    } <= set(manifest["checksums"])
    (out / "designs.csv").write_text("tampered\n", encoding="utf-8")
    with pytest.raises(TargetError, match="designs.csv does not match manifest.json"):
        verify_folder(out)
