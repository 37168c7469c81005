"""No process of servicesim's outlives its command: after a normal end, Ctrl-C, a dead
worker or a crash of the command itself (issue 18). Each command runs in a session of its
own, so every process it started (workers, forkserver, resource tracker) is in that session."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.faults.test_interrupt import slow_scenario, slow_sweep
from tests.faults.test_worker_death import pool_workers

GRACE_SECONDS = 10.0
"""How long the processes of an ended command may take to go (a worker checks its parent
every half second)."""


def _interruptible() -> None:
    """In the child before exec: Ctrl-C as at a terminal, even when the test process was
    started in the background (which ignores SIGINT, and children inherit that)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def session(sid: int) -> list[psutil.Process]:
    """The live processes of session ``sid``."""
    found = []
    for process in psutil.process_iter():
        try:
            if os.getsid(process.pid) == sid and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
        except (ProcessLookupError, psutil.NoSuchProcess, PermissionError):
            continue
    return found


def left_after(sid: int) -> list[str]:
    """The command lines of session ``sid``'s processes still alive after the grace time."""
    end = time.monotonic() + GRACE_SECONDS
    while time.monotonic() < end:
        alive = session(sid)
        if not alive:
            return []
        time.sleep(0.1)
    return [" ".join(p.cmdline()) for p in session(sid)]


def start(argv: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "simulation", *argv],
        cwd=cwd,
        env={**os.environ, "SERVICESIM_PROGRESS_SECONDS": "0"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_interruptible,
    )


@pytest.fixture
def commands():
    """Started commands; whatever is left of their sessions is killed at the end."""
    started: list[subprocess.Popen] = []
    yield started
    for proc in started:
        for process in session(proc.pid):
            process.kill()
        proc.communicate()


def sweep_argv(folder: Path, replications: int = 6) -> list[str]:
    return [
        "sweep",
        str(slow_sweep(folder, replications)),
        "--out",
        str(folder / "out"),
        "--workers",
        "2",
        "--no-report",
    ]


def run_argv(folder: Path) -> list[str]:
    return ["run", str(slow_scenario(folder)), "-r", "8", "--workers", "2", "--no-report"]


@pytest.mark.parametrize("kind", ["sweep", "run"])
def test_nothing_left_after_a_command_ends(tmp_path, commands, kind):
    proc = start(sweep_argv(tmp_path) if kind == "sweep" else run_argv(tmp_path), tmp_path)
    commands.append(proc)
    pool_workers(proc.pid)  # it did start workers
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert left_after(proc.pid) == []


def test_nothing_left_after_a_sweep_on_a_local_dask_cluster(tmp_path, commands):
    pytest.importorskip("distributed")
    proc = start([*sweep_argv(tmp_path, replications=2), "--executor", "dask"], tmp_path)
    commands.append(proc)
    _, stderr = proc.communicate(timeout=180)
    assert proc.returncode == 0, stderr
    assert left_after(proc.pid) == []


def test_nothing_left_after_ctrl_c(tmp_path, commands):
    proc = start(sweep_argv(tmp_path, replications=30), tmp_path)
    commands.append(proc)
    proc.stderr.readline()  # one run done
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C on a terminal reaches the whole group
    proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert left_after(proc.pid) == []


def test_nothing_left_after_the_command_crashes(tmp_path, commands):
    # the command itself dies (SIGKILL: no clean-up at all); its workers must end themselves
    proc = start(sweep_argv(tmp_path, replications=30), tmp_path)
    commands.append(proc)
    workers = pool_workers(proc.pid)
    proc.stderr.readline()
    proc.kill()
    proc.communicate(timeout=60)
    assert workers and left_after(proc.pid) == []


def test_nothing_left_after_a_worker_dies(tmp_path, commands):
    proc = start(sweep_argv(tmp_path, replications=30), tmp_path)
    commands.append(proc)
    proc.stderr.readline()
    pool_workers(proc.pid)[0].kill()
    proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert left_after(proc.pid) == []
