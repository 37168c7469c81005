"""Helpers shared by the bad-input fault tests (h3): tiny documents and CLI runners."""

from __future__ import annotations

import copy
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from simulation.cli.main import main

DATA = Path(__file__).resolve().parents[1] / "data"
ROOT = Path(__file__).resolve().parents[2]

_TINY = yaml.safe_load((DATA / "tiny-base.yaml").read_text(encoding="utf-8"))


def tiny(**changes: Any) -> dict[str, Any]:
    """The tiny base scenario (two areas, one office, 14 days) as plain data, with top-level changes."""
    doc = copy.deepcopy(_TINY)
    doc.update(changes)
    return doc


def write_yaml(path: Path, doc: Any) -> Path:
    """Write ``doc`` as YAML to ``path`` and return the path."""
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def run_cli(capsys: Any, *argv: str) -> tuple[int, str, str]:
    """``servicesim ARGV`` in this process: exit status, stdout, stderr."""
    rc = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    # on today's code /dev/zero is read whole: fail with MemoryError instead of eating the machine
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


def run_subprocess(
    *argv: str, timeout: float = 60, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m simulation ARGV`` in a child with a timeout and a memory cap.

    A hang (e.g. opening a FIFO) raises :class:`subprocess.TimeoutExpired`, failing the test
    instead of hanging the suite.
    """
    path = os.pathsep.join(p for p in (os.environ.get("PYTHONPATH"), str(ROOT)) if p)
    full_env = {**os.environ, "PYTHONPATH": path, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "simulation", *[str(a) for a in argv]],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        cwd=cwd,
        preexec_fn=_limit_memory,
    )


def assert_one_error(rc: int, stderr: str, *fragments: str) -> str:
    """Exit status 2, exactly one ``error:`` line on stderr, no traceback, every fragment in it."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert rc == 2, stderr
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]
