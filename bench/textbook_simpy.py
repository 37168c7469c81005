"""The textbook SimPy M/M/c model: a process per customer and a ``simpy.Resource``.

This is the model every SimPy user writes first (it is the shape of SimPy's own "bank
renege" example): a source process creates one process per customer; the customer
requests a server from a ``Resource`` and, when patience is given, waits for
``request | timeout(patience)`` and leaves if the timeout wins.

It consumes the same pre-drawn arrival times, service times and patience arrays as the
other contenders of :mod:`bench.run_bench`, so all of them do identical work.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import simpy


def run_textbook(
    arrival: Sequence[float],
    service: Sequence[float],
    counters: int,
    patience: Sequence[float] | None = None,
    horizon: float = math.inf,
) -> list[float]:
    """Simulate the queue until ``horizon``; return each customer's service start.

    Parameters
    ----------
    arrival
        Arrival times, sorted ascending.
    service
        Service time of each customer.
    counters
        Capacity of the ``simpy.Resource``.
    patience
        Optional patience of each customer; without it customers wait for ever.
    horizon
        End of the run.

    Returns
    -------
    list[float]
        Start of service, ``nan`` for customers who reneged or had not started by the horizon.
    """
    env = simpy.Environment()
    server = simpy.Resource(env, capacity=counters)
    start = [math.nan] * len(arrival)

    def customer(i: int, service_time: float):
        with server.request() as req:
            yield req
            start[i] = env.now
            yield env.timeout(service_time)

    def impatient_customer(i: int, service_time: float, patience_time: float):
        with server.request() as req:
            result = yield req | env.timeout(patience_time)
            if req not in result:
                return  # reneged; leaving the with-block withdraws the request
            start[i] = env.now
            yield env.timeout(service_time)

    def source():
        for i, t in enumerate(arrival):
            if t >= horizon:
                return
            yield env.timeout(t - env.now)
            if patience is None:
                env.process(customer(i, service[i]))
            else:
                env.process(impatient_customer(i, service[i], patience[i]))

    env.process(source())
    env.run(until=horizon)
    return start
