"""Shared fixtures and hypothesis profiles."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from simulation.experiment import executors

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "configs" / "examples"

settings.register_profile("dev", max_examples=30, deadline=None)
settings.register_profile(
    "ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture
def pools(monkeypatch):
    """(Shared by the executor tests.) Every pool of worker processes started, by its number of workers.

    Pools fork from a single-threaded process, else come from a forkserver, whose start makes
    the executor run short tasks here instead. A test runner may keep a thread of its own
    (pytest-xdist's channel), so the pools of these tests always fork (the dask test, whose
    threads stay in the process, runs last in this file)."""
    monkeypatch.setattr(executors, "single_threaded", lambda: True)
    started: list[int] = []
    real = executors._pool

    def counting(workers: int):
        if workers not in executors._POOLS:
            started.append(workers)
        return real(workers)

    monkeypatch.setattr(executors, "_pool", counting)
    return started


@pytest.fixture(scope="module")
def serial_tiny(tmp_path_factory) -> Path:
    """The tiny sweep (``tests/data/tiny.sweep.yaml``) run serially into a folder, once per module."""
    from simulation.results.sweep_folder import run_sweep

    out = tmp_path_factory.mktemp("serial") / "out"
    result = run_sweep(
        Path(__file__).resolve().parent / "data" / "tiny.sweep.yaml", workers=1, out=out
    )
    assert not result.failures
    assert len(result.replications) == 3 * 2 * 3
    return out


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the tests marked ``slow`` first (a stable sort: the rest keep collection order).

    Only the order changes, never what runs. With ``--dist worksteal`` (pyproject addopts) the
    long statistical tests start at once on the two workers and the short ones fill in behind
    them, instead of a 30 s test starting last while the other worker sits idle. Every worker
    sorts the same collection the same way, as xdist requires.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
