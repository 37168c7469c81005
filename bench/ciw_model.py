"""Ciw's M/M/c model on the same pre-drawn inputs as the other contenders of the M/M/4 race.

`Ciw <https://ciw.readthedocs.io>`_ is a queueing-network simulation library (pure Python,
its own event scheduling, no SimPy). The arrival, service and patience arrays are fed as
``ciw.dists.Sequential`` distributions in arrival order: interarrival gaps, service times
(Ciw samples one when a customer starts service: the same customer as ours without
patience; with patience the next one to start, so the waits agree in distribution, not
visitor by visitor), and reneging times (sampled on arrival).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import ciw
import numpy as np


def run_ciw(
    arrival: Sequence[float],
    service: Sequence[float],
    counters: int,
    patience: Sequence[float] | None = None,
    horizon: float = math.inf,
) -> list[float]:
    """Simulate the queue with Ciw until ``horizon``; return each customer's service start.

    Parameters
    ----------
    arrival
        Arrival times, sorted ascending (only those before ``horizon`` are simulated).
    service
        Service times, used in the order customers start service.
    counters
        Number of servers.
    patience
        Optional patience of each customer; without it customers wait for ever.
    horizon
        End of the run.

    Returns
    -------
    list[float]
        Start of service, ``nan`` for customers who reneged or had not started by the horizon.
    """
    n = sum(1 for a in arrival if a < horizon)
    start = [math.nan] * len(arrival)
    if n == 0:
        return start
    gaps = [arrival[0]] + [arrival[i] - arrival[i - 1] for i in range(1, n)]
    gaps.append(math.inf)  # no arrival after the last one
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Sequential(gaps)],
        service_distributions=[ciw.dists.Sequential([*service[:n], 1.0])],
        number_of_servers=[counters],
        reneging_time_distributions=(
            None if patience is None else [ciw.dists.Sequential([*patience[:n], 1.0])]
        ),
    )
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(horizon)
    for record in sim.get_all_records():
        if record.record_type == "service" and record.service_start_date < horizon:
            start[record.id_number - 1] = record.service_start_date
    # customers in service at the horizon have started but have no record yet
    for node in sim.transitive_nodes:
        for server in node.servers:
            customer = server.cust
            if customer is not False and customer is not None:
                start[customer.id_number - 1] = float(customer.service_start_date)
    return start


@dataclass(frozen=True)
class Agreement:
    """Whether one contender's waits agree in distribution with the reference's.

    The visitors are cut into ``batches`` consecutive groups in arrival order; per group the
    mean wait of those served and the share served are compared between the two (paired: the
    same arrivals), and a t interval of the mean paired difference is formed (batch means).
    The two agree when both intervals contain 0.
    """

    name: str
    mean_wait: float  # minutes, served visitors
    reference_wait: float
    wait_interval: tuple[float, float]  # of the difference, minutes
    served: int
    reference_served: int
    served_interval: tuple[float, float]  # of the difference in share served
    batches: int

    @property
    def agrees(self) -> bool:
        """Both intervals contain 0."""
        lo, hi = self.wait_interval
        slo, shi = self.served_interval
        return lo <= 0.0 <= hi and slo <= 0.0 <= shi


def agreement(
    name: str,
    start: np.ndarray,
    reference: np.ndarray,
    arrival: np.ndarray,
    horizon: float,
    batches: int = 20,
    level: float = 0.999,
) -> Agreement:
    """Compare ``start`` with ``reference`` (``nan``: not served) by batch means."""
    from scipy import stats

    n = int(np.sum(arrival < horizon))
    served_a = ~np.isnan(start[:n]) & (start[:n] < horizon)
    served_b = ~np.isnan(reference[:n]) & (reference[:n] < horizon)
    wait_a = np.where(served_a, start[:n] - arrival[:n], np.nan)
    wait_b = np.where(served_b, reference[:n] - arrival[:n], np.nan)
    groups = np.array_split(np.arange(n), batches)
    d_wait = np.array([np.nanmean(wait_a[g]) - np.nanmean(wait_b[g]) for g in groups])
    d_served = np.array([served_a[g].mean() - served_b[g].mean() for g in groups])
    t = stats.t.ppf(0.5 + level / 2, batches - 1)

    def interval(d: np.ndarray) -> tuple[float, float]:
        half = t * d.std(ddof=1) / np.sqrt(len(d)) if d.std(ddof=1) > 0 else 0.0
        return float(d.mean() - half), float(d.mean() + half)

    return Agreement(
        name,
        float(np.nanmean(wait_a)),
        float(np.nanmean(wait_b)),
        interval(d_wait),
        int(served_a.sum()),
        int(served_b.sum()),
        interval(d_served),
        batches,
    )
