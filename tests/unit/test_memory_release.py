"""Freed heap memory goes back to the system after the big steps of a large run."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from simulation.engine.memory import LARGE_RUN_ROWS, _trim, release_freed_memory


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not sys.platform.startswith("linux") or _trim() is None, reason="glibc only")
def test_freed_small_pieces_are_returned_for_a_large_run() -> None:
    pieces = [np.ones(256) for _ in range(100_000)]  # ~200 MiB of heap in 2 KiB pieces
    kept = pieces[::16]  # fragmentation: the heap cannot shrink from its top alone
    del pieces
    before = _rss_mib()
    release_freed_memory(LARGE_RUN_ROWS - 1)  # a small run: nothing happens
    assert _rss_mib() > before - 20
    release_freed_memory(LARGE_RUN_ROWS)
    assert _rss_mib() < before - 100
    assert len(kept) == 6250
