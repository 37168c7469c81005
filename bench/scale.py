"""Measuring scale: a real scenario at 1x, 2x and 4x demand, each run in a fresh process."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.scenarios import FALLBACK_SCALE, NATIONAL, ROOT, scaled_document
from bench.timing import Load, LoadWatch, Log, peak_rss_kib

FACTORS = (1, 2, 4)


@dataclass
class ScaleMeasurement:
    """What the scale section measured (``report.scale_section`` turns it into text)."""

    path: Path  # the scenario run
    national: bool  # whether the national scenario exists
    quick: bool
    rounds: int
    days: int
    results: dict[int, list[dict[str, Any]]]  # demand factor -> one ``child_scale`` per round
    failure: str | None
    load: Load

    @property
    def uses_national(self) -> bool:
        """Whether the national scenario was measured (not the fallback)."""
        return self.national and not self.quick


def child_scale(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one scaled scenario in this (fresh) process; measurements as a dict."""
    import simulation

    usage = resource.getrusage(resource.RUSAGE_SELF)
    rss_imports = peak_rss_kib()
    cpu0 = usage.ru_utime + usage.ru_stime
    began = time.perf_counter()
    doc = scaled_document(Path(spec["path"]), spec["factor"], spec.get("days"))
    result = simulation.run(doc, replications=1)
    wall = time.perf_counter() - began
    visits = result.visits
    served = int((visits["outcome"] == "served").sum())  # no string copy: it would count as peak
    return {
        "wall_s": wall,
        "cpu_s": (lambda u: u.ru_utime + u.ru_stime)(resource.getrusage(resource.RUSAGE_SELF))
        - cpu0,
        "replication_s": result.wall_seconds,
        "peak_rss_kib": peak_rss_kib(),
        "ru_maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "rss_after_imports_kib": rss_imports,
        "visits": len(visits),
        "served": served,
        "areas": len(doc["areas"]),
        "sites": len(doc["sites"]),
        "days": doc["calendar"]["days"],
    }


def run_child(spec: dict[str, Any], timeout: float) -> dict[str, Any]:
    """``child_scale(spec)`` in a fresh ``python -m bench.run_bench --child-scale`` process."""
    cmd = [sys.executable, "-m", "bench.run_bench", "--child-scale", json.dumps(spec)]
    proc = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        raise RuntimeError(f"child failed (exit {proc.returncode}): {tail}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure_scale(rounds: int, quick: bool, log: Log = print) -> ScaleMeasurement:
    """Run the national scenario (or the fallback) at each demand factor, ``rounds`` times.

    Parameters
    ----------
    rounds
        Rounds; each round runs every factor once, in a fresh process each.
    quick
        7 simulated days of the small fallback scenario instead of a year of the national one.
    log
        Progress lines.
    """
    watch = LoadWatch()
    days = 7 if quick else 365
    national = NATIONAL.exists()
    path = NATIONAL if national and not quick else FALLBACK_SCALE
    log(
        f"scale: {path.name} for {days} days at {FACTORS}× demand and counters, {rounds} round(s), fresh process each"
    )
    results: dict[int, list[dict[str, Any]]] = {f: [] for f in FACTORS}
    failure = None
    for r in range(rounds):
        for f in FACTORS:
            try:
                out = run_child({"path": str(path), "factor": f, "days": days}, timeout=3600)
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                failure = f"{f}× demand: {exc}"
                break
            results[f].append(out)
            log(
                f"  round {r + 1}/{rounds}: {f}× demand {out['wall_s']:.2f}s "
                f"(CPU {out['cpu_s']:.2f}s), "
                f"peak {out['peak_rss_kib'] / 1024:.0f} MiB, {out['visits']:,} visits"
            )
        if failure:
            break
    return ScaleMeasurement(path, national, quick, rounds, days, results, failure, watch.stop())
