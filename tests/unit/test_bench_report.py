"""bench/ split into measuring and reporting (issue 13, item 3).

Fault covered: ``bench/run_bench.py`` measured and formatted in the same functions, so the
report could not be written (or checked) without running the benchmark. Now ``bench.mm4``,
``bench.scale`` and ``bench.sweep_throughput`` return measurements, ``bench.targets`` judges
them and ``bench.report`` writes ``RESULTS.md`` from stored numbers alone.
"""

from __future__ import annotations

import datetime as dt

from bench import report as bench_report
from bench.machine import Machine
from bench.mm4 import MM4Measurement, SameWork, measure_mm4
from bench.scale import ScaleMeasurement
from bench.scenarios import FALLBACK_SCALE
from bench.sweep_throughput import SweepMeasurement
from bench.targets import mm4_targets, scale_targets, sweep_targets
from bench.timing import Load, Timings

QUIET = Load(0.2, 0.3, 2)


def _mm4() -> MM4Measurement:
    return MM4Measurement(
        patience=False,
        visitors=1000,
        rounds=2,
        contenders=[
            Timings("servicesim run_visitors", [0.5, 0.5], [0.5, 0.5]),
            Timings("textbook SimPy", [2.0, 2.0], [2.0, 2.0]),
            Timings("exact recursion", [0.05, 0.05], [0.05, 0.05]),
            Timings("servicesim simulation.run", [0.75, 0.75], [0.75, 0.75]),
        ],
        engine_times=[0.4, 0.4],
        checks=[SameWork("servicesim run_visitors", 1000, 0.0, 0)],
        served_exact=1000,
        load=QUIET,
    )


def _child(wall: float) -> dict[str, float]:
    return {
        "wall_s": wall,
        "cpu_s": wall,
        "peak_rss_kib": 200 * 1024,
        "rss_after_imports_kib": 100 * 1024,
        "visits": 1000,
        "areas": 3,
        "sites": 1,
    }


def test_report_is_written_from_stored_numbers():
    report = bench_report.Report(quick=True, command="python -m bench.run_bench --quick")
    mm4 = _mm4()
    bench_report.mm4_section(report, mm4)
    report.targets += mm4_targets(mm4)
    scale = ScaleMeasurement(
        FALLBACK_SCALE,
        national=True,
        quick=True,
        rounds=1,
        days=7,
        results={1: [_child(1.0)], 2: [_child(2.0)], 4: [_child(4.0)]},
        failure=None,
        load=QUIET,
    )
    bench_report.scale_section(report, scale)
    report.targets += scale_targets(scale)
    sweep = SweepMeasurement(
        "default", "the default pilot sweep", runs=2, rounds=1, times={"1": [4.0], "2": [2.0]}
    )
    sweep.load = QUIET
    bench_report.sweep_section(report, [sweep])
    report.targets += sweep_targets([sweep])
    machine = Machine(
        dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        "cpu",
        2,
        2,
        "1 GiB",
        "os",
        "py",
        ("simpy 4",),
        "abc",
        (0.1, 0.1, 0.1),
        (0.2, 0.2, 0.2),
    )
    text = report.markdown(bench_report.machine_lines(machine))
    for heading in (
        "## Targets",
        "## M/M/4 at load 0.8",
        "## Scale and demand growth",
        "## Sweep throughput",
    ):
        assert heading in text
    assert "| servicesim run_visitors | 0.500 | 0.500 | 0.500 | 0.500 | 2,000 | 1.000 |" in text
    assert "| mm4 | our model / textbook SimPy time | 0.25 | ≤ 0.3 | **PASS** |" in text
    assert "exact recursion time |" not in text  # reported in its section, not a target
    assert "| scale | time at 4× demand and counters / 1× | 4 | ≤ 4.4 | **PASS** |" in text
    assert (
        "| sweep | default sweep: 2-worker / 1-worker throughput | 2 | ≥ 1.8 | **PASS** |" in text
    )
    assert "Quick run: the small fallback scenario stands in" in text
    assert "busy with other work" not in text


def test_busy_machine_is_flagged_from_the_stored_load():
    report = bench_report.Report(quick=False, command="x")
    busy = _mm4()
    busy.load = Load(3.5, 3.0, 2)
    bench_report.mm4_section(report, busy)
    assert report.busy == ["M/M/4 at load 0.8"]
    assert "**Warning**: the machine was busy" in report.markdown([])


def test_measuring_the_mm4_race_on_a_tiny_case():
    m = measure_mm4(visitors=500, rounds=1, patience=True, log=lambda _: None)
    assert [c.name for c in m.contenders][:3] == [
        "servicesim run_visitors",
        "textbook SimPy",
        "exact recursion",
    ]
    assert all(len(c.times) == 1 for c in m.contenders)
    assert all(check.mismatches == 0 and check.worst < 1e-6 for check in m.checks)
    assert m.visitors > 0 and m.section == "patience"
