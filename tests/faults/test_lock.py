"""One writer at a time (issue 12, rule 3): a lock on each result folder.

Today two sweeps into one folder at once mix their files, and nothing says so. Now the second
command exits 2 naming the holder, and the lock of a killed process is taken over.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from simulation.cli.main import EXIT_BAD_INPUT
from simulation.results.lock import hold_folder, lock_path
from tests.faults.h1_helpers import ROOT, TINY, cli, one_error_line, snapshot, sweep_doc, write_yaml

HOLD = """
import sys, time
from simulation.results.lock import hold_folder
with hold_folder(sys.argv[1]):
    print("held", flush=True)
    time.sleep(120)
"""


def start_holder(folder: Path) -> subprocess.Popen[str]:
    """A process that holds the lock on ``folder`` until killed."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(folder)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "held", proc.stderr.read() if proc.stderr else ""
    return proc


def test_second_command_on_a_locked_folder_exits_2_naming_the_holder(tmp_path, capsys):
    # fault: a second sweep into the same folder ran alongside the first and mixed their files
    out = tmp_path / "s"
    holder = start_holder(out)
    try:
        held = json.loads(lock_path(out).read_text(encoding="utf-8"))
        assert held["pid"] == holder.pid
        before = snapshot(tmp_path)
        for argv in (
            ["sweep", str(TINY), "-w", "1", "--out", str(out)],
            ["run", str(TINY), "-w", "1", "--out", str(out)],
        ):
            rc, stdout, err = cli(capsys, *argv)
            assert rc == EXIT_BAD_INPUT
            one_error_line(err, f"error: {out}: in use by pid {holder.pid} on ")
            assert "python -c" in err and "since 20" in err and "wait for it to finish" in err
        assert snapshot(tmp_path) == before  # nothing written, the holder's lock file intact
    finally:
        holder.kill()
        holder.wait(timeout=10)


def test_stale_lock_of_a_killed_process_is_taken_over(tmp_path, capsys):
    # fault: (new lock) a lock left by a process killed with -9 must not block the folder forever
    out = tmp_path / "s"
    holder = start_holder(out)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)
    assert lock_path(out).exists()  # the dead holder's lock file is still there
    sweep = write_yaml(tmp_path / "s.yaml", sweep_doc())
    rc, _, err = cli(capsys, "sweep", str(sweep), "-w", "1", "--out", str(out), "--no-report")
    assert rc == 0, err
    assert not lock_path(out).exists()  # taken over, and removed when the sweep ended
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s", "s.yaml"]


def test_report_refuses_a_held_folder(tmp_path, capsys):
    # fault: `report` drew figures from a folder a sweep was rewriting
    out = tmp_path / "s"
    sweep = write_yaml(tmp_path / "s.yaml", sweep_doc())
    assert cli(capsys, "sweep", str(sweep), "-w", "1", "--out", str(out), "--no-report")[0] == 0
    holder = start_holder(out)
    try:
        rc, _, err = cli(capsys, "report", str(out))
        assert rc == EXIT_BAD_INPUT
        one_error_line(err, f"error: {out}: in use by pid {holder.pid}")
        assert not (out / "report.html").exists()
    finally:
        holder.kill()
        holder.wait(timeout=10)
    rc, _, err = cli(capsys, "report", str(out))
    assert rc == 0, err


def test_concurrent_second_sweep_is_refused_while_the_first_runs(tmp_path, capsys):
    # fault: two real sweeps into one folder at once; the second now exits 2 at once and the
    # first finishes with tables of its own runs only
    out = tmp_path / "s"
    doc = sweep_doc(replications=40)  # 80 runs: a few seconds on one worker
    sweep = write_yaml(tmp_path / "s.yaml", doc)
    first = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simulation",
            "sweep",
            str(sweep),
            "-w",
            "1",
            "--out",
            str(out),
            "--no-report",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (lock_path(out).exists() and lock_path(out).read_text(encoding="utf-8").strip()):
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the first sweep never took the lock"
            time.sleep(0.02)
        other = write_yaml(tmp_path / "other.yaml", sweep_doc(seed=99, replications=2))
        rc, _, err = cli(capsys, "sweep", str(other), "-w", "1", "--out", str(out), "--no-report")
        if first.poll() is None or rc == EXIT_BAD_INPUT:  # (a very fast first sweep may be done)
            assert rc == EXIT_BAD_INPUT
            one_error_line(err, f"error: {out}: in use by pid {first.pid} on ")
            assert "servicesim sweep" in err
        stdout, stderr = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["seed"], manifest["replications"], manifest["runs"]) == (5, 40, 80)
    assert len(list((out / "runs").iterdir())) == 80
    assert len(pd.read_parquet(out / "replications.parquet")) == 80
    assert not lock_path(out).exists()


def test_lock_is_reentrant_within_a_process_and_removed_after(tmp_path):
    # fault: (new lock) the CLI holds the folder for the whole command and calls library
    # functions that take the same lock: they must not refuse their own command
    out = tmp_path / "r"
    with hold_folder(out), hold_folder(out):
        assert lock_path(out).exists()
    assert not lock_path(out).exists()
    assert list(tmp_path.iterdir()) == []
