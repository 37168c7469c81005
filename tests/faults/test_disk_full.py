"""Disk full (issue 12, rules 4 and 8): a write error names the path and the reason, exits 1,
and leaves the result folder as before (or detectably incomplete, refused by ``report``).

Today: ``error: No space left on device: `` (no path). The real-disk tests mount a small tmpfs
(root only; skipped elsewhere); the others inject ``OSError(ENOSPC)`` into the writers.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pandas as pd
import pytest

from simulation.cli.main import EXIT_BAD_INPUT
from simulation.results.files import WriteError, writing
from tests.faults.h1_helpers import (
    ROOT,
    TINY_BASE,
    cli,
    one_error_line,
    snapshot,
    sweep_doc,
    write_yaml,
)

ENOSPC = os.strerror(errno.ENOSPC)


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB tmpfs mounted at ``tmp_path / "disk"`` (skips when mounting is not permitted)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", f"servicesim-{uuid.uuid4().hex[:8]}", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    """Fill ``disk`` to the last byte; return the filler file."""
    filler = disk / "filler"
    with open(filler, "wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


def servicesim(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "simulation", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_sweep_on_a_full_disk_names_the_file_and_leaves_the_folder_as_before(tmp_path, small_disk):
    # fault: `error: No space left on device: ` named no file
    sweep = write_yaml(tmp_path / "s.yaml", sweep_doc())
    out = small_disk / "s"
    done = servicesim(
        "sweep", str(sweep), "-w", "1", "--out", str(out), "--no-report", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    before = snapshot(out)
    fill(small_disk)
    # more replications: new runs must be stored first, and there is no room for them
    done = servicesim(
        "sweep", str(sweep), "-w", "1", "--out", str(out), "-r", "3", "--no-report", cwd=tmp_path
    )
    assert done.returncode == 1
    one_error_line(done.stderr, f"error: cannot write {out}/")
    assert done.stderr.rstrip().endswith(f": {ENOSPC}")
    assert snapshot(out) == before  # nothing half-written is left behind
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "s"]
    assert servicesim("compare", str(out), cwd=tmp_path).returncode == 0


def test_final_tables_on_a_full_disk_leave_the_folder_as_before(tmp_path, small_disk):
    # fault: the final tables were written one by one: a full disk left a mixed folder
    sweep = write_yaml(tmp_path / "s.yaml", sweep_doc())
    out = small_disk / "s"
    assert (
        servicesim(
            "sweep", str(sweep), "-w", "1", "--out", str(out), "--no-report", cwd=tmp_path
        ).returncode
        == 0
    )
    before = snapshot(out)
    fill(small_disk)
    # every run is stored: only the final tables are rewritten (staged first), and do not fit
    done = servicesim(
        "sweep", str(sweep), "-w", "1", "--out", str(out), "--no-report", cwd=tmp_path
    )
    assert done.returncode == 1
    one_error_line(done.stderr, f"error: cannot write {out}")
    assert ENOSPC in done.stderr
    assert snapshot(out) == before
    assert servicesim("compare", str(out), cwd=tmp_path).returncode == 0


def test_run_on_a_full_disk_leaves_no_folder(tmp_path, small_disk):
    # fault: the message named no file
    fill(small_disk)
    out = small_disk / "r"
    done = servicesim(
        "run", str(TINY_BASE), "-r", "1", "--out", str(out), "--no-report", cwd=tmp_path
    )
    assert done.returncode == 1
    one_error_line(done.stderr, f"error: cannot write {out}")
    assert done.stderr.rstrip().endswith(ENOSPC)
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]


def test_injected_enospc_names_the_final_path(tmp_path, monkeypatch, capsys):
    # fault: today's message is `error: No space left on device: ` (or names a temporary file)
    def full(self, path, *args, **kwargs):
        raise OSError(errno.ENOSPC, ENOSPC)

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    out = tmp_path / "results" / "x"
    rc, _, err = cli(capsys, "run", str(TINY_BASE), "-r", "1", "--out", str(out), "--no-report")
    assert rc == 1
    one_error_line(err, f"error: cannot write {out / 'summary.csv'}: {ENOSPC}")
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == []


def test_pyarrow_style_error_without_errno_gets_its_reason():
    # fault: pyarrow's OSError carries its errno only in the message; the reason was lost
    with pytest.raises(WriteError) as caught, writing("results/x/kpis.parquet"):
        raise OSError("Error writing bytes to file. Detail: [errno 28] No space left on device")
    assert str(caught.value) == f"cannot write results/x/kpis.parquet: {ENOSPC}"
    assert caught.value.errno == errno.ENOSPC


def test_out_below_a_file_is_refused_with_its_path(tmp_path, capsys):
    # fault: a failure to create the folder printed `File exists: ` without saying which
    blocker = tmp_path / "blocker"
    blocker.write_text("", encoding="utf-8")
    out = blocker / "x"  # its parent is a file
    rc, _, err = cli(capsys, "run", str(TINY_BASE), "-r", "1", "--out", str(out), "--no-report")
    assert rc == EXIT_BAD_INPUT
    one_error_line(err, f"error: {out}: refusing to write here: {blocker} is a file, not a folder")
