"""Sweden at locality resolution: one simulated year of ``configs/sweden/national-2024.yaml``
(2,344 areas, 148 offices, ~3 M needs) in a fresh process, beside today's national figure."""

from __future__ import annotations

import statistics
import subprocess
from dataclasses import dataclass
from typing import Any

from bench.scale import run_child
from bench.scenarios import ROOT
from bench.targets import NATIONAL_GIB_MAX, NATIONAL_SECONDS_MAX, Target
from bench.timing import Load, LoadWatch, Log

LOCALITY = ROOT / "configs" / "sweden" / "national-2024.yaml"
LOCALITY_TITLE = "Sweden at locality resolution: one year"


@dataclass
class LocalityMeasurement:
    """What the locality section measured."""

    days: int
    results: list[dict[str, Any]]  # one ``child_scale`` per round
    failure: str | None
    load: Load


def measure_locality(rounds: int, quick: bool, log: Log = print) -> LocalityMeasurement:
    """Run the national locality scenario ``rounds`` times, each in a fresh process.

    Parameters
    ----------
    rounds
        How many runs.
    quick
        7 simulated days instead of a year.
    log
        Progress lines.
    """
    watch = LoadWatch()
    days = 7 if quick else 365
    log(f"locality: {LOCALITY.name} for {days} days, {rounds} round(s), fresh process each")
    results: list[dict[str, Any]] = []
    failure = None
    for r in range(rounds):
        try:
            out = run_child({"path": str(LOCALITY), "factor": 1, "days": days}, timeout=3600)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            failure = str(exc)
            break
        results.append(out)
        log(
            f"  round {r + 1}/{rounds}: {out['wall_s']:.2f}s (CPU {out['cpu_s']:.2f}s), "
            f"peak {out['peak_rss_kib'] / 1024:.0f} MiB, {out['visits']:,} visits"
        )
    return LocalityMeasurement(days, results, failure, watch.stop())


def locality_lines(m: LocalityMeasurement) -> list[str]:
    """The section's text: scenario size, then one row per round."""
    if m.failure or not m.results:
        return [f"**Locality measurement failed**: {m.failure}"]
    first = m.results[0]
    lines = [
        f"Scenario `{LOCALITY.relative_to(ROOT)}`: {first['areas']:,} areas, {first['sites']} sites, "
        f"{m.days} simulated days, one replication, run with `simulation.run` in a fresh process "
        "(as the scale section). Visits counts every attempt (first attempts and returns, A14).",
        "",
        "| round | visits | served | wall s | CPU s | peak RSS MiB |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for i, x in enumerate(m.results, 1):
        lines.append(
            f"| {i} | {x['visits']:,} | {x['served']:,} | {x['wall_s']:.1f} | {x['cpu_s']:.1f} "
            f"| {x['peak_rss_kib'] / 1024:,.0f} |"
        )
    return lines


def locality_targets(m: LocalityMeasurement) -> list[Target]:
    """Wall time and peak memory of the locality year against the national goals."""
    if m.failure or not m.results:
        return [Target("locality", "measurement ran", float("nan"), 1, False, note="failed")]
    wall = statistics.median(x["wall_s"] for x in m.results)
    cpu = statistics.median(x["cpu_s"] for x in m.results)
    gib = max(x["peak_rss_kib"] for x in m.results) / 1024**2
    skipped = m.days != 365
    return [
        Target(
            "locality",
            "locality year wall time",
            wall,
            NATIONAL_SECONDS_MAX,
            True,
            " s",
            note=f"CPU time {cpu:.1f} s" + (" (quick: 7 days)" if skipped else ""),
        ),
        Target("locality", "locality year peak memory", gib, NATIONAL_GIB_MAX, True, " GiB"),
    ]
