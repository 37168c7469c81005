"""The speed goals and their verdicts, judged on ratios measured in the same run."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from bench.mm4 import MM4Measurement
from bench.scale import FACTORS, ScaleMeasurement
from bench.scenarios import NATIONAL, ROOT
from bench.sweep_throughput import SweepMeasurement

TEXTBOOK_RATIO_MAX = {"mm4": 0.30, "patience": 0.25}  # full model time / textbook SimPy time
NATIONAL_SECONDS_MAX = 60.0
NATIONAL_GIB_MAX = 2.0
GROWTH_4X_MAX = 4.4  # time at 4x demand / time at 1x
SWEEP_MIN = {  # throughput with 2 workers (or a local 2-process dask cluster) / with 1
    "default": ("default sweep: 2-worker / 1-worker throughput", 1.8),
    "national": ("sweep of national runs: 2-worker / 1-worker throughput", 1.9),
    "dask": ("local dask, 2 workers / 1 worker throughput", 1.7),
}


@dataclass
class Target:
    """One goal: a measured figure against its threshold."""

    section: str
    name: str
    measured: float
    threshold: float
    lower_is_better: bool
    unit: str = ""
    note: str = ""
    skipped: bool = False

    @property
    def passed(self) -> bool:
        """Whether the measured figure meets the threshold (never when not measured)."""
        if math.isnan(self.measured):
            return False
        return (
            self.measured <= self.threshold
            if self.lower_is_better
            else self.measured >= self.threshold
        )

    @property
    def margin(self) -> float:
        """> 1: passes with this factor to spare; < 1: short by this factor."""
        if math.isnan(self.measured) or self.measured <= 0:
            return math.nan
        return (
            self.threshold / self.measured
            if self.lower_is_better
            else self.measured / self.threshold
        )


def mm4_targets(m: MM4Measurement) -> list[Target]:
    """Our engine path and the full model against textbook SimPy.

    The ratio to the exact recursion is reported in the section, not judged: the recursion
    schedules no events at all, and issue 18 keeps SimPy (a fixed multiple of it would mean
    leaving SimPy's event loop; see ``bench/README.md``)."""
    ours, textbook, _exact, full = m.contenders[:4]
    return [
        Target(
            m.section,
            "full simulation.run (sampling, choice, engine, records, KPIs) / textbook SimPy time",
            full.median / textbook.median,
            TEXTBOOK_RATIO_MAX[m.section],
            True,
        ),
        Target(
            m.section,
            "our model / textbook SimPy time",
            ours.median / textbook.median,
            TEXTBOOK_RATIO_MAX[m.section],
            True,
        ),
    ]


def scale_medians(m: ScaleMeasurement) -> tuple[dict[int, float], dict[int, float]]:
    """Median wall seconds and highest peak memory (GiB) per demand factor."""
    med = {f: statistics.median(x["wall_s"] for x in m.results[f]) for f in FACTORS}
    mem = {f: max(x["peak_rss_kib"] for x in m.results[f]) / 1024**2 for f in FACTORS}
    return med, mem


def scale_targets(m: ScaleMeasurement) -> list[Target]:
    """The national year's time and memory (skipped on the fallback) and demand growth."""
    if m.failure:
        return [Target("scale", "measurement ran", math.nan, 1, False, note="failed")]
    med, mem = scale_medians(m)
    targets = []
    if m.uses_national:
        cpu = statistics.median(x["cpu_s"] for x in m.results[1])
        targets += [
            Target(
                "scale",
                "national year wall time",
                med[1],
                NATIONAL_SECONDS_MAX,
                True,
                " s",
                note=f"CPU time {cpu:.1f} s",
            ),
            Target("scale", "national year peak memory", mem[1], NATIONAL_GIB_MAX, True, " GiB"),
        ]
    else:
        why = "quick run" if m.quick else f"{NATIONAL.relative_to(ROOT)} does not exist yet"
        for name, limit, unit in (
            ("national year wall time", NATIONAL_SECONDS_MAX, " s"),
            ("national year peak memory", NATIONAL_GIB_MAX, " GiB"),
        ):
            targets.append(
                Target("scale", name, math.nan, limit, True, unit, note=why, skipped=True)
            )
    note = "" if m.uses_national else "fallback scenario"
    targets.append(
        Target(
            "scale",
            "time at 4× demand and counters / 1×",
            med[4] / med[1],
            GROWTH_4X_MAX,
            True,
            note=note,
        )
    )
    return targets


def sweep_ratio(m: SweepMeasurement) -> float:
    """Throughput with 2 workers (or dask) over throughput with 1 (ratio of median times)."""
    return m.ratio("dask" if m.name == "dask" else "2")


def sweep_targets(measurements: list[SweepMeasurement]) -> list[Target]:
    """The 2-worker speed-ups: default sweep, national runs, local dask."""
    targets = []
    for m in measurements:
        name, threshold = SWEEP_MIN[m.name]
        note = "quick run" if "quick" in m.description else ""
        targets.append(Target("sweep", name, sweep_ratio(m), threshold, False, note=note))
    return targets
