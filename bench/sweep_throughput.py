"""Measuring sweep throughput: the same 16-run sweep with one worker and with two."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from bench.scenarios import mm4_scenario
from bench.timing import Load, LoadWatch, Log, time_once

WORKERS = (1, 2)


@dataclass
class SweepMeasurement:
    """What the sweep section measured (``report.sweep_section`` turns it into text)."""

    days: int
    replications: int
    rounds: int
    times: dict[int, list[float]]  # workers -> wall seconds per round
    load: Load

    @property
    def runs(self) -> int:
        """Runs per sweep: two designs times the replications."""
        return 2 * self.replications


def sweep_document(days: int, replications: int) -> dict[str, Any]:
    """An inline sweep: the M/M/4 with four counters against five."""
    return {
        "name": "bench-sweep",
        "scenario": mm4_scenario(days),
        "designs": {"four": {}, "five": {"set": {"sites.s.counters": 5}}},
        "replications": replications,
        "seed": 7,
        "kpis": ["wait_mean"],
    }


def measure_sweep(rounds: int, quick: bool, log: Log = print) -> SweepMeasurement:
    """Time ``run_sweep`` with ``workers=1`` and ``workers=2``, alternating, ``rounds`` times."""
    watch = LoadWatch()
    from simulation.results.sweep_folder import run_sweep

    days = 1 if quick else 25
    reps = 2 if quick else 8
    sweep = sweep_document(days, reps)
    log(f"sweep: {2 * reps} runs of an M/M/4 over {days} day(s), workers 1 vs 2, {rounds} round(s)")
    # one untimed serial run so imports and caches are warm in this process
    run_sweep({**sweep, "replications": 1}, workers=1, out=None, progress=False)
    times: dict[int, list[float]] = {w: [] for w in WORKERS}
    for r in range(rounds):
        for w in WORKERS:
            seconds, _, result = time_once(
                partial(run_sweep, sweep, workers=w, out=None, progress=False)
            )
            if result.failures:
                raise RuntimeError(f"sweep runs failed: {result.failures[0][3]}")
            times[w].append(seconds)
        log(
            f"  round {r + 1}/{rounds}: workers=1 {times[1][-1]:.2f}s, workers=2 {times[2][-1]:.2f}s"
        )
    return SweepMeasurement(days, reps, rounds, times, watch.stop())
