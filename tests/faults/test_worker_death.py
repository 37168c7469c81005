"""A worker process that dies gives one summarised error, and a rerun resumes (issue 12, rule 10)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

from tests.faults.test_interrupt import slow_scenario, slow_sweep

DIED = "error: a worker process died; {} run(s) not finished; rerun to resume"


def pool_workers(parent: int, timeout: float = 60) -> list[psutil.Process]:
    """The pool's worker processes: forked from ``parent`` (same command line), or children
    of the forkserver that ``parent`` started (a multi-threaded parent)."""
    end = time.monotonic() + timeout
    command = psutil.Process(parent).cmdline()
    while time.monotonic() < end:
        children = psutil.Process(parent).children()
        forked = [child for child in children if child.cmdline() == command]
        if forked:
            return forked
        for child in children:
            if "forkserver" in " ".join(child.cmdline()) and child.children():
                return child.children()
        time.sleep(0.05)
    raise AssertionError("no pool workers appeared")


def start(argv: list[str], cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "SERVICESIM_PROGRESS_SECONDS": "0"}
    return subprocess.Popen(
        [sys.executable, "-m", "simulation", *argv],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


@pytest.fixture
def processes():
    """Started commands; any still running at the end (a hang) are killed with their group."""
    started: list[subprocess.Popen] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


def kill_one_worker_after_first_run(proc: subprocess.Popen) -> str:
    """SIGKILL one pool worker once the first run is done; return stderr up to then."""
    first = proc.stderr.readline()  # the first progress line: one run is done
    pool_workers(proc.pid)[0].kill()
    return first


def test_killed_worker_gives_one_summarised_error_and_rerun_resumes(tmp_path, processes):
    # fault: killing one worker printed one error line per outstanding run (309 lines)
    out = tmp_path / "out"
    argv = ["sweep", str(slow_sweep(tmp_path)), "--out", str(out), "--workers", "2", "--no-report"]
    proc = start(argv, tmp_path)
    processes.append(proc)
    first = kill_one_worker_after_first_run(proc)
    stdout, stderr = proc.communicate(timeout=120)
    assert first.startswith("sweep slow: ")
    assert proc.returncode == 1
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if not line.startswith("sweep slow: ")]
    assert len(errors) == 1, errors
    lost = int(errors[0].split("; ")[1].split()[0])
    assert errors[0] == DIED.format(lost)
    assert 1 <= lost < 60
    # the rerun resumes: the finished runs come from the store, the lost ones run now
    rerun = subprocess.run(
        [sys.executable, "-m", "simulation", *argv, "--quiet"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert f"resumed: {60 - lost} run(s) taken from {out / 'runs'}/" in rerun.stdout.splitlines()
    wide = pd.read_parquet(out / "replications.parquet")
    assert len(wide) == 60 and wide.notna().all().all()


def test_killed_worker_during_run_with_workers(tmp_path, processes):
    # `run --workers`: one line naming what was lost, exit 1, no traceback
    out = tmp_path / "out"
    proc = start(
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
    processes.append(proc)
    kill_one_worker_after_first_run(proc)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 1
    errors = [line for line in stderr.splitlines() if not line.startswith("run tiny-base: ")]
    assert len(errors) == 1, errors
    assert errors[0].startswith("error: a worker process died; ")
    assert errors[0].endswith(" replication(s) not finished; run the same command again")
    assert not out.exists()


@pytest.mark.parametrize("outstanding", [3])
def test_run_local_yields_each_lost_task_once(outstanding, monkeypatch):
    # unit level: after a broken pool every task is yielded exactly once
    from simulation.experiment import executors
    from simulation.experiment.executors import died, run_local

    # workers forked from this process (a test runner's thread would send them to the
    # forkserver, and these short tasks to the serial path, where there is no pool to break)
    monkeypatch.setattr(executors, "single_threaded", lambda: True)

    tasks = list(range(outstanding + 3))
    seen = [task for task, outcome in run_local(_kill_self_on_two, tasks, 2)]
    assert sorted(seen) == tasks
    outcomes = dict(run_local(_kill_self_on_two, tasks, 2))
    assert died(outcomes[2])


def _kill_self_on_two(task: int) -> dict:
    if task == 2:
        if multiprocessing.parent_process() is None:  # never the test process itself
            raise RuntimeError("task 2 ran in the test process, not in a worker")
        os._exit(9)  # like SIGKILL: no cleanup, the pool breaks
    time.sleep(0.05)
    return {"value": task}
