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
    A 16-run sweep with ``workers=1`` and ``workers=2``, alternating; throughput ratio.

Targets are judged on ratios measured in the same process and run (see ``TARGETS``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import json
import math
import os
import platform
import resource
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
NATIONAL = ROOT / "configs" / "sweden" / "national.yaml"
FALLBACK_SCALE = ROOT / "configs" / "examples" / "norrkoping-fixed.yaml"
DEFAULT_OUT = ROOT / "bench" / "RESULTS.md"
SECTIONS = ("mm4", "patience", "scale", "sweep")

LAMBDA_PER_MIN = 3.2
COUNTERS = 4
PATIENCE_MEAN = 5.0
LOCATION = {"lat": 59.0, "lon": 18.0}

# Target thresholds (ratios are measured in the same run).
TEXTBOOK_RATIO_MAX = 0.33  # our time / textbook SimPy time
EXACT_RATIO_MAX = 12.0  # our time / exact recursion time
NATIONAL_SECONDS_MAX = 60.0
NATIONAL_GIB_MAX = 2.0
GROWTH_4X_MAX = 4.4  # time at 4x demand / time at 1x
WORKERS_2_MIN = 1.8  # throughput with 2 workers / with 1


# -- scenarios -------------------------------------------------------------------------------


def mm4_scenario(days: int, patience_mean: float | None = None, seed: int = 1) -> dict[str, Any]:
    """The theory-mmc scenario: M/M/4 at load 0.8, always open, travel 0, optional patience."""
    patience: Any = (
        "none" if patience_mean is None else {"dist": "exponential", "mean": patience_mean}
    )
    return {
        "name": "bench-mm4" + ("-patience" if patience_mean is not None else ""),
        "calendar": {"start": "2023-01-02", "days": days, "warmup_days": 0},
        "seed": seed,
        "errands": [
            {"id": "any", "share": 1.0, "service_minutes": {"dist": "exponential", "mean": 1.0}}
        ],
        "demand_profile": "flat",
        "areas": [
            {
                "id": "a",
                "population": 1,
                "location": LOCATION,
                "demand": {"per_hour": LAMBDA_PER_MIN * 60.0},
            }
        ],
        "sites": [
            {
                "id": "s",
                "kind": "office",
                "location": LOCATION,
                "counters": COUNTERS,
                "opening_hours": "always",
            }
        ],
        "behaviour": {
            "patience_minutes": patience,
            "balk_queue_length": "none",
            "max_deferral_days": 0,
        },
    }


def days_for(visitors: int) -> int:
    """Days of the M/M/4 scenario that give about ``visitors`` arrivals."""
    return max(1, round(visitors / (LAMBDA_PER_MIN * 1440.0)))


def scaled_document(path: Path, factor: float, days: int | None) -> dict[str, Any]:
    """The resolved scenario at ``path`` with every area's demand times ``factor``."""
    from simulation.loading import load_scenario

    doc = load_scenario(path).to_dict()
    for area in doc["areas"]:
        demand = area["demand"]
        for key in ("per_1000_per_year", "per_year", "per_hour"):
            if demand.get(key) is not None:
                demand[key] = demand[key] * factor
    if days is not None:
        cal = doc["calendar"]
        cal["days"] = days
        cal["warmup_days"] = min(cal.get("warmup_days") or 0, days - 1)
    return doc


# -- timing ----------------------------------------------------------------------------------


@dataclass
class Contender:
    name: str
    func: Callable[[], Any]
    times: list[float] = field(default_factory=list)  # wall seconds
    cpu: list[float] = field(default_factory=list)  # CPU seconds of this process
    last: Any = None

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)


@contextlib.contextmanager
def engine_timer() -> Iterator[list[float]]:
    """Record how long ``Engine.run`` takes inside ``run_visitors`` (empty if not found)."""
    import simulation.replication as rep

    spent: list[float] = []
    original = getattr(rep, "Engine", None)
    if original is None or not hasattr(original, "run"):
        yield spent
        return

    class TimedEngine(original):  # type: ignore[misc, valid-type]
        def run(self, *args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return super().run(*args, **kwargs)
            finally:
                spent.append(time.perf_counter() - began)

    rep.Engine = TimedEngine
    try:
        yield spent
    finally:
        rep.Engine = original


def time_once(func: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall and CPU seconds of one call, and its result."""
    gc.collect()
    cpu = time.process_time()
    began = time.perf_counter()
    out = func()
    return time.perf_counter() - began, time.process_time() - cpu, out


def alternate(contenders: list[Contender], rounds: int, warmup: bool = True, log=print) -> None:
    """Run contenders ABC ABC ... for ``rounds`` rounds (after one untimed warm-up round)."""
    if warmup:
        for c in contenders:
            c.func()
    for r in range(rounds):
        for c in contenders:
            seconds, cpu, c.last = time_once(c.func)
            c.times.append(seconds)
            c.cpu.append(cpu)
        log(
            f"  round {r + 1}/{rounds}: "
            + ", ".join(f"{c.name} {c.times[-1]:.3f}s" for c in contenders)
        )


# -- results ---------------------------------------------------------------------------------


@dataclass
class Target:
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

    def row(self) -> list[str]:
        op = "≤" if self.lower_is_better else "≥"
        if self.skipped:
            return [
                self.section,
                self.name,
                "—",
                f"{op} {self.threshold:g}{self.unit}",
                "SKIPPED",
                self.note,
            ]
        verdict = "PASS" if self.passed else "FAIL"
        m = self.margin
        if math.isnan(m):
            how = "n/a"
        elif m >= 1:
            how = f"{m:.2f}× to spare"
        else:
            how = f"short by {1 / m:.2f}×"
        return [
            self.section,
            self.name,
            f"{self.measured:.3g}{self.unit}",
            f"{op} {self.threshold:g}{self.unit}",
            f"**{verdict}**",
            how + (f" ({self.note})" if self.note else ""),
        ]


@dataclass
class Report:
    quick: bool
    command: str
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)  # sections run on a busy machine
    _load: float = 0.0

    def begin(self) -> None:
        """Note the load average as a section starts."""
        self._load = os.getloadavg()[0]

    def add(self, title: str, lines: list[str], own: int = 1, stretch: float | None = None) -> None:
        """Add a section; flag it busy if others used the machine.

        ``own`` is how many cores the section itself keeps busy (it counts in the load
        average); ``stretch`` is median wall time over median CPU time of a single-process
        measurement (above 1 when the process waited for a core).
        """
        end = os.getloadavg()[0]
        cores = usable_cores()
        note = (
            f"Load average (1 min) at the start and end of this section: {self._load:.2f} and "
            f"{end:.2f} on {cores} usable cores (this section itself keeps {own} busy)."
        )
        if stretch is not None:
            note += f" Median wall / CPU time of the measured process: {stretch:.2f}."
        if max(self._load, end) > own + 1 or (stretch is not None and stretch > 1.15):
            self.busy.append(title)
            note += (
                " **The machine was busy with other work**: wall times are inflated and noisy; "
                "compare the CPU times, and ratios of alternating rounds are only partly protected."
            )
        self.sections.append((title, [*lines, "", note]))

    def markdown(self, machine: list[str]) -> str:
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
            [t.row() for t in self.targets],
        )
        out += [""]
        for title, lines in self.sections:
            out += [f"## {title}", ""] + lines + [""]
        return "\n".join(out).rstrip() + "\n"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(x) for x in row) + " |" for row in rows]
    return lines


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def machine_info(started_load: tuple[float, float, float], started: dt.datetime) -> list[str]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "unknown"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    usable = usable_cores()
    versions = []
    for pkg in ("servicesim", "simpy", "numpy", "pandas", "scipy", "pydantic", "pyarrow"):
        try:
            versions.append(f"{pkg} {metadata.version(pkg)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{pkg} (not installed)")
    commit = "unknown"
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "simulation"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
        if head:
            commit = head + (" (simulation/ has uncommitted changes)" if dirty else "")
    end_load = os.getloadavg()
    return [
        f"- Started: {started.isoformat(timespec='seconds')}",
        f"- CPU: {cpu}; {os.cpu_count()} logical cores ({usable} usable by this process)",
        f"- RAM: {ram}",
        f"- OS: {platform.platform()}",
        f"- Python: {platform.python_implementation()} {platform.python_version()}",
        f"- Packages: {', '.join(versions)}",
        f"- Git commit: {commit}",
        f"- Load average (1/5/15 min) at start: {'/'.join(f'{x:.2f}' for x in started_load)}, "
        f"at end: {'/'.join(f'{x:.2f}' for x in end_load)}",
    ]


def fmt_s(x: float) -> str:
    return f"{x:.3f}" if x < 100 else f"{x:.1f}"


# -- section: M/M/4 --------------------------------------------------------------------------


def bench_mm4(report: Report, visitors: int, rounds: int, patience: bool, log=print) -> None:
    report.begin()
    import simulation
    from bench.exact import fifo_starts
    from bench.textbook_simpy import run_textbook
    from simulation.loading import load_scenario
    from simulation.network import compile_network
    from simulation.replication import draw_visitors, run_visitors
    from simulation.streams import Streams

    label = "M/M/4 with patience" if patience else "M/M/4"
    section = "patience" if patience else "mm4"
    doc = mm4_scenario(days_for(visitors), PATIENCE_MEAN if patience else None)
    network = compile_network(load_scenario(doc))
    horizon = network.horizon
    inputs = draw_visitors(network, Streams(doc["seed"], 0))
    order = np.argsort(inputs.arrival, kind="stable")
    if not np.array_equal(order, np.arange(len(order))):
        raise RuntimeError(
            "draw_visitors returned unsorted arrivals; the contenders need sorted inputs"
        )
    if not (np.all(inputs.place == 0) and not np.any(inputs.declined)):
        raise RuntimeError("the M/M/4 scenario should send every visitor to the one office")
    arrival = inputs.arrival.tolist()
    service = inputs.service.tolist()
    pat = inputs.patience.tolist() if patience else None
    n = sum(1 for a in arrival if a < horizon)
    log(f"{label}: {n} visitors over {doc['calendar']['days']} days, {rounds} rounds")

    engine_spent: list[float] = []

    def ours() -> Any:
        with engine_timer() as spent:
            table_ = run_visitors(network, 0, inputs)
        engine_spent.extend(spent)
        return table_

    contenders = [
        Contender("servicesim run_visitors", ours),
        Contender("textbook SimPy", lambda: run_textbook(arrival, service, COUNTERS, pat, horizon)),
        Contender("exact recursion", lambda: fifo_starts(arrival, service, COUNTERS, pat, horizon)),
        Contender("servicesim simulation.run", lambda: simulation.run(doc, replications=1)),
    ]
    alternate(contenders, rounds, log=log)
    # engine_spent holds the warm-up call too: keep the timed rounds only
    engine_times = engine_spent[-rounds:] if len(engine_spent) >= rounds else []
    ours_c, text_c, exact_c, full_c = contenders

    # correctness: every contender did the same work
    ex = np.asarray(exact_c.last, dtype=float)
    checks = []
    for c, start in (
        (ours_c, ours_c.last["start_min"].to_numpy()),
        (text_c, np.asarray(text_c.last, dtype=float)),
    ):
        both = ~np.isnan(start) & ~np.isnan(ex)
        # a visitor still in the queue at the horizon has a start beyond it in the recursion
        differ = int(np.sum(np.isnan(start) != (np.isnan(ex) | (ex >= horizon))))
        worst = float(np.max(np.abs(start[both] - ex[both]))) if both.any() else 0.0
        checks.append((c.name, int(both.sum()), worst, differ))
    served_exact = int(np.sum(~np.isnan(ex) & (ex < horizon)))

    base = ours_c.median
    rows = []
    for c in contenders:
        rows.append(
            [
                c.name,
                fmt_s(c.median),
                fmt_s(min(c.times)),
                fmt_s(max(c.times)),
                fmt_s(c.cpu_median),
                f"{n / c.median:,.0f}",
                f"{c.median / base:.3f}",
            ]
        )
    if engine_times:
        em = statistics.median(engine_times)
        rows.insert(
            1,
            [
                "  of which Engine.run (info)",
                fmt_s(em),
                fmt_s(min(engine_times)),
                fmt_s(max(engine_times)),
                "",
                f"{n / em:,.0f}",
                f"{em / base:.3f}",
            ],
        )
    per_round_tb = [a / b for a, b in zip(ours_c.times, text_c.times, strict=True)]
    per_round_ex = [a / b for a, b in zip(ours_c.times, exact_c.times, strict=True)]
    r_tb = ours_c.median / text_c.median
    r_ex = ours_c.median / exact_c.median
    cpu_tb = ours_c.cpu_median / text_c.cpu_median
    cpu_ex = ours_c.cpu_median / exact_c.cpu_median
    lines = [
        f"{n:,} visitors (λ = {LAMBDA_PER_MIN}/min, mean service 1 min, {COUNTERS} counters, load 0.8, "
        f"always open{', exponential patience mean ' + format(PATIENCE_MEAN, 'g') + ' min' if patience else ''}); "
        f"inputs drawn once with `draw_visitors` and fed to every contender. "
        f"{rounds} alternating rounds after one warm-up round; times in seconds.",
        "",
    ]
    lines += table(
        ["contender", "median s", "min s", "max s", "median CPU s", "visitors/s", "time / ours"],
        rows,
    )
    lines += [
        "",
        f"- our time / textbook SimPy: **{r_tb:.3f}** (ratio of medians; per round "
        f"{min(per_round_tb):.3f}–{max(per_round_tb):.3f}; in CPU time {cpu_tb:.3f}) "
        f"→ our model is {1 / r_tb:.2f}× faster",
        f"- our time / exact recursion: **{r_ex:.1f}** (per round {min(per_round_ex):.1f}–"
        f"{max(per_round_ex):.1f}; in CPU time {cpu_ex:.1f})",
        f"- full `simulation.run` (sampling + engine + visit table + site hours + KPIs) / engine path: "
        f"{full_c.median / ours_c.median:.2f}",
        "",
        "Same-work check (starts compared with the exact recursion, outside the timed region; "
        f"the recursion serves {served_exact:,} before the horizon):",
        "",
    ]
    lines += table(
        ["contender", "visitors compared", "max |Δ start| min", "served/not-served mismatches"],
        [[name, f"{k:,}", f"{w:.2e}", str(d)] for name, k, w, d in checks],
    )
    bad = [name for name, _, w, d in checks if w > 1e-6 or d > 0]
    if bad:
        lines += [
            "",
            f"**CHECK FAILED** for {', '.join(bad)}: the contenders did not do identical work.",
        ]
    report.add(f"{label} at load 0.8", lines, stretch=ours_c.median / ours_c.cpu_median)
    report.targets.append(
        Target(section, "our model / textbook SimPy time", r_tb, TEXTBOOK_RATIO_MAX, True)
    )
    report.targets.append(
        Target(section, "our model / exact recursion time", r_ex, EXACT_RATIO_MAX, True)
    )
    log(f"  ours/textbook {r_tb:.3f}, ours/exact {r_ex:.1f}")


# -- section: scale (fresh subprocess per measurement) ----------------------------------------


def peak_rss_kib() -> int:
    """Peak resident memory of this process in KiB.

    ``VmHWM`` from ``/proc/self/status`` where it exists: on Linux ``getrusage``'s
    ``ru_maxrss`` survives ``exec``, so a fresh child reports at least the RSS its parent had
    when it forked (here the benchmark process, several hundred MiB); ``VmHWM`` belongs to
    the child's own address space. Elsewhere ``ru_maxrss`` (KiB on Linux).
    """
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


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
    outcome = visits["outcome"].astype(str)
    return {
        "wall_s": wall,
        "cpu_s": (lambda u: u.ru_utime + u.ru_stime)(resource.getrusage(resource.RUSAGE_SELF))
        - cpu0,
        "replication_s": result.wall_seconds,
        "peak_rss_kib": peak_rss_kib(),
        "ru_maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "rss_after_imports_kib": rss_imports,
        "visits": len(visits),
        "served": int((outcome == "served").sum()),
        "areas": len(doc["areas"]),
        "sites": len(doc["sites"]),
        "days": doc["calendar"]["days"],
    }


def run_child(spec: dict[str, Any], timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.run_bench", "--child-scale", json.dumps(spec)]
    proc = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        raise RuntimeError(f"child failed (exit {proc.returncode}): {tail}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_scale(report: Report, rounds: int, quick: bool, log=print) -> None:
    report.begin()
    factors = (1, 2, 4)
    days = 7 if quick else 365
    lines: list[str] = []
    national = NATIONAL.exists()
    if national and not quick:
        path, what = NATIONAL, f"`{NATIONAL.relative_to(ROOT)}`"
    else:
        path = FALLBACK_SCALE
        what = f"`{FALLBACK_SCALE.relative_to(ROOT)}` (fallback)"
        if quick:
            lines += ["Quick run: the small fallback scenario stands in for the national one.", ""]
        else:
            lines += [
                f"**National section skipped: `{NATIONAL.relative_to(ROOT)}` does not exist yet.** "
                "The demand-growth measurement below uses the Norrköping example instead, "
                "which is far smaller than the national scenario; rerun when the national file exists.",
                "",
            ]
    log(
        f"scale: {path.name} for {days} days at {factors}× demand, {rounds} round(s), fresh process each"
    )
    results: dict[int, list[dict[str, Any]]] = {f: [] for f in factors}
    failure = None
    for r in range(rounds):
        for f in factors:
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
    if failure:
        lines += [f"**Scale measurement failed**: {failure}"]
        report.add("Scale and demand growth", lines)
        report.targets.append(Target("scale", "measurement ran", math.nan, 1, False, note="failed"))
        return
    med = {f: statistics.median(x["wall_s"] for x in results[f]) for f in factors}
    mem = {f: max(x["peak_rss_kib"] for x in results[f]) / 1024**2 for f in factors}
    mem_low = {f: min(x["peak_rss_kib"] for x in results[f]) / 1024**2 for f in factors}
    base_mem = min(x["rss_after_imports_kib"] for f in factors for x in results[f]) / 1024**2
    first = results[1][0]
    lines += [
        f"Scenario {what}: {first['areas']} areas, {first['sites']} sites, {days} simulated days, "
        f"one replication, run with `simulation.run` (loading, compiling, sampling, engine, "
        f"visit table, site hours, KPIs). Each measurement in a fresh Python process; "
        f"peak memory is that process's high-water RSS (`VmHWM`; `ru_maxrss` would include the "
        f"parent's RSS at fork), the highest over the rounds (the interpreter with imports alone "
        f"takes {base_mem * 1024:.0f} MiB). {rounds} round(s), demand factors alternating. "
        "CPU s is the child's user + system time: a wall time well above it means the process "
        "waited for a core (other work on the machine) or for memory.",
        "",
    ]
    rows = []
    for f in factors:
        visits = results[f][0]["visits"]
        rows.append(
            [
                f"{f}×",
                f"{visits:,}",
                fmt_s(med[f]),
                fmt_s(min(x["wall_s"] for x in results[f])),
                fmt_s(statistics.median(x["cpu_s"] for x in results[f])),
                f"{visits / med[f]:,.0f}",
                f"{mem[f] * 1024:,.0f}" + (f" ({mem_low[f] * 1024:,.0f})" if rounds > 1 else ""),
                f"{med[f] / med[1]:.2f}",
                f"{mem[f] / mem[1]:.2f}",
            ]
        )
    lines += table(
        [
            "demand",
            "visits",
            "median wall s",
            "min wall s",
            "median CPU s",
            "visits/s",
            "peak RSS MiB (lowest round)" if rounds > 1 else "peak RSS MiB",
            "time / 1×",
            "memory / 1×",
        ],
        rows,
    )
    if national and not quick:
        report.targets.append(
            Target(
                "scale",
                "national year wall time",
                med[1],
                NATIONAL_SECONDS_MAX,
                True,
                " s",
                note=f"CPU time {statistics.median(x['cpu_s'] for x in results[1]):.1f} s",
            )
        )
        report.targets.append(
            Target("scale", "national year peak memory", mem[1], NATIONAL_GIB_MAX, True, " GiB")
        )
    else:
        why = "quick run" if quick else f"{NATIONAL.relative_to(ROOT)} does not exist yet"
        for name, limit, unit in (
            ("national year wall time", NATIONAL_SECONDS_MAX, " s"),
            ("national year peak memory", NATIONAL_GIB_MAX, " GiB"),
        ):
            report.targets.append(
                Target("scale", name, math.nan, limit, True, unit, note=why, skipped=True)
            )
    note = "" if national and not quick else "fallback scenario"
    report.targets.append(
        Target("scale", "time at 4× demand / 1×", med[4] / med[1], GROWTH_4X_MAX, True, note=note)
    )
    walls = [x["wall_s"] for f in factors for x in results[f]]
    cpus = [x["cpu_s"] for f in factors for x in results[f]]
    report.add(
        "Scale and demand growth", lines, stretch=statistics.median(walls) / statistics.median(cpus)
    )


# -- section: sweep throughput ---------------------------------------------------------------


def bench_sweep(report: Report, rounds: int, quick: bool, log=print) -> None:
    report.begin()
    from simulation.sweep import run_sweep

    days = 1 if quick else 25
    reps = 2 if quick else 8
    sweep = {
        "name": "bench-sweep",
        "scenario": mm4_scenario(days),
        "designs": {"four": {}, "five": {"set": {"sites.s.counters": 5}}},
        "replications": reps,
        "seed": 7,
        "kpis": ["wait_mean"],
    }
    runs = 2 * reps
    log(f"sweep: {runs} runs of an M/M/4 over {days} day(s), workers 1 vs 2, {rounds} round(s)")
    # one untimed serial run so imports and caches are warm in this process
    run_sweep({**sweep, "replications": 1}, workers=1, out=None, progress=False)
    times: dict[int, list[float]] = {1: [], 2: []}
    for r in range(rounds):
        for w in (1, 2):
            seconds, _, result = time_once(
                lambda w=w: run_sweep(sweep, workers=w, out=None, progress=False)
            )
            if result.failures:
                raise RuntimeError(f"sweep runs failed: {result.failures[0][3]}")
            times[w].append(seconds)
        log(
            f"  round {r + 1}/{rounds}: workers=1 {times[1][-1]:.2f}s, workers=2 {times[2][-1]:.2f}s"
        )
    med = {w: statistics.median(times[w]) for w in times}
    ratio = med[1] / med[2]
    rows = [
        [
            str(w),
            fmt_s(med[w]),
            fmt_s(min(times[w])),
            fmt_s(max(times[w])),
            f"{runs / med[w]:.2f}",
            f"{med[w] / runs:.3f}",
        ]
        for w in (1, 2)
    ]
    lines = [
        f"`simulation.sweep.run_sweep` on an inline sweep: 2 designs × {reps} replications = {runs} runs, "
        f"each an M/M/4 over {days} day(s) (~{LAMBDA_PER_MIN * 1440 * days:,.0f} visitors), "
        f"`out=None`, `progress=False`. `workers=1` runs in this process; `workers=2` starts a "
        f"spawn process pool per sweep (its start-up is included, as a user pays it). "
        f"{rounds} alternating round(s).",
        "",
    ]
    lines += table(["workers", "median s", "min s", "max s", "runs/s", "s per run"], rows)
    overhead = med[2] - med[1] / 2
    lines += [
        "",
        f"- throughput with 2 workers / with 1: **{ratio:.2f}**",
        f"- time with 2 workers beyond a perfect halving of the serial time: {overhead:.2f} s "
        f"(process-pool start-up: spawning workers that each import `simulation` with pandas and "
        f"scipy, plus sending tasks and kept visit tables between processes)",
    ]
    report.targets.append(
        Target("sweep", "2-worker / 1-worker throughput", ratio, WORKERS_2_MIN, False)
    )
    report.add("Sweep throughput", lines, own=2)


# -- profile ---------------------------------------------------------------------------------


def profile(visitors: int, top: int = 25) -> None:
    """cProfile our engine path on the M/M/4 case (with and without patience)."""
    import cProfile
    import pstats

    import simulation
    from simulation.loading import load_scenario
    from simulation.network import compile_network
    from simulation.replication import draw_visitors, run_visitors
    from simulation.streams import Streams

    for patience in (None, PATIENCE_MEAN):
        doc = mm4_scenario(days_for(visitors), patience)
        network = compile_network(load_scenario(doc))
        inputs = draw_visitors(network, Streams(doc["seed"], 0))
        run_visitors(network, 0, inputs)  # warm
        prof = cProfile.Profile()
        prof.enable()
        run_visitors(network, 0, inputs)
        prof.disable()
        print(f"\n=== run_visitors, {doc['name']}, {len(inputs.arrival):,} visitors ===")
        pstats.Stats(prof).sort_stats("tottime").print_stats(top)
    doc = mm4_scenario(days_for(visitors))
    prof = cProfile.Profile()
    prof.enable()
    simulation.run(doc, replications=1)
    prof.disable()
    print("\n=== simulation.run, bench-mm4 (cumulative) ===")
    pstats.Stats(prof).sort_stats("cumulative").print_stats(top)


# -- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run_bench", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes for a smoke test")
    parser.add_argument(
        "--rounds", type=int, default=None, help="alternating rounds for M/M/4 (default 5; quick 2)"
    )
    parser.add_argument(
        "--scale-rounds",
        type=int,
        default=None,
        help="rounds of the scale section (default 2; quick 1)",
    )
    parser.add_argument(
        "--sweep-rounds",
        type=int,
        default=None,
        help="rounds of the sweep section (default 3; quick 1)",
    )
    parser.add_argument(
        "--visitors", type=int, default=None, help="M/M/4 visitors (default 200000; quick 10000)"
    )
    parser.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        help=f"comma-separated subset of {','.join(SECTIONS)}",
    )
    parser.add_argument(
        "--out",
        default=None,
        help="results file (default bench/RESULTS.md; with --quick nothing is written unless given)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    parser.add_argument(
        "--profile", action="store_true", help="print a cProfile of our model on M/M/4 and exit"
    )
    parser.add_argument("--child-scale", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child_scale is not None:
        print(json.dumps(child_scale(json.loads(args.child_scale))))
        return 0
    visitors = args.visitors or (10_000 if args.quick else 200_000)
    if args.profile:
        profile(visitors)
        return 0
    rounds = args.rounds or (2 if args.quick else 5)
    scale_rounds = args.scale_rounds or (1 if args.quick else 2)
    sweep_rounds = args.sweep_rounds or (1 if args.quick else 3)
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(
            f"unknown section(s) {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}"
        )
    out = Path(args.out) if args.out else (None if args.quick else DEFAULT_OUT)

    given = sys.argv[1:] if argv is None else argv
    command = ("python -m bench.run_bench " + shlex.join(given)).rstrip()
    report = Report(args.quick, command)
    load = os.getloadavg()
    started = dt.datetime.now().astimezone()
    began = time.perf_counter()
    if "mm4" in sections:
        bench_mm4(report, visitors, rounds, patience=False)
    if "patience" in sections:
        bench_mm4(report, visitors, rounds, patience=True)
    if "scale" in sections:
        bench_scale(report, scale_rounds, args.quick)
    if "sweep" in sections:
        bench_sweep(report, sweep_rounds, args.quick)
    total = time.perf_counter() - began
    text = (
        report.markdown(machine_info(load, started)) + f"\nTotal benchmark time: {total:.0f} s.\n"
    )
    print()
    print("\n".join(["targets:"] + ["  " + " | ".join(t.row()) for t in report.targets]))
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out}")
    failed = [t for t in report.targets if not t.passed and not t.skipped]
    return 1 if (args.strict and failed) else 0


if __name__ == "__main__":
    sys.exit(main())
