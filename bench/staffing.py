"""Staffing by time of day at national scale: a staffed national year against today's.

``python -m bench.staffing [--rounds N] [--days D] [--out FILE]`` runs
``configs/sweden/national.yaml`` (one replication with ``simulation.run``) as it is and with a
``staffing`` key on every office (one counter more for the first two hours of each opening
window, one fewer, at least one, for its last 90 minutes: four changes a day per office),
alternating round by round after an untimed warm-up round, and prints wall and CPU time,
visits per second and staffed hours. Staffing adds a few events per day per site, so the two
should take about the same time. ``make bench`` (``bench/run_bench.py``) runs it as its
``staffing`` section.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.scenarios import NATIONAL, scaled_document
from bench.timing import Load, LoadWatch


def _clock(minutes: float) -> str:
    return f"{int(minutes) // 60:02d}:{int(minutes) % 60:02d}"


def staffed_document(doc: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``doc`` whose offices staff +1 counter early and -1 late in every window."""
    from simulation.scenario.hours import parse_window

    out = copy.deepcopy(doc)
    for site in out["sites"]:
        if site["kind"] != "office" or not isinstance(site["opening_hours"], dict):
            continue
        n = site["counters"]
        staffing: dict[str, dict[str, int]] = {}
        for key, windows in site["opening_hours"].items():
            day: dict[str, int] = {}
            for text in windows:
                start, end = parse_window(text)
                if end - start < 240:
                    continue
                day[f"{_clock(start)}-{_clock(start + 120)}"] = n + 1
                day[f"{_clock(end - 90)}-{_clock(end)}"] = max(1, n - 1)
            if day:
                staffing[key] = day
        if staffing:
            site["staffing"] = staffing
    return out


def _measure(doc: dict[str, Any]) -> dict[str, float]:
    import simulation

    wall, cpu = time.perf_counter(), time.process_time()
    result = simulation.run(doc, replications=1, seed=1)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    visits = float(result.visits["start_min"].notna().sum())
    return {
        "wall": wall,
        "cpu": cpu,
        "visits": visits,
        "staff_hours": result.kpi("staff_hours_per_week")["mean"],
    }


STAFFED_CPU_RATIO_MAX = 1.2
"""Target of ``make bench``: a staffed national year costs at most 20 % more CPU than today's."""


@dataclass
class StaffingMeasurement:
    """Both designs' runs (wall, CPU, visits, staff hours), alternating, and the load."""

    days: int
    rounds: int
    rows: dict[str, list[dict[str, float]]]
    load: Load

    @property
    def ratio(self) -> float:
        """Median CPU time staffed / today."""
        return statistics.median(r["cpu"] for r in self.rows["staffed"]) / statistics.median(
            r["cpu"] for r in self.rows["today"]
        )


def measure_staffing(rounds: int, days: int | None) -> StaffingMeasurement:
    """Run the national scenario as it is and staffed, alternating, ``rounds`` times."""
    watch = LoadWatch()
    today = scaled_document(NATIONAL, 1.0, days)
    staffed = staffed_document(today)
    docs = {"today": today, "staffed": staffed}
    _measure(today)  # warm-up: imports, caches
    rows: dict[str, list[dict[str, float]]] = {k: [] for k in docs}
    for _ in range(rounds):
        for name, doc in docs.items():
            rows[name].append(_measure(doc))
    return StaffingMeasurement(today["calendar"]["days"], rounds, rows, watch.stop())


def staffing_lines(m: StaffingMeasurement) -> list[str]:
    """The section's text: the table of both designs and the CPU ratio."""
    lines = [
        f"National scenario, {m.days} days, one replication, {m.rounds} round(s) alternating "
        "(median wall and CPU time):",
        "",
        "| design | wall s | CPU s | visits started | visits / s | staffed counter-h / wk |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, runs in m.rows.items():
        wall = statistics.median(r["wall"] for r in runs)
        cpu = statistics.median(r["cpu"] for r in runs)
        visits = runs[0]["visits"]
        lines.append(
            f"| {name} | {wall:.1f} | {cpu:.1f} | {visits:,.0f} | {visits / wall:,.0f} | "
            f"{runs[0]['staff_hours']:,.0f} |"
        )
    return [*lines, "", f"staffed / today CPU time: {m.ratio:.2f}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--days", type=int, default=None, help="simulated days (default: 365)")
    parser.add_argument("--out", type=Path, default=None, help="also write the table here")
    args = parser.parse_args(argv)
    text = "\n".join(staffing_lines(measure_staffing(args.rounds, args.days)))
    print(text)
    if args.out is not None:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
