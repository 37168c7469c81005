"""A sweep gives the same tables serial, with local worker processes and on a dask cluster."""

from __future__ import annotations

import json
import subprocess

import pytest
import yaml

# ``simulation.sweep`` is the ``run_sweep`` function (the package's API alias), so reach the
# module through ``sys.modules``.
from simulation.results.sweep_folder import run_sweep
from simulation.scenario.sweep_spec import _cell_name
from tests.sweep_support import TINY, sweep_command, sweep_doc, table_bytes


def test_tiny_sweep_folder(serial_tiny):
    manifest = json.loads((serial_tiny / "manifest.json").read_text())
    assert manifest["runs"] == 18
    assert manifest["replications"] == 3
    assert manifest["designs"] == ["today", "more-counters", "longer-hours"]
    assert manifest["levels"] == ["mean=20", "mean=40"]
    assert manifest["failed"] == 0
    assert len(list((serial_tiny / "runs").glob("*.parquet"))) == 18
    assert not (serial_tiny / "errors.log").exists()
    assert {p.name for p in (serial_tiny / "scenarios").iterdir()} == {
        f"{_cell_name('tiny', d, f'mean={m}')}.yaml"
        for d in ("today", "more-counters", "longer-hours")
        for m in (20, 40)
    }
    more = yaml.safe_load(
        (
            serial_tiny / "scenarios" / f"{_cell_name('tiny', 'more-counters', 'mean=40')}.yaml"
        ).read_text()
    )
    assert more["sites"][0]["counters"] == 3
    assert more["behaviour"]["patience_minutes"]["mean"] == 40


def test_local_processes_give_identical_tables(serial_tiny, tmp_path):
    run_sweep(TINY, workers=2, out=tmp_path)
    assert table_bytes(tmp_path) == table_bytes(serial_tiny)


def test_dask_local_cluster_gives_identical_tables(serial_tiny, tmp_path):
    pytest.importorskip("distributed")
    out = tmp_path / "dask"
    proc = subprocess.run(
        sweep_command(TINY, out, "--executor", "dask", "--workers", "2"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert table_bytes(out) == table_bytes(serial_tiny)
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["executor"], manifest["workers"]) == ("dask", 2)
    # the cluster's own INFO lines (scheduler, nannies, connections) stay off the console
    assert "INFO distributed" not in proc.stderr, proc.stderr


def test_unknown_executor_is_rejected():
    with pytest.raises(ValueError, match="unknown executor"):
        run_sweep(sweep_doc(), workers=1, executor="ray")
