"""CLI options that did nothing are errors, or work (issue 12, rule 7)."""

from __future__ import annotations

import contextlib
import io

import pandas as pd
import pytest

from simulation.cli.main import main
from simulation.cli.parser import build_parser
from tests.conftest import ROOT

TINY = ROOT / "tests" / "data" / "tiny-base.yaml"
TINY_SWEEP = ROOT / "tests" / "data" / "tiny.sweep.yaml"


def _cli(argv: list[str]) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            rc = main(argv)
        except SystemExit as exc:  # argparse errors
            rc = int(exc.code or 0)
    return rc, stdout.getvalue(), stderr.getvalue()


def test_run_workers_runs_replications_in_parallel_with_identical_tables(tmp_path, monkeypatch):
    # fault: `servicesim run SCENARIO --workers 2` silently ignored --workers
    import simulation.experiment.executors as executors

    pools: list[int] = []
    real_pool = executors._pool

    def counting_pool(workers: int):
        pools.append(workers)
        return real_pool(workers)

    monkeypatch.setattr(executors, "_pool", counting_pool)
    # pools fork from a single-threaded command; a test runner may keep a thread of its own
    monkeypatch.setattr(executors, "single_threaded", lambda: True)
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    rc1, _, err1 = _cli(
        ["run", str(TINY), "-r", "3", "--seed", "4", "--out", str(serial), "--no-report"]
    )
    assert pools == []
    rc2, _, err2 = _cli(
        [
            "run",
            str(TINY),
            "-r",
            "3",
            "--seed",
            "4",
            "--out",
            str(parallel),
            "--no-report",
            "--workers",
            "2",
        ]
    )
    assert (rc1, rc2) == (0, 0), err1 + err2
    assert pools == [2]  # the replications ran in a pool of two worker processes
    pd.testing.assert_frame_equal(
        pd.read_parquet(serial / "visits.parquet"), pd.read_parquet(parallel / "visits.parquet")
    )
    for table in ("summary.csv", "kpis.csv", "site_hours.csv"):
        assert (serial / table).read_bytes() == (parallel / table).read_bytes(), table


def test_scheduler_without_dask_executor_is_an_error(tmp_path):
    # fault: `sweep --scheduler ADDRESS` without `--executor dask` was silently ignored
    rc, stdout, stderr = _cli(
        [
            "sweep",
            str(TINY_SWEEP),
            "--scheduler",
            "tcp://127.0.0.1:1",
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert rc == 2
    assert "--scheduler needs --executor dask" in stderr
    assert "Traceback" not in stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["-q", "sweep", "x.yaml"],
        ["sweep", "x.yaml", "--quiet"],
        ["run", "x.yaml", "-q"],
        ["propose", "x.yaml", "--quiet"],
    ],
)
def test_quiet_is_accepted_before_and_after_the_command(argv):
    # new option --quiet (rule 10): a global flag that a subcommand's default must not undo
    assert build_parser().parse_args(argv).quiet is True


def test_quiet_defaults_to_false():
    assert build_parser().parse_args(["sweep", "x.yaml"]).quiet is False
