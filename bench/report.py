"""Writing ``bench/RESULTS.md`` from measurements: machine, targets and one section per family.

Nothing here measures or judges: every function takes the numbers a ``measure_*`` function
returned (and the ``Target`` verdicts of ``bench.targets``), so the report can be written, and
tested, from stored numbers.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

from bench.machine import Machine
from bench.mm4 import MM4Measurement
from bench.scale import FACTORS, ScaleMeasurement
from bench.scenarios import COUNTERS, LAMBDA_PER_MIN, NATIONAL, PATIENCE_MEAN, ROOT
from bench.sweep_throughput import SweepMeasurement
from bench.targets import Target, scale_medians, sweep_ratio
from bench.timing import Load

MM4_TITLE = "{label} at load 0.8"
SCALE_TITLE = "Scale and demand growth"
SWEEP_TITLE = "Sweep throughput"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(x) for x in row) + " |" for row in rows]
    return lines


def fmt_s(x: float) -> str:
    """Seconds with three decimals (one from 100 s on)."""
    return f"{x:.3f}" if x < 100 else f"{x:.1f}"


def target_row(t: Target) -> list[str]:
    """The row of ``t`` in the targets table: measured, threshold, verdict, margin."""
    op = "≤" if t.lower_is_better else "≥"
    if t.skipped:
        return [t.section, t.name, "—", f"{op} {t.threshold:g}{t.unit}", "SKIPPED", t.note]
    verdict = "PASS" if t.passed else "FAIL"
    m = t.margin
    if math.isnan(m):
        how = "n/a"
    elif m >= 1:
        how = f"{m:.2f}× to spare"
    else:
        how = f"short by {1 / m:.2f}×"
    return [
        t.section,
        t.name,
        f"{t.measured:.3g}{t.unit}",
        f"{op} {t.threshold:g}{t.unit}",
        f"**{verdict}**",
        how + (f" ({t.note})" if t.note else ""),
    ]


def machine_lines(m: Machine) -> list[str]:
    """The *Machine and software* list."""
    return [
        f"- Started: {m.started.isoformat(timespec='seconds')}",
        f"- CPU: {m.cpu}; {m.logical_cores} logical cores ({m.usable_cores} usable by this process)",
        f"- RAM: {m.ram}",
        f"- OS: {m.os}",
        f"- Python: {m.python}",
        f"- Packages: {', '.join(m.packages)}",
        f"- Git commit: {m.commit}",
        f"- Load average (1/5/15 min) at start: {'/'.join(f'{x:.2f}' for x in m.start_load)}, "
        f"at end: {'/'.join(f'{x:.2f}' for x in m.end_load)}",
    ]


def busy(load: Load, own: int = 1, stretch: float | None = None) -> bool:
    """Whether others used the machine during a section.

    ``own`` is how many cores the section itself keeps busy (it counts in the load average);
    ``stretch`` is median wall time over median CPU time of a single-process measurement
    (above 1 when the process waited for a core).
    """
    return max(load.start, load.end) > own + 1 or (stretch is not None and stretch > 1.15)


def load_note(load: Load, own: int = 1, stretch: float | None = None) -> str:
    """The closing paragraph of a section: the load, and a warning when the machine was busy."""
    note = (
        f"Load average (1 min) at the start and end of this section: {load.start:.2f} and "
        f"{load.end:.2f} on {load.cores} usable cores (this section itself keeps {own} busy)."
    )
    if stretch is not None:
        note += f" Median wall / CPU time of the measured process: {stretch:.2f}."
    if busy(load, own, stretch):
        note += (
            " **The machine was busy with other work**: wall times are inflated and noisy; "
            "compare the CPU times, and ratios of alternating rounds are only partly protected."
        )
    return note


@dataclass
class Report:
    """The results document: sections in the order added, and the targets table."""

    quick: bool
    command: str
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)  # sections run on a busy machine

    def add(
        self, title: str, lines: list[str], load: Load, own: int = 1, stretch: float | None = None
    ) -> None:
        """Add a section closed by its load note; flag it busy if others used the machine."""
        if busy(load, own, stretch):
            self.busy.append(title)
        self.sections.append((title, [*lines, "", load_note(load, own, stretch)]))

    def markdown(self, machine: list[str]) -> str:
        """The whole document (``machine``: ``machine_lines`` of the run)."""
        out = ["# servicesim benchmark results", ""]
        if self.quick:
            out += [
                "> **--quick run**: tiny sizes for smoke testing; the numbers and verdicts below "
                "are not meaningful.",
                "",
            ]
        out += [
            "Produced by `bench/run_bench.py` (see `bench/README.md`).",
            "",
            "## Machine and software",
            "",
        ]
        out += machine + ["", f"Command: `{self.command}`", ""]
        if self.busy:
            out += [
                f"> **Warning**: the machine was busy with other work (others kept more "
                f"than a core busy, or the measured process waited for a core) during: {', '.join(self.busy)}. Wall-time results there are "
                f"inflated; rerun on a quiet machine before relying on them.",
                "",
            ]
        out += ["## Targets", ""]
        out += table(
            ["section", "target", "measured", "threshold", "verdict", "margin"],
            [target_row(t) for t in self.targets],
        )
        out += [""]
        for title, lines in self.sections:
            out += [f"## {title}", ""] + lines + [""]
        return "\n".join(out).rstrip() + "\n"


def _mm4_rows(m: MM4Measurement) -> list[list[str]]:
    base = m.contenders[0].median
    rows = [
        [
            c.name,
            fmt_s(c.median),
            fmt_s(min(c.times)),
            fmt_s(max(c.times)),
            fmt_s(c.cpu_median),
            f"{m.visitors / c.median:,.0f}",
            f"{c.median / base:.3f}",
        ]
        for c in m.contenders
    ]
    if m.engine_times:
        em = statistics.median(m.engine_times)
        rows.insert(
            1,
            [
                "  of which Engine.run (info)",
                fmt_s(em),
                fmt_s(min(m.engine_times)),
                fmt_s(max(m.engine_times)),
                "",
                f"{m.visitors / em:,.0f}",
                f"{em / base:.3f}",
            ],
        )
    return rows


def mm4_section(report: Report, m: MM4Measurement) -> None:
    """Add an M/M/4 section: the race table, the ratios and the same-work check."""
    ours, text, exact, full = m.contenders[:4]
    peers = m.contenders[4:]
    per_round_tb = [a / b for a, b in zip(ours.times, text.times, strict=True)]
    per_round_ex = [a / b for a, b in zip(ours.times, exact.times, strict=True)]
    r_tb, r_ex = ours.median / text.median, ours.median / exact.median
    cpu_tb, cpu_ex = ours.cpu_median / text.cpu_median, ours.cpu_median / exact.cpu_median
    patience = f", exponential patience mean {PATIENCE_MEAN:g} min" if m.patience else ""
    lines = [
        f"{m.visitors:,} visitors (λ = {LAMBDA_PER_MIN}/min, mean service 1 min, {COUNTERS} counters, load 0.8, "
        f"always open{patience}); "
        f"inputs drawn once with `draw_visitors` and fed to every contender. "
        f"{m.rounds} alternating rounds after one warm-up round; times in seconds.",
        "",
    ]
    lines += table(
        ["contender", "median s", "min s", "max s", "median CPU s", "visitors/s", "time / ours"],
        _mm4_rows(m),
    )
    lines += [
        "",
        f"- our time / textbook SimPy: **{r_tb:.3f}** (ratio of medians; per round "
        f"{min(per_round_tb):.3f}–{max(per_round_tb):.3f}; in CPU time {cpu_tb:.3f}) "
        f"→ our model is {1 / r_tb:.2f}× faster",
        f"- our time / exact recursion: **{r_ex:.1f}** (per round {min(per_round_ex):.1f}–"
        f"{max(per_round_ex):.1f}; in CPU time {cpu_ex:.1f})",
        f"- full `simulation.run` (sampling + engine + visit table + site hours + KPIs) / engine path: "
        f"{full.median / ours.median:.2f}",
        *[
            f"- {peer.name} / textbook SimPy: **{peer.median / text.median:.2f}** (in CPU time "
            f"{peer.cpu_median / text.cpu_median:.2f}); our time / {peer.name}: "
            f"{ours.median / peer.median:.3f}"
            for peer in peers
        ],
        "",
        "Same-work check (starts compared with the exact recursion, outside the timed region; "
        f"the recursion serves {m.served_exact:,} before the horizon):",
        "",
    ]
    lines += table(
        ["contender", "visitors compared", "max |Δ start| min", "served/not-served mismatches"],
        [[c.name, f"{c.compared:,}", f"{c.worst:.2e}", str(c.mismatches)] for c in m.checks],
    )
    bad = [c.name for c in m.checks if c.worst > 1e-6 or c.mismatches > 0]
    if bad:
        lines += [
            "",
            f"**CHECK FAILED** for {', '.join(bad)}: the contenders did not do identical work.",
        ]
    if m.agreements:
        lines += [
            "",
            "Agreement in distribution with the exact recursion (batch means over consecutive "
            "groups of visitors, 99.9 % intervals of the paired difference; the Ciw model "
            "assigns service times in order of service start, so with patience its visitors "
            "differ one by one but not in distribution):",
            "",
        ]
        lines += table(
            [
                "contender",
                "mean wait min",
                "recursion's",
                "difference interval",
                "served",
                "recursion's",
                "share-served difference interval",
                "agrees",
            ],
            [
                [
                    a.name,
                    f"{a.mean_wait:.4f}",
                    f"{a.reference_wait:.4f}",
                    f"[{a.wait_interval[0]:.4f}, {a.wait_interval[1]:.4f}]",
                    f"{a.served:,}",
                    f"{a.reference_served:,}",
                    f"[{a.served_interval[0]:.5f}, {a.served_interval[1]:.5f}]",
                    "yes" if a.agrees else "**NO**",
                ]
                for a in m.agreements
            ],
        )
        if not all(a.agrees for a in m.agreements):
            lines += ["", "**CHECK FAILED**: a peer's results differ in distribution."]
    title = MM4_TITLE.format(label=m.label)
    report.add(title, lines, m.load, stretch=ours.median / ours.cpu_median)


def _scale_intro(m: ScaleMeasurement) -> tuple[str, list[str]]:
    """How the scenario is named, and the notes that open the section."""
    if m.uses_national:
        return f"`{m.path.relative_to(ROOT)}`", []
    what = f"`{m.path.relative_to(ROOT)}` (fallback)"
    if m.quick:
        return what, ["Quick run: the small fallback scenario stands in for the national one.", ""]
    return what, [
        f"**National section skipped: `{NATIONAL.relative_to(ROOT)}` does not exist yet.** "
        "The demand-growth measurement below uses the Norrköping example instead, "
        "which is far smaller than the national scenario; rerun when the national file exists.",
        "",
    ]


def _scale_rows(m: ScaleMeasurement) -> list[list[str]]:
    med, mem = scale_medians(m)
    mem_low = {f: min(x["peak_rss_kib"] for x in m.results[f]) / 1024**2 for f in FACTORS}
    rows = []
    for f in FACTORS:
        visits = m.results[f][0]["visits"]
        rows.append(
            [
                f"{f}×",
                f"{visits:,}",
                fmt_s(med[f]),
                fmt_s(min(x["wall_s"] for x in m.results[f])),
                fmt_s(statistics.median(x["cpu_s"] for x in m.results[f])),
                f"{visits / med[f]:,.0f}",
                f"{mem[f] * 1024:,.0f}" + (f" ({mem_low[f] * 1024:,.0f})" if m.rounds > 1 else ""),
                f"{med[f] / med[1]:.2f}",
                f"{mem[f] / mem[1]:.2f}",
            ]
        )
    return rows


def scale_section(report: Report, m: ScaleMeasurement) -> None:
    """Add the scale section: one row per demand factor (or the failure)."""
    what, lines = _scale_intro(m)
    if m.failure:
        lines += [f"**Scale measurement failed**: {m.failure}"]
        report.add(SCALE_TITLE, lines, m.load)
        return
    base_mem = min(x["rss_after_imports_kib"] for f in FACTORS for x in m.results[f]) / 1024**2
    first = m.results[1][0]
    lines += [
        f"Scenario {what}: {first['areas']} areas, {first['sites']} sites, {m.days} simulated days, "
        f"one replication, run with `simulation.run` (loading, compiling, sampling, engine, "
        f"visit table, site hours, KPIs). Each measurement in a fresh Python process; "
        f"peak memory is that process's high-water RSS (`VmHWM`; `ru_maxrss` would include the "
        f"parent's RSS at fork), the highest over the rounds (the interpreter with imports alone "
        f"takes {base_mem * 1024:.0f} MiB). {m.rounds} round(s), demand factors alternating; "
        "every site's counters grow with the demand, so the load stays the same (an overloaded "
        "year with return visits, A14, would multiply the attempts per need instead). "
        "CPU s is the child's user + system time: a wall time well above it means the process "
        "waited for a core (other work on the machine) or for memory.",
        "",
    ]
    lines += table(
        [
            "demand",
            "visits",
            "median wall s",
            "min wall s",
            "median CPU s",
            "visits/s",
            "peak RSS MiB (lowest round)" if m.rounds > 1 else "peak RSS MiB",
            "time / 1×",
            "memory / 1×",
        ],
        _scale_rows(m),
    )
    walls = [x["wall_s"] for f in FACTORS for x in m.results[f]]
    cpus = [x["cpu_s"] for f in FACTORS for x in m.results[f]]
    stretch = statistics.median(walls) / statistics.median(cpus)
    report.add(SCALE_TITLE, lines, m.load, stretch=stretch)


def sweep_section(report: Report, measurements: list[SweepMeasurement]) -> None:
    """Add the sweep section: times per executor and the throughput ratios."""
    lines = [
        "`run_sweep(..., out=None, progress=False)`, alternating round by round. `workers=1` runs "
        "in this process; `workers=2` starts its worker processes afresh in every call (forked "
        "from this process, fed batches sized from the measured run time; start and end "
        "included, as a command pays them); `dask` is a local cluster of 2 worker processes "
        "with servicesim's settings (`simulation/data/dask-workers.yaml`), started afresh for "
        "each dask round and warmed by a one-replication sweep (neither timed: a cluster "
        "outlives sweeps) and closed before the next 1-worker round, which so runs without the "
        "cluster's threads in this process. CPU s adds the local workers' CPU time to this process's (not dask's "
        "workers): about equal for 1 and 2 workers means the workers do no extra work, and a "
        "ratio below 2 on a busy machine comes from sharing the cores.",
        "",
    ]
    loads = []
    for m in measurements:
        labels = list(m.times)
        rows = [
            [
                label,
                fmt_s(m.median(label)),
                fmt_s(min(m.times[label])),
                fmt_s(max(m.times[label])),
                f"{m.runs / m.median(label):.2f}",
                f"{m.median('1') / m.median(label):.2f}",
                fmt_s(statistics.median(m.cpu[label])) if m.cpu.get(label) else "",
                m.plans.get(label, ""),
            ]
            for label in labels
        ]
        lines += [f"**{m.name}**: {m.description}; {m.rounds} round(s).", ""]
        lines += table(
            [
                "workers",
                "median s",
                "min s",
                "max s",
                "runs/s",
                "throughput / 1 worker",
                "median CPU s (local processes)",
                "executor",
            ],
            rows,
        )
        lines += ["", f"- throughput ratio: **{sweep_ratio(m):.2f}**", ""]
        if m.load is not None:
            loads.append(m.load)
    load = Load(loads[0].start, loads[-1].end, loads[0].cores) if loads else Load(0.0, 0.0, 0)
    report.add(SWEEP_TITLE, lines, load, own=2)
