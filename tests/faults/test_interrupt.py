"""Ctrl-C: one line, exit status 130, no tracebacks from pool workers, nothing half-written
(issue 12, rule 10). Ctrl-C on a terminal sends SIGINT to the whole process group, workers
included; the tests do the same with ``killpg``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import yaml

from tests.conftest import ROOT

TINY = ROOT / "tests" / "data" / "tiny-base.yaml"
FINAL = {
    "replications.parquet",
    "kpis.parquet",
    "summary.csv",
    "comparison.csv",
    "manifest.json",
    "sweep.yaml",
    "visits.parquet",
    "summary.json",
}


def _interruptible() -> None:
    """In the child before exec: Ctrl-C as at a terminal, even when the test process was
    started in the background (which ignores SIGINT, and children inherit that)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def slow_scenario(folder: Path, days: int = 150) -> Path:
    """The tiny scenario over ``days`` days (a run takes a few tenths of a second)."""
    doc = yaml.safe_load(TINY.read_text())
    doc["calendar"]["days"] = days
    path = folder / "slow.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def slow_sweep(folder: Path, replications: int = 30) -> Path:
    path = folder / "slow.sweep.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "name": "slow",
                "base": str(slow_scenario(folder)),
                "seed": 3,
                "replications": replications,
                "designs": {"today": {}, "more": {"set": {"sites.city.counters": 3}}},
            },
            sort_keys=False,
        )
    )
    return path


def idle_worker_sweep(folder: Path) -> Path:
    """Two runs: one short, one long; after the first, one pool worker waits idle for work
    (where Ctrl-C used to print its KeyboardInterrupt traceback)."""
    path = folder / "mixed.sweep.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "name": "mixed",
                "base": str(TINY),
                "seed": 3,
                "replications": 1,
                "designs": {"short": {}, "long": {"set": {"calendar.days": 1500}}},
            },
            sort_keys=False,
        )
    )
    return path


def interrupt_after_first_progress_line(
    argv: list[str], cwd: Path, lines: int = 1
) -> tuple[int, str, str]:
    """Start ``python -m simulation ARGV``, wait for its first ``lines`` progress lines on
    stderr, then send SIGINT to its process group; return exit status, those lines and the
    rest of stderr."""
    env = {**os.environ, "SERVICESIM_PROGRESS_SECONDS": "0"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulation", *argv],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_interruptible,
    )
    try:
        first = "".join(proc.stderr.readline() for _ in range(lines))
        os.killpg(proc.pid, signal.SIGINT)
        _, rest = proc.communicate(timeout=60)  # a hang after Ctrl-C fails here
        return proc.returncode, first, rest
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


def test_ctrl_c_during_a_sweep(tmp_path):
    # fault: Ctrl-C printed a KeyboardInterrupt traceback from every idle pool worker
    out = tmp_path / "out"
    rc, first, rest = interrupt_after_first_progress_line(
        [
            "sweep",
            str(idle_worker_sweep(tmp_path)),
            "--out",
            str(out),
            "--workers",
            "2",
            "--no-report",
        ],
        tmp_path,
    )
    assert first.startswith("sweep mixed: 1/2 run(s)"), first + rest
    assert rc == 130
    assert rest == "interrupted\n"
    assert "Traceback" not in first + rest
    # nothing half-written: no final table, every stored run complete, no temporary file
    names = {p.name for p in out.iterdir()}
    assert not names & FINAL
    for path in out.rglob("*"):
        # hidden files allowed: the lock and the marker that makes the folder a sweep folder
        assert (
            not path.name.startswith(".")
            or path.is_dir()
            or path.name in (".servicesim",)
            or path.name.endswith(".lock")
        ), path
    for path in (out / "runs").glob("*.parquet"):
        assert len(pd.read_parquet(path))


def test_ctrl_c_during_run_with_workers(tmp_path):
    # fault: Ctrl-C printed tracebacks; `run --workers` is new, and must stop as cleanly
    out = tmp_path / "out"
    rc, first, rest = interrupt_after_first_progress_line(
        [
            "run",
            str(slow_scenario(tmp_path)),
            "-r",
            "20",
            "--workers",
            "2",
            "--out",
            str(out),
            "--no-report",
        ],
        tmp_path,
    )
    assert first.startswith("run tiny-base: "), first + rest
    assert (rc, rest) == (130, "interrupted\n")
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_the_interrupted_sweep_resumes(tmp_path):
    out = tmp_path / "out"
    sweep = slow_sweep(tmp_path, replications=6)
    rc, _, _ = interrupt_after_first_progress_line(
        ["sweep", str(sweep), "--out", str(out), "--workers", "2", "--no-report"], tmp_path, lines=3
    )
    assert rc == 130
    assert 2 <= len(list((out / "runs").glob("*.parquet"))) < 12
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "simulation",
            "sweep",
            str(sweep),
            "--out",
            str(out),
            "--workers",
            "2",
            "--no-report",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert any(line.startswith("resumed: ") for line in proc.stdout.splitlines())
    assert len(pd.read_parquet(out / "replications.parquet")) == 12
