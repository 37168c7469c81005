"""The SimPy model of service sites: queues, counters, balking, reneging and closing.

Design for speed (see ``docs/model.md``): visitors are not processes. Each site has one
arrival process that walks its pre-computed arrivals, and one long-lived process per counter
that pulls the next visitor from a FIFO queue. Reneging is lazy: a visitor whose patience ran
out is dropped (and recorded as reneged at that exact moment) when a counter reaches it, or
when an arrival needs the true queue length for balking. A busy counter therefore costs two
events per visitor (arrival and service end) instead of the ~6 of a process per visitor.

Records are written into preallocated Python lists indexed by visitor and turned into numpy
columns at the end.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import simpy

from simulation.engine.injection import InjectedArrivals
from simulation.engine.simpy_internals import rearm, reusable_timeout, succeed_after
from simulation.scenario.outcomes import (
    BALKED,
    CLOSED,
    IN_SERVICE,
    PENDING,
    RENEGED,
    SERVED,
    TRAVELLING,
    WAITING,
)


@dataclass(frozen=True)
class SiteSpec:
    """What the engine needs to know about one site.

    Attributes
    ----------
    counters
        Counters staffed while the site is open (without ``staffing``).
    limit
        Most people allowed to wait (the smaller of balking length and queue capacity);
        ``None`` for no limit. An arrival that would have to wait balks when this many wait.
    turn_away
        Closing policy: ``True`` turns away those waiting at closing; ``False`` serves them.
    starts, ends
        Open windows within the horizon (minutes, sorted, non-overlapping).
    staffing
        Staffing by time of day: ``(minute, counters)`` at each change of the staffed count,
        sorted, the first at the first opening; empty for ``counters`` throughout. Between
        changes (and after closing) the last count holds.
    """

    counters: int
    limit: int | None
    turn_away: bool
    starts: Sequence[float]
    ends: Sequence[float]
    staffing: Sequence[tuple[float, int]] = ()


def typed(values: Sequence[float] | np.ndarray, code: str = "d") -> array:
    """A compact Python ``array`` (fast scalar access, 8 bytes a value instead of ~32 in a list)."""
    dtype = {"d": np.float64, "q": np.int64, "b": np.int8}[code]
    out = array(code)
    out.frombytes(np.ascontiguousarray(values, dtype=dtype).tobytes())
    return out


@dataclass
class Visits:
    """Per-visitor inputs and outputs of one engine run.

    Columns are Python ``array`` objects: scalar reads and writes are as fast as with lists
    while a national run's records take a quarter of the memory.
    """

    service: array
    deadline: array  # arrival + patience (inf for unlimited patience)
    start: array
    end: array
    leave: array  # when a visitor who did not finish service left the queue
    outcome: array
    queue_on_arrival: array

    @classmethod
    def empty(
        cls, service: Sequence[float] | np.ndarray, deadline: Sequence[float] | np.ndarray
    ) -> Visits:
        """Fresh records for ``len(service)`` visitors."""
        n = len(service)
        nan = np.full(n, np.nan)
        return cls(
            typed(service),
            typed(deadline),
            typed(nan),
            typed(nan),
            typed(nan),
            typed(np.full(n, TRAVELLING), "b"),
            typed(nan),
        )


class _Site:
    """Runtime state of one site during a run."""

    __slots__ = ("spec", "queue", "waiting", "idle", "heap", "window", "staffed", "active", "off")

    def __init__(self, spec: SiteSpec) -> None:
        self.spec = spec
        self.queue: deque[int] = deque()
        self.waiting = 0  # people in the queue who have not reneged (as far as known)
        self.idle: list[simpy.Event] = []
        self.heap: list[tuple[float, int]] = []  # deadlines, for the true queue length
        self.window = 0  # index of the current or next open window
        self.staffed = spec.counters  # counters on duty by the staffing now
        self.active = spec.counters  # counters on duty (busy or idle); more than staffed
        # only while busy counters finish their visitor after a fall in staffing
        self.off: list[simpy.Event] = []  # off-duty counters, woken when staffing rises

    def is_open(self, now: float) -> bool:
        ends = self.spec.ends
        w = self.window
        while w < len(ends) and ends[w] <= now:
            w += 1
        self.window = w
        return w < len(ends) and self.spec.starts[w] <= now


class Engine(InjectedArrivals):
    """Runs sites and visitors in one SimPy environment.

    Parameters
    ----------
    sites
        One :class:`SiteSpec` per site.
    arrivals
        For each site, ``(times, visitors)``: arrival minutes (sorted) and visitor indices.
    visits
        Records to fill; ``visits.service`` and ``visits.deadline`` are inputs.
    horizon
        End of the run in minutes; what has not finished by then is ``pending``.
    check
        Optional callable run after every arrival and service start with the engine, used by
        property tests to assert invariants while the model runs.
    """

    def __init__(
        self,
        sites: Sequence[SiteSpec],
        arrivals: Sequence[tuple[Sequence[float], Sequence[int]]],
        visits: Visits,
        horizon: float,
        check: Callable[[Engine, int], None] | None = None,
        on_fail: Callable[[int, float], None] | None = None,
        watch_reneging: bool = False,
    ) -> None:
        self.env = simpy.Environment()
        self.sites = [_Site(spec) for spec in sites]
        self.arrivals = arrivals
        self.visits = visits
        self.horizon = horizon
        self.check = check
        # return visits (docs/model.md section 13): ``on_fail(visitor, time)`` is told of every
        # balk and closing (and, with ``watch_reneging``, every reneging at its deadline), and
        # may inject later attempts with :meth:`inject`. ``None``: the engine of before.
        self.on_fail = on_fail
        self.watch_reneging = watch_reneging and on_fail is not None
        self.returned: list[list[int]] = [[] for _ in sites]  # injected visitors per site

    def run(self) -> Visits:
        """Simulate until the horizon and settle every visitor's outcome."""
        env = self.env
        deadline = self.visits.deadline
        for k, site in enumerate(self.sites):
            times, visitors = self.arrivals[k]
            returns = self.on_fail is not None
            if len(times) == 0 and not returns:
                continue
            # counters first, so that arrivals at time 0 find them idle
            processes = site.spec.counters
            if site.spec.staffing:
                # one process per counter ever staffed; the surplus go off duty at once
                processes = max(n for _, n in site.spec.staffing)
                site.staffed = site.spec.staffing[0][1]
                site.active = processes
            for _ in range(processes):
                env.process(self._counter(site, k))
            if site.spec.turn_away:
                env.process(self._doors(site))
            if len(site.spec.staffing) > 1:
                env.process(self._staff(site))
            # the true queue length needs the deadline heap only when people can give up
            track = returns or bool(
                (np.frombuffer(deadline, dtype=np.float64)[np.asarray(visitors)] != math.inf).any()
            )
            env.process(self._arrivals(site, k, times, visitors, track))
        env.run(until=self.horizon)
        self._settle()
        return self.visits

    # -- processes ---------------------------------------------------------------------------

    def _arrivals(
        self, site: _Site, k: int, times: Sequence[float], visitors: Sequence[int], track: bool
    ):
        env = self.env
        v = self.visits
        outcome, qoa, deadline, leave = v.outcome, v.queue_on_arrival, v.deadline, v.leave
        start, service = v.start, v.service
        limit = site.spec.limit
        horizon = self.horizon
        check = self.check
        on_fail = self.on_fail
        watch = self.watch_reneging
        wait = reusable_timeout(env)  # one event object for all of this site's arrivals
        for t, i in zip(times, visitors, strict=True):
            if t >= horizon:
                return
            delay = t - env.now
            if delay > 0:
                yield rearm(env, wait, delay)
            if site.idle:  # an idle counter means nobody is waiting: service starts now
                qoa[i] = 0.0
                start[i] = t
                outcome[i] = IN_SERVICE
                # wake the idle counter when this service ends: one event where
                # `succeed` now and a service timeout in the counter would take two
                succeed_after(env, site.idle.pop(), i, service[i])
                if check is not None:
                    check(self, k)
                continue
            if track:
                heap = site.heap
                while heap and heap[0][0] < t:
                    d, j = heapq.heappop(heap)
                    if outcome[j] == WAITING:
                        outcome[j] = RENEGED
                        leave[j] = d
                        site.waiting -= 1
                qoa[i] = site.waiting
                if limit is not None and site.waiting >= limit:
                    outcome[i] = BALKED
                    leave[i] = t
                    if on_fail is not None:
                        on_fail(i, t)
                    continue
                heapq.heappush(heap, (deadline[i], i))
                if watch:
                    self._watch(site, i)
            else:
                qoa[i] = site.waiting
                if limit is not None and site.waiting >= limit:
                    outcome[i] = BALKED
                    leave[i] = t
                    continue
            outcome[i] = WAITING
            site.queue.append(i)
            site.waiting += 1
            if check is not None:
                check(self, k)

    def _next(self, site: _Site, now: float) -> int:
        """Pop the next visitor still waiting, recording those who reneged; -1 if none."""
        v = self.visits
        outcome, deadline = v.outcome, v.deadline
        queue = site.queue
        while queue:
            i = queue.popleft()
            if outcome[i] != WAITING:
                continue  # already found to have reneged
            site.waiting -= 1
            if deadline[i] < now:
                outcome[i] = RENEGED
                v.leave[i] = deadline[i]
                continue
            return i
        return -1

    def _counter(self, site: _Site, k: int):
        env = self.env
        v = self.visits
        start, end, service, outcome = v.start, v.end, v.service, v.outcome
        turn_away = site.spec.turn_away
        check = self.check
        serving = reusable_timeout(env)  # this counter's service ends, one event object
        while True:
            if site.active > site.staffed:  # staffing fell: go off duty until it rises
                site.active -= 1
                wake = env.event()
                site.off.append(wake)
                yield wake
            i = -1
            if site.queue and not (turn_away and not site.is_open(env.now)):
                i = self._next(site, env.now)
            if i < 0:
                wake = env.event()
                site.idle.append(wake)
                i = yield wake  # fires when the service the arrival started for us ends
                if i < 0:  # taken off duty while idle, and now back on duty
                    continue
            else:
                start[i] = env.now
                outcome[i] = IN_SERVICE
                if check is not None:
                    check(self, k)
                yield rearm(env, serving, service[i])
            end[i] = env.now
            outcome[i] = SERVED

    def _staff(self, site: _Site):
        """Changes of the staffed count: a few events per day (see ``docs/model.md``)."""
        env = self.env
        for t, n in site.spec.staffing[1:]:
            if t >= self.horizon:
                return
            yield env.timeout(t - env.now)
            site.staffed = n
            # a fall: idle counters beyond the new count go off duty now; busy ones when
            # they finish their visitor (no pre-emption)
            idle, off = site.idle, site.off
            while site.active > n and idle:
                off.append(idle.pop())
                site.active -= 1
            # a rise: off-duty counters come back and take waiting visitors at once
            while site.active < n and off:
                site.active += 1
                off.pop().succeed(-1)

    def _doors(self, site: _Site):
        """Under ``turn_away``, those still waiting at closing time leave unserved."""
        env = self.env
        v = self.visits
        outcome, deadline, leave = v.outcome, v.deadline, v.leave
        for close in site.spec.ends:
            if close >= self.horizon:
                return
            yield env.timeout(close - env.now)
            while site.queue:
                i = site.queue.popleft()
                if outcome[i] != WAITING:
                    continue
                if deadline[i] < close:
                    outcome[i] = RENEGED
                    leave[i] = deadline[i]
                else:
                    outcome[i] = CLOSED
                    leave[i] = close
                    if self.on_fail is not None:
                        self.on_fail(i, close)
            site.waiting = 0
            site.heap.clear()

    def _settle(self) -> None:
        """Outcomes at the horizon, for all visitors at once (numpy views of the records)."""
        v = self.visits
        outcome = np.frombuffer(v.outcome, dtype=np.int8)
        deadline = np.frombuffer(v.deadline, dtype=np.float64)
        leave = np.frombuffer(v.leave, dtype=np.float64)
        waiting = outcome == WAITING
        gave_up = waiting & (deadline < self.horizon)
        unfinished = (waiting & ~gave_up) | (outcome == IN_SERVICE) | (outcome == TRAVELLING)
        leave[gave_up] = deadline[gave_up]
        outcome[gave_up] = RENEGED
        outcome[unfinished] = PENDING
        del outcome, deadline, leave  # release the buffers: the records may grow again


def as_arrays(visits: Visits) -> dict[str, np.ndarray]:
    """The engine's records as numpy columns: views of the records' buffers, not copies.

    A national run's records are tens of millions of values; the views let the visit table
    use them without a second copy. The records must not grow afterwards (an ``array`` with
    an exported buffer refuses to resize).
    """
    return {
        "start_min": np.frombuffer(visits.start, dtype=np.float64),
        "end_min": np.frombuffer(visits.end, dtype=np.float64),
        "leave_min": np.frombuffer(visits.leave, dtype=np.float64),
        "outcome": np.frombuffer(visits.outcome, dtype=np.int8),
        "queue_on_arrival": np.frombuffer(visits.queue_on_arrival, dtype=np.float64),
    }
