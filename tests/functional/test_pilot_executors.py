"""``servicesim pilot --executor dask``: the ranking is identical with local workers and dask.

Every region's search and fresh replications go through the one executor of the command
(:class:`simulation.experiment.batches.Executor`); tables are sorted by replication, never by
finishing order, so the executor, the workers and the batch sizes change no number.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

import simulation.pilot as p
from simulation.cli.main import EXIT_BAD_INPUT, main
from tests.pilot_support import pilot_document, write_regions


def test_ranking_is_identical_with_local_workers_and_a_dask_cluster(tmp_path):
    pytest.importorskip("distributed")
    # a shared pair (west and east, 13 km apart) and 4 plausible worlds too
    towns = {"far": 24, "west": 10, "east": -10}
    paths = write_regions(tmp_path, towns, days=7, shifts={"far": -200, "east": 20})
    worlds = {
        "worlds": 4,
        "replications": 2,
        "inputs": {"behaviour.decay.scale": {"low": 20, "high": 40}},
    }
    doc = pilot_document(paths, seed=3, choose=2, share={"max_km": 40}, uncertain=worlds)
    pilot_file = tmp_path / "small.pilot.yaml"
    pilot_file.write_text(yaml.safe_dump(doc), encoding="utf-8")
    local = p.pilot(pilot_file, workers=1, out=tmp_path / "local", progress=False)
    # in a process of its own: dask's threads would stay in this one
    proc = subprocess.run(
        [
            sys.executable, "-m", "simulation", "pilot", str(pilot_file), "--workers", "2",
            "--executor", "dask", "--out", str(tmp_path / "dask"), "--quiet",
        ],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert local.statement in proc.stdout
    names = ["ranking.csv", "shared.csv", "robustness.csv", "worlds.csv", "far-pilot.sweep.yaml"]
    for name in names + ["west-east-shared-pilot.sweep.yaml", "west-east-shared-base.yaml"]:
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()


def test_a_scheduler_without_the_dask_executor_is_refused(tmp_path, capsys):
    # fault: `pilot --scheduler ADDRESS` without `--executor dask` would be silently ignored
    with pytest.raises(SystemExit) as exit_:
        main(["pilot", "x.yaml", "--scheduler", "tcp://127.0.0.1:1", "--out", str(tmp_path / "o")])
    assert exit_.value.code == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "--scheduler needs --executor dask" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_the_api_checks_the_executor_before_any_work():
    from simulation.experiment.arguments import ArgumentError

    with pytest.raises(ArgumentError, match="executor"):
        p.pilot("no-such-file.yaml", executor="threads")
    with pytest.raises(ArgumentError, match="scheduler"):
        p.pilot("no-such-file.yaml", scheduler="tcp://127.0.0.1:1")
