"""An optional invariant checker that runs inside the model (off by default).

Property tests switch it on with ``simulation.run(..., check_invariants=True)``. After every
arrival that joins a queue and every service start it asserts, for the site concerned:
capacity (people at counters never exceed the counters on duty), the queue limit (people truly
waiting never exceed the balking length or capacity), presence (under ``turn_away`` no
service starts outside an open window), causality (nobody starts before arriving), and
conservation (every visitor of the site is in exactly one known state).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from simulation.engine.model import Engine

_KNOWN = {TRAVELLING, WAITING, IN_SERVICE, SERVED, BALKED, RENEGED, CLOSED, PENDING}


class InvariantViolation(AssertionError):
    """The model broke one of its invariants."""


def check_site(engine: Engine, k: int) -> None:
    """Assert the invariants of site ``k`` at the current simulated time.

    Raises
    ------
    InvariantViolation
        Naming the site, the time and what was violated.
    """
    now = engine.env.now
    spec = engine.sites[k].spec
    v = engine.visits
    visitors = [*engine.arrivals[k][1], *engine.returned[k]]
    at_counter = waiting = 0
    for i in visitors:
        state = v.outcome[i]
        if state not in _KNOWN:
            raise InvariantViolation(f"site {k} t={now}: visitor {i} in unknown state {state}")
        if state == IN_SERVICE:
            at_counter += 1
            if not v.start[i] <= now + 1e-9 * max(1.0, abs(now)):  # SimPy's clock may round t down
                raise InvariantViolation(f"site {k} t={now}: visitor {i} started in the future")
            if v.start[i] > v.deadline[i]:
                raise InvariantViolation(
                    f"site {k} t={now}: visitor {i} started after its patience ran out"
                )
        elif state == WAITING and v.deadline[i] >= now:
            waiting += 1
    # with staffing, counters on duty: the staffed count, or more only while busy counters
    # finish their visitor after a fall
    counters = engine.sites[k].active if spec.staffing else spec.counters
    if at_counter > counters:
        raise InvariantViolation(f"site {k} t={now}: {at_counter} at {counters} counters")
    if spec.limit is not None and waiting > spec.limit:
        raise InvariantViolation(f"site {k} t={now}: {waiting} waiting, limit {spec.limit}")
    if spec.turn_away:
        for i in visitors:
            if v.outcome[i] == IN_SERVICE and v.start[i] == now and not _open(spec, now):
                raise InvariantViolation(f"site {k} t={now}: service started while closed")


def _open(spec, now: float) -> bool:
    return any(s <= now < e for s, e in zip(spec.starts, spec.ends, strict=True))
