"""The machine and software a benchmark ran on (``report.machine_lines`` writes them)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from bench.scenarios import ROOT
from bench.timing import usable_cores

PACKAGES = ("servicesim", "simpy", "numpy", "pandas", "scipy", "pydantic", "pyarrow")


@dataclass(frozen=True)
class Machine:
    """Facts about the run's machine, collected when the benchmark ends."""

    started: dt.datetime
    cpu: str
    logical_cores: int | None
    usable_cores: int
    ram: str
    os: str
    python: str
    packages: tuple[str, ...]  # "name version"
    commit: str
    start_load: tuple[float, float, float]
    end_load: tuple[float, float, float]


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown"


def _ram() -> str:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    return "unknown"


def _versions() -> tuple[str, ...]:
    versions = []
    for pkg in PACKAGES:
        try:
            versions.append(f"{pkg} {metadata.version(pkg)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{pkg} (not installed)")
    return tuple(versions)


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=5, check=False
    ).stdout.strip()


def _commit() -> str:
    commit = "unknown"
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        head = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "--", "simulation")
        if head:
            commit = head + (" (simulation/ has uncommitted changes)" if dirty else "")
    return commit


def machine_facts(started_load: tuple[float, float, float], started: dt.datetime) -> Machine:
    """Collect the machine, the versions, the commit and the load at the end of the run."""
    cpu, ram, usable, versions, commit = (
        _cpu_model(),
        _ram(),
        usable_cores(),
        _versions(),
        _commit(),
    )
    return Machine(
        started=started,
        cpu=cpu,
        logical_cores=os.cpu_count(),
        usable_cores=usable,
        ram=ram,
        os=platform.platform(),
        python=f"{platform.python_implementation()} {platform.python_version()}",
        packages=versions,
        commit=commit,
        start_load=started_load,
        end_load=os.getloadavg(),
    )
