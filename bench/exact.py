"""The exact limit: the FIFO multi-server recursion in a tight Python loop.

For a first-come-first-served queue with ``c`` identical servers, a customer starts service
at ``max(arrival, earliest time a server is free)``; a heap of the servers' free times gives
that earliest time. With patience, a customer whose wait would exceed their patience
abandons at ``arrival + patience`` and never occupies a server (so the heap is unchanged).
This does no event scheduling at all: it is the least work any simulation of this queue can
do, and the yardstick for how much overhead a discrete-event engine adds.

Conventions match the engine in :mod:`simulation.engine.model`: a visitor reneges only when their
deadline ``arrival + patience`` is strictly before the moment a server could take them
(a server freeing exactly at the deadline still serves them), and only arrivals before the
horizon are processed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from heapq import heapreplace

import numpy as np


def fifo_starts(
    arrival: Sequence[float],
    service: Sequence[float],
    counters: int,
    patience: Sequence[float] | None = None,
    horizon: float = math.inf,
) -> list[float]:
    """Service start of each customer of a FIFO ``counters``-server queue.

    Parameters
    ----------
    arrival
        Arrival times, sorted ascending (Python floats are fastest; lists are best).
    service
        Service time of each customer.
    counters
        Number of servers (all free at time 0).
    patience
        Optional patience of each customer (``inf`` for none).
    horizon
        Customers arriving at or after this time are not processed (start ``nan``).

    Returns
    -------
    list[float]
        Start time of each customer; ``nan`` for those who abandoned or were not processed.
        A customer's wait is ``start - arrival``; an abandoning customer left at
        ``arrival + patience``.
    """
    n = len(arrival)
    nan = math.nan
    start = [nan] * n
    free = [0.0] * counters  # a heap of the times each server becomes free
    if patience is None:
        for i in range(n):
            a = arrival[i]
            if a >= horizon:
                break
            f = free[0]
            s = a if a > f else f
            start[i] = s
            heapreplace(free, s + service[i])
    else:
        for i in range(n):
            a = arrival[i]
            if a >= horizon:
                break
            f = free[0]
            s = a if a > f else f
            if a + patience[i] < s:
                continue  # abandons; the server stays free for the next customer
            start[i] = s
            heapreplace(free, s + service[i])
    return start


def fifo_waits(
    arrival: np.ndarray,
    service: np.ndarray,
    counters: int,
    patience: np.ndarray | None = None,
    horizon: float = math.inf,
) -> tuple[np.ndarray, np.ndarray]:
    """Convenience wrapper on numpy arrays: ``(start, wait)`` arrays (``nan`` if not served)."""
    start = np.asarray(
        fifo_starts(
            np.asarray(arrival, dtype=float).tolist(),
            np.asarray(service, dtype=float).tolist(),
            counters,
            None if patience is None else np.asarray(patience, dtype=float).tolist(),
            horizon,
        ),
        dtype=float,
    )
    return start, start - np.asarray(arrival, dtype=float)
