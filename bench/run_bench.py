"""Benchmark harness: servicesim against textbook SimPy and the exact recursion, and at scale.

Usage::

    python -m bench.run_bench                  # full benchmark, writes bench/RESULTS.md
    python -m bench.run_bench --quick          # small smoke version (prints only, unless --out)
    python -m bench.run_bench --rounds 7 --out /tmp/R.md
    python -m bench.run_bench --sections mm4,patience
    python -m bench.run_bench --profile        # cProfile of our engine path on M/M/4, then exit

Sections (see ``bench/README.md``):

``mm4``, ``patience``
    An M/M/4 queue at load 0.8 (3.2 arrivals/min, mean service 1 min, always open), about
    200,000 visitors, without and with exponential patience (mean 5 min). Inputs are drawn
    once; our engine path (``run_visitors``: engine plus visit table), the textbook SimPy
    model and the exact recursion consume the same arrays, and the full ``simulation.run``
    (sampling, engine, KPIs) is timed beside them. Contenders alternate round by round
    (ABCD ABCD ...) and medians are compared, so slow drifts of the machine hit all alike.
``scale``
    ``configs/sweden/national.yaml`` for one simulated year at 1x, 2x and 4x demand, each
    measurement in a fresh subprocess (wall time, peak RSS, visits per second).
``sweep``
    The default pilot sweep and a sweep of national runs with ``workers=1`` and ``workers=2``,
    and the default sweep on a local 2-process dask cluster, alternating; throughput ratios.
``staffing``
    The national year as it is and with a ``staffing`` key on every office (``bench/staffing.py``),
    alternating; CPU time staffed / today.

Targets are judged on ratios measured in the same process and run (``bench/targets.py``).
Measuring lives in ``bench/mm4.py``, ``bench/scale.py`` and ``bench/sweep_throughput.py``,
the verdicts in ``bench/targets.py``, the text of ``RESULTS.md`` in ``bench/report.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import sys
import time
from pathlib import Path

from bench.locality import LOCALITY_TITLE, locality_lines, locality_targets, measure_locality
from bench.machine import machine_facts
from bench.mm4 import measure_mm4
from bench.profile_engine import profile
from bench.report import (
    Report,
    machine_lines,
    mm4_section,
    scale_section,
    sweep_section,
    target_row,
)
from bench.scale import child_scale, measure_scale
from bench.scenarios import ROOT
from bench.staffing import STAFFED_CPU_RATIO_MAX, measure_staffing, staffing_lines
from bench.sweep_throughput import measure_sweeps
from bench.targets import Target, mm4_targets, scale_targets, sweep_targets

DEFAULT_OUT = ROOT / "bench" / "RESULTS.md"
SECTIONS = ("mm4", "patience", "scale", "locality", "sweep", "staffing")
STAFFING_TITLE = "Staffing by time of day: a staffed national year against today's"


def parser() -> argparse.ArgumentParser:
    """The command line of ``python -m bench.run_bench``."""
    p = argparse.ArgumentParser(
        prog="python -m bench.run_bench", description=(__doc__ or "").splitlines()[0]
    )
    p.add_argument("--quick", action="store_true", help="tiny sizes for a smoke test")
    p.add_argument(
        "--rounds", type=int, default=None, help="alternating rounds for M/M/4 (default 5; quick 2)"
    )
    p.add_argument(
        "--scale-rounds",
        type=int,
        default=None,
        help="rounds of the scale section (default 2; quick 1)",
    )
    p.add_argument(
        "--sweep-rounds",
        type=int,
        default=None,
        help="rounds of the sweep section (default 5; quick 1)",
    )
    p.add_argument(
        "--visitors", type=int, default=None, help="M/M/4 visitors (default 200000; quick 10000)"
    )
    p.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        help=f"comma-separated subset of {','.join(SECTIONS)}",
    )
    p.add_argument(
        "--out",
        default=None,
        help="results file (default bench/RESULTS.md; with --quick nothing is written unless given)",
    )
    p.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    p.add_argument(
        "--profile", action="store_true", help="print a cProfile of our model on M/M/4 and exit"
    )
    p.add_argument("--child-scale", default=None, help=argparse.SUPPRESS)
    return p


def run_sections(report: Report, args: argparse.Namespace, sections: list[str]) -> None:
    """Measure each chosen section, judge it and add it to ``report``, in the usual order."""
    visitors = args.visitors or (10_000 if args.quick else 200_000)
    rounds = args.rounds or (2 if args.quick else 5)
    for patience, name in ((False, "mm4"), (True, "patience")):
        if name in sections:
            mm4 = measure_mm4(visitors, rounds, patience=patience)
            mm4_section(report, mm4)
            report.targets += mm4_targets(mm4)
    if "scale" in sections:
        scale = measure_scale(args.scale_rounds or (1 if args.quick else 2), args.quick)
        scale_section(report, scale)
        report.targets += scale_targets(scale)
    if "locality" in sections:
        locality = measure_locality(1 if args.quick else args.scale_rounds or 2, args.quick)
        report.add(LOCALITY_TITLE, locality_lines(locality), locality.load)
        report.targets += locality_targets(locality)
    if "sweep" in sections:
        sweep = measure_sweeps(args.sweep_rounds or (1 if args.quick else 5), args.quick)
        sweep_section(report, sweep)
        report.targets += sweep_targets(sweep)
    if "staffing" in sections:
        staffing = measure_staffing(1 if args.quick else 2, 7 if args.quick else None)
        report.add(STAFFING_TITLE, staffing_lines(staffing), staffing.load)
        report.targets.append(
            Target(
                "staffing",
                "staffed / today CPU time",
                staffing.ratio,
                STAFFED_CPU_RATIO_MAX,
                True,
            )
        )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks; write the results file; 1 with ``--strict`` if a target fails."""
    cli = parser()
    args = cli.parse_args(argv)
    if args.child_scale is not None:
        print(json.dumps(child_scale(json.loads(args.child_scale))))
        return 0
    if args.profile:
        profile(args.visitors or (10_000 if args.quick else 200_000))
        return 0
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        cli.error(
            f"unknown section(s) {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}"
        )
    out = Path(args.out) if args.out else (None if args.quick else DEFAULT_OUT)

    given = sys.argv[1:] if argv is None else argv
    report = Report(args.quick, ("python -m bench.run_bench " + shlex.join(given)).rstrip())
    load = os.getloadavg()
    started = dt.datetime.now().astimezone()
    began = time.perf_counter()
    run_sections(report, args, sections)
    total = time.perf_counter() - began
    text = (
        report.markdown(machine_lines(machine_facts(load, started)))
        + f"\nTotal benchmark time: {total:.0f} s.\n"
    )
    print()
    print("\n".join(["targets:"] + ["  " + " | ".join(target_row(t)) for t in report.targets]))
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out}")
    failed = [t for t in report.targets if not t.passed and not t.skipped]
    return 1 if (args.strict and failed) else 0


if __name__ == "__main__":
    sys.exit(main())
