"""Timing tools: alternating rounds, CPU beside wall time, peak memory, machine load."""

from __future__ import annotations

import contextlib
import gc
import os
import resource
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Log = Callable[[str], None]


@dataclass
class Timings:
    """Wall and CPU seconds of the timed rounds of one contender."""

    name: str
    times: list[float] = field(default_factory=list)  # wall seconds
    cpu: list[float] = field(default_factory=list)  # CPU seconds of this process

    @property
    def median(self) -> float:
        """Median wall seconds."""
        return statistics.median(self.times)

    @property
    def cpu_median(self) -> float:
        """Median CPU seconds."""
        return statistics.median(self.cpu)


@dataclass
class Contender(Timings):
    """A timed callable and the result of its last call."""

    func: Callable[[], Any] = field(default=lambda: None, repr=False)
    last: Any = field(default=None, repr=False)


@dataclass(frozen=True)
class Load:
    """The 1-minute load average as a measurement started and ended, and the usable cores."""

    start: float
    end: float
    cores: int


class LoadWatch:
    """Notes the load average at the start of a measurement; ``stop()`` gives the ``Load``."""

    def __init__(self) -> None:
        self.start = os.getloadavg()[0]

    def stop(self) -> Load:
        """The load at the start and now."""
        return Load(self.start, os.getloadavg()[0], usable_cores())


def usable_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


@contextlib.contextmanager
def engine_timer() -> Iterator[list[float]]:
    """Record how long ``Engine.run`` takes inside ``run_visitors`` (empty if not found)."""
    import simulation.engine.replication as rep

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

    setattr(rep, "Engine", TimedEngine)  # noqa: B010 - swapped in for the measurement only
    try:
        yield spent
    finally:
        setattr(rep, "Engine", original)  # noqa: B010


def time_once(func: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall and CPU seconds of one call, and its result."""
    gc.collect()
    cpu = time.process_time()
    began = time.perf_counter()
    out = func()
    return time.perf_counter() - began, time.process_time() - cpu, out


def alternate(
    contenders: list[Contender], rounds: int, warmup: bool = True, log: Log = print
) -> None:
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
