"""Arrivals injected during a run: later attempts of needs (return visits, docs/model.md 13).

:class:`InjectedArrivals` is the part of :class:`~simulation.engine.model.Engine` that lets an
attempt created while the run goes on arrive at a site (one timeout event whose callback runs
the same arrival rule as the site's arrival process) and that records reneging at the deadline
when reneging may lead to a return. Without returns none of it runs.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import simpy

from simulation.engine.simpy_internals import succeed_after
from simulation.scenario.outcomes import BALKED, IN_SERVICE, RENEGED, WAITING

if TYPE_CHECKING:
    from simulation.engine.model import Engine, Visits, _Site


class InjectedArrivals:
    """Mixin of the engine: injected arrivals and reneging recorded at the deadline."""

    env: simpy.Environment
    sites: list[_Site]
    visits: Visits
    horizon: float
    check: Callable[[Engine, int], None] | None
    on_fail: Callable[[int, float], None] | None
    watch_reneging: bool
    returned: list[list[int]]

    def inject(self, k: int, i: int, t: float) -> None:
        """Let visitor ``i`` (a later attempt of a need) arrive at site ``k`` at minute ``t``.

        One scheduled event per injected arrival, no process; ``t`` must not lie in the past.
        An arrival at or after the horizon never happens (the visitor ends ``pending``).
        """
        if t >= self.horizon:
            return
        self.returned[k].append(i)
        site = self.sites[k]
        event = self.env.timeout(t - self.env.now)
        event.callbacks.append(lambda _event: self._arrive(site, k, i, t))

    def _arrive(self, site: _Site, k: int, i: int, t: float) -> None:
        """One arrival of an injected visitor: the body of :meth:`_arrivals` (heap kept)."""
        env = self.env
        v = self.visits
        outcome, leave = v.outcome, v.leave
        if site.idle:
            v.queue_on_arrival[i] = 0.0
            v.start[i] = t
            outcome[i] = IN_SERVICE
            succeed_after(env, site.idle.pop(), i, v.service[i])
            if self.check is not None:
                self.check(self, k)  # type: ignore[arg-type]  # self is the Engine
            return
        heap = site.heap
        while heap and heap[0][0] < t:
            d, j = heapq.heappop(heap)
            if outcome[j] == WAITING:
                outcome[j] = RENEGED
                leave[j] = d
                site.waiting -= 1
        v.queue_on_arrival[i] = site.waiting
        limit = site.spec.limit
        if limit is not None and site.waiting >= limit:
            outcome[i] = BALKED
            leave[i] = t
            assert self.on_fail is not None
            self.on_fail(i, t)
            return
        heapq.heappush(heap, (v.deadline[i], i))
        if self.watch_reneging:
            self._watch(site, i)
        outcome[i] = WAITING
        site.queue.append(i)
        site.waiting += 1
        if self.check is not None:
            self.check(self, k)  # type: ignore[arg-type]  # self is the Engine

    def _watch(self, site: _Site, i: int) -> None:
        """Record visitor ``i``'s reneging at its deadline (not lazily), so its return is timely.

        The check runs in a second, zero-delay event at the deadline, after every event already
        due then, so a counter that frees exactly at the deadline still serves the visitor (§8.3);
        it is scheduled only if the visitor is still waiting when the deadline comes (waiting is
        never re-entered, and leaving an event out keeps the order of all others).
        """
        deadline = self.visits.deadline[i]
        if deadline == math.inf:
            return
        env = self.env

        def due(_event: simpy.Event) -> None:
            # served or gone already (the usual case): nothing to check, no second event
            if self.visits.outcome[i] == WAITING:
                env.timeout(0).callbacks.append(renege)

        def renege(_event: simpy.Event) -> None:
            v = self.visits
            if v.outcome[i] == WAITING:
                v.outcome[i] = RENEGED
                v.leave[i] = deadline
                site.waiting -= 1
                assert self.on_fail is not None
                self.on_fail(i, deadline)

        env.timeout(deadline - env.now).callbacks.append(due)
